import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffWorkLog

extension HandoffCommand {
    struct Inbox: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inbox",
            abstract: "List the handoffs waiting for a consumer, oldest first.",
            discussion: """
                Shows pending handoffs unless --state asks for others, with each artifact's next actions. \
                Times are RFC 3339, a date, or an age such as 15m or 2h.

                  handoff inbox reviewer
                  handoff inbox reviewer --action manual_review --json
                  handoff inbox reviewer --state dead
                """)

        @Argument(help: ArgumentHelp("The consumer.", valueName: "consumer"))
        var consumer: String

        @Option(
            name: .long,
            help: ArgumentHelp("Only artifacts that recommend this next action.", valueName: "action"))
        var action: String?

        @OptionGroup var filters: FilterOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try Run(
                consumer: consumer, action: action, filter: filters.values, store: store.choice,
                json: output.json
            )
            .run()
        }

        struct Run: Invocation {
            var consumer: String
            var action: String?
            var filter: FilterValues
            var store: StoreChoice
            var json: Bool

            func run() throws {
                let store = try store.openToRead()
                let filter = try self.filter.handoffFilter(action: action)
                if json, !Terminal.stdoutIsTerminal {
                    // One line, written straight from the rows, a part at a time: a whole inbox can be thousands
                    // of them, and memory the process touches for the first time costs a page fault per 4 KB.
                    let part = 1 << 16
                    var text = JSONTextBuilder(capacity: part + 4096)
                    text.raw(#"{"consumer":"#)
                    text.string(consumer)
                    text.raw(#","handoffs":["#)
                    let (written, more) = try store.writeInboxJSON(
                        consumer, filter: filter, limit: self.filter.limit, into: &text
                    ) { text in
                        guard text.count >= part else { return true }
                        Terminal.write(text.bytes)
                        text.clear()
                        // A reader that went away (`| head`) wants no more: the rest is not read.
                        return Terminal.outputError == nil
                    }
                    text.raw(#"],"next_offset":"#)
                    if more {
                        text.integer(Paging.nextOffset(self.filter.offset, shown: written))
                    } else {
                        text.raw("null")
                    }
                    text.raw(#","truncated":"#)
                    text.bool(more)
                    text.raw("}\n")
                    Terminal.write(text.bytes)
                    return
                }
                let found = try store.inboxWithNextActions(consumer, filter: filter)
                let page = Page(found, limit: self.filter.limit, offset: self.filter.offset)
                let entries = page.shown
                if json {
                    Terminal.printJSON(
                        page.json(
                            "handoffs", entries.map { $0.handoff.json(nextActions: $0.nextActions) },
                            ["consumer": .string(consumer)]))
                    return
                }
                guard !entries.isEmpty else {
                    Terminal.print(
                        "Nothing \(joinedText((filter.states ?? [.pending]).map(\.rawValue), separator: " or ")) for \(consumer)."
                    )
                    return
                }
                var table = TextTable()
                for (handoff, actions) in entries {
                    var row = [
                        Terminal.dim(handoff.id), "from \(handoff.producer)", handoff.schema,
                        String(handoff.artifactID.description.prefix(15)), handoff.createdAt.description,
                    ]
                    if handoff.state != .pending { row.append(Terminal.state(handoff.state)) }
                    let names = actionNames(actions)
                    if !names.isEmpty { row.append("→ " + Display.line(joinedText(names, separator: ", "))) }
                    table.append(row)
                }
                Terminal.print(table.render())
                page.printContinuation()
            }
        }
    }
}

/// Action names in order of first appearance.
func actionNames(_ actions: [NextAction]) -> [String] {
    var names: [String] = []
    for action in actions where !names.contains(action.action) { names.append(action.action) }
    return names
}

func parseStates(_ names: [String]) throws(HandoffError) -> [Handoff.State] {
    try names.map { name throws(HandoffError) in
        guard let state = Handoff.State(rawValue: name) else {
            throw HandoffError(
                .usage,
                "unknown state \"\(name)\"; states are \(Handoff.State.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        return state
    }
}

extension HandoffCommand.Inbox.Run {
    static let grammar = FastGrammar(
        options: FastArguments.storeOptions + FastArguments.filterOptions + ["--action"],
        repeatable: ["--state"], flags: ["--json"], positionals: 1...1)

    /// The plain argument lists the fast path reads; nil sends the rest to ArgumentParser.
    init?(fast arguments: ArraySlice<String>) {
        guard
            let parsed = FastArguments(arguments, grammar: Self.grammar),
            let store = parsed.store, let filter = parsed.filter
        else { return nil }
        self.init(
            consumer: parsed.positionals[0], action: parsed.value("--action"), filter: filter,
            store: store,
            json: parsed.flag("--json"))
    }
}
