import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffWorkLog

extension HandoffCommand {
    struct Route: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "route",
            abstract: "Hand an artifact, or the artifact of a handoff, on to another consumer.",
            discussion: """
                Given a handoff id, its artifact goes on from that handoff's consumer (unless --from says \
                otherwise); the new handoff records where it came from, and the original's note says where it \
                went. A handoff that was still pending or claimed is finished as routed; one claimed under a live \
                lease needs that claim's --receipt. Given an artifact id, --from is required. The chain shows \
                the route.

                  handoff route 01JD3XQ2K8B6W5N2M7T4R9C1ZP --to security_reviewer \\
                      --note "touches credentials"
                  handoff route 3f2a9c01 --from coordinator --to coder
                """)

        @Argument(help: ArgumentHelp("A handoff id, or an artifact id or prefix.", valueName: "id"))
        var id: String

        @Option(name: .long, help: ArgumentHelp("The consumer to hand it to.", valueName: "consumer"))
        var to: String

        @Option(name: .long, help: ArgumentHelp("Who hands it on.", valueName: "producer"))
        var from: String?

        @Option(name: .long, help: ArgumentHelp("Why.", valueName: "text"))
        var note: String?

        @Option(
            name: .long,
            help: ArgumentHelp(
                "The receipt of your claim, to route a handoff you hold a lease on.", valueName: "receipt"))
        var receipt: String?

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let argument = try ArtifactArgument(parsing: id)
            let store = try store.open()
            let handoff: Handoff
            switch argument {
            case .handoff(let origin):
                let receipt = try receipt.map { text throws(HandoffError) in try Receipt(parsing: text) }
                handoff = try store.route(handoffID: origin, to: to, from: from, note: note, receipt: receipt)
            case .artifact:
                handoff = try store.route(
                    artifact: try argument.resolve(in: store), to: to, from: from, note: note)
            }
            printHandoff(
                handoff, json: output.json,
                text:
                    "\(handoff.artifactID) handed on from \(handoff.producer) to \(handoff.consumer) as \(handoff.id)."
            )
        }
    }

    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "next",
            abstract: "List an artifact's next actions and where each came from.",
            discussion: """
                Actions written in the artifact, at the places its schema declares, come first; then the ones \
                inferred from it: any error means review_errors, any confidence below 0.7 means \
                verify_low_confidence_decisions. Each comes with the JSON Pointer of its source.

                  handoff next 3f2a9c01
                """)

        @Argument(help: ArgumentHelp("An artifact id or prefix, or a handoff id.", valueName: "id"))
        var id: String

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try Run(id: id, store: store.choice, json: output.json).run()
        }

        struct Run: Invocation {
            var id: String
            var store: StoreChoice
            var json: Bool

            func run() throws {
                let (store, _, artifact) = try store.open(resolving: id, readOnly: true)
                let actions = try store.nextActions(of: artifact)
                if json {
                    Terminal.printJSON(NextAction.json(of: artifact, actions))
                    return
                }
                guard !actions.isEmpty else {
                    Terminal.print("\(artifact) recommends no next actions.")
                    return
                }
                var table = TextTable()
                for name in actionNames(actions) {
                    let sources = actions.filter { $0.action == name }
                    let origin = sources.contains { !$0.inferred } ? "" : Terminal.dim("inferred ")
                    table.append([
                        Display.line(name),
                        origin + "from " + Display.line(sources.map(\.source).joined(separator: ", ")),
                    ])
                }
                Terminal.print(table.render())
            }
        }
    }
}

extension HandoffCommand.Next.Run {
    /// The plain argument lists the fast path reads; nil sends the rest to ArgumentParser.
    init?(fast arguments: ArraySlice<String>) {
        guard let (id, store, json) = FastArguments.idWithStore(arguments) else { return nil }
        self.init(id: id, store: store, json: json)
    }
}
