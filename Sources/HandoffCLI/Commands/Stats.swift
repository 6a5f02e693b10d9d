import ArgumentParser
import HandoffJSON
import HandoffKit

extension HandoffCommand {
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Count what the store holds.",
            discussion: """
                Artifacts and their bytes, artifacts per schema, handoffs per state, producers, consumers, and the \
                size of the index.

                  handoff stats --json
                """)

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let stats = try store.openToRead().stats()
            if output.json {
                var states = JSONObject()
                for state in Handoff.State.allCases {
                    states[state.rawValue] = .number(Double(stats.handoffsByState[state] ?? 0))
                }
                var schemas = JSONObject()
                for (schema, count) in stats.artifactsBySchema.sorted(by: { $0.key < $1.key }) {
                    schemas[schema] = .number(Double(count))
                }
                Terminal.printJSON([
                    "path": .string(stats.path), "artifacts": .number(Double(stats.artifacts)),
                    "artifact_bytes": .number(Double(stats.artifactBytes)),
                    "handoffs": .number(Double(stats.handoffs)),
                    "handoffs_by_state": .object(states), "artifacts_by_schema": .object(schemas),
                    "producers": .number(Double(stats.producers)),
                    "consumers": .number(Double(stats.consumers)),
                    "index_bytes": .number(Double(stats.indexBytes)),
                ])
                return
            }
            Terminal.print(Terminal.bold("store \(stats.path)"))
            var table = TextTable()
            table.append(["artifacts", "\(stats.artifacts) (\(formatBytes(stats.artifactBytes)))"])
            table.append(["handoffs", "\(stats.handoffs)"])
            for state in Handoff.State.allCases {
                if let count = stats.handoffsByState[state] {
                    table.append(["  \(state.rawValue)", "\(count)"])
                }
            }
            table.append(["producers", "\(stats.producers)"])
            table.append(["consumers", "\(stats.consumers)"])
            table.append(["index", formatBytes(stats.indexBytes)])
            Terminal.print(table.render(indent: "  "))
            if !stats.artifactsBySchema.isEmpty {
                Terminal.print(Terminal.bold("schemas"))
                var schemas = TextTable()
                for (schema, count) in stats.artifactsBySchema.sorted(by: { $0.key < $1.key }) {
                    schemas.append([schema, "\(count)"])
                }
                Terminal.print(schemas.render(indent: "  "))
            }
        }
    }
}
