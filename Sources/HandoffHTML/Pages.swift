import HandoffJSON
import HandoffKit
import HandoffWorkLog

/// The pages of `handoff ui`, each rendered whole on the server from what the store holds now. A page
/// shows nothing the command line would not: secrets were masked before they reached the store.
public struct Pages: Sendable {
    /// How many handoffs an inbox page lists.
    public static let inboxPageSize = 50
    /// How many escalations, insights or search hits a page lists.
    public static let listPageSize = 50
    /// Artifacts larger than this are not drawn as a document, only offered to download.
    public static let largestShownBytes = 4 << 20

    public let workLog: WorkLog
    /// The token every form sends back (the server checks it).
    public let csrf: String
    /// The time pages measure ages against.
    public var now: @Sendable () -> Timestamp = { Timestamp.now() }

    public var store: Store { workLog.store }

    public init(workLog: WorkLog, csrf: String) {
        self.workLog = workLog
        self.csrf = csrf
    }

    // MARK: Overview

    /// `/`: every consumer's handoffs by state, recent sessions, what waits for a person.
    public func overview() throws(HandoffError) -> String {
        var byConsumer: [String: [Handoff.State: Int]] = [:]
        for count in try store.handoffCounts() {
            byConsumer[count.consumer, default: [:]][count.state] = count.count
        }
        var body = "<h1>Overview <span class=\"muted\">· \(HTML.text(store.location))</span></h1>"
        body += "<div class=\"grid\"><section><h2>Inboxes</h2>"
        if byConsumer.isEmpty {
            body +=
                "<p class=\"muted\">No handoffs yet. <code>handoff put FILE --to BOT</code> makes one.</p>"
        } else {
            body += "<table id=\"inboxes\"><thead><tr><th>Consumer</th><th class=\"num\">Pending</th>"
            body += "<th class=\"num\">Claimed</th><th class=\"num\">Dead</th><th class=\"num\">Done</th>"
            body +=
                "<th class=\"num\">Blocked</th><th class=\"num\">Rejected</th><th class=\"num\">Routed</th>"
            body += "</tr></thead><tbody>"
            for consumer in byConsumer.keys.sorted() {
                let counts = byConsumer[consumer] ?? [:]
                body += "<tr data-consumer=\"\(HTML.attribute(consumer))\"><td>"
                body += link(Links.server.inbox(consumer), HTML.text(consumer)) + "</td>"
                for state in [Handoff.State.pending, .claimed, .dead, .done, .blocked, .rejected, .routed] {
                    let count = counts[state] ?? 0
                    let href = Links.server.inbox(consumer)! + "?state=" + state.rawValue
                    body +=
                        "<td class=\"num\">"
                        + (count == 0 ? "<span class=\"muted\">0</span>" : link(href, "\(count)"))
                    body += "</td>"
                }
                body += "</tr>"
            }
            body += "</tbody></table>"
        }
        body += "</section><section><h2>Waiting for a person</h2>"
        let escalations = try workLog.escalations(limit: 6)
        if escalations.isEmpty {
            body += "<p class=\"muted\">No escalation waits for a decision.</p>"
        } else {
            body += "<ul>"
            for escalation in escalations.prefix(5) {
                body +=
                    "<li>" + HTML.text(escalation.bot) + ": " + HTML.text(clipped(escalation.message, 140))
                body += " <span class=\"muted\">(" + HTML.text(escalation.workspace) + ")</span></li>"
            }
            body +=
                "</ul><p>" + link("/escalations", escalations.count > 5 ? "All escalations…" : "Decide them")
                + "</p>"
        }
        let insights = try workLog.insights(state: .pending, limit: 6)
        body += "<h2>Insights queued</h2>"
        if insights.isEmpty {
            body += "<p class=\"muted\">No insight waits for approval.</p>"
        } else {
            body += "<p>\(insights.count > 5 ? "More than 5" : String(insights.count)) waiting: "
            body += link("/insights", "approve or reject") + "</p>"
        }
        body += "</section></div><h2>Recent sessions</h2>"
        body += sessionTable(try workLog.sessions(WorkSessionFilter(limit: 15)))
        return Layout.page(title: "Overview", body: body, assets: .served, section: .overview)
    }

    private func sessionTable(_ sessions: [WorkSessionInfo]) -> String {
        guard !sessions.isEmpty else {
            return "<p class=\"muted\">No work sessions recorded. <code>handoff demo</code> records some.</p>"
        }
        var html = "<table id=\"sessions\"><thead><tr><th>Session</th><th>Workspace</th><th>Query</th>"
        html +=
            "<th>Bots</th><th class=\"num\">Steps</th><th class=\"num\">Errors</th><th>State</th></tr></thead><tbody>"
        for session in sessions {
            html +=
                "<tr><td>"
                + link(Links.server.session(session.id), "<span class=\"id\">\(HTML.text(session.id))</span>")
            html += "</td><td>" + HTML.text(session.start.workspace) + "</td><td>"
            html += HTML.text(clipped(session.start.query, 90)) + "</td><td>"
            html +=
                HTML.text(session.bots.joined(separator: ", "))
                + "</td><td class=\"num\">\(session.steps)</td>"
            html += "<td class=\"num\">\(session.errors)</td><td>"
            html +=
                session.isEnded
                ? "ended " + HTML.text(age(session.endedAt!)) : "<span class=\"live\">open</span>"
            html += "</td></tr>"
        }
        return html + "</tbody></table>"
    }

    // MARK: Inbox

    /// `/inbox/{consumer}`: its handoffs oldest first, in `states` (pending by default), a page at a time:
    /// the page after the handoff `after` (each page links to the next by its last handoff, so a page deep in
    /// an inbox of 100,000 costs what the first does).
    public func inbox(_ consumer: String, state: String?, after: String? = nil) throws(HandoffError) -> String
    {
        let states: [Handoff.State]
        switch state {
        case nil, "": states = [.pending]
        case "all": states = Handoff.State.allCases
        case let name?:
            guard let one = Handoff.State(rawValue: name) else {
                throw HandoffError(
                    .usage, "no handoff state \"\(name)\"",
                    hint: "one of " + Handoff.State.allCases.map(\.rawValue).joined(separator: ", ")
                        + " or all")
            }
            states = [one]
        }
        if let after, !Store.isHandoffID(after) {
            throw HandoffError(.usage, "\"\(after)\" is not a handoff id", hint: "pages follow the Next link")
        }
        var filter = HandoffFilter(states: states, limit: Paging.fetchCount(Self.inboxPageSize))
        filter.after = after
        let rows = try store.inboxWithNextActions(consumer, filter: filter)
        let shown = rows.prefix(Self.inboxPageSize)
        let current = state.flatMap { $0.isEmpty ? nil : $0 } ?? "pending"
        let base = Links.server.inbox(consumer)!
        var body = "<h1>Inbox of " + HTML.text(consumer) + "</h1><p class=\"filters\">Show: "
        for name in Handoff.State.allCases.map(\.rawValue) + ["all"] {
            body +=
                "<a href=\"\(HTML.attribute(base + "?state=" + name))\"\(name == current ? " aria-current=\"true\"" : "")>\(name)</a>"
        }
        body += "</p>"
        if shown.isEmpty {
            body += "<p class=\"muted\">No \(current == "all" ? "" : current + " ")handoffs"
            body += after == nil ? ".</p>" : " after \(HTML.text(after ?? "")).</p>"
        } else {
            body +=
                "<table id=\"handoffs\"><thead><tr><th>Handoff</th><th>Artifact</th>"
            body += "<th>From</th><th>State</th><th>Age</th><th>Next actions</th></tr></thead><tbody>"
            for row in shown {
                let handoff = row.handoff
                body += "<tr data-handoff=\"\(HTML.attribute(handoff.id))\">"
                body += "<td><span class=\"id\">" + HTML.text(handoff.id) + "</span>"
                if handoff.attempts > 0 { body += "<div class=\"muted\">\(handoff.attempts) attempts</div>" }
                body +=
                    "</td><td>"
                    + link(
                        Links.server.artifact(handoff.artifactID),
                        "<span class=\"id\">\(handoff.artifactID.short)</span>")
                body +=
                    "<div>" + link(Links.server.schema(handoff.schema), HTML.text(handoff.schema))
                    + "</div></td>"
                body += "<td>" + HTML.text(handoff.producer)
                if let workflow = handoff.workflow {
                    body += "<div class=\"muted\">" + HTML.text(workflow) + "</div>"
                }
                body += "</td><td>" + statePill(handoff.state)
                if let worker = handoff.worker, handoff.state == .claimed {
                    body += "<div class=\"muted\">by " + HTML.text(worker) + "</div>"
                }
                if let note = handoff.note {
                    body += "<div class=\"muted\">" + HTML.text(clipped(note, 120)) + "</div>"
                }
                body += "</td><td title=\"\(HTML.attribute(handoff.createdAt.description))\">"
                body +=
                    HTML.text(age(handoff.createdAt)) + "</td><td>" + actionList(row.nextActions)
                    + "</td></tr>"
            }
            body += "</tbody></table>"
        }
        if after != nil || rows.count > Self.inboxPageSize {
            body += "<nav class=\"pager\" aria-label=\"pages\">"
            if after != nil { body += link(base + "?state=" + current, "⇤ First") }
            body += "<span class=\"muted\">\(shown.count) shown</span>"
            if rows.count > Self.inboxPageSize, let last = shown.last {
                body += link(
                    base + "?state=" + current + "&after=" + HTML.queryValue(last.handoff.id), "Next →")
            }
            body += "</nav>"
        }
        return Layout.page(title: "Inbox of \(consumer)", body: body, assets: .served)
    }

    private func actionList(_ actions: [NextAction]) -> String {
        guard !actions.isEmpty else { return "<span class=\"muted\">none</span>" }
        return "<ul class=\"actions\">"
            + actions.map {
                "<li>" + HTML.text($0.action)
                    + ($0.inferred ? " <span class=\"muted\">(inferred)</span>" : "")
                    + "</li>"
            }.joined() + "</ul>"
    }

    private func pager(base: String, offset: Int, shown: Int, more: Bool, pageSize: Int) -> String {
        guard offset > 0 || more else { return "" }
        var html = "<nav class=\"pager\" aria-label=\"pages\">"
        if offset > 0 {
            html += link(base + String(max(0, offset - pageSize)), "← Previous")
        }
        html += "<span class=\"muted\">\(shown == 0 ? offset : offset + 1)–\(offset + shown)</span>"
        if more { html += link(base + String(Paging.nextOffset(offset, shown: shown)), "Next →") }
        return html + "</nav>"
    }

    // MARK: Artifacts

    /// `/artifacts/{id}`: the document, its schema, its handoffs with their history, parents, children and
    /// next actions.
    public func artifact(_ reference: String) throws(HandoffError) -> String {
        let id = try store.resolve(reference)
        let info = try store.artifact(id)
        var body = "<h1>Artifact <span class=\"id\">" + HTML.text(id.description) + "</span></h1>"
        body +=
            "<div class=\"panel\"><div>Schema "
            + link(Links.server.schema(info.schema), HTML.text(info.schema))
        body += " · by " + HTML.text(info.producer) + " · " + HTML.text(info.createdAt.description)
        body +=
            " · \(info.size) bytes" + (info.validated ? "" : " · <span class=\"flag\">not validated</span>")
        body += "</div><div>"
        if let workflow = info.workflow { body += "workflow " + HTML.text(workflow) + " · " }
        if let workspace = info.workspace { body += "workspace " + HTML.text(workspace) + " · " }
        body += link(Links.server.chain(id), "lineage graph") + " · "
        body += link("/artifacts/" + HTML.pathSegment(id.description) + "/raw", "canonical JSON")
        if let session = producingSession(id, schema: info.schema) {
            body += " · " + link(Links.server.session(session), "the session behind it")
        }
        body += "</div></div>"
        body +=
            "<div class=\"grid\"><section><h2>Next actions</h2>" + actionList(try store.nextActions(of: id))
        body += "<h2>Parents</h2>" + artifactList(try store.parents(of: id))
        body +=
            "<h2>Children</h2>" + artifactList(try store.children(of: id))
            + "</section><section><h2>Handoffs</h2>"
        let handoffs = try store.handoffs(HandoffFilter(artifact: id, limit: 200))
        if handoffs.isEmpty { body += "<p class=\"muted\">Handed to nobody.</p>" }
        for handoff in handoffs {
            body +=
                "<div class=\"panel\" id=\"handoff-\(HTML.attribute(handoff.id))\"><div><span class=\"id\">"
            body += HTML.text(handoff.id) + "</span> " + HTML.text(handoff.producer) + " → "
            body +=
                link(Links.server.inbox(handoff.consumer), HTML.text(handoff.consumer)) + " "
                + statePill(handoff.state)
            if let routed = handoff.routedFrom {
                body += " <span class=\"muted\">routed from " + HTML.text(routed) + "</span>"
            }
            body += "</div><table><tbody>"
            for event in try store.events(ofHandoff: handoff.id) {
                body +=
                    "<tr><td>" + HTML.text(event.kind) + "</td><td>" + HTML.text(event.at.description)
                    + "</td><td>"
                if let worker = event.worker { body += HTML.text(worker) }
                if let attempt = event.attempt { body += " <span class=\"muted\">attempt \(attempt)</span>" }
                body += "</td><td>" + HTML.text(event.note ?? "") + "</td></tr>"
            }
            body += "</tbody></table></div>"
        }
        body += "</section></div><h2>Document</h2>"
        if info.size > Self.largestShownBytes {
            body += "<p>\(info.size) bytes: too large to draw here. "
            body += link("/artifacts/" + HTML.pathSegment(id.description) + "/raw", "Download it") + ".</p>"
        } else {
            body += "<p><button type=\"button\" data-fold=\"open\">Unfold all</button> "
            body += "<button type=\"button\" data-fold=\"closed\">Fold all</button></p>"
            body += JSONView.html(try store.document(id))
        }
        return Layout.page(title: "Artifact \(id.short)", body: body, assets: .served)
    }

    private func producingSession(_ id: ArtifactID, schema: String) -> String? {
        guard ["work-log-v1", "work-session-v1", "escalation-v1", "insight-v1"].contains(schema) else {
            return nil
        }
        return (try? workLog.explain(.artifact(id)))?.info.id
    }

    private func artifactList(_ artifacts: [ArtifactInfo]) -> String {
        guard !artifacts.isEmpty else { return "<p class=\"muted\">None.</p>" }
        return "<ul>"
            + artifacts.map {
                "<li>" + link(Links.server.artifact($0.id), "<span class=\"id\">\($0.id.short)</span>") + " "
                    + HTML.text($0.schema) + " <span class=\"muted\">by " + HTML.text($0.producer)
                    + "</span></li>"
            }.joined() + "</ul>"
    }

    /// `/artifacts/{id}/raw`: the canonical bytes, as stored.
    public func raw(_ reference: String) throws(HandoffError) -> [UInt8] {
        try store.canonicalBytes(of: try store.resolve(reference))
    }

    /// `/schemas/{name}`: a schema's document.
    public func schema(_ name: String) throws(HandoffError) -> String {
        let document = try store.schemas.document(named: name)
        let body = "<h1>Schema " + HTML.text(name) + "</h1>" + JSONView.html(document, openDepth: 4)
        return Layout.page(title: "Schema \(name)", body: body, assets: .served)
    }

    // MARK: Chains

    /// `/chain/{id}`: the lineage drawn as a graph beside its text form.
    public func chain(_ reference: String, depth: Int = 10) throws(HandoffError) -> String {
        let id = try store.resolve(reference)
        let chain = try store.chain(of: id, depth: depth)
        let body =
            "<h1>Lineage of <span class=\"id\">" + HTML.text(id.short) + "</span></h1>"
            + Export.chainBody(chain, links: .server)
        return Layout.page(title: "Lineage of \(id.short)", body: body, assets: .served)
    }

    // MARK: Sessions

    /// A session page: which entries it shows, and whether it takes new ones as they come.
    public struct SessionPage: Sendable {
        public let html: String
        /// The last step shown, from which live updates go on; nil when the page does not take them (an
        /// ended session, or a page other than the last).
        public let liveAfter: Int?
    }

    /// `/sessions/{id}`: the timeline, `SessionView.pageSize` entries a page (the page holding `step`,
    /// else `page`, else the last), or the conversation between bots (`view` "conversation").
    public func session(_ id: String, page: Int?, step: Int?, view: String?) throws(HandoffError)
        -> SessionPage
    {
        let explained = try workLog.explain(.session(id))
        let threshold = workLog.configuration.confidenceThreshold
        let context = SessionView.Context(explained, threshold: threshold, links: .server)
        let entries = explained.entries
        let pages = max(1, (entries.count + SessionView.pageSize - 1) / SessionView.pageSize)
        var index = pages - 1
        if let step, let position = entries.firstIndex(where: { $0.step >= step }) {
            index = position / SessionView.pageSize
        } else if let page {
            guard (1...pages).contains(page) else {
                throw HandoffError(
                    .notFound, "session \(id) has \(pages) page\(pages == 1 ? "" : "s"), not \(page)")
            }
            index = page - 1
        }
        let live = !explained.info.isEnded && index == pages - 1
        let conversation =
            view == "conversation"
            || (view == nil && explained.info.start.workspaceType == .coordination && step == nil
                && page == nil)
        var body = SessionView.header(explained, links: .server, live: live && !conversation)
        let base = Links.server.session(id)!
        body += "<p class=\"filters\">View: "
        body +=
            "<a href=\"\(HTML.attribute(base + "?view=timeline"))\"\(conversation ? "" : " aria-current=\"true\"")>timeline</a>"
        body +=
            "<a href=\"\(HTML.attribute(base + "?view=conversation"))\"\(conversation ? " aria-current=\"true\"" : "")>conversation</a>"
        body += "</p>"
        if conversation {
            body += "<h2>Conversation</h2>" + SessionView.conversation(explained, links: .server)
        } else {
            body += SessionView.overview(explained, context: context)
            let range =
                (index * SessionView.pageSize)..<min(entries.count, (index + 1) * SessionView.pageSize)
            var pager = ""
            if pages > 1 {
                pager = "<nav class=\"pager\" aria-label=\"pages\">"
                if index > 0 { pager += link(base + "?view=timeline&page=\(index)", "← Earlier") }
                pager +=
                    "<span class=\"muted\">steps \(entries[range].first?.step ?? 0)–\(entries[range].last?.step ?? 0)"
                pager += " · page \(index + 1) of \(pages)</span>"
                if index < pages - 1 { pager += link(base + "?view=timeline&page=\(index + 2)", "Later →") }
                pager += "</nav>"
            }
            body += pager + SessionView.table(SessionView.rows(entries, range, context: context)) + pager
        }
        body += escalationsAndInsights(explained)
        let lastStep = entries.last?.step ?? 0
        let attributes =
            live && !conversation
            ? "data-live=\"\(HTML.attribute(base + "/events?after=\(lastStep)"))\"" : ""
        let html = Layout.page(
            title: "Session \(explained.info.start.workspace)", body: body, assets: .served,
            bodyAttributes: attributes)
        return SessionPage(html: html, liveAfter: live && !conversation ? lastStep : nil)
    }

    private func escalationsAndInsights(_ explained: ExplainedSession) -> String {
        var html = ""
        if !explained.escalations.isEmpty {
            html += "<h2>Escalations</h2><ul>"
            for escalation in explained.escalations {
                html +=
                    "<li>"
                    + link(
                        Links.server.session(explained.info.id, step: escalation.step),
                        "step \(escalation.step)")
                html += ": " + HTML.text(escalation.message) + " " + statePill(escalation.handoff.state)
                if let note = escalation.handoff.note, escalation.handoff.isFinished {
                    html += " decided: " + HTML.text(note)
                }
                html += "</li>"
            }
            html += "</ul>"
        }
        if !explained.insights.isEmpty {
            html += "<h2>Insights</h2><ul>"
            for insight in explained.insights {
                html +=
                    "<li>"
                    + link(
                        Links.server.session(explained.info.id, step: insight.step), "step \(insight.step)")
                html +=
                    ": " + HTML.text(insight.content) + " <span class=\"pill\">" + insight.state.rawValue
                    + "</span></li>"
            }
            html += "</ul>"
        }
        return html
    }

    /// What an open session recorded after `step`: the timeline's rows for its new entries, and whether it
    /// has ended since.
    public func sessionUpdate(_ id: String, after step: Int) throws(HandoffError) -> (
        rows: String, lastStep: Int, ended: Bool
    ) {
        let info = try workLog.session(id)
        guard info.steps > step || info.isEnded else { return ("", step, false) }
        let explained = try workLog.explain(.session(id))
        let context = SessionView.Context(
            explained, threshold: workLog.configuration.confidenceThreshold, links: .server)
        let entries = explained.entries
        let first = entries.firstIndex { $0.step > step } ?? entries.count
        return (
            SessionView.rows(entries, first..<entries.count, context: context), entries.last?.step ?? step,
            explained.info.isEnded
        )
    }

    // MARK: Decisions

    /// `/escalations`: what waits for a person, each with a form to decide it (or every one, `all`).
    public func escalations(all: Bool, offset: Int, flash: Flash? = nil) throws(HandoffError) -> String {
        let found = try workLog.escalations(
            all: all, limit: Paging.fetchCount(Self.listPageSize), offset: offset)
        let shown = found.prefix(Self.listPageSize)
        var body = (flash?.html ?? "") + "<h1>Escalations</h1><p class=\"filters\">Show: "
        body += "<a href=\"/escalations\"\(all ? "" : " aria-current=\"true\"")>waiting</a>"
        body += "<a href=\"/escalations?all=1\"\(all ? " aria-current=\"true\"" : "")>all</a></p>"
        if shown.isEmpty {
            body +=
                "<p class=\"muted\">" + (all ? "No escalations." : "Nothing waits for a decision.") + "</p>"
        }
        for escalation in shown {
            let handoff = escalation.handoff
            body += "<div class=\"panel escalation\" id=\"escalation-\(HTML.attribute(handoff.id))\">"
            body +=
                "<div><strong>" + HTML.text(escalation.bot) + "</strong> asks " + HTML.text(handoff.consumer)
            body +=
                " " + statePill(handoff.state) + " <span class=\"muted\">" + HTML.text(escalation.workspace)
                + " · "
            body += link(
                Links.server.session(escalation.session, step: escalation.step),
                "session step \(escalation.step)")
            body +=
                " · "
                + link(
                    Links.server.artifact(escalation.artifact),
                    "<span class=\"id\">\(escalation.artifact.short)</span>")
            body += " · " + HTML.text(age(handoff.createdAt)) + "</span></div>"
            body += "<pre class=\"message\">" + HTML.text(escalation.message) + "</pre>"
            if handoff.isFinished {
                body += "<div>Decided" + (handoff.worker.map { " by " + HTML.text($0) } ?? "") + ": "
                body += HTML.text(handoff.note ?? "") + "</div>"
            } else if handoff.state == .claimed, let expiry = handoff.leaseExpiresAt, expiry > now() {
                body += "<div class=\"muted\">Claimed by " + HTML.text(handoff.worker ?? "someone")
                body += " until " + HTML.text(expiry.description) + ": they decide it.</div>"
            } else if handoff.state == .dead {
                body += "<div class=\"muted\">Dead-lettered: " + HTML.text(handoff.note ?? "") + "</div>"
            } else {
                body += """
                    <form class="decide" method="post" action="/escalations/\(HTML.attribute(HTML.pathSegment(handoff.id)))/decide">\
                    <input type="hidden" name="csrf" value="\(HTML.attribute(csrf))">\
                    <label class="sr" for="note-\(HTML.attribute(handoff.id))">Decision</label>\
                    <input type="text" id="note-\(HTML.attribute(handoff.id))" name="note" required maxlength="4000" \
                    placeholder="What you decided (the bots read this)">\
                    <button type="submit">Decide</button></form>
                    """
            }
            body += "</div>"
        }
        body += pager(
            base: all ? "/escalations?all=1&offset=" : "/escalations?offset=", offset: offset,
            shown: shown.count,
            more: found.count > Self.listPageSize, pageSize: Self.listPageSize)
        return Layout.page(title: "Escalations", body: body, assets: .served, section: .escalations)
    }

    /// Decides an escalation as a person does from the command line: claims that handoff and acks it with
    /// the decision as its note, so every bot and `handoff escalations` see it decided.
    /// - Throws: `.notFound` for a handoff that is not an escalation, `.conflict` when someone else holds it
    ///   or it was decided already.
    public func decide(escalation handoffID: String, note: String, by worker: String) throws(HandoffError)
        -> Handoff
    {
        let note = note.trimmingWhitespace
        guard !note.isEmpty else {
            throw HandoffError(.usage, "a decision needs a note saying what was decided")
        }
        let handoff = try store.handoff(id: handoffID)
        guard handoff.schema == "escalation-v1" else {
            throw HandoffError(
                .notFound, "handoff \(handoffID) is not an escalation (it holds \(handoff.schema))")
        }
        guard !handoff.isFinished else {
            throw HandoffError(
                .conflict, "escalation \(handoffID) was decided already: \(handoff.note ?? "")")
        }
        guard
            let claim = try store.claim(
                for: handoff.consumer, leaseSeconds: 60, worker: worker, handoff: handoffID)
        else {
            throw HandoffError(
                .conflict,
                "escalation \(handoffID) is held by \(handoff.worker ?? "someone else") until its lease ends")
        }
        return try store.ack(claim.receipt, outcome: .done, note: note)
    }

    /// `/insights`: insights in `state` (pending by default), each pending one with approve and reject.
    public func insights(state: String?, offset: Int, flash: Flash? = nil) throws(HandoffError) -> String {
        let current = state.flatMap { $0.isEmpty ? nil : $0 } ?? "pending"
        let filter: Insight.State?
        if current == "all" {
            filter = nil
        } else if let one = Insight.State(rawValue: current) {
            filter = one
        } else {
            throw HandoffError(
                .usage, "no insight state \"\(current)\"",
                hint: "one of " + Insight.State.allCases.map(\.rawValue).joined(separator: ", ") + " or all")
        }
        let found = try workLog.insights(
            state: filter, limit: Paging.fetchCount(Self.listPageSize), offset: offset)
        let shown = found.prefix(Self.listPageSize)
        var body = (flash?.html ?? "") + "<h1>Insights</h1><p class=\"filters\">Show: "
        for name in Insight.State.allCases.map(\.rawValue) + ["all"] {
            body +=
                "<a href=\"/insights?state=\(name)\"\(name == current ? " aria-current=\"true\"" : "")>\(name)</a>"
        }
        body += "</p>"
        if shown.isEmpty {
            body += "<p class=\"muted\">No \(current == "all" ? "" : current + " ")insights.</p>"
        }
        for insight in shown {
            body += "<div class=\"panel insight\" id=\"insight-\(HTML.attribute(insight.id))\"><div><strong>"
            body += HTML.text(insight.bot) + "</strong> learnt (" + HTML.text(insight.category) + ")"
            if let confidence = insight.confidence {
                body += ", confidence " + WorkLogView.percent(confidence)
            }
            body += " <span class=\"pill\">" + insight.state.rawValue + "</span> <span class=\"muted\">"
            body += HTML.text(insight.workspace) + " · "
            body += link(
                Links.server.session(insight.session, step: insight.step), "session step \(insight.step)")
            body += " · for " + HTML.text(insight.appliesTo.joined(separator: ", ")) + "</span></div>"
            body += "<pre>" + HTML.text(insight.content) + "</pre>"
            if let note = insight.note { body += "<div>Note: " + HTML.text(note) + "</div>" }
            if let artifact = insight.artifact {
                body +=
                    "<div>Shared as "
                    + link(Links.server.artifact(artifact), "<span class=\"id\">\(artifact.short)</span>")
                    + "</div>"
            }
            if insight.state == .pending {
                let path = "/insights/" + HTML.pathSegment(insight.id)
                body += """
                    <form class="decide" method="post" action="\(HTML.attribute(path))/decide">\
                    <input type="hidden" name="csrf" value="\(HTML.attribute(csrf))">\
                    <label class="sr" for="note-\(HTML.attribute(insight.id))">Note</label>\
                    <input type="text" id="note-\(HTML.attribute(insight.id))" name="note" maxlength="4000" placeholder="A note (optional)">\
                    <button type="submit" name="decision" value="approve">Approve</button>\
                    <button type="submit" name="decision" value="reject">Reject</button></form>
                    """
            }
            body += "</div>"
        }
        body += pager(
            base: "/insights?state=\(current)&offset=", offset: offset, shown: shown.count,
            more: found.count > Self.listPageSize, pageSize: Self.listPageSize)
        return Layout.page(title: "Insights", body: body, assets: .served, section: .insights)
    }

    /// Approves or rejects a pending insight, as `handoff insights approve|reject` does.
    public func decide(insight id: String, approve: Bool, note: String?) throws(HandoffError) -> Insight {
        let note = note?.trimmingWhitespace
        let given = note?.isEmpty == false ? note : nil
        return approve
            ? try workLog.approveInsight(id, note: given) : try workLog.rejectInsight(id, note: given)
    }

    // MARK: Search

    /// `/search?q=`: `handoff how` across every entry, each hit linked to its step.
    public func search(_ query: String, offset: Int) throws(HandoffError) -> String {
        var body = "<h1>Search the work logs</h1>"
        let trimmed = query.trimmingWhitespace
        if trimmed.isEmpty {
            body += "<p class=\"muted\">Ask how something was decided: <em>why did you escalate</em>, "
            body += "<em>confidence</em>, a tool's name…</p>"
            return Layout.page(title: "Search", body: body, assets: .served, section: .search)
        }
        let hits = try workLog.search(trimmed, limit: Paging.fetchCount(Self.listPageSize), offset: offset)
        let shown = hits.prefix(Self.listPageSize)
        body += "<p>" + (shown.isEmpty ? "Nothing" : "Entries") + " matching <strong>" + HTML.text(trimmed)
        body += "</strong>" + (shown.isEmpty ? "." : ", best first:") + "</p>"
        if !shown.isEmpty {
            body +=
                "<table id=\"hits\"><thead><tr><th>Session step</th><th>Level</th><th>Bot</th><th>Entry</th>"
            body += "<th>Workspace</th></tr></thead><tbody>"
            for hit in shown {
                body +=
                    "<tr><td>"
                    + link(
                        Links.server.session(hit.session, step: hit.entry.step),
                        "<span class=\"id\">\(HTML.text(hit.session))</span> step \(hit.entry.step)")
                body +=
                    "</td><td>" + SessionView.mark(hit.entry.level) + "</td><td>"
                    + HTML.text(hit.entry.botName ?? "")
                body +=
                    "</td><td><pre>" + HTML.text(clipped(hit.entry.message, 400))
                    + "</pre><div class=\"muted\">"
                body +=
                    HTML.text(hit.entry.category) + "</div></td><td>" + HTML.text(hit.workspace)
                    + "</td></tr>"
            }
            body += "</tbody></table>"
        }
        body += pager(
            base: "/search?q=" + HTML.queryValue(trimmed) + "&offset=", offset: offset, shown: shown.count,
            more: hits.count > Self.listPageSize, pageSize: Self.listPageSize)
        return Layout.page(title: "Search", body: body, assets: .served, section: .search, query: trimmed)
    }

    // MARK: Helpers

    /// A message shown above a page after a form was sent.
    public struct Flash: Sendable {
        public var text: String
        public var isError: Bool

        public init(_ text: String, isError: Bool = false) {
            self.text = text
            self.isError = isError
        }

        var html: String {
            "<div class=\"flash\(isError ? " bad" : "")\" role=\"status\">" + HTML.text(text) + "</div>"
        }
    }

    /// An error page: what went wrong, in the page's frame.
    public static func error(_ message: String, hint: String? = nil) -> String {
        var body =
            "<h1>That did not work</h1><div class=\"flash bad\" role=\"alert\"><pre>" + HTML.text(message)
        body += "</pre>" + (hint.map { "<div>" + HTML.text($0) + "</div>" } ?? "") + "</div>"
        body += "<p>" + link("/", "Back to the overview") + "</p>"
        return Layout.page(title: "Error", body: body, assets: .served)
    }

    private func statePill(_ state: Handoff.State) -> String {
        "<span class=\"pill state-\(state.rawValue)\">\(state.rawValue)</span>"
    }

    private func age(_ time: Timestamp) -> String {
        let seconds = max(0, (now().millisecondsSince1970 - time.millisecondsSince1970) / 1000)
        switch seconds {
        case ..<60: return "\(seconds)s ago"
        case ..<3600: return "\(seconds / 60)m ago"
        case ..<86_400: return "\(seconds / 3600)h \(seconds / 60 % 60)m ago"
        default: return "\(seconds / 86_400)d \(seconds / 3600 % 24)h ago"
        }
    }
}

/// `text` cut to `length` characters, with an ellipsis when it was longer: for labels and table cells.
func clipped(_ text: String, _ length: Int) -> String {
    text.count <= length ? text : String(text.prefix(length - 1)) + "…"
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
