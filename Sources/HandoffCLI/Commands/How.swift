import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffWorkLog

extension HandoffCommand {
    struct How: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "how",
            abstract: "Search every recorded work-log entry: how was something decided?",
            discussion: """
                Looks the question's words up in every entry's message, category, details, tool name, tool \
                error and bot (common words such as "why" and "did" are left out; "escalate" also finds \
                "escalation"; words in double quotes must follow each other, as a phrase), and lists the best \
                matches with their workspace, session, bot and step. An entry's score adds up, for each word \
                and phrase it holds, the weight of each field holding it: message 10, tool name 4, category 3, \
                tool error 2, bot 2, details 1; the newest entry comes first among equals.

                  handoff how "confidence"
                  handoff how '"rate limit" retry'
                  handoff how "why did you escalate" --workspace "#coordination-website"
                  handoff how "what did researcher find" --bot researcher --limit 20
                """)

        @Argument(help: ArgumentHelp("What to look for.", valueName: "question"))
        var question: String

        @Option(name: .long, help: ArgumentHelp("Only in this workspace.", valueName: "name"))
        var workspace: String?

        @Option(name: .long, help: ArgumentHelp("Only entries this bot recorded.", valueName: "bot"))
        var bot: String?

        @Option(name: .long, help: ArgumentHelp("At most this many.", valueName: "n"))
        var limit = Paging.DefaultLimit.searchHits

        @Option(name: .long, help: ArgumentHelp(offsetHelp, valueName: "n"))
        var offset = 0

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1 to 10000") }
            try validatePage(limit: limit, offset: offset)
        }

        func run() throws {
            let workLog = try WorkLog(store: try store.openToRead())
            let bot = bot.map { $0.hasPrefix("@") ? String($0.dropFirst()) : $0 }
            let page = Page(
                try workLog.search(
                    question, workspace: workspace, bot: bot, limit: Paging.fetchCount(limit), offset: offset),
                limit: limit, offset: offset)
            let hits = page.shown
            if output.json {
                Terminal.printJSON(page.json("hits", hits.map(\.json), ["question": .string(question)]))
                return
            }
            guard !hits.isEmpty else {
                Terminal.print("No entries match \(quotedForMessage(question)).")
                return
            }
            Terminal.print(
                "\(hits.count) entr\(hits.count == 1 ? "y" : "ies") for \(quotedForMessage(question)), best first:"
            )
            for hit in hits {
                let entry = hit.entry
                Terminal.print()
                Terminal.print(
                    Terminal.bold("\(hit.workspace)") + "  session \(hit.session), step \(entry.step)  "
                        + Terminal.dim(
                            "\(entry.level) · \(entry.category) · \(entry.timestamp?.description ?? "")"))
                Terminal.print("  \(entry.botName ?? ""): \(Display.line(WorkLogView.spoken(entry)))")
                var facts: [String] = []
                if let confidence = entry.confidence {
                    facts.append("confidence \(Int((confidence * 100).rounded()))%")
                }
                if let tool = entry.toolName {
                    facts.append("tool \(tool)" + (entry.toolStatus.map { " \($0)" } ?? ""))
                }
                if !entry.details.isEmpty {
                    let details = Display.line(JSONValue.object(entry.details).description)
                    facts.append(
                        "details " + (details.count > 160 ? String(details.prefix(160)) + "…" : details))
                }
                if !facts.isEmpty { Terminal.print("  " + facts.joined(separator: " · ")) }
            }
            if page.truncated { Terminal.print() }
            page.printContinuation()
        }
    }
}
