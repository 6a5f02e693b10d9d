import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffWorkLog

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
            let progress = ProgressBar(
                label: "importing", unit: nanobot == nil ? "lines" : "artifacts", json: output.json)
            let report: ImportReport
            if let nanobot {
                let input = try ImportInput.nanobot(
                    folder: nanobot, validate: !noValidate, limits: limits.limits)
                let present = try store.openIfPresent(limits: limits.limits)
                if present == nil, let refusals = allRefused(input) {
                    // Nothing would be imported: report it without creating a store.
                    report = refusals
                } else {
                    report = try (present ?? store.openOrCreate(limits: limits.limits)).importArtifacts(
                        input, progress: { progress.update(done: $0, total: $1) })
                }
            } else {
                report = try importJSONLines(progress: progress)
            }
            progress.finish()
            if output.json {
                Terminal.printJSON([
                    "read": .number(Double(report.read)), "imported": .number(Double(report.imported)),
                    "duplicates": .number(Double(report.duplicates)),
                    "handoffs": .number(Double(report.handoffs)),
                    "refused": .array(report.invalid.map(\.json)),
                    "ids": .array(report.ids.map { .string($0.description) }),
                ])
            } else {
                Terminal.print(
                    "Read \(report.read): imported \(report.imported), already stored \(report.duplicates), refused \(report.invalid.count); \(report.handoffs) handoffs created."
                )
                for refusal in report.invalid {
                    Terminal.print("  refused: \(Display.line(refusal.message))")
                }
            }
            if !report.invalid.isEmpty { throw ExitCode(HandoffError.Code.checkFailed.exitStatus) }
        }

        /// Imports a JSON Lines stream a batch at a time, holding one batch of documents at most, so a file of
        /// any length takes bounded memory. The store is created at the first line that would be imported.
        private func importJSONLines(progress: ProgressBar) throws -> ImportReport {
            let producer = from!
            try Store.checkName(producer, as: "producer")
            let (descriptor, source) = try Input.stream(
                file,
                noInput: HandoffError(
                    .usage, "no input: give a JSON Lines file, or pipe artifacts to standard input",
                    hint: "for example: handoff import runs.jsonl --from bookmark_analyzer"))
            defer { if descriptor != STDIN_FILENO { close(descriptor) } }
            var opened = try store.openIfPresent(limits: limits.limits)
            // Before there is a store, lines are checked the way a new store (built-in schemas only) would.
            let builtIn = SchemaCatalog()
            var report = ImportReport()
            var refused: [ImportReport.Refusal] = []
            var batch: [PutRequest] = []
            var reader = LineReader(descriptor: descriptor, name: source, limit: limits.maxBytes)
            func flush() throws(HandoffError) {
                guard let opened, !batch.isEmpty else { return }
                let done = try opened.importArtifacts(batch)
                report.imported += done.imported
                report.duplicates += done.duplicates
                report.handoffs += done.handoffs
                report.ids += done.ids
                refused += done.invalid
                batch.removeAll(keepingCapacity: true)
                progress.update(done: reader.linesRead)
            }
            while let line = try reader.next() {
                switch line {
                case .tooLong(let number, let length):
                    report.read += 1
                    refused.append(
                        .init(
                            source: "\(source) line \(number)",
                            message:
                                "\(source) line \(number) is \(length) bytes, more than the limit of \(limits.maxBytes)"
                        ))
                case .text(let bytes, let number):
                    guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
                    report.read += 1
                    let name = "\(source) line \(number)"
                    let accepted: PutRequest?
                    do throws(HandoffError) {
                        let request = PutRequest(
                            document: try ArtifactDocument.parse(bytes, source: name, limits: limits.limits),
                            producer: producer, consumers: to, workflow: workflow, workspace: workspace,
                            source: name, validate: !noValidate)
                        if opened == nil {
                            let schema = try request.check()
                            if request.validate {
                                try builtIn.check(
                                    request.document, declaring: schema.description, source: name)
                            }
                        }
                        accepted = request
                    } catch {
                        refused.append(.init(source: name, message: error.message))
                        accepted = nil
                    }
                    // The store's own failure (it cannot be made, say) is the command's, not the line's.
                    guard let accepted else { continue }
                    if opened == nil { opened = try store.openOrCreate(limits: limits.limits) }
                    batch.append(accepted)
                    if batch.count >= Store.importBatchSize { try flush() }
                }
            }
            try flush()
            // Lines refused when their batch was stored come after lines refused as they were read.
            report.invalid = refused.enumerated().sorted {
                let (left, right) = (lineNumber($0.element.source), lineNumber($1.element.source))
                return left != right ? left < right : $0.offset < $1.offset
            }.map(\.element)
            return report
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
                    "refused": .array(report.refused.map(\.json)),
                ])
            } else {
                Terminal.print(
                    "Read \(report.sessions) work logs: imported \(report.imported) (\(report.entries) entries, \(report.ended) ended), already imported \(report.alreadyImported), refused \(report.refused.count) entries."
                )
                for refusal in report.refused {
                    Terminal.print(
                        "  refused: \(Display.line(refusal.source)): \(Display.line(refusal.message))")
                }
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

/// N of a source named `FILE line N`.
private func lineNumber(_ source: String) -> Int {
    guard let range = source.ranges(of: " line ").last else { return 0 }
    return Int(source[range.upperBound...]) ?? 0
}
