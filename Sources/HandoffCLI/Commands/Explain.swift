import ArgumentParser
import HandoffHTML
import HandoffJSON
import HandoffKit
import HandoffWorkLog

extension HandoffCommand {
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "explain",
            abstract: "Show how a session went: its decisions, tools, doubts, escalations and insights.",
            discussion: """
                Explains the most recent session, or the one --session names, or the one behind an artifact \
                (a work-log-v1 someone handed you, its work-session-v1 record, an escalation or an insight); \
                --workspace and --bot narrow the choice of the most recent one, and --bot shows only that \
                bot's entries.

                Modes: summary (the answer, key decisions and tools, errors, low-confidence steps, escalations \
                waiting for a decision, insights), detailed (every entry), debug (every field), coordination \
                (coordinator decisions and bot-to-bot messages as a conversation). --format markdown prints the \
                answer followed by a collapsed "How I decided this" block, for a bot to paste under its reply;                 --format html one self-contained page (every entry as a timeline, as handoff ui shows it) to                 attach to a pull request or a ticket.

                  handoff explain
                  handoff explain --workspace "#coordination-website" --mode coordination
                  handoff explain xxh128:3f2a9c01 --mode detailed
                  handoff explain 01JD3XQ2K8B6W5N2M7T4R9C1ZP
                  handoff explain --session 01JD3XQ2K8B6W5N2M7T4R9C1ZP --format markdown
                  handoff explain --format html > session.html
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text, markdown, json, html
        }

        @Argument(
            help: ArgumentHelp(
                "A session id, or a work-log, work-session, escalation or insight artifact.", valueName: "id")
        )
        var id: String?

        @Option(name: .long, help: ArgumentHelp("The session to explain.", valueName: "session"))
        var session: String?

        @Option(name: .long, help: ArgumentHelp("The latest session in this workspace.", valueName: "name"))
        var workspace: String?

        @Option(
            name: .long,
            help: ArgumentHelp("Only this bot's entries (and its latest session).", valueName: "bot"))
        var bot: String?

        @Option(name: .long, help: "summary, detailed, debug or coordination.")
        var mode: WorkLogView.Mode = .summary

        @Option(name: .long, help: "text (the default), markdown, json or html.")
        var format: Format?

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if id != nil && session != nil {
                throw ValidationError("give an artifact or --session, not both")
            }
            _ = try output.format(format, json: .json, text: .text)
        }

        func run() throws {
            let bot = bot.map { $0.hasPrefix("@") ? String($0.dropFirst()) : $0 }
            // A malformed id is refused before the store is opened, as every command does.
            if let id, !Store.isHandoffID(id) { _ = try ArtifactReference(parsing: id) }
            let store = try self.store.openToRead()
            let workLog = try WorkLog(store: store)
            let target = try ExplainTarget.named(
                session: session, id: id, workspace: workspace, bot: bot, in: workLog)
            let explained = try workLog.explain(target, bot: bot)
            let threshold = workLog.configuration.confidenceThreshold
            switch try output.format(format, json: .json, text: .text) {
            case .json:
                Terminal.printJSON(WorkLogView.json(explained, mode: mode, confidenceThreshold: threshold))
            case .markdown:
                Terminal.write(Array(WorkLogView.markdown(explained, confidenceThreshold: threshold).utf8))
            case .text:
                Terminal.print(WorkLogView.text(explained, mode: mode, confidenceThreshold: threshold))
            case .html:
                Terminal.write(Array(Export.session(explained, confidenceThreshold: threshold).utf8))
            }
        }
    }
}

extension WorkLogView.Mode: ExpressibleByArgument {}
