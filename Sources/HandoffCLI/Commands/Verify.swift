import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffWorkLog

extension HandoffCommand {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Re-hash every object and cross-check the index.",
            discussion: """
                Exits 0 when the store is sound and 1 when it found damage: an object whose bytes changed, an \
                indexed artifact whose object is missing, a size that differs from the index, or an index file \
                SQLite finds inconsistent. Objects the index does not know are listed too: a put interrupted \
                before it recorded its object leaves one, and so does an index that lost entries (its -wal file \
                deleted, say). --repair lists them as artifacts again, from their content: their schema, size and \
                next actions come back, with producer "unknown"; their handoffs and parents do not. It also lists \
                an artifact's next actions again as the index records them where listings showed others. Temporary \
                files of interrupted writes lose nothing; `handoff gc` removes them, and unindexed objects, after \
                an hour, so repair before collecting.

                  handoff verify || alert "the store is damaged"
                  handoff verify --repair
                """)

        @Flag(
            name: .long,
            help: "List the objects the index does not know as artifacts again, and next actions as recorded."
        )
        var repair = false

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let opened = repair ? try store.open() : try store.openToRead()
            let progress = ProgressBar(label: "verifying", unit: "objects", json: output.json)
            var report = try opened.verify { progress.update(done: $0, total: $1) }
            progress.finish()
            let repaired = repair ? try opened.repairIndex(report) : nil
            // What the repair put right is no longer wrong: the report and the exit status say how the store is
            // now.
            if let repaired { report.remove(repairedBy: repaired) }
            if output.json {
                var object: JSONObject = [
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
                ]
                // Null unless --repair ran.
                object["repaired"] =
                    repaired.map { .array($0.reindexed.map { .string($0.description) }) } ?? .null
                object["not_repaired"] =
                    repaired.map { repaired in
                        .array(
                            repaired.refused.map {
                                ["id": .string($0.id.description), "message": .string($0.message)]
                            })
                    } ?? .null
                object["relisted"] =
                    repaired.map { .array($0.relistedNextActions.map { .string($0.description) }) } ?? .null
                Terminal.printJSON(.object(object))
            } else {
                Terminal.print(
                    "Checked \(report.objectsChecked) objects (\(formatBytes(report.bytesChecked))) against \(report.indexedArtifacts) indexed artifacts."
                )
                if let repaired {
                    Terminal.print(
                        "\(repaired.reindexed.count) of \(report.unindexedObjects.count) objects the index did not know are listed again, with producer \(Store.recoveredProducer)."
                    )
                    for (id, message) in repaired.refused {
                        Terminal.print("  not repaired: \(id): \(Display.line(message))")
                    }
                    if !repaired.relistedNextActions.isEmpty {
                        Terminal.print(
                            "\(repaired.relistedNextActions.count) artifacts' next actions are listed again as the index records them."
                        )
                    }
                } else if !report.unindexedObjects.isEmpty {
                    Terminal.print(
                        Terminal.yellow(
                            "\(report.unindexedObjects.count) objects the index does not know: left by interrupted puts, or index entries lost."
                        ))
                    for id in report.unindexedObjects.prefix(20) { Terminal.print("  \(id)") }
                    if report.unindexedObjects.count > 20 {
                        Terminal.print("  … and \(report.unindexedObjects.count - 20) more")
                    }
                    Terminal.print("  `handoff verify --repair` lists them as artifacts again.")
                }
                if !report.strayFiles.isEmpty {
                    Terminal.print(
                        "\(report.strayFiles.count) stray files (such as temporary files of interrupted writes; harmless):"
                    )
                    for file in report.strayFiles.prefix(20) { Terminal.print("  \(Display.line(file))") }
                }
                if report.isClean {
                    Terminal.print(Terminal.green("The store is sound."))
                } else {
                    Terminal.print(Terminal.red("\(report.problems.count) problems:"))
                    for problem in report.problems {
                        Terminal.print("  \(problem.kind.rawValue): \(Display.line(problem.message))")
                    }
                }
            }
            if !report.isClean { throw ExitCode(HandoffError.Code.checkFailed.exitStatus) }
        }
    }
}
