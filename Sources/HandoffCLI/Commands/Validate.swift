import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffSchema
import HandoffWorkLog

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension HandoffCommand {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Check documents against their schema.",
            discussion: """
                Each document is checked against the schema its "schema" field names (built in, or registered \
                in the store), or against --schema, a schema name or a schema file. Formats (date-time, email, \
                uri, …) are checked unless --no-format-check. With --jsonl, each line of each input is one \
                document. --resolve URI-PREFIX=DIR makes $refs to URIs with that prefix read files under DIR.

                Exits 0 when every document is valid, 1 when any is invalid, 65 when an input cannot be read \
                as JSON or declares an unknown schema. With --json, errors come as instanceLocation, \
                keywordLocation, absoluteKeywordLocation and message.

                  handoff validate scan.json
                  handoff validate --jsonl runs.jsonl --json
                  handoff validate --schema ./review-v1.schema.json \\
                      --resolve https://schemas.example.com/=./schemas review.json
                """)

        @Argument(help: ArgumentHelp("Documents (default: standard input).", valueName: "file"))
        var files: [String] = []

        @Option(
            name: .long,
            help: ArgumentHelp("A schema name or a schema file to check against.", valueName: "name|path"))
        var schema: String?

        @Flag(name: .long, help: "Read one document per line.")
        var jsonl = false

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Resolve $refs under URI-PREFIX from files in DIR; repeatable.", valueName: "prefix=dir"))
        var resolve: [String] = []

        @Flag(name: .long, help: "Treat format as an annotation only.")
        var noFormatCheck = false

        @OptionGroup var store: StoreOptions
        @OptionGroup var limits: LimitOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let loaders = try resolve.map { mapping throws(HandoffError) in
                try DirectorySchemaLoader(mapping: mapping) as any SchemaLoader
            }
            // The store's own schemas count when there is a store; validating needs none.
            var configuration = store.configuration
            configuration.schemaLoaders = loaders
            configuration.assertFormats = !noFormatCheck
            configuration.readOnly = true
            let catalog: SchemaCatalog
            if let present = try Store.openIfPresent(at: store.path, configuration: configuration) {
                catalog = present.schemas
            } else {
                catalog = SchemaCatalog(
                    loaders: loaders, assertFormats: !noFormatCheck,
                    validationBudget: store.configuration.validationBudget)
            }
            let fixed = try schema.map { text throws(HandoffError) in try fixedSchema(text, catalog: catalog)
            }

            // Every named file must be there before anything is checked, as with every other command.
            for file in files where file != "-" {
                if !FileIO.exists(file) { throw HandoffError(.notFound, "no such file: \(file)") }
                if FileIO.isDirectory(file) {
                    throw HandoffError(.usage, "\(file) is a directory, not a file")
                }
            }
            // Documents are checked one at a time, and with --json off a terminal each result is written as it
            // comes, so a JSON Lines stream of any length takes bounded memory.
            let report = Report(json: output.json, streaming: output.json && !Terminal.stdoutIsTerminal)
            do {
                for file in files.isEmpty ? [nil] : files.map(Optional.some) {
                    if jsonl {
                        try eachLine(of: file) { source, bytes in
                            report.add(source) { () throws(HandoffError) in
                                try check(bytes.get(), source, catalog, fixed)
                            }
                        }
                    } else {
                        let (source, bytes) = try whole(file)
                        report.add(source) { () throws(HandoffError) in
                            try check(bytes.get(), source, catalog, fixed)
                        }
                    }
                }
            } catch {
                // Standard output stays one JSON document, whatever stopped the stream.
                report.anyUnreadable = true
                report.finish()
                throw error
            }
            report.finish()
            if report.anyUnreadable { throw ExitCode(HandoffError.Code.invalidInput.exitStatus) }
            if report.anyInvalid { throw ExitCode(HandoffError.Code.checkFailed.exitStatus) }
        }

        /// A whole input's bytes, or why they could not be read (a file too large, not UTF-8, …).
        private func whole(_ file: String?) throws(HandoffError) -> (String, Result<[UInt8], HandoffError>) {
            do {
                let (bytes, source) = try Input.read(file, limits: limits.limits)
                return (source, .success(bytes))
            } catch {
                guard error.code == .invalidInput else { throw error }
                return (file ?? "standard input", .failure(error))
            }
        }

        /// Checks one document against `fixed`, else the schema it declares, from its bytes: parsed onto a
        /// tape, without a tree (`SchemaCatalog.validate(json:)`).
        private func check(
            _ bytes: [UInt8], _ source: String, _ catalog: SchemaCatalog,
            _ fixed: (name: String, schema: CompiledSchema)?
        ) throws(HandoffError) -> (String, ValidationResult) {
            try catalog.validate(json: bytes, source: source, limits: limits.limits, against: fixed)
        }

        /// Calls `body` with each non-blank line of a JSON Lines input, or why it could not be read.
        private func eachLine(
            of file: String?, _ body: (String, Result<[UInt8], HandoffError>) throws -> Void
        ) throws {
            let (descriptor, source) = try Input.stream(
                file,
                noInput: HandoffError(
                    .usage, "no input: give a JSON Lines file, or pipe documents to standard input",
                    hint: "for example: handoff validate --jsonl runs.jsonl"))
            defer { if descriptor != STDIN_FILENO { close(descriptor) } }
            var reader = LineReader(descriptor: descriptor, name: source, limit: limits.maxBytes)
            while let line = try reader.next() {
                switch line {
                case .tooLong(let number, let length):
                    try body(
                        "\(source) line \(number)",
                        .failure(
                            HandoffError(
                                .invalidInput,
                                "\(source) line \(number) is \(length) bytes, more than the limit of \(limits.maxBytes)"
                            )))
                case .text(let bytes, let number):
                    guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
                    try body("\(source) line \(number)", .success(bytes))
                }
            }
        }

        /// The results so far, printed as they come.
        private final class Report {
            let json: Bool
            /// Whether each JSON result is written as it comes rather than in one document at the end.
            let streaming: Bool
            var count = 0
            var valid = 0
            var anyInvalid = false
            var anyUnreadable = false
            /// The results, kept only to print them in one indented document on a terminal.
            var results: [JSONValue] = []

            init(json: Bool, streaming: Bool) {
                self.json = json
                self.streaming = streaming
                // The keys of the document are written in the order its canonical form has them.
                if streaming { Terminal.write(Array(#"{"results":["#.utf8)) }
            }

            func add(_ source: String, _ validate: () throws(HandoffError) -> (String, ValidationResult)) {
                // Every result has every key: what did not apply is null, or empty. Built only for --json:
                // a dictionary per document was a tenth of a text run.
                var result: JSONObject = [:]
                do {
                    let (name, outcome) = try validate()
                    if json {
                        result = [
                            "source": .string(source), "schema": .string(name),
                            "valid": .bool(outcome.isValid),
                            "errors": .array(outcome.errors.map(\.json)), "error": .null,
                        ]
                    }
                    anyInvalid = anyInvalid || !outcome.isValid
                    if outcome.isValid { valid += 1 }
                    if !json {
                        let named = "\(Display.line(source)) (\(Display.line(name)))"
                        Terminal.print(
                            outcome.isValid
                                ? Terminal.green("valid") + "    " + named
                                : Terminal.red("invalid") + "  " + named)
                        for error in outcome.errors { Terminal.print("  \(Display.line(error.description))") }
                    }
                } catch {
                    anyUnreadable = true
                    if json {
                        result = [
                            "source": .string(source), "schema": .null, "valid": false, "errors": [],
                            "error": .string(error.message),
                        ]
                    }
                    if !json {
                        Terminal.print(Terminal.red("unreadable") + " \(Display.line(error.message))")
                    }
                }
                if streaming {
                    Terminal.write(
                        (count > 0 ? [UInt8(ascii: ",")] : []) + JSONWriter.encode(.object(result)))
                } else if json {
                    results.append(.object(result))
                }
                count += 1
            }

            func finish() {
                let allValid = !anyInvalid && !anyUnreadable
                if streaming {
                    Terminal.write(Array(#"],"valid":\#(allValid)}"#.utf8) + [0x0A])
                } else if json {
                    Terminal.printJSON(["valid": .bool(allValid), "results": .array(results)])
                } else if count > 1 {
                    Terminal.print("\(valid) of \(count) valid.")
                }
            }
        }

        /// The schema --schema names: a schema the catalog knows, or a schema file.
        private func fixedSchema(_ text: String, catalog: SchemaCatalog) throws(HandoffError) -> (
            name: String, schema: CompiledSchema
        ) {
            if SchemaName(text) != nil, let compiled = try? catalog.compiled(named: text) {
                return (text, compiled)
            }
            guard FileIO.fileSize(text) != nil else {
                throw HandoffError(
                    .notFound, "--schema \(quotedForMessage(text)) is neither a known schema nor a file",
                    hint: "`handoff schema ls` lists the known schemas")
            }
            let document = try ArtifactDocument.parse(
                try FileIO.readFile(text, limit: limits.maxBytes), source: text, limits: limits.limits)
            return (document["$id"]?.stringValue ?? text, try catalog.compile(document, source: text))
        }
    }
}
