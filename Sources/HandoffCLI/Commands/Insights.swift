import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffWorkLog

extension HandoffCommand {
    struct Insights: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "insights",
            abstract: "The learning exchange: insights waiting for approval; approve or reject them.",
            discussion: """
                When a session ends, each shareable entry is queued here: one whose confidence reaches the \
                work-log setting learning_exchange.min_confidence (0.85) and whose insight category (else its \
                category) is one of learning_exchange.shareable_categories. Such an entry is flagged shareable \
                when it is recorded; a bot flagging one itself (shareable_insight) still needs both. Approving one hands an insight-v1 artifact to the bots it applies to: every bot for an open \
                workspace, the bot itself for a direct one, the participants of a project or coordination one.

                  handoff insights
                  handoff insights approve 01JD3XQ2K8B6W5N2M7T4R9C1ZP
                  handoff insights reject 01JD3XQ2K8B6W5N2M7T4R9C1ZP --note "too specific"
                  handoff insights --state all
                """,
            subcommands: [List.self, Approve.self, Reject.self], defaultSubcommand: List.self)

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "ls", abstract: "List insights (pending ones unless --state says otherwise).")

            @Option(name: .long, help: "pending, approved, rejected or all.")
            var state = "pending"

            @Option(name: .long, help: ArgumentHelp("At most this many.", valueName: "n"))
            var limit = Paging.DefaultLimit.insights

            @Option(name: .long, help: ArgumentHelp(offsetHelp, valueName: "n"))
            var offset = 0

            @OptionGroup var store: StoreOptions
            @OptionGroup var output: OutputOptions

            func validate() throws {
                guard state == "all" || Insight.State(rawValue: state) != nil else {
                    throw ValidationError("--state must be pending, approved, rejected or all")
                }
                try validatePage(limit: limit, offset: offset)
            }

            func run() throws {
                let workLog = try WorkLog(store: try store.openToRead())
                let found = try workLog.insights(
                    state: Insight.State(rawValue: state), limit: Paging.fetchCount(limit), offset: offset)
                let page = Page(found, limit: limit, offset: offset)
                let shown = page.shown
                if output.json {
                    Terminal.printJSON(page.json("insights", shown.map(\.json)))
                    return
                }
                guard !shown.isEmpty else {
                    Terminal.print(state == "pending" ? "No insights wait for approval." : "No insights.")
                    return
                }
                for insight in shown { printInsight(insight) }
                page.printContinuation()
            }
        }

        struct Approve: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "approve", abstract: "Approve an insight: hand it to the bots it applies to.")

            @Argument(help: ArgumentHelp("The insight's id.", valueName: "id"))
            var id: String

            @Option(name: .long, help: ArgumentHelp("Why, for the record.", valueName: "text"))
            var note: String?

            @OptionGroup var store: StoreOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                let insight = try WorkLog(store: try store.open()).approveInsight(id, note: note)
                if output.json {
                    Terminal.printJSON(["insight": insight.json])
                } else {
                    printInsight(insight)
                }
            }
        }

        struct Reject: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "reject", abstract: "Reject an insight: it is not shared.")

            @Argument(help: ArgumentHelp("The insight's id.", valueName: "id"))
            var id: String

            @Option(name: .long, help: ArgumentHelp("Why, for the record.", valueName: "text"))
            var note: String?

            @OptionGroup var store: StoreOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                let insight = try WorkLog(store: try store.open()).rejectInsight(id, note: note)
                if output.json {
                    Terminal.printJSON(["insight": insight.json])
                } else {
                    printInsight(insight)
                }
            }
        }
    }
}

private func printInsight(_ insight: Insight) {
    var title = Terminal.bold(insight.id) + "  \(insight.state)  \(Display.line(insight.category))"
    if let confidence = insight.confidence { title += "  \(Int((confidence * 100).rounded()))%" }
    Terminal.print(
        title + "  "
            + Terminal.dim(
                "\(insight.workspace) · session \(insight.session), step \(insight.step) · \(insight.bot)"))
    Terminal.print("  \(Display.line(insight.content))")
    Terminal.print(
        "  "
            + Terminal.dim(
                "applies to: \(insight.appliesTo.isEmpty ? "(nobody yet)" : Display.line(insight.appliesTo.joined(separator: ", ")))"
            ))
    if let artifact = insight.artifact { Terminal.print("  " + Terminal.dim("handed on as \(artifact)")) }
    if let note = insight.note { Terminal.print("  note: \(Display.line(note))") }
}
