import HandoffKit

/// A chain drawn as a graph: artifacts as boxes in layers, each layer one derivation further down, and an
/// arrow from each artifact to each derived from it, labelled with the handoff that led there.
public enum ChainGraph {
    static let nodeWidth = 236.0
    static let nodeHeight = 74.0
    /// Room right of the widest layer for the labels of the arrows leaving it.
    static let labelRoom = 200.0
    static let columnGap = 44.0
    static let layerGap = 70.0
    static let margin = 16.0

    /// Where each artifact goes: its layer and its place in the layer.
    struct Placement {
        var layers: [[ArtifactID]]
        var position: [ArtifactID: (layer: Int, index: Int)]
    }

    /// Layers by longest derivation from the chain's roots (a cycle is cut where it closes), each ordered by
    /// where its parents stand, so that arrows cross as little as a single pass can arrange.
    static func place(_ chain: Chain) -> Placement {
        let ids = chain.nodes.map(\.artifact.id)
        let lowest = chain.nodes.map(\.generation).min() ?? 0
        var layer = Dictionary(
            uniqueKeysWithValues: chain.nodes.map { ($0.artifact.id, $0.generation - lowest) })
        // Longest-path layering: at most one pass per node, so a cycle cannot keep pushing layers down.
        for _ in 0..<ids.count {
            var changed = false
            for edge in chain.edges where edge.parent != edge.child {
                guard let parent = layer[edge.parent], let child = layer[edge.child] else { continue }
                if child <= parent {
                    layer[edge.child] = parent + 1
                    changed = true
                }
            }
            if !changed { break }
        }
        let depth = (layer.values.max() ?? 0) + 1
        var layers = [[ArtifactID]](repeating: [], count: depth)
        for id in ids { layers[layer[id] ?? 0].append(id) }
        var position: [ArtifactID: (layer: Int, index: Int)] = [:]
        for (index, row) in layers.enumerated() {
            var row = row
            if index > 0 {
                func barycenter(_ id: ArtifactID) -> Double {
                    let parents = chain.parents(of: id).compactMap { position[$0] }.filter {
                        $0.layer < index
                    }
                    guard !parents.isEmpty else { return .infinity }
                    return Double(parents.map(\.index).reduce(0, +)) / Double(parents.count)
                }
                let order = Dictionary(uniqueKeysWithValues: row.enumerated().map { ($1, $0) })
                row.sort { lhs, rhs in
                    let (a, b) = (barycenter(lhs), barycenter(rhs))
                    return a != b ? a < b : order[lhs]! < order[rhs]!
                }
                layers[index] = row
            }
            for (place, id) in row.enumerated() { position[id] = (index, place) }
        }
        return Placement(layers: layers, position: position)
    }

    /// The handoff an edge stands for: the parent's handoff to the bot that produced the child, if there
    /// was one.
    static func handoff(from parent: Chain.Node, to child: Chain.Node) -> Handoff? {
        parent.handoffs.last { $0.consumer == child.artifact.producer }
    }

    /// The graph as an `<svg>` element. Each box links to its artifact (`links`).
    public static func svg(_ chain: Chain, links: Links) -> String {
        let placement = place(chain)
        let widest = placement.layers.map(\.count).max() ?? 1
        let width =
            margin * 2 + Double(widest) * nodeWidth + Double(max(0, widest - 1)) * columnGap + labelRoom
        let height =
            margin * 2 + Double(placement.layers.count) * nodeHeight
            + Double(max(0, placement.layers.count - 1)) * layerGap
        func origin(_ id: ArtifactID) -> (x: Double, y: Double) {
            let place = placement.position[id] ?? (0, 0)
            let count = Double(placement.layers[place.layer].count)
            let rowWidth = count * nodeWidth + (count - 1) * columnGap
            let x = (width - labelRoom - rowWidth) / 2 + Double(place.index) * (nodeWidth + columnGap)
            let y = margin + Double(place.layer) * (nodeHeight + layerGap)
            return (x, y)
        }
        var svg = """
            <svg class="chain" xmlns="http://www.w3.org/2000/svg" role="img" width="\(format(width))" \
            height="\(format(height))" viewBox="0 0 \(format(width)) \(format(height))" \
            aria-label="Lineage of \(HTML.attribute(chain.focus.short)): \(chain.nodes.count) artifacts">
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" \
            orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>

            """
        for edge in chain.edges {
            guard let parent = chain.node(edge.parent), let child = chain.node(edge.child) else { continue }
            let from = origin(edge.parent)
            let to = origin(edge.child)
            let (x1, y1) = (from.x + nodeWidth / 2, from.y + nodeHeight)
            let (x2, y2) = (to.x + nodeWidth / 2, to.y)
            // An arrow that runs upwards (a cycle) leaves from the box's top and enters the other's bottom.
            let upward = y2 <= y1
            let start = upward ? (x1, from.y) : (x1, y1)
            let end = upward ? (x2, to.y + nodeHeight) : (x2, y2)
            let bend = max(30, abs(end.1 - start.1) / 2) * (upward ? -1 : 1)
            let label: String
            if let handoff = handoff(from: parent, to: child) {
                // The producer is the box the arrow leaves.
                label = "→ \(handoff.consumer) · \(handoff.state)"
            } else {
                label = "derived by \(child.artifact.producer)"
            }
            svg += """
                <g class="edge-group"><path class="edge" marker-end="url(#arrow)" d="M \(format(start.0)) \
                \(format(start.1)) C \(format(start.0)) \(format(start.1 + bend)), \(format(end.0)) \
                \(format(end.1 - bend)), \(format(end.0)) \(format(end.1))"><title>\(HTML.text(label))</title></path>\
                <text class="edge-label" x="\(format((start.0 + end.0) / 2 + 6))" y="\(format((start.1 + end.1) / 2))">\
                \(HTML.text(clipped(label, 34)))</text></g>

                """
        }
        for node in chain.nodes {
            let id = node.artifact.id
            let (x, y) = origin(id)
            let focus = id == chain.focus
            let open = node.handoffs.filter { !$0.isFinished }.count
            var fourth = "no handoffs"
            if !node.handoffs.isEmpty {
                fourth = "\(node.handoffs.count) handoff\(node.handoffs.count == 1 ? "" : "s")"
                fourth += open > 0 ? ", \(open) open" : ", all finished"
            }
            let box = """
                <g class="node\(focus ? " focus" : "")" data-id="\(HTML.attribute(id.description))">\
                <title>\(HTML.text("\(id) · \(node.artifact.schema) · by \(node.artifact.producer)"))</title>\
                <rect x="\(format(x))" y="\(format(y))" width="\(format(nodeWidth))" height="\(format(nodeHeight))" rx="6"/>\
                <text x="\(format(x + 10))" y="\(format(y + 18))">\(HTML.text(clipped(node.artifact.schema, 30)))\(focus ? " ◀" : "")</text>\
                <text class="id" x="\(format(x + 10))" y="\(format(y + 34))">\(HTML.text(id.short))</text>\
                <text x="\(format(x + 10))" y="\(format(y + 50))">\(HTML.text(clipped("by " + node.artifact.producer, 36)))</text>\
                <text class="id" x="\(format(x + 10))" y="\(format(y + 66))">\(HTML.text(fourth))</text></g>
                """
            if let href = links.artifact(id) {
                svg += "<a href=\"\(HTML.attribute(href))\">\(box)</a>\n"
            } else {
                svg += box + "\n"
            }
        }
        return svg + "</svg>"
    }

    private static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
