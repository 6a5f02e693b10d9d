import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffSchema
import HandoffWorkLog

extension HandoffCommand {
    struct SchemaCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schema",
            abstract: "The schema registry: built-in schemas plus the store's own.",
            discussion: """
                Artifacts declare "schema": "<name>-v<N>". The built-in schemas ship with handoff; others are \
                added to a store, content-addressed like artifacts. A registered version never changes: adding \
                other content under its name is refused, the same content is a no-op.

                  handoff schema ls
                  handoff schema show work-log-v1
                  handoff schema check code-review-v1.schema.json
                  handoff schema add code-review-v1.schema.json
                """,
            subcommands: [List.self, Show.self, Add.self, Check.self])

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "ls", abstract: "List the known schemas.",
                discussion: "Built-in ones, and the store's own when there is a store.")

            @Option(name: .long, help: ArgumentHelp("At most this many.", valueName: "n"))
            var limit = Paging.DefaultLimit.schemas

            @Option(name: .long, help: ArgumentHelp(offsetHelp, valueName: "n"))
            var offset = 0

            @OptionGroup var store: StoreOptions
            @OptionGroup var output: OutputOptions

            func validate() throws {
                try validatePage(limit: limit, offset: offset)
            }

            func run() throws {
                let page = Page(try catalog(store).list().dropFirst(offset), limit: limit, offset: offset)
                if output.json {
                    Terminal.printJSON(page.json("schemas", page.shown.map(\.json)))
                    return
                }
                var table = TextTable()
                defer { page.printContinuation() }
                for schema in page.shown {
                    table.append([
                        schema.name, schema.builtIn ? "built-in" : "store", Display.line(schema.title ?? ""),
                    ])
                }
                Terminal.print(table.render())
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "show",
                abstract: "Print a schema's document.",
                discussion: """
                    Indented on a terminal; --json prints it as one line.

                      handoff schema show work-log-v1
                    """)

            @Argument(help: ArgumentHelp("The schema, such as work-log-v1.", valueName: "name"))
            var name: String

            @OptionGroup var store: StoreOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                let document = try catalog(store).document(named: name)
                let layout: JSONWriter.Options = output.json ? .compact : .pretty
                Terminal.write(JSONWriter.encode(document, options: layout) + [0x0A])
            }
        }

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add",
                abstract: "Register a schema in the store.",
                discussion: """
                    The schema must be valid JSON Schema 2020-12 with an "$id" of the form \
                    urn:handoff:schema:<name>-v<N>. Artifacts declaring that name are then checked against it.

                      handoff schema add code-review-v1.schema.json
                    """)

            @Argument(help: ArgumentHelp("The schema file.", valueName: "file"))
            var file: String

            @OptionGroup var store: StoreOptions
            @OptionGroup var limits: LimitOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                let (document, source) = try Input.document(file, limits: limits.limits)
                // A schema that would be refused must not create a store on its way out.
                let present = try store.openIfPresent(limits: limits.limits)
                if present == nil {
                    _ = try SchemaCatalog().checkNewSchema(document, source: source)
                }
                let store = try present ?? store.openOrCreate(limits: limits.limits)
                let (schema, existed) = try store.addSchema(document, source: source)
                if output.json {
                    Terminal.printJSON([
                        "name": .string(schema.name), "id": .string(schema.id.description),
                        "existed": .bool(existed),
                    ])
                } else if existed {
                    Terminal.print("\(schema.name) is already registered with the same content.")
                } else {
                    Terminal.print("Added \(schema.name) (\(schema.id)).")
                }
            }
        }

        struct Check: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "check",
                abstract: "Check that a file is a valid JSON Schema (2020-12) without registering it.",
                discussion: """
                    Exits 0 when it is valid, 1 when it is not (saying where), 65 when it is not JSON.

                      handoff schema check code-review-v1.schema.json
                    """)

            @Argument(help: ArgumentHelp("The schema file.", valueName: "file"))
            var file: String

            @Option(
                name: .long,
                help: ArgumentHelp(
                    "Resolve $refs under URI-PREFIX from files in DIR; repeatable.", valueName: "prefix=dir"))
            var resolve: [String] = []

            @OptionGroup var store: StoreOptions
            @OptionGroup var limits: LimitOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                let (document, source) = try Input.document(file, limits: limits.limits)
                let loaders = try resolve.map { mapping throws(HandoffError) in
                    try DirectorySchemaLoader(mapping: mapping) as any SchemaLoader
                }
                let catalog = try catalog(store, loaders: loaders)
                if let error = invalidity({ () throws(HandoffError) in
                    _ = try catalog.compile(document, source: source)
                }) {
                    if output.json {
                        Terminal.printJSON([
                            "valid": .bool(false), "uri": document["$id"] ?? .null,
                            "error": .string(error.message),
                            "details": .array(error.details.map(JSONValue.string)),
                        ])
                    } else {
                        Terminal.print(Terminal.red("invalid") + "  \(Display.line(error.message))")
                        for detail in error.details { Terminal.print("  \(Display.line(detail))") }
                    }
                    throw ExitCode(HandoffError.Code.checkFailed.exitStatus)
                }
                if output.json {
                    Terminal.printJSON([
                        "valid": .bool(true), "uri": document["$id"] ?? .null, "error": .null, "details": [],
                    ])
                } else {
                    Terminal.print(
                        Terminal.green("valid")
                            + "    \(Display.line(source)) is a valid JSON Schema\(document["$id"]?.stringValue.map { " (\(Display.line($0)))" } ?? "")"
                    )
                }
            }
        }
    }
}

/// The store's catalog when there is a store, else the built-in schemas alone.
private func catalog(_ options: StoreOptions, loaders: [any SchemaLoader] = []) throws(HandoffError)
    -> SchemaCatalog
{
    var configuration = options.configuration
    configuration.schemaLoaders = loaders
    configuration.readOnly = true
    return try Store.openIfPresent(at: options.path, configuration: configuration)?.schemas
        ?? SchemaCatalog(loaders: loaders)
}

/// The error `body` throws, or nil when it succeeds. (A `do`/`catch` in `run()` would do, but this Swift
/// compiler crashes on a `catch` with a typed error in a function that throws untyped ones.)
private func invalidity(_ body: () throws(HandoffError) -> Void) -> HandoffError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}
