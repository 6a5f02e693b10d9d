import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffWorkLog

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension HandoffCommand {
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "demo",
            abstract: "Run a multi-bot workflow on the default store and show what happened.",
            discussion: """
                The bookmark workflow: a bookmark_analyzer bot records its session step by step (thinking, a \
                decision, two tool runs, a warning, a low-confidence step, a correction, an escalation) and \
                hands the work log to an action_suggester, which claims it, reads the data without parsing any \
                prose, derives a handoff-request for a reviewer, and acks. Then the demo shows the reviewer's \
                inbox, the chain back to the session's full record, the session explained, a search of every \
                entry, and the escalation waiting for the user.

                --coordination runs the work-log notes' Example D instead: a coordinator bot runs \
                #coordination-website overnight, delegates to three bots, meets a design conflict and \
                escalates it; the demo shows the conversation, the overnight report, and the user deciding.

                The demo runs on a fresh store of its own, in a new temporary folder, so that its bots never \
                mix with a store that is in use ($HANDOFF_STORE is not used), unless --store names one; it \
                says where, and how to look at it afterwards.

                  handoff demo
                  handoff demo --coordination
                  handoff demo --store /tmp/demo-store
                """)

        @Flag(name: .long, help: "Run Example D: a coordinator, bot-to-bot messages and an escalation.")
        var coordination = false

        @OptionGroup var store: StoreOptions

        func run() throws {
            var choice = store.choice
            if store.store == nil { choice.store = try Self.freshFolder() }
            let store = try choice.openOrCreate()
            let workLog = try WorkLog(store: store)
            guard workLog.configuration.enabled else {
                throw HandoffError(
                    .usage,
                    "work logs are disabled in the store at \(store.location), and the demo records some",
                    hint:
                        "enable them with `handoff config set work_logs.enabled true`, or use another --store"
                )
            }
            if coordination {
                try CoordinationDemo(store: store, workLog: workLog).run()
            } else {
                try BookmarkDemo(store: store, workLog: workLog).run()
            }
        }

        /// A new, empty folder for the demo's own store: `$TMPDIR/handoff-demo-XXXXXX`.
        static func freshFolder() throws(HandoffError) -> String {
            let base = FileIO.temporaryDirectory
            var template = Array((base + "/handoff-demo-XXXXXX").utf8CString)
            guard let made = mkdtemp(&template) else {
                throw FileIO.failure("cannot make a folder for the demo's store in", base, errno)
            }
            return String(cString: made)
        }
    }
}

/// The bookmark workflow of the multi-agent note, with the analyzer's session recorded.
private struct BookmarkDemo {
    let store: Store
    let workLog: WorkLog
    let analyzer = "bookmark_analyzer"
    let suggester = "action_suggester"
    let reviewer = "reviewer"
    let workflow = "bookmarks-demo"

    func run() throws {
        Terminal.print(
            Terminal.bold("Handoff demo") + ": the bookmark workflow, on the store at \(store.location)")
        Terminal.print()

        demoStep(1, "\(analyzer) works on the user's request, recording each step of its session")
        demoCommand(
            "my-bot | handoff log record --bot \(analyzer) --query \"Check my X bookmarks\" --to \(suggester)"
        )
        guard
            let session = try workLog.start(
                WorkSessionStart(
                    workspace: "#general", workspaceType: .open, query: "Check my X bookmarks", bot: analyzer,
                    participants: [analyzer, suggester], workflow: workflow))
        else { throw HandoffError(.usage, "work logs are disabled in this store") }
        let steps = try record(session)
        for entry in steps {
            var line =
                "step \(entry.step)".padded(9) + entry.level.rawValue.padded(13) + Display.line(entry.message)
            if let confidence = entry.confidence {
                line += Terminal.dim("  (\(WorkLogView.percent(confidence)))")
            }
            demoSay(line)
        }
        let ended = try session.end(
            finalOutput: "📚 I found 12 bookmarks: 5 about AI/ML, 3 about productivity, 4 uncategorized.",
            to: [suggester])
        demoSay(
            "ended: work log \(shortID(ended.workLog.id)) for \(suggester), full record \(shortID(ended.record))"
        )
        demoSay(
            "recommends: \(actionNames(try store.nextActions(of: ended.workLog.id)).joined(separator: ", "))")
        Terminal.print()

        demoStep(2, "\(suggester) claims the work log and reads it as data")
        demoCommand("handoff claim \(suggester) --lease 60")
        guard let claim = try store.claim(for: suggester, leaseSeconds: 60, worker: "demo") else {
            throw HandoffError(.io, "the demo found nothing to claim for \(suggester)")
        }
        demoSay("claimed \(claim.handoff.id) (attempt \(claim.handoff.attempts)), receipt \(claim.receipt)")
        let analysis = try store.document(claim.handoff.artifactID)
        let decisions = analysis["decisions"]?.arrayValue ?? []
        // The note's agent B: `artifact["decisions"][1]["output"]["ai_ml_count"]`, no prose to parse.
        let aiCount = decisions.dropFirst().first?["output"]?["ai_ml_count"]?.intValue ?? 0
        let categories = decisions.dropFirst().first?["output"]?["categories"]?.objectValue ?? JSONObject()
        let ranked = categories.sorted { ($0.value.numberValue ?? 0) > ($1.value.numberValue ?? 0) }.map(
            \.key)
        demoSay(
            "decisions[1].output.ai_ml_count = \(aiCount); top categories: \(ranked.prefix(3).joined(separator: ", "))"
        )
        Terminal.print()

        demoStep(3, "\(suggester) derives a request for \(reviewer), linked to the work log, and acks")
        demoCommand(
            "handoff put review-request.json --from \(suggester) --to \(reviewer) --parent \(shortID(claim.handoff.artifactID))"
        )
        let derived = try store.put(
            reviewRequest(for: claim.handoff.artifactID, aiCount: aiCount, top: Array(ranked.prefix(3))),
            from: suggester, to: [reviewer], workflow: workflow, workspace: "#general",
            parents: [claim.handoff.artifactID])
        demoSay("\(derived.id)  handoff-request-v1")
        demoCommand("handoff ack \(claim.receipt)")
        let acked = try store.ack(
            claim.receipt, outcome: .done, note: "asked \(reviewer) to review the suggestions")
        demoSay("\(acked.id) is \(acked.state)")
        Terminal.print()

        demoStep(4, "what is waiting for \(reviewer)")
        demoCommand("handoff inbox \(reviewer)")
        Terminal.print(
            handoffTable(try store.inbox(reviewer, filter: HandoffFilter(limit: 5))).render(indent: "   "))
        Terminal.print()

        demoStep(5, "the chain: from the request back to the session's full record")
        demoCommand("handoff chain \(shortID(derived.id))")
        for line in chainText(try store.chain(of: derived.id)).split(separator: "\n") {
            Terminal.print("   " + line)
        }
        Terminal.print()

        demoStep(6, "how \(analyzer) decided")
        demoCommand("handoff explain --mode summary")
        let explained = try workLog.explain(.session(session.id))
        for line in WorkLogView.text(explained, mode: .summary).split(
            separator: "\n", omittingEmptySubsequences: false)
        {
            Terminal.print("   " + line)
        }
        Terminal.print()

        demoStep(7, "every entry about confidence, across all sessions")
        demoCommand("handoff how \"confidence\" --limit 3")
        for hit in try workLog.search("confidence", limit: 3) {
            demoSay(
                "\(hit.workspace)  session \(hit.session) step \(hit.entry.step)  \(hit.entry.botName ?? ""): "
                    + Display.line(WorkLogView.spoken(hit.entry))
                    + (hit.entry.confidence.map { Terminal.dim("  (\(WorkLogView.percent($0)))") } ?? ""))
        }
        Terminal.print()

        demoStep(8, "what waits for a decision by the user")
        demoCommand("handoff escalations")
        for escalation in try workLog.escalations(limit: 3) {
            demoSay("\(escalation.handoff.id)  \(escalation.bot): \(Display.line(escalation.message))")
        }
        Terminal.print()

        demoTryNext(
            [
                ("handoff explain --mode detailed", "every step of the analyzer's session"),
                ("handoff explain --format markdown", "the answer with a collapsed \"How I decided this\""),
                ("handoff claim user", "take the escalation, decide, then `handoff ack`"),
                ("handoff chain \(shortID(derived.id)) --format mermaid", "the chain as a diagram"),
                ("handoff logs", "every session, across workspaces"),
                ("handoff demo --coordination", "a coordinator, three bots and a conflict"),
                ("handoff ui", "all of it in a browser: inboxes, the chain drawn, the session as a timeline"),
            ], store: store)
    }

    /// The analyzer's session: a step at every level the notes use for a single bot, two tool runs whose
    /// outputs recommend the next actions, a low-confidence step and an escalation.
    private func record(_ session: WorkLogRecorder) throws(HandoffError) -> [WorkLogEntry] {
        let entries: [WorkLogEntry?] = [
            try session.add(
                .info, category: "general", message: "Processing user message: Check my X bookmarks"),
            try session.add(
                .thinking, category: "memory", message: "Retrieving relevant context from memory"),
            try session.add(
                .decision, category: "routing", message: "Classified as medium tier → claude-sonnet",
                details: [
                    "tier": "medium", "model": "claude-sonnet", "confidence": 0.91,
                    "patterns_matched": ["bookmarks", "summarize"],
                ],
                confidence: 0.91, durationMs: 12),
            try session.tool(
                "bird", input: ["command": "bookmarks", "count": 50],
                output: ["count": 12, "fetched_at": "2026-11-20T08:00:00Z"], status: .success,
                durationMs: 1200),
            try session.tool(
                "categorize", input: ["items": 12],
                output: [
                    "categories": ["AI/ML": 5, "Productivity": 3, "Uncategorized": 4], "ai_ml_count": 5,
                    "productivity_count": 3, "next_actions": ["summarize_top_categories", "suggest_actions"],
                ], status: .success, durationMs: 800),
            try session.add(
                .warning, category: "categorization", message: "4 bookmarks without clear categories"),
            try session.add(
                .uncertainty, category: "categorization",
                message:
                    "Low confidence: two borderline bookmarks could be AI/ML or Programming; filed under AI/ML",
                confidence: 0.62),
            try session.add(
                .correction, category: "categorization",
                message: "Moved \"Rust async in practice\" from AI/ML to Programming after a second look"),
            try session.record(
                WorkLogEntry(
                    level: .handoff, category: "handoff",
                    message: "Handing the analysis to @action_suggester",
                    mentions: ["@action_suggester"])),
            try session.escalate("Should bookmarks older than a year be archived automatically?"),
        ]
        return entries.compactMap { $0 }
    }

    /// The handoff-request-v1 the suggester derives from the analysis.
    private func reviewRequest(for analysis: ArtifactID, aiCount: Int, top: [String]) -> JSONValue {
        [
            "schema": "handoff-request-v1",
            "task": .string(
                "Review the follow-ups suggested for \(aiCount) AI/ML bookmarks and the top categories: \(top.joined(separator: ", "))"
            ),
            "inputs": [
                "analysis": .string(analysis.description),
                "top_categories": .array(top.map(JSONValue.string)),
            ],
            "input_artifacts": [.string(analysis.description)],
            "expected_schema": "tool-result-v1",
            "priority": "normal",
            "mentions": ["@reviewer"],
            "requested_by": "action_suggester",
            "context": ["workflow_id": .string(workflow), "workspace_id": "#general"],
            "next_actions": ["manual_review", "approve_if_trusted"],
        ]
    }
}

/// The work-log notes' Example D: a coordinator works while the user sleeps, and escalates a conflict.
private struct CoordinationDemo {
    let store: Store
    let workLog: WorkLog

    func run() throws {
        Terminal.print(
            Terminal.bold("Handoff demo --coordination")
                + ": #coordination-website overnight, on the store at \(store.location)")
        Terminal.print()

        demoStep(1, "nanobot coordinates researcher, creative and coder while the user is offline")
        demoCommand(
            "my-bots | handoff log record --bot nanobot --workspace \"#coordination-website\" --workspace-type coordination --coordinator nanobot ..."
        )
        guard
            let session = try workLog.start(
                WorkSessionStart(
                    workspace: "#coordination-website", workspaceType: .coordination,
                    query: "Build company website",
                    bot: "nanobot", participants: ["nanobot", "researcher", "coder", "creative"],
                    coordinator: "nanobot"))
        else { throw HandoffError(.usage, "work logs are disabled in this store") }
        try session.record(
            WorkLogEntry(
                level: .coordination, category: "coordination",
                message: "Coordinator mode activated - user offline, managing autonomously",
                botName: "nanobot",
                triggeredBy: "nanobot", coordinatorMode: true))
        let delegation = try session.botMessage(
            "nanobot",
            "@researcher Analyze 3 competitor websites. @creative Draft homepage designs. @coder Setup repo. Work in parallel.",
            mentions: ["@researcher", "@creative", "@coder"])
        try session.botMessage(
            "researcher", "Competitor analysis complete. Key finding: All use React, average load time 2.3s",
            responseTo: delegation?.step)
        try session.botMessage(
            "creative",
            "Drafted 2 designs. Minimalist version: strong performance. Visual version: rich media. Need user choice.",
            responseTo: delegation?.step)
        try session.botMessage(
            "coder", "Repo setup complete. Ready for implementation.", responseTo: delegation?.step)
        try session.add(
            .coordination, category: "coordination",
            message: "Parallel tasks complete. Blocking issues: Design choice (minimalist vs visual).",
            bot: "nanobot",
            coordinatorMode: true)
        try session.add(
            .decision, category: "coordination",
            message:
                "Choosing minimalist design - better performance aligns with competitor analysis findings",
            confidence: 0.85, bot: "nanobot", coordinatorMode: true)
        let instruction = try session.botMessage(
            "nanobot", "@coder Proceed with minimalist design. @creative Provide specs to coder.",
            mentions: ["@coder", "@creative"])
        try session.botMessage(
            "creative", "Respectfully disagree - visual design better for brand. Suggest A/B testing both?",
            responseTo: instruction?.step)
        try session.escalate(
            "Design conflict: Coder wants minimalist (performance), Creative wants visual (brand). Both valid. Need user decision.",
            bot: "nanobot")
        let ended = try session.end(
            finalOutput: "Progress report generated. Awaiting user decision.", summary: overnightReport)
        demoSay("recorded \(ended.session.steps) steps; the escalation is in the inbox of user")
        Terminal.print()

        demoStep(2, "the conversation, as the coordination view shows it")
        demoCommand("handoff explain --workspace \"#coordination-website\" --mode coordination")
        let explained = try workLog.explain(.session(session.id))
        for line in WorkLogView.text(explained, mode: .coordination).split(separator: "\n").dropFirst(4) {
            Terminal.print("   " + line)
        }
        Terminal.print()

        demoStep(3, "the overnight report the user wakes up to")
        demoCommand("handoff explain --workspace \"#coordination-website\"")
        for line in WorkLogView.text(explained, mode: .summary).split(
            separator: "\n", omittingEmptySubsequences: false
        )
        .dropFirst(4) {
            Terminal.print("   " + line)
        }
        Terminal.print()

        demoStep(4, "the user decides: claims the escalation and acks it with the decision")
        demoCommand("handoff claim user --workspace \"#coordination-website\"")
        guard
            let claim = try store.claim(
                for: "user", leaseSeconds: 60, schema: "escalation-v1", workspace: "#coordination-website")
        else {
            throw HandoffError(.io, "the demo found no escalation for the user")
        }
        demoSay(
            "claimed \(claim.handoff.id): \(Display.line(try store.document(claim.handoff.artifactID)["message"]?.stringValue ?? ""))"
        )
        let decision = "A/B test both versions for two weeks, then keep the winner"
        demoCommand("handoff ack \(claim.receipt) --note \"\(decision)\"")
        let acked = try store.ack(claim.receipt, outcome: .done, note: decision)
        demoSay("\(acked.id) is \(acked.state)")
        Terminal.print()

        demoStep(5, "what the user decided")
        demoCommand("handoff escalations --all")
        for escalation in try workLog.escalations(all: true)
        where escalation.workspace == "#coordination-website" && escalation.handoff.isFinished {
            demoSay(
                "\(escalation.handoff.id)  \(escalation.handoff.state): \(Display.line(escalation.handoff.note ?? ""))"
            )
        }
        Terminal.print()

        demoTryNext(
            [
                ("handoff explain --mode detailed", "every step, with who mentioned whom"),
                ("handoff chain \(shortID(ended.record))", "the record, its work log and its escalation"),
                ("handoff how \"design\"", "every entry about the design, ranked"),
                ("handoff logs", "every session, across workspaces"),
                ("handoff ui", "decide the escalation in a browser, the conversation beside it"),
            ], store: store)
    }

    private let overnightReport = """
        🌙 Overnight Progress Report (#coordination-website)

        ✅ COMPLETED:
        - Competitor analysis (3 sites reviewed)
        - 2 homepage designs drafted
        - Repository setup ready

        ⚠️ NEEDS YOUR DECISION:
        Design approach conflict:
        - Coder recommends: Minimalist (faster load, better SEO)
        - Creative recommends: Visual (stronger brand, richer experience)
        - Suggestion: A/B test both versions

        ⏳ PENDING:
        - Finalize design choice
        - Begin implementation
        - Deploy initial version

        Next action needed: Choose design direction
        """
}

private func demoStep(_ number: Int, _ text: String) {
    Terminal.print(Terminal.bold("\(number). \(text)"))
}

private func demoCommand(_ text: String) {
    Terminal.print(Terminal.dim("   $ \(text)"))
}

private func demoSay(_ text: String) {
    Terminal.print("   \(text)")
}

private func demoTryNext(_ suggestions: [(String, String)], store: Store) {
    Terminal.print(Terminal.bold("Try next"))
    if !isOnPath("handoff") {
        // scripts/demo runs the debug build by its path: the lines below need `handoff` to be found.
        Terminal.print(
            Terminal.dim(
                "   (handoff is not on your PATH yet: scripts/install puts it there, or run these from the repository as `swift run handoff …`)"
            ))
    }
    let export = "export HANDOFF_STORE=\(Page<Never>.shellQuoted(store.location))"
    for (line, what) in [(export, "the demo's store, for the commands below")] + suggestions {
        Terminal.print(
            "   \(line)" + String(repeating: " ", count: max(2, 56 - line.count)) + Terminal.dim(what))
    }
}

/// Whether a shell would find `command` on `PATH`.
private func isOnPath(_ command: String) -> Bool {
    guard let path = getenv("PATH").map({ String(cString: $0) }) else { return false }
    return path.split(separator: ":").contains { access("\($0)/\(command)", X_OK) == 0 }
}

extension String {
    fileprivate func padded(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
