import HandoffJSON
import HandoffKit
import HandoffWorkLog

/// A work session as a timeline: a row per entry, marked by level with an icon and its name, confidence as a
/// meter with low confidence flagged, tools with their status and duration drawn to scale, corrections
/// linked to the step they correct, escalations and insights marked; or, for bots talking to each other,
/// as a conversation.
public enum SessionView {
    /// How many entries a page of the timeline shows: a 10,000-entry session is 20 pages.
    public static let pageSize = 500

    /// The icon and the name every level is shown with (the name, so that colour is never all there is).
    public static func mark(_ level: LogLevel) -> String {
        let icon: String =
            switch level {
            case .info: "ℹ"
            case .thinking: "∴"
            case .decision: "◆"
            case .correction: "↻"
            case .uncertainty: "?"
            case .warning: "⚠"
            case .error: "✖"
            case .tool: "⚙"
            case .handoff: "⇄"
            case .coordination: "⚑"
            }
        return "<span class=\"level\"><span aria-hidden=\"true\">\(icon)</span> \(level.rawValue)</span>"
    }

    /// What rows are drawn against: the longest tool run (the duration bars' scale), the confidence below
    /// which a step is flagged, and where links go.
    public struct Context: Sendable {
        public var session: String
        public var longestToolMs: Int
        public var threshold: Double
        public var links: Links
        /// The steps that raised an escalation still waiting (as opposed to decided).
        public var escalationStates: [Int: Handoff.State]
        public var insightSteps: Set<Int>
        /// What each correction corrects (`corrections(in:)`).
        public var corrections: [Int: Int]

        public init(_ explained: ExplainedSession, threshold: Double, links: Links) {
            session = explained.info.id
            longestToolMs = explained.entries.compactMap(\.durationMs).max() ?? 0
            self.threshold = threshold
            self.links = links
            escalationStates = Dictionary(
                explained.escalations.map { ($0.step, $0.handoff.state) }, uniquingKeysWith: { $1 })
            insightSteps = Set(explained.insights.map(\.step))
            corrections = SessionView.corrections(in: explained.entries)
        }
    }

    /// The step each correction corrects, by the correction's step: `details.corrects` when the bot said
    /// so, else the last earlier step of the same bot in the same category, else its last earlier step.
    /// One pass over the session's entries (in step order).
    public static func corrections(in entries: [WorkLogEntry]) -> [Int: Int] {
        var corrected: [Int: Int] = [:]
        var lastByBot: [String: Int] = [:]
        var lastByBotAndCategory: [String: [String: Int]] = [:]
        for entry in entries {
            let bot = entry.botName ?? ""
            guard entry.level == .correction else {
                lastByBot[bot] = entry.step
                lastByBotAndCategory[bot, default: [:]][entry.category] = entry.step
                continue
            }
            if let step = entry.details["corrects"]?.intValue ?? entry.details["corrects_step"]?.intValue,
                step < entry.step
            {
                corrected[entry.step] = step
            } else if let step = lastByBotAndCategory[bot]?[entry.category] ?? lastByBot[bot] {
                corrected[entry.step] = step
            }
        }
        return corrected
    }

    /// Rows of the timeline for `entries[range]`; `entries` are the session's, in step order.
    public static func rows(_ entries: [WorkLogEntry], _ range: Range<Int>, context: Context) -> String {
        var html = ""
        for entry in entries[range.clamped(to: entries.indices)] {
            html += row(entry, context: context)
        }
        return html
    }

    static func row(_ entry: WorkLogEntry, context: Context) -> String {
        var classes = ["level-\(entry.level.rawValue)"]
        if entry.escalation { classes.append("escalation") }
        if entry.toolStatus == .error || entry.toolStatus == .timeout { classes.append("failed") }
        var html =
            "<tr id=\"step-\(entry.step)\" data-step=\"\(entry.step)\" class=\"\(classes.joined(separator: " "))\">"
        let stepLink = context.links.session(context.session, step: entry.step)
        html += "<td class=\"num\">" + link(stepLink, String(entry.step)) + "</td>"
        html += "<td>" + mark(entry.level) + "</td>"
        html += "<td>" + HTML.text(entry.botName ?? "")
        if let role = entry.botRole { html += "<div class=\"muted\">" + HTML.text(role) + "</div>" }
        html += "</td><td>"
        html += "<pre>" + HTML.text(entry.message) + "</pre>"
        var meta = [HTML.text(entry.category)]
        if let time = entry.timestamp { meta.append(HTML.text(time.description)) }
        if let trigger = entry.triggeredBy { meta.append("triggered by " + HTML.text(trigger)) }
        if !entry.mentions.isEmpty {
            meta.append("mentions " + HTML.text(entry.mentions.joined(separator: ", ")))
        }
        if let reply = entry.responseTo {
            meta.append(link(context.links.session(context.session, step: reply), "reply to step \(reply)"))
        }
        html += "<div class=\"muted\">" + meta.joined(separator: " · ") + "</div>"
        if let error = entry.toolError {
            html += "<div class=\"flag\">tool error: " + HTML.text(error) + "</div>"
        }
        if !entry.details.isEmpty {
            html += "<details><summary class=\"muted\">details</summary>"
            html += JSONView.html(.object(entry.details), openDepth: 1) + "</details>"
        }
        if let input = entry.toolInput {
            html += "<details><summary class=\"muted\">tool input</summary>"
            html += JSONView.html(.object(input), openDepth: 1) + "</details>"
        }
        if let output = entry.toolOutput {
            html += "<details><summary class=\"muted\">tool output</summary>"
            html += JSONView.html(output, openDepth: 1) + "</details>"
        }
        html += "</td><td>"
        if let confidence = entry.confidence {
            let low = confidence < context.threshold
            html += """
                <meter min="0" max="1" low="\(context.threshold)" high="0.9" optimum="1" value="\(confidence)" \
                title="confidence \(WorkLogView.percent(confidence))"></meter> \(WorkLogView.percent(confidence))
                """
            if low {
                html +=
                    " <span class=\"flag\" title=\"below \(WorkLogView.percent(context.threshold))\">low</span>"
            }
        }
        html += "</td><td class=\"tool\">"
        if let tool = entry.toolName {
            html += "<code>" + HTML.text(tool) + "</code>"
            if let status = entry.toolStatus {
                let state = status == .success ? "done" : "failed"
                html += " <span class=\"pill state-\(state)\">\(status.rawValue)</span>"
            }
            if let duration = entry.durationMs {
                html +=
                    "<div>"
                    + bar(
                        duration, of: context.longestToolMs,
                        failed: entry.toolStatus != .success && entry.toolStatus != nil)
                html += " " + WorkLogView.milliseconds(duration) + "</div>"
            }
        }
        html += "</td><td class=\"marks\">"
        if entry.escalation {
            let state = context.escalationStates[entry.step]
            let decided = state.map { $0 != .pending && $0 != .claimed } ?? false
            html +=
                "<span class=\"pill state-\(decided ? "done" : "claimed")\">⚑ escalation\(decided ? ", decided" : "")</span>"
        }
        if entry.shareableInsight || context.insightSteps.contains(entry.step) {
            html += "<span class=\"pill\">★ insight</span>"
        }
        if let corrected = context.corrections[entry.step] {
            html += link(
                context.links.session(context.session, step: corrected), "corrects step \(corrected)")
        }
        html += "</td></tr>\n"
        return html
    }

    /// A duration bar: its length is the run's share of the session's longest tool run.
    static func bar(_ milliseconds: Int, of longest: Int, failed: Bool) -> String {
        let width = 120.0
        let share = longest > 0 ? Double(milliseconds) / Double(longest) : 0
        let length = max(1, (width * share).rounded())
        return """
            <svg class="bar" width="\(Int(width))" height="9" role="img" aria-label="\(WorkLogView.milliseconds(milliseconds))">\
            <rect class="track" width="\(Int(width))" height="9" rx="2"/>\
            <rect class="fill\(failed ? " error" : "")" width="\(Int(length))" height="9" rx="2"/></svg>
            """
    }

    /// The table around rows.
    public static func table(_ rows: String) -> String {
        """
        <table id="timeline" class="timeline"><thead><tr><th class="num">Step</th><th>Level</th><th>Bot</th>\
        <th>Entry</th><th>Confidence</th><th>Tool</th><th>Marks</th></tr></thead><tbody>
        \(rows)</tbody></table>
        """
    }

    /// Bots talking to each other: every entry a bot set off (`@name`) or made as coordinator, as speech
    /// bubbles, the coordinator's on the right.
    public static func conversation(_ explained: ExplainedSession, links: Links) -> String {
        let coordinator = explained.info.start.coordinator
        let messages = explained.entries.filter {
            $0.isBotConversation || $0.level == .coordination || $0.level == .handoff || !$0.mentions.isEmpty
        }
        guard !messages.isEmpty else {
            return "<p class=\"muted\">No bot-to-bot messages in this session.</p>"
        }
        var html = "<div class=\"conversation\">"
        for entry in messages {
            let isCoordinator = entry.coordinatorMode || (coordinator != nil && entry.botName == coordinator)
            html +=
                "<div class=\"bubble\(isCoordinator ? " coordinator" : "")\" id=\"message-\(entry.step)\">"
            html += "<div><span class=\"who\">" + HTML.text(entry.botName ?? "?") + "</span>"
            if let role = entry.botRole { html += " <span class=\"muted\">" + HTML.text(role) + "</span>" }
            if !entry.mentions.isEmpty {
                html +=
                    " → "
                    + HTML.text(
                        entry.mentions.map { $0.hasPrefix("@") ? $0 : "@" + $0 }.joined(separator: ", "))
            }
            html += " <span class=\"muted\">· " + mark(entry.level) + " · "
            html += link(links.session(explained.info.id, step: entry.step), "step \(entry.step)")
            if let reply = entry.responseTo {
                html +=
                    " · " + link(links.session(explained.info.id, step: reply), "in reply to step \(reply)")
            }
            html += "</span></div><pre>" + HTML.text(entry.message) + "</pre></div>"
        }
        return html + "</div>"
    }

    /// The session's heading: what it was about, how it went, who took part.
    public static func header(_ explained: ExplainedSession, links: Links, live: Bool) -> String {
        let info = explained.info
        var html = "<h1>" + HTML.text(info.start.workspace) + " <span class=\"muted\">("
        html += HTML.text(info.start.workspaceType.rawValue) + " workspace) · session <span class=\"id\">"
        html += HTML.text(info.id) + "</span></span></h1>"
        html +=
            "<div class=\"panel\"><div><strong>Query:</strong> " + HTML.text(info.start.query) + "</div><div>"
        if let ended = info.endedAt {
            html += "Ended " + HTML.text(ended.description) + ", after "
            html += WorkLogView.formatDuration(from: info.startedAt, to: ended)
        } else {
            html += "Open since " + HTML.text(info.startedAt.description)
            if live { html += " · <span id=\"live-status\" class=\"live\">● live</span>" }
        }
        if let workflow = info.start.workflow { html += " · workflow " + HTML.text(workflow) }
        html += "</div><div>Bots: " + HTML.text(info.bots.joined(separator: ", "))
        if let coordinator = info.start.coordinator { html += " · coordinator " + HTML.text(coordinator) }
        html += " · <span id=\"step-count\">\(info.steps)</span> steps, \(info.errors) errors, "
        html += "\(info.escalations) escalations</div>"
        var artifacts: [String] = []
        if let workLog = info.workLogArtifact {
            artifacts.append(
                "work log " + link(links.artifact(workLog), "<span class=\"id\">\(workLog.short)</span>"))
        }
        if let record = info.sessionArtifact {
            artifacts.append(
                "record " + link(links.artifact(record), "<span class=\"id\">\(record.short)</span>"))
        }
        for worked in explained.workedOn {
            artifacts.append(
                "worked on " + link(links.artifact(worked), "<span class=\"id\">\(worked.short)</span>"))
        }
        if !artifacts.isEmpty { html += "<div>" + artifacts.joined(separator: " · ") + "</div>" }
        html += "</div>"
        if let answer = info.finalOutput {
            html += "<h2>Answer</h2><div class=\"panel\"><pre>" + HTML.text(answer) + "</pre></div>"
        }
        if let summary = info.summary {
            html += "<h2>Summary</h2><div class=\"panel\"><pre>" + HTML.text(summary) + "</pre></div>"
        }
        return html
    }

    /// How many entries of each level, and the steps that need a look: errors, low confidence, escalations.
    public static func overview(_ explained: ExplainedSession, context: Context) -> String {
        var counts: [LogLevel: Int] = [:]
        var notable: [(Int, String)] = []
        for entry in explained.entries {
            counts[entry.level, default: 0] += 1
            if entry.isError { notable.append((entry.step, "error")) }
            if entry.escalation { notable.append((entry.step, "escalation")) }
            if let confidence = entry.confidence, confidence < context.threshold {
                notable.append((entry.step, "low confidence"))
            }
        }
        var html = "<p>"
        html += LogLevel.allCases.compactMap { level in
            counts[level].map { "\(mark(level)) \($0)" }
        }.joined(separator: " · ")
        html += "</p>"
        if !notable.isEmpty {
            html += "<p>Look at: "
            html += notable.prefix(40).map { step, why in
                link(context.links.session(context.session, step: step), "step \(step)") + " (\(why))"
            }.joined(separator: ", ")
            if notable.count > 40 { html += ", and \(notable.count - 40) more" }
            html += "</p>"
        }
        return html
    }
}
