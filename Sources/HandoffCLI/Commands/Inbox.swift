import ArgumentParser
import HandoffJSON
import HandoffKit

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
            let store = try store.openToRead()
            let filter = try filters.handoffFilter(action: action)
            let handoffs = try store.inbox(consumer, filter: filter)
            var actions: [ArtifactID: [NextAction]] = [:]
            for handoff in handoffs where actions[handoff.artifactID] == nil {
                actions[handoff.artifactID] = try store.nextActions(of: handoff.artifactID)
            }
            if output.json {
                Terminal.printJSON([
                    "consumer": .string(consumer),
                    "handoffs": .array(
                        handoffs.map { handoff in
                            guard case .object(var object) = handoff.json else { return handoff.json }
                            object["next_actions"] = .array(
                                actionNames(actions[handoff.artifactID] ?? []).map(JSONValue.string))
                            return .object(object)
                        }),
                ])
                return
            }
            guard !handoffs.isEmpty else {
                Terminal.print(
                    "Nothing \((filter.states ?? [.pending]).map(\.rawValue).joined(separator: " or ")) for \(consumer)."
                )
                return
            }
            var table = TextTable()
            for handoff in handoffs {
                var row = [
                    Terminal.dim(handoff.id), "from \(handoff.producer)", handoff.schema,
                    String(handoff.artifactID.description.prefix(15)), handoff.createdAt.description,
                ]
                if handoff.state != .pending { row.append(Terminal.state(handoff.state)) }
                let names = actionNames(actions[handoff.artifactID] ?? [])
                if !names.isEmpty { row.append("→ " + names.joined(separator: ", ")) }
                table.append(row)
            }
            Terminal.print(table.render())
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
