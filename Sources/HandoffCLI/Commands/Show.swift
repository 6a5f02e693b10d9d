import ArgumentParser
import HandoffJSON
import HandoffKit

extension HandoffCommand {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an artifact: its schema, size, producer and handoffs.",
            discussion: """
                ID is an artifact id, a unique prefix of at least 8 hex digits, or a handoff id.

                  handoff show 3f2a9c01
                """)

        @Argument(help: ArgumentHelp("The artifact.", valueName: "id"))
        var id: String

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let argument = try ArtifactArgument(parsing: id)
            let store = try store.open()
            let id = try argument.resolve(in: store)
            let info = try store.artifact(id)
            let handoffs = try store.handoffs(HandoffFilter(artifact: id))
            if output.json {
                Terminal.printJSON(["artifact": info.json, "handoffs": .array(handoffs.map(\.json))])
                return
            }
            Terminal.print(Terminal.bold(id.description))
            var details = TextTable()
            details.append(["schema", info.schema])
            details.append(["size", "\(formatBytes(info.size)) (\(info.size) bytes)"])
            details.append(["stored", "\(info.createdAt) by \(info.producer)"])
            if let workflow = info.workflow { details.append(["workflow", workflow]) }
            if let workspace = info.workspace { details.append(["workspace", workspace]) }
            Terminal.print(details.render(indent: "  "))
            Terminal.print()
            guard !handoffs.isEmpty else {
                Terminal.print("No handoffs: it was stored without a consumer.")
                return
            }
            Terminal.print(Terminal.bold("handoffs (\(handoffs.count))"))
            Terminal.print(handoffTable(handoffs).render(indent: "  "))
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
        if let note = handoff.note { row.append(note) }
        table.append(row)
    }
    return table
}
