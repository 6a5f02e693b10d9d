import ArgumentParser
import HandoffJSON
import HandoffKit

extension HandoffCommand {
    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get",
            abstract: "Print an artifact's document.",
            discussion: """
                ID is an artifact id, a unique prefix of at least 8 hex digits, or a handoff id (its artifact is \
                printed). The document's canonical bytes are re-hashed before they are printed; a damaged \
                object is refused.

                  handoff get xxh128:3f2a9c01
                  handoff get 3f2a9c01 --meta --pretty
                """)

        @Argument(help: ArgumentHelp("The artifact.", valueName: "id"))
        var id: String

        @Flag(
            name: .long,
            help:
                "Add a _meta object (id, producer, consumer, consumers, created_at, schema), as the seed's artifact store wrote it."
        )
        var meta = false

        @Flag(name: .long, help: "Indent the document for reading.")
        var pretty = false

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try Run(id: id, meta: meta, pretty: pretty, store: store.choice).run()
        }

        struct Run: Invocation {
            var id: String
            var meta: Bool
            var pretty: Bool
            var store: StoreChoice

            func run() throws {
                let (store, _, id) = try store.open(resolving: id, readOnly: true)
                guard meta || pretty else {
                    Terminal.write(try store.canonicalBytes(of: id) + [0x0A])
                    return
                }
                var document = try store.document(id)
                if meta, case .object(var object) = document {
                    let info = try store.artifact(id)
                    let consumers = try store.handoffs(HandoffFilter(artifact: id)).map(\.consumer)
                    var unique: [String] = []
                    for consumer in consumers where !unique.contains(consumer) { unique.append(consumer) }
                    object["_meta"] = [
                        "id": .string(id.description), "producer": .string(info.producer),
                        "consumer": unique.first.map(JSONValue.string) ?? .null,
                        "consumers": .array(unique.map(JSONValue.string)),
                        "created_at": .string(info.createdAt.description), "schema": .string(info.schema),
                    ]
                    document = .object(object)
                }
                Terminal.write(
                    JSONWriter.encode(document, options: JSONWriter.Options(pretty: pretty)) + [0x0A])
            }
        }
    }
}

/// An argument naming an artifact: an artifact id or unique prefix, or a handoff id standing for its
/// artifact. Parsed before the store is opened, so a malformed one is a usage error wherever it is given.
enum ArtifactArgument {
    case artifact(ArtifactReference)
    case handoff(String)

    init(parsing text: String) throws(HandoffError) {
        self = Store.isHandoffID(text) ? .handoff(text) : .artifact(try ArtifactReference(parsing: text))
    }

    func resolve(in store: Store) throws(HandoffError) -> ArtifactID {
        switch self {
        case .artifact(let reference): try store.resolve(reference.description)
        case .handoff(let id): try store.handoff(id: id).artifactID
        }
    }
}

extension HandoffCommand.Get.Run {
    static let grammar = FastGrammar(
        options: FastArguments.storeOptions, flags: ["--meta", "--pretty", "--json"], positionals: 1...1)

    /// The plain argument lists the fast path reads; nil sends the rest to ArgumentParser.
    init?(fast arguments: ArraySlice<String>) {
        guard
            let parsed = FastArguments(arguments, grammar: Self.grammar),
            let store = parsed.store
        else { return nil }
        self.init(
            id: parsed.positionals[0], meta: parsed.flag("--meta"), pretty: parsed.flag("--pretty"),
            store: store)
    }
}
