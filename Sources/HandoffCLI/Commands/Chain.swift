import ArgumentParser
import HandoffHTML
import HandoffJSON
import HandoffKit
import HandoffWorkLog

extension HandoffCommand {
    struct ChainCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "chain",
            abstract: "Show where an artifact came from and what came of it, with the handoffs between.",
            discussion: """
                Walks the artifacts it was derived from (put --parent) and the ones derived from it, up to \
                --depth derivations each way, listing each artifact's handoffs (producer → consumer, state, \
                time, note). Text is an indented tree; json has nodes and edges; dot and mermaid draw the graph \
                (paste them into Graphviz or a Markdown document); html is one self-contained page with the                 graph drawn, as handoff ui draws it, for a pull request or a ticket.

                  handoff chain 3f2a9c01
                  handoff chain 3f2a9c01 --format mermaid
                  handoff chain 3f2a9c01 --format dot | dot -Tsvg > chain.svg
                  handoff chain 3f2a9c01 --format html > chain.html
                """)

        /// ChainView's formats, which MCP shares, and a page of its own.
        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text, json, dot, mermaid, html
        }

        @Argument(help: ArgumentHelp("An artifact id or prefix, or a handoff id.", valueName: "id"))
        var id: String

        @Option(name: .long, help: ArgumentHelp("How many derivations to follow each way.", valueName: "n"))
        var depth: Int = 10

        @Option(name: .long, help: "text (the default), json, dot, mermaid or html.")
        var format: Format?

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard depth >= 0 else { throw ValidationError("--depth must be 0 or more") }
            _ = try output.format(format, json: .json, text: .text)
        }

        func run() throws {
            let (store, _, artifact) = try store.open(resolving: id, readOnly: true)
            let chain = try store.chain(of: artifact, depth: depth)
            switch try output.format(format, json: .json, text: .text) {
            case .json: Terminal.printJSON(chain.json)
            case .text: Terminal.print(chainText(chain))
            case .dot: Terminal.print(ChainView.dot(chain))
            case .mermaid: Terminal.print(ChainView.mermaid(chain))
            case .html: Terminal.write(Array(Export.chain(chain).utf8))
            }
        }
    }
}

func shortID(_ id: ArtifactID) -> String { ChainView.shortID(id) }

/// The chain as an indented tree, styled for the terminal.
func chainText(_ chain: Chain) -> String {
    ChainView.text(
        chain,
        style: .init(bold: { Terminal.bold($0) }, dim: { Terminal.dim($0) }, state: { Terminal.state($0) }))
}
