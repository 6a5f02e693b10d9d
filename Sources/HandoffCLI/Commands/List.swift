import ArgumentParser
import HandoffJSON
import HandoffKit

extension HandoffCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract:
                "List artifacts, or handoffs, by schema, producer, consumer, workflow, workspace and time.",
            discussion: """
                Artifacts are listed newest first; with --handoffs, handoffs are listed oldest first. Times are \
                RFC 3339 (2026-11-20T09:00:00Z), a date (2026-11-20), or an age such as 15m, 2h or 7d.

                  handoff ls --schema work-log-v1 --since 1d
                  handoff ls --handoffs --to reviewer --state pending
                """)

        @Flag(name: .long, help: "List handoffs instead of artifacts.")
        var handoffs = false

        @Option(
            name: .long, help: ArgumentHelp("Only this schema, such as work-log-v1.", valueName: "schema"))
        var schema: String?

        @Option(
            name: [.customLong("from"), .customLong("producer")],
            help: ArgumentHelp("Only from this producer.", valueName: "producer"))
        var producer: String?

        @Option(
            name: [.customLong("to"), .customLong("consumer")],
            help: ArgumentHelp("Only handed to this consumer.", valueName: "consumer"))
        var consumer: String?

        @Option(name: .long, help: ArgumentHelp("Only in this workflow.", valueName: "id"))
        var workflow: String?

        @Option(name: .long, help: ArgumentHelp("Only in this workspace.", valueName: "name"))
        var workspace: String?

        @Option(
            name: .long,
            help: ArgumentHelp(
                "With --handoffs: only in this state (pending, claimed, done, blocked, rejected, dead); repeatable.",
                valueName: "state"))
        var state: [String] = []

        @Option(name: .long, help: ArgumentHelp("Only created at or after this time.", valueName: "time"))
        var since: TimeArgument?

        @Option(name: .long, help: ArgumentHelp("Only created before this time.", valueName: "time"))
        var until: TimeArgument?

        @Option(name: .long, help: ArgumentHelp("At most this many.", valueName: "n"))
        var limit: Int = 100

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be positive") }
            for name in state where Handoff.State(rawValue: name) == nil {
                throw ValidationError(
                    "unknown state \"\(name)\"; states are \(Handoff.State.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            if !state.isEmpty && !handoffs { throw ValidationError("--state lists handoffs: add --handoffs") }
        }

        func run() throws {
            let store = try store.open()
            if handoffs {
                let filter = HandoffFilter(
                    consumer: consumer, producer: producer,
                    states: state.isEmpty ? nil : state.compactMap(Handoff.State.init),
                    schema: schema, workflow: workflow, workspace: workspace, since: since?.timestamp,
                    until: until?.timestamp,
                    limit: limit)
                let found = try store.handoffs(filter)
                if output.json {
                    Terminal.printJSON(["handoffs": .array(found.map(\.json))])
                } else if found.isEmpty {
                    Terminal.print("No handoffs match.")
                } else {
                    Terminal.print(handoffTable(found).render())
                }
                return
            }
            let filter = ArtifactFilter(
                schema: schema, producer: producer, consumer: consumer, workflow: workflow,
                workspace: workspace,
                since: since?.timestamp, until: until?.timestamp, limit: limit)
            let found = try store.artifacts(filter)
            if output.json {
                Terminal.printJSON(["artifacts": .array(found.map(\.json))])
                return
            }
            guard !found.isEmpty else {
                Terminal.print("No artifacts match.")
                return
            }
            var table = TextTable()
            for artifact in found {
                table.append([
                    artifact.id.description, artifact.schema, artifact.producer,
                    artifact.createdAt.description,
                    formatBytes(artifact.size),
                ])
            }
            Terminal.print(table.render())
        }
    }
}
