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
            try Run(
                file: file, from: from, to: to, parent: parent, workflow: workflow, workspace: workspace,
                validate: !noValidate, store: store.choice, limits: limits.limits, json: output.json
            ).run()
        }

        struct Run: Invocation {
            var file: String?
            var from: String
            var to: [String]
            var parent: [String]
            var workflow: String?
            var workspace: String?
            var validate: Bool
            var store: StoreChoice
            var limits: JSONParser.Limits
            var json: Bool

            func run() throws {
                // The store gets the canonical bytes, made once from the text, and reads what it needs from them
                // without building a tree of the document.
                let (text, source) = try Input.canonical(file, limits: limits)
                let parents = try parent.map { text throws(HandoffError) in
                    try ArtifactArgument(parsing: text)
                }
                var request = PutRequest(
                    canonicalJSON: text, producer: from, consumers: to, workflow: workflow,
                    workspace: workspace,
                    source: source, validate: validate)
                // A request that would be refused must not create a store on its way out. A new store knows only
                // the built-in schemas, so those decide. In a store that exists, the put itself checks it all.
                try request.checkNames()
                let present = try store.openIfPresent(limits: limits)
                if present == nil {
                    if validate {
                        try SchemaCatalog().check(json: text, source: source, limits: limits)
                    } else {
                        try request.check(limits: limits)
                    }
                }
                let store =
                    try present
                    ?? (parents.isEmpty ? store.openOrCreate(limits: limits) : store.open(limits: limits))
                request.parents = try parents.map { argument throws(HandoffError) in
                    try argument.resolve(in: store)
                }
                let result = try store.put([request])[0]
                ProcessLifetime.keep(request)
                if json {
                    Terminal.printJSON(result.json)
                    return
                }
                Terminal.print(result.id.description)
                let what = "\(result.artifact.schema), \(formatBytes(result.artifact.size))"
                Terminal.writeError(
                    result.existed
                        ? "already stored: \(what), the same content was put before\n" : "stored \(what)\n")
                for (handoff, created) in result.handoffs.map({ ($0, true) })
                    + result.pendingDuplicates.map({ ($0, false) })
                {
                    Terminal.writeError(
                        created
                            ? "  → \(handoff.consumer)  handoff \(handoff.id)\n"
                            : "  → \(handoff.consumer)  already pending as handoff \(handoff.id); no second one\n"
                    )
                }
            }
        }
    }
}

extension HandoffCommand.Put.Run {
    static let grammar = FastGrammar(
        options: FastArguments.storeOptions + FastArguments.limitOptions + [
            "--from", "--to", "--parent", "--workflow", "--workspace",
        ], repeatable: ["--to", "--parent"], flags: ["--no-validate", "--json"], positionals: 0...1)

    /// The plain argument lists the fast path reads; nil sends the rest to ArgumentParser.
    init?(fast arguments: ArraySlice<String>) {
        guard
            let parsed = FastArguments(arguments, grammar: Self.grammar),
            let store = parsed.store, let limits = parsed.limits, let from = parsed.value("--from")
        else { return nil }
        self.init(
            file: parsed.positionals.first, from: from, to: parsed.all("--to"),
            parent: parsed.all("--parent"),
            workflow: parsed.value("--workflow"), workspace: parsed.value("--workspace"),
            validate: !parsed.flag("--no-validate"), store: store, limits: limits,
            json: parsed.flag("--json"))
    }
}
