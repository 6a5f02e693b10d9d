import ArgumentParser
import HandoffJSON
import HandoffKit

extension HandoffCommand {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Re-hash every object and cross-check the index.",
            discussion: """
                Exits 0 when the store is sound and 1 when it found damage: an object whose bytes changed, an \
                indexed artifact whose object is missing, a size that differs from the index, or an index file \
                SQLite finds inconsistent. Leftovers of interrupted writes (objects never indexed, temporary \
                files) are reported but lose nothing.

                  handoff verify || alert "the store is damaged"
                """)

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let report = try store.openToRead().verify()
            if output.json {
                Terminal.printJSON([
                    "clean": .bool(report.isClean), "objects_checked": .number(Double(report.objectsChecked)),
                    "bytes_checked": .number(Double(report.bytesChecked)),
                    "indexed_artifacts": .number(Double(report.indexedArtifacts)),
                    "problems": .array(
                        report.problems.map { problem in
                            [
                                "kind": .string(problem.kind.rawValue),
                                "id": problem.id.map { .string($0.description) } ?? .null,
                                "message": .string(problem.message),
                            ]
                        }),
                    "unindexed_objects": .array(report.unindexedObjects.map { .string($0.description) }),
                    "stray_files": .array(report.strayFiles.map(JSONValue.string)),
                ])
            } else {
                Terminal.print(
                    "Checked \(report.objectsChecked) objects (\(formatBytes(report.bytesChecked))) against \(report.indexedArtifacts) indexed artifacts."
                )
                if !report.unindexedObjects.isEmpty {
                    Terminal.print(
                        "\(report.unindexedObjects.count) objects are not indexed (left by interrupted puts; harmless)."
                    )
                }
                if !report.strayFiles.isEmpty {
                    Terminal.print(
                        "\(report.strayFiles.count) stray files (such as temporary files of interrupted writes; harmless):"
                    )
                    for file in report.strayFiles.prefix(20) { Terminal.print("  \(file)") }
                }
                if report.isClean {
                    Terminal.print(Terminal.green("The store is sound."))
                } else {
                    Terminal.print(Terminal.red("\(report.problems.count) problems:"))
                    for problem in report.problems {
                        Terminal.print("  \(problem.kind.rawValue): \(problem.message)")
                    }
                }
            }
            if !report.isClean { throw ExitCode(HandoffError.Code.checkFailed.exitStatus) }
        }
    }
}
