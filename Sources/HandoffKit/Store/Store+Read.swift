import HandoffJSON

extension Store {
    /// The artifact a user's reference names: a complete id, or a unique prefix of at least 8 hex digits, with
    /// or without `xxh128:`.
    /// - Throws: `HandoffError`: `.usage` for a malformed or ambiguous reference, `.notFound` when nothing
    ///   matches.
    public func resolve(_ text: String) throws(HandoffError) -> ArtifactID {
        let reference = try ArtifactReference(parsing: text)
        let matches = try backend.artifacts(matching: reference)
        switch matches.count {
        case 0:
            throw HandoffError(.notFound, "no artifact \(reference) in the store at \(location)")
        case 1:
            return matches[0]
        default:
            throw HandoffError(
                .usage,
                "artifact prefix \(reference) is ambiguous: it matches \(matches[0]), \(matches[1]) and perhaps more",
                hint: "give more hex digits")
        }
    }

    /// What the index records about an artifact.
    /// - Throws: `HandoffError` `.notFound` when the store does not hold it.
    public func artifact(_ id: ArtifactID) throws(HandoffError) -> ArtifactInfo {
        guard let info = try backend.artifact(id) else {
            throw HandoffError(.notFound, "no artifact \(id) in the store at \(location)")
        }
        return info
    }

    /// The artifact's canonical bytes, checked against its id.
    /// - Throws: `HandoffError`: `.notFound` when the store does not hold it, `.io` when its object is
    ///   damaged or unreadable.
    public func canonicalBytes(of id: ArtifactID) throws(HandoffError) -> [UInt8] {
        let info = try artifact(id)
        let bytes = try backend.objectBytes(id, size: info.size)
        // Whatever keeps it, an object is what its name says or it is damage.
        let actual = ArtifactID(canonicalBytes: bytes)
        guard bytes.count == info.size, actual == id else {
            throw HandoffError(
                .io, "object \(id) is damaged: its bytes hash to \(actual)", hint: "run `handoff verify`")
        }
        return bytes
    }

    /// The artifact's document.
    public func document(_ id: ArtifactID) throws(HandoffError) -> JSONValue {
        let bytes = try canonicalBytes(of: id)
        // It was checked against the limits when it was stored; limits lowered since must not hide it.
        let limits = JSONParser.Limits(maxDepth: JSONParser.Limits.depthCeiling, maxBytes: .max)
        do {
            return try JSONParser.parse(bytes, limits: limits)
        } catch {
            throw HandoffError(
                .io, "object \(id) holds bytes that are not JSON: \(error)", hint: "run `handoff verify`")
        }
    }

    /// Artifacts matching the filter, newest first.
    public func artifacts(_ filter: ArtifactFilter = .init()) throws(HandoffError) -> [ArtifactInfo] {
        try backend.artifacts(filter)
    }

    /// Handoffs matching the filter, oldest first unless the filter asks otherwise.
    public func handoffs(_ filter: HandoffFilter = .init()) throws(HandoffError) -> [Handoff] {
        try backend.handoffs(filter)
    }

    /// One handoff by its id.
    /// - Throws: `HandoffError` `.notFound` when there is no such handoff.
    public func handoff(id: String) throws(HandoffError) -> Handoff {
        guard let handoff = try backend.handoff(id: id) else {
            throw HandoffError(.notFound, "no handoff \(quotedForMessage(id)) in the store at \(location)")
        }
        return handoff
    }

    /// Whether `text` has the form of a handoff id rather than an artifact id.
    public static func isHandoffID(_ text: String) -> Bool { HandoffID.isWellFormed(text) }

    /// Counts of what the store holds.
    /// How many handoffs each consumer has in each state, for an overview of every inbox at once.
    public func handoffCounts() throws(HandoffError) -> [ConsumerCount] {
        try backend.handoffCounts()
    }

    public func stats() throws(HandoffError) -> StoreStats {
        let stats = try backend.stats()
        let indexBytes = try backend.indexBytes()
        return StoreStats(
            path: location, artifacts: stats.artifacts, artifactBytes: stats.artifactBytes,
            handoffsByState: stats.handoffsByState, artifactsBySchema: stats.artifactsBySchema,
            producers: stats.producers,
            consumers: stats.consumers, indexBytes: indexBytes)
    }
}

/// Counts of what a store holds.
/// How many handoffs a consumer has in one state.
public struct ConsumerCount: Sendable, Hashable {
    public let consumer: String
    public let state: Handoff.State
    public let count: Int

    public init(consumer: String, state: Handoff.State, count: Int) {
        self.consumer = consumer
        self.state = state
        self.count = count
    }
}

public struct StoreStats: Sendable {
    public let path: String
    public let artifacts: Int
    /// Total size of the artifacts' canonical bytes.
    public let artifactBytes: Int
    public let handoffsByState: [Handoff.State: Int]
    public let artifactsBySchema: [String: Int]
    /// Distinct producers and consumers of handoffs.
    public let producers: Int
    public let consumers: Int
    /// Size of the index files.
    public let indexBytes: Int

    public var handoffs: Int { handoffsByState.values.reduce(0, +) }
}
