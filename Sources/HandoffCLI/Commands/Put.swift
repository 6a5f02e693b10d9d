import ArgumentParser
import HandoffJSON
import HandoffKit

extension HandoffCommand {
    struct Put: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "put",
            abstract: "Store an artifact and hand it to consumers.",
            discussion: """
                Reads one JSON document (FILE, or standard input), which must be an object whose top-level \
                "schema" names its schema and major version ("tool-result-v1"), and valid against that schema. \
                Stores its canonical bytes once, however often it is put, and creates one handoff per --to; the \
                same delivery while an earlier one is still pending is not repeated. Prints the artifact id.

                  handoff put scan.json --from security_scanner --to reviewer
                  ID=$(tool-output | handoff put --from scanner --to reviewer --to auditor)
                  handoff put request.json --from action_suggester --to reviewer --parent "$ID"
                """)

        @Argument(help: ArgumentHelp("The artifact (default: standard input).", valueName: "file"))
        var file: String?

        @Option(name: .long, help: ArgumentHelp("The producing bot.", valueName: "producer"))
        var from: String

        @Option(
            name: .long,
            help: ArgumentHelp("A consumer to hand it to; repeat for several.", valueName: "consumer"))
        var to: [String] = []

        @Option(
            name: .long,
            help: ArgumentHelp(
                "An artifact this one was derived from (id or prefix); repeatable.", valueName: "id"))
        var parent: [String] = []

        @Option(name: .long, help: ArgumentHelp("The workflow this handoff belongs to.", valueName: "id"))
        var workflow: String?

        @Option(
            name: .long,
            help: ArgumentHelp("The workspace it happens in, such as #general.", valueName: "name"))
        var workspace: String?

        @Flag(
            name: .long,
            help:
                "Store it without checking it against its schema (recorded on the artifact; for the rare case)."
        )
        var noValidate = false

        @OptionGroup var store: StoreOptions
        @OptionGroup var limits: LimitOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (document, source) = try Input.document(file, limits: limits.limits)
            let parents = try parent.map { text throws(HandoffError) in try ArtifactArgument(parsing: text) }
            var request = PutRequest(
                document: document, producer: from, consumers: to, workflow: workflow, workspace: workspace,
                source: source, validate: !noValidate)
            // A request that would be refused must not create a store on its way out. A new store knows only
            // the built-in schemas, so those decide.
            let schema = try request.check()
            if !noValidate && !Store.exists(at: store.path) {
                try SchemaCatalog().check(document, declaring: schema.description, source: source)
            }
            let store =
                parents.isEmpty
                ? try store.openOrCreate(limits: limits.limits) : try store.open(limits: limits.limits)
            request.parents = try parents.map { argument throws(HandoffError) in
                try argument.resolve(in: store)
            }
            let result = try store.put([request])[0]
            ProcessLifetime.keep(request)
            if output.json {
                Terminal.printJSON([
                    "id": .string(result.id.description), "schema": .string(result.artifact.schema),
                    "size": .number(Double(result.artifact.size)), "existed": .bool(result.existed),
                    "handoffs": .array(result.handoffs.map(\.json)),
                    "pending_duplicates": .array(result.pendingDuplicates.map(\.json)),
                ])
                return
            }
            Terminal.print(result.id.description)
            Terminal.note(
                "\(result.existed ? "already stored" : "stored") \(result.artifact.schema), \(formatBytes(result.artifact.size))"
            )
            for handoff in result.handoffs {
                Terminal.note("  → \(handoff.consumer)  handoff \(handoff.id)")
            }
            for handoff in result.pendingDuplicates {
                Terminal.note(
                    "  → \(handoff.consumer)  already pending as handoff \(handoff.id); no second one")
            }
        }
    }
}
