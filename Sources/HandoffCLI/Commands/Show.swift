import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffWorkLog

extension HandoffCommand {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract:
                "Show an artifact: schema, size, handoffs and their states, parents, children, next actions.",
            discussion: """
                ID is an artifact id, a unique prefix of at least 8 hex digits, or a handoff id; for a handoff \
                id, that handoff's history (claims, acks, releases, routes) is shown too.

                  handoff show 3f2a9c01
                  handoff show 01JD3XQ2K8B6W5N2M7T4R9C1ZP --json
                """)

        @Argument(help: ArgumentHelp("The artifact or handoff.", valueName: "id"))
        var id: String

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try Run(id: id, store: store.choice, json: output.json).run()
        }

        struct Run: Invocation {
            var id: String
            var store: StoreChoice
            var json: Bool

            func run() throws {
                let (store, argument, id) = try store.open(resolving: id, readOnly: true)
                let info = try store.artifact(id)
                let handoffs = try store.handoffs(HandoffFilter(artifact: id))
                let parents = try store.parents(of: id)
                let children = try store.children(of: id)
                let actions = try store.nextActions(of: id)
                var focused: (handoff: Handoff, events: [HandoffEvent])?
                if case .handoff(let handoffID) = argument {
                    focused = (try store.handoff(id: handoffID), try store.events(ofHandoff: handoffID))
                }
                if json {
                    let object: JSONObject = [
                        "artifact": info.json, "handoffs": .array(handoffs.map(\.listed)),
                        "parents": .array(parents.map { .string($0.id.description) }),
                        "children": .array(children.map { .string($0.id.description) }),
                        "next_actions": .array(actions.map(\.json)),
                        // The handoff asked about, when a handoff id was given, and its history.
                        "handoff": focused?.handoff.json ?? .null,
                        "events": .array(focused?.events.map(\.json) ?? []),
                    ]
                    Terminal.printJSON(.object(object))
                    return
                }
                Terminal.print(Terminal.bold(id.description))
                var details = TextTable()
                details.append([
                    "schema",
                    info.schema + (info.validated ? "" : Terminal.yellow("  (stored without validation)")),
                ])
                details.append(["size", "\(formatBytes(info.size)) (\(info.size) bytes)"])
                details.append(["stored", "\(info.createdAt) by \(info.producer)"])
                if let workflow = info.workflow { details.append(["workflow", workflow]) }
                if let workspace = info.workspace { details.append(["workspace", workspace]) }
                for parent in parents {
                    details.append(["parent", "\(parent.id)  \(parent.schema) by \(parent.producer)"])
                }
                for child in children {
                    details.append(["child", "\(child.id)  \(child.schema) by \(child.producer)"])
                }
                if !actions.isEmpty {
                    details.append(["next", Display.line(actionNames(actions).joined(separator: ", "))])
                }
                Terminal.print(details.render(indent: "  "))
                Terminal.print()
                if handoffs.isEmpty {
                    Terminal.print("No handoffs: it was stored without a consumer.")
                } else {
                    Terminal.print(Terminal.bold("handoffs (\(handoffs.count))"))
                    Terminal.print(handoffTable(handoffs).render(indent: "  "))
                }
                if let focused {
                    Terminal.print()
                    Terminal.print(Terminal.bold("history of \(focused.handoff.id)"))
                    var history = TextTable()
                    history.append([
                        focused.handoff.createdAt.description, "created",
                        "\(focused.handoff.producer) → \(focused.handoff.consumer)",
                    ])
                    for event in focused.events {
                        var detail: [String] = []
                        if let attempt = event.attempt { detail.append("attempt \(attempt)") }
                        if let worker = event.worker { detail.append("by \(worker)") }
                        if let expiry = event.leaseExpiresAt { detail.append("lease until \(expiry)") }
                        if let note = event.note { detail.append(Display.line(note)) }
                        history.append([event.at.description, event.kind, detail.joined(separator: ", ")])
                    }
                    Terminal.print(history.render(indent: "  "))
                }
            }
        }
    }
}

/// Handoffs as rows for people: id, route, state, attempts, time, note.
func handoffTable(_ handoffs: [Handoff]) -> TextTable {
    var table = TextTable()
    for handoff in handoffs {
        var row = [
            Terminal.dim(handoff.id), "\(handoff.producer) → \(handoff.consumer)",
            Terminal.state(handoff.state),
            handoff.attempts == 1 ? "1 attempt" : "\(handoff.attempts) attempts",
            handoff.createdAt.description,
        ]
        if let note = handoff.note { row.append(Display.line(note)) }
        table.append(row)
    }
    return table
}

extension HandoffCommand.Show.Run {
    /// The plain argument lists the fast path reads; nil sends the rest to ArgumentParser.
    init?(fast arguments: ArraySlice<String>) {
        guard let (id, store, json) = FastArguments.idWithStore(arguments) else { return nil }
        self.init(id: id, store: store, json: json)
    }
}
