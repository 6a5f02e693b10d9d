import ArgumentParser
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
                (paste them into Graphviz or a Markdown document).

                  handoff chain 3f2a9c01
                  handoff chain 3f2a9c01 --format mermaid
                  handoff chain 3f2a9c01 --format dot | dot -Tsvg > chain.svg
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text, json, dot, mermaid
        }

        @Argument(help: ArgumentHelp("An artifact id or prefix, or a handoff id.", valueName: "id"))
        var id: String

        @Option(name: .long, help: ArgumentHelp("How many derivations to follow each way.", valueName: "n"))
        var depth: Int = 10

        @Option(name: .long, help: "text, json, dot or mermaid.")
        var format: Format = .text

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard depth >= 0 else { throw ValidationError("--depth must be 0 or more") }
        }

        func run() throws {
            let (store, _, artifact) = try store.open(resolving: id, readOnly: true)
            let chain = try store.chain(of: artifact, depth: depth)
            switch output.json ? .json : format {
            case .json: Terminal.printJSON(chain.json)
            case .text: Terminal.print(chainText(chain))
            case .dot: Terminal.print(chainDot(chain))
            case .mermaid: Terminal.print(chainMermaid(chain))
            }
        }
    }
}

func shortID(_ id: ArtifactID) -> String { "xxh128:" + id.hex.prefix(12) }

/// An indented tree from the oldest ancestors down, each artifact followed by its handoffs.
func chainText(_ chain: Chain) -> String {
    var lines: [String] = []
    var printed = Set<ArtifactID>()
    func visit(_ id: ArtifactID, prefix: String, isLast: Bool, isRoot: Bool) {
        guard let node = chain.node(id) else { return }
        let branch = isRoot ? "" : (isLast ? "└─ " : "├─ ")
        let marker = id == chain.focus ? "  " + Terminal.bold("◀") : ""
        let artifact = node.artifact
        let title =
            "\(Terminal.bold(shortID(id)))  \(artifact.schema)  by \(artifact.producer)  \(artifact.createdAt)"
        if printed.contains(id) {
            lines.append(prefix + branch + shortID(id) + "  " + Terminal.dim("(shown above)"))
            return
        }
        printed.insert(id)
        lines.append(prefix + branch + title + marker)
        let inner = prefix + (isRoot ? "" : (isLast ? "   " : "│  "))
        let children = chain.children(of: id)
        for handoff in node.handoffs {
            var line =
                "\(children.isEmpty ? "  " : "│ ") ↳ \(handoff.producer) → \(handoff.consumer)  \(Terminal.state(handoff.state))"
            line += "  \(handoff.updatedAt)"
            if let routedFrom = handoff.routedFrom { line += Terminal.dim("  routed from \(routedFrom)") }
            if let note = handoff.note { line += Terminal.dim("  \(Display.line(note))") }
            lines.append(inner + line)
        }
        for (index, child) in children.enumerated() {
            visit(child, prefix: inner, isLast: index == children.count - 1, isRoot: false)
        }
    }
    let roots = chain.nodes.map(\.artifact.id).filter { chain.parents(of: $0).isEmpty }
    for root in roots.isEmpty ? [chain.focus] : roots {
        visit(root, prefix: "", isLast: true, isRoot: true)
    }
    if chain.truncated { lines.append(Terminal.dim("(more generations beyond --depth)")) }
    return lines.joined(separator: "\n")
}

/// Graphviz: artifacts as boxes, consumers as ellipses, derivations as solid arrows, handoffs as dashed ones.
func chainDot(_ chain: Chain) -> String {
    func quote(_ text: String) -> String {
        "\""
            + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
            .replacing("\n", with: "\\n") + "\""
    }
    var lines = ["digraph handoff {", "  rankdir=LR;", "  node [shape=box, fontname=\"Helvetica\"];"]
    for node in chain.nodes {
        let artifact = node.artifact
        let style = artifact.id == chain.focus ? ", style=bold" : ""
        lines.append(
            "  \(quote(artifact.id.description)) [label=\(quote("\(artifact.schema)\n\(shortID(artifact.id))\nby \(artifact.producer)"))\(style)];"
        )
    }
    for edge in chain.edges {
        lines.append(
            "  \(quote(edge.parent.description)) -> \(quote(edge.child.description)) [label=\"derived\"];")
    }
    var bots = Set<String>()
    for node in chain.nodes {
        for handoff in node.handoffs {
            if bots.insert(handoff.consumer).inserted {
                lines.append(
                    "  \(quote("bot:" + handoff.consumer)) [shape=ellipse, label=\(quote(handoff.consumer))];"
                )
            }
            lines.append(
                "  \(quote(node.artifact.id.description)) -> \(quote("bot:" + handoff.consumer)) [style=dashed, label=\(quote(handoff.state.rawValue))];"
            )
        }
    }
    lines.append("}")
    return lines.joined(separator: "\n")
}

/// Mermaid flowchart: the same graph as `chainDot`, for Markdown documents.
func chainMermaid(_ chain: Chain) -> String {
    func label(_ text: String) -> String {
        "\"" + text.replacing("\"", with: "#quot;") + "\""
    }
    var names: [ArtifactID: String] = [:]
    var lines = ["flowchart LR"]
    for (index, node) in chain.nodes.enumerated() {
        let artifact = node.artifact
        names[artifact.id] = "a\(index)"
        let text = "\(artifact.schema)<br/>\(shortID(artifact.id))<br/>by \(artifact.producer)"
        lines.append("  a\(index)[\(label(text))]")
        if artifact.id == chain.focus { lines.append("  style a\(index) stroke-width:3px") }
    }
    for edge in chain.edges {
        lines.append("  \(names[edge.parent]!) -->|derived| \(names[edge.child]!)")
    }
    var bots: [String: String] = [:]
    for node in chain.nodes {
        for handoff in node.handoffs {
            if bots[handoff.consumer] == nil {
                bots[handoff.consumer] = "b\(bots.count)"
                lines.append("  \(bots[handoff.consumer]!)([\(label(handoff.consumer))])")
            }
            lines.append(
                "  \(names[node.artifact.id]!) -.->|\(handoff.state.rawValue)| \(bots[handoff.consumer]!)")
        }
    }
    return lines.joined(separator: "\n")
}
