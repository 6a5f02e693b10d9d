/// An artifact's lineage: the artifacts it was derived from, the ones derived from it, and the handoffs
/// of each.
public struct Chain: Sendable {
    /// One artifact of the chain.
    public struct Node: Sendable {
        public let artifact: ArtifactInfo
        /// Its handoffs, oldest first, including the ones routed on from others.
        public let handoffs: [Handoff]
        /// How many derivations away from the focus: negative for ancestors, 0 for the focus itself.
        public let generation: Int
    }

    /// `parent` was derived into `child`.
    public struct Edge: Sendable, Hashable {
        public let parent: ArtifactID
        public let child: ArtifactID
    }

    /// The artifact the chain was asked for.
    public let focus: ArtifactID
    /// Ancestors first (oldest generation first), then the focus, then descendants.
    public let nodes: [Node]
    public let edges: [Edge]
    /// Whether the depth limit left out more distant generations.
    public let truncated: Bool

    public func node(_ id: ArtifactID) -> Node? { nodes.first { $0.artifact.id == id } }

    /// The parents of `id` within the chain.
    public func parents(of id: ArtifactID) -> [ArtifactID] { edges.filter { $0.child == id }.map(\.parent) }

    /// The children of `id` within the chain.
    public func children(of id: ArtifactID) -> [ArtifactID] { edges.filter { $0.parent == id }.map(\.child) }
}

extension Store {
    /// The lineage of an artifact up to `depth` derivations each way, with the handoffs between them.
    ///
    /// Lineage can contain cycles (content-addressed artifacts can be given more parents later); each
    /// artifact appears once.
    public func chain(of id: ArtifactID, depth: Int = 10) throws(HandoffError) -> Chain {
        let focus = try artifact(id)
        var generations: [ArtifactID: Int] = [id: 0]
        var infos: [ArtifactID: ArtifactInfo] = [id: focus]
        var edges = Set<Chain.Edge>()
        var truncated = false
        for direction in [-1, 1] {
            var frontier = [id]
            var level = 0
            while !frontier.isEmpty {
                level += 1
                var next: [ArtifactID] = []
                for current in frontier {
                    let related =
                        direction < 0 ? try backend.parents(of: current) : try backend.children(of: current)
                    guard level <= depth else {
                        truncated = truncated || !related.isEmpty
                        continue
                    }
                    for other in related {
                        edges.insert(
                            direction < 0
                                ? Chain.Edge(parent: other.id, child: current)
                                : Chain.Edge(parent: current, child: other.id))
                        if generations[other.id] == nil {
                            generations[other.id] = direction * level
                            infos[other.id] = other
                            next.append(other.id)
                        }
                    }
                }
                frontier = next
            }
        }
        var nodes: [Chain.Node] = []
        for (artifactID, generation) in generations {
            let handoffs = try backend.handoffs(HandoffFilter(artifact: artifactID))
            nodes.append(Chain.Node(artifact: infos[artifactID]!, handoffs: handoffs, generation: generation))
        }
        nodes.sort {
            ($0.generation, $0.artifact.createdAt, $0.artifact.id) < (
                $1.generation, $1.artifact.createdAt, $1.artifact.id
            )
        }
        let order = Dictionary(uniqueKeysWithValues: nodes.enumerated().map { ($1.artifact.id, $0) })
        let sortedEdges = edges.sorted {
            (order[$0.parent]!, order[$0.child]!) < (order[$1.parent]!, order[$1.child]!)
        }
        return Chain(focus: id, nodes: nodes, edges: sortedEdges, truncated: truncated)
    }
}
