import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffSchema

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
                  handoff validate --schema ./review-v1.schema.json --resolve https://schemas.example.com/=./schemas review.json
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
            let catalog: SchemaCatalog
            if Store.exists(at: store.path) {
                var configuration = store.configuration
                configuration.schemaLoaders = loaders
                configuration.assertFormats = !noFormatCheck
                configuration.readOnly = true
                catalog = try Store.open(at: store.path, configuration: configuration).schemas
            } else {
                catalog = SchemaCatalog(loaders: loaders, assertFormats: !noFormatCheck)
            }
            let fixed = try schema.map { text throws(HandoffError) in try fixedSchema(text, catalog: catalog)
            }

            var results: [JSONValue] = []
            var anyInvalid = false
            var anyUnreadable = false
            for (source, parsed) in try documents() {
                var result: JSONObject = ["source": .string(source)]
                do {
                    let document = try parsed.get()
                    let name: String
                    let outcome: ValidationResult
                    if let fixed {
                        (name, outcome) = (fixed.name, fixed.schema.validate(document))
                    } else {
                        (name, outcome) = try catalog.validate(document, source: source)
                    }
                    result["schema"] = .string(name)
                    result["valid"] = .bool(outcome.isValid)
                    result["errors"] = .array(outcome.errors.map(\.json))
                    anyInvalid = anyInvalid || !outcome.isValid
                    if !output.json {
                        Terminal.print(
                            outcome.isValid
                                ? Terminal.green("valid") + "    \(source) (\(name))"
                                : Terminal.red("invalid") + "  \(source) (\(name))")
                        for error in outcome.errors { Terminal.print("  \(error)") }
                    }
                } catch {
                    anyUnreadable = true
                    result["valid"] = .bool(false)
                    result["error"] = .string(error.message)
                    if !output.json { Terminal.print(Terminal.red("unreadable") + " \(error.message)") }
                }
                results.append(.object(result))
            }
            if output.json {
                Terminal.printJSON([
                    "valid": .bool(!anyInvalid && !anyUnreadable), "results": .array(results),
                ])
            } else if results.count > 1 {
                let valid = results.filter { $0["valid"]?.boolValue == true }.count
                Terminal.print("\(valid) of \(results.count) valid.")
            }
            if anyUnreadable { throw ExitCode(HandoffError.Code.invalidInput.exitStatus) }
            if anyInvalid { throw ExitCode(HandoffError.Code.checkFailed.exitStatus) }
        }

        /// Every input document, or why it could not be read.
        private func documents() throws(HandoffError) -> [(String, Result<JSONValue, HandoffError>)] {
            var documents: [(String, Result<JSONValue, HandoffError>)] = []
            for file in files.isEmpty ? [nil] : files.map(Optional.some) {
                let bytes: [UInt8]
                let source: String
                do {
                    (bytes, source) = try Input.read(
                        file, limits: jsonl ? JSONParser.Limits(maxBytes: .max) : limits.limits)
                } catch  where error.code == .notFound || error.code == .invalidInput {
                    documents.append((file ?? "standard input", .failure(error)))
                    continue
                }
                guard jsonl else {
                    documents.append(
                        (
                            source,
                            Result { () throws(HandoffError) in
                                try ArtifactDocument.parse(bytes, source: source, limits: limits.limits)
                            }
                        ))
                    continue
                }
                for (number, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
                    .enumerated()
                {
                    guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
                    let name = "\(source) line \(number + 1)"
                    documents.append(
                        (
                            name,
                            Result { () throws(HandoffError) in
                                try ArtifactDocument.parse(Array(line), source: name, limits: limits.limits)
                            }
                        ))
                }
            }
            return documents
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
