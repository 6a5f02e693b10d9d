import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffWorkLog

extension HandoffCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract:
                "Store many artifacts at once (a JSON Lines file, the seed's artifact folder), or the seed's work logs.",
            discussion: """
                Each artifact is either wholly imported (object, index entry, handoffs) or not at all; they are \
                recorded in batches of \(Store.importBatchSize) per transaction. Invalid inputs are listed and \
                skipped, and the exit status is then 1. A summary says how many were imported, already stored \
                (duplicates) and invalid. Progress is shown on a terminal.

                From a JSON Lines file (one artifact per line), put by --from for each --to:
                  handoff import runs.jsonl --from bookmark_analyzer --to action_suggester

                From the seed's artifact store, keeping each file's producer, consumer and creation time:
                  handoff import --nanobot ~/.nanobot/artifacts

                From the seed's work-log database, keeping sessions, entries, steps and times (secrets are \
                masked; ended sessions get their record and work log; running it again imports only what is new):
                  handoff import --nanobot-work-logs ~/.nanobot/data/work_logs.db
                """)

        @Argument(help: ArgumentHelp("A JSON Lines file (- for standard input).", valueName: "file"))
        var file: String?

        @Option(name: .long, help: ArgumentHelp("A .nanobot/artifacts folder to import.", valueName: "dir"))
        var nanobot: String?

        @Option(
            name: .long,
            help: ArgumentHelp("The seed's work_logs.db to import sessions from.", valueName: "file"))
        var nanobotWorkLogs: String?

        @Option(
            name: .long,
            help: ArgumentHelp("The producer of a JSON Lines file's artifacts.", valueName: "producer"))
        var from: String?

        @Option(
            name: .long,
            help: ArgumentHelp("A consumer to hand each one to; repeatable.", valueName: "consumer"))
        var to: [String] = []

        @Option(name: .long, help: ArgumentHelp("The workflow they belong to.", valueName: "id"))
        var workflow: String?

        @Option(name: .long, help: ArgumentHelp("The workspace they belong to.", valueName: "name"))
        var workspace: String?

        @Flag(name: .long, help: "Store them without checking them against their schemas (recorded on each).")
        var noValidate = false

        @OptionGroup var store: StoreOptions
        @OptionGroup var limits: LimitOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if nanobotWorkLogs != nil {
                guard file == nil, nanobot == nil, from == nil, to.isEmpty, workflow == nil, workspace == nil
                else {
                    throw ValidationError("--nanobot-work-logs takes no other input, producer or consumer")
                }
                return
            }
            switch (file, nanobot) {
            case (nil, nil): throw ValidationError("give a JSON Lines file, or --nanobot DIR")
            case (_?, _?): throw ValidationError("give either a JSON Lines file or --nanobot DIR, not both")
            case (_?, nil):
                guard from != nil else {
                    throw ValidationError("importing a JSON Lines file needs --from PRODUCER")
                }
            case (nil, _?):
                if from != nil || !to.isEmpty || workflow != nil || workspace != nil {
                    throw ValidationError(
                        "--nanobot takes producer, consumer and time from each file's _meta")
                }
            }
        }

        func run() throws {
            if let nanobotWorkLogs { return try importWorkLogs(nanobotWorkLogs) }
            let progress = ProgressBar(label: "importing")
            let input: ImportInput
            if let nanobot {
                input = try ImportInput.nanobot(folder: nanobot, validate: !noValidate, limits: limits.limits)
            } else {
                // A file larger than the document limit is fine: each line is held to the limit.
                let (bytes, source) = try Input.read(file, limits: JSONParser.Limits(maxBytes: .max))
                input = try ImportInput.jsonLines(
                    bytes, source: source, producer: from!, consumers: to, workflow: workflow,
                    workspace: workspace,
                    validate: !noValidate, limits: limits.limits)
            }
            let report: ImportReport
            if !Store.exists(at: store.path), let refusals = allRefused(input) {
                // Nothing would be imported: report it without creating a store.
                report = refusals
            } else {
                report = try store.openOrCreate(limits: limits.limits).importArtifacts(
                    input, progress: progress.update)
            }
            progress.finish()
            if output.json {
                Terminal.printJSON([
                    "read": .number(Double(report.read)), "imported": .number(Double(report.imported)),
                    "duplicates": .number(Double(report.duplicates)),
                    "handoffs": .number(Double(report.handoffs)),
                    "invalid": .array(
                        report.invalid.map { ["source": .string($0.source), "message": .string($0.message)] }),
                    "ids": .array(report.ids.map { .string($0.description) }),
                ])
            } else {
                Terminal.print(
                    "Read \(report.read): imported \(report.imported), already stored \(report.duplicates), invalid \(report.invalid.count); \(report.handoffs) handoffs created."
                )
                for refusal in report.invalid { Terminal.print("  invalid: \(refusal.message)") }
            }
            if !report.invalid.isEmpty { throw ExitCode(HandoffError.Code.checkFailed.exitStatus) }
        }

        private func importWorkLogs(_ path: String) throws {
            // Read the database before a store is created for it.
            let logs = try NanobotWorkLogReader.read(path: path)
            let report = try WorkLog(store: try store.openOrCreate(limits: limits.limits))
                .importNanobotWorkLogs(logs)
            if output.json {
                Terminal.printJSON([
                    "sessions": .number(Double(report.sessions)),
                    "imported": .number(Double(report.imported)),
                    "already_imported": .number(Double(report.alreadyImported)),
                    "entries": .number(Double(report.entries)), "ended": .number(Double(report.ended)),
                    "refused": .array(report.refused.map(JSONValue.string)),
                ])
            } else {
                Terminal.print(
                    "Read \(report.sessions) work logs: imported \(report.imported) (\(report.entries) entries, \(report.ended) ended), already imported \(report.alreadyImported), refused \(report.refused.count) entries."
                )
                for refusal in report.refused { Terminal.print("  refused: \(refusal)") }
            }
            if !report.refused.isEmpty { throw ExitCode(HandoffError.Code.checkFailed.exitStatus) }
        }

        /// The report of an import of which nothing passes the checks a new store (with only the built-in
        /// schemas) makes, or nil when something would be imported.
        private func allRefused(_ input: ImportInput) -> ImportReport? {
            let catalog = SchemaCatalog()
            var report = ImportReport()
            report.read = input.requests.count + input.refused.count
            report.invalid = input.refused
            for request in input.requests {
                do {
                    let schema = try request.check()
                    if request.validate {
                        try catalog.check(
                            request.document, declaring: schema.description, source: request.source)
                    }
                    return nil
                } catch {
                    report.invalid.append(.init(source: request.source, message: error.message))
                }
            }
            return report
        }
    }
}
