import HandoffKit

/// How a chain is drawn for people — an indented tree, Graphviz or Mermaid — the same for `handoff chain`
/// and the MCP tool `chain`.
public enum ChainView {
    /// The chain's forms: `json` is `Chain.json`, the others are drawings.
    public enum Format: String, Sendable, CaseIterable {
        case text, json, dot, mermaid
    }

    /// How the tree marks what stands out: plain text, or a terminal's bold, dim and colours.
    public struct Style: Sendable {
        /// What stands out: the artifacts' ids, the focus's marker.
        public var bold: @Sendable (String) -> String
        /// What matters less: repeats, routes, notes.
        public var dim: @Sendable (String) -> String
        /// A handoff's state, as its reader should notice it.
        public var state: @Sendable (Handoff.State) -> String

        /// A style of these three marks.
        public init(
            bold: @escaping @Sendable (String) -> String, dim: @escaping @Sendable (String) -> String,
            state: @escaping @Sendable (Handoff.State) -> String
        ) {
            self.bold = bold
            self.dim = dim
            self.state = state
        }

        /// No marks: for MCP hosts, files and pipes.
        public static let plain = Style(bold: { $0 }, dim: { $0 }, state: { $0.rawValue })
    }

    /// An artifact id cut to 12 hex digits, as listings show it; any prefix of 4 or more resolves.
    public static func shortID(_ id: ArtifactID) -> String { id.short }

    /// An indented tree from the oldest ancestors down, each artifact followed by its handoffs.
    public static func text(_ chain: Chain, style: Style = .plain) -> String {
        var lines: [String] = []
        var printed = Set<ArtifactID>()
        func visit(_ id: ArtifactID, prefix: String, isLast: Bool, isRoot: Bool) {
            guard let node = chain.node(id) else { return }
            let branch = isRoot ? "" : (isLast ? "└─ " : "├─ ")
            let marker = id == chain.focus ? "  " + style.bold("◀") : ""
            let artifact = node.artifact
            let title =
                "\(style.bold(shortID(id)))  \(artifact.schema)  by \(artifact.producer)  \(artifact.createdAt)"
            if printed.contains(id) {
                lines.append(prefix + branch + shortID(id) + "  " + style.dim("(shown above)"))
                return
            }
            printed.insert(id)
            lines.append(prefix + branch + title + marker)
            let inner = prefix + (isRoot ? "" : (isLast ? "   " : "│  "))
            let children = chain.children(of: id)
            for handoff in node.handoffs {
                var line =
                    "\(children.isEmpty ? "  " : "│ ") ↳ \(handoff.producer) → \(handoff.consumer)  \(style.state(handoff.state))"
                line += "  \(handoff.updatedAt)"
                if let routedFrom = handoff.routedFrom { line += style.dim("  routed from \(routedFrom)") }
                if let note = handoff.note { line += style.dim("  \(Display.line(note))") }
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
        if chain.truncated { lines.append(style.dim("(more generations beyond --depth)")) }
        return lines.joined(separator: "\n")
    }

    /// Graphviz: artifacts as boxes, consumers as ellipses, derivations as solid arrows, handoffs as dashed ones.
    public static func dot(_ chain: Chain) -> String {
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
                "  \(quote(edge.parent.description)) -> \(quote(edge.child.description)) [label=\"derived\"];"
            )
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

    /// Mermaid flowchart: the same graph as `dot`, for Markdown documents.
    public static func mermaid(_ chain: Chain) -> String {
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
                    "  \(names[node.artifact.id]!) -.->|\(handoff.state.rawValue)| \(bots[handoff.consumer]!)"
                )
            }
        }
        return lines.joined(separator: "\n")
    }
}
