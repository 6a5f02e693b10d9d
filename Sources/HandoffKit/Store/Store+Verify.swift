import HandoffJSON

/// What `verify` found.
public struct VerifyReport: Sendable {
    /// One thing wrong with the store.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            /// An object's bytes no longer hash to its name.
            case damaged
            /// The index lists an artifact whose object file is gone.
            case missing
            /// An object's size differs from what the index recorded.
            case sizeMismatch = "size_mismatch"
            /// An object could not be read.
            case unreadable
            /// The index found itself inconsistent.
            case index
        }

        public let kind: Kind
        public let id: ArtifactID?
        public let message: String

        public var description: String { message }

        package init(kind: Kind, id: ArtifactID?, message: String) {
            self.kind = kind
            self.id = id
            self.message = message
        }
    }

    /// Objects read and re-hashed.
    public var objectsChecked = 0
    /// Bytes read and re-hashed.
    public var bytesChecked = 0
    /// Artifacts the index lists (store-local schemas are checked too, but not counted here).
    public var indexedArtifacts = 0
    public var problems: [Problem] = []
    /// Objects no index entry names: left by puts interrupted before they recorded them, or whose entries the
    /// index lost (its `-wal` file deleted, say). `repairIndex(_:)` lists them as artifacts again.
    public var unindexedObjects: [ArtifactID] = []
    /// Files in the store that are neither objects nor the index, such as temporary files of interrupted
    /// writes. Harmless.
    public var strayFiles: [String] = []

    package init() {}

    /// Whether nothing is wrong.
    public var isClean: Bool { problems.isEmpty }

    /// Drops the problems that `repair` put right.
    public mutating func remove(repairedBy repair: RepairReport) {
        let relisted = Set(repair.relistedNextActions)
        problems.removeAll { problem in
            problem.kind == .index && problem.id.map { relisted.contains($0) } == true
        }
    }
}

extension Store {
    /// Re-hashes every object and cross-checks the objects against the backend.
    ///
    /// Damage (an object whose bytes changed, an indexed artifact without its object, a size that differs,
    /// an inconsistent index) is listed in `problems`; leftovers of interrupted writes are listed apart,
    /// since they lose nothing.
    /// - Parameter progress: Called as objects are checked, with how many of how many.
    public func verify(progress: WorkProgress = { _, _ in }) throws(HandoffError) -> VerifyReport {
        // An object the index does not know is read only up to the size of anything this store accepts.
        try backend.verify(largest: configuration.limits.maxBytes, progress: progress)
    }
}

/// What `repairIndex(_:)` did.
public struct RepairReport: Sendable {
    /// Objects listed as artifacts again.
    public var reindexed: [ArtifactID] = []
    /// Objects that could not be, and why (not an artifact, or damaged since).
    public var refused: [(id: ArtifactID, message: String)] = []
    /// Artifacts whose listed next actions differed from their recorded ones, and were listed again from
    /// those.
    public var relistedNextActions: [ArtifactID] = []
}

extension Store {
    /// The producer recorded for artifacts `repairIndex(_:)` lists again: who first stored them is lost.
    public static let recoveredProducer = "unknown"

    /// Lists the objects `report` found unindexed as artifacts again.
    ///
    /// An object's content is all that is left of it: it is indexed with its schema, size and next
    /// actions, `unknown` as its producer, its file's modification time as its creation time, and as validated
    /// when it is valid now. What only the index knew (its producer, handoffs and parents) is not recovered.
    ///
    /// Next actions that listings show otherwise than the index records them are listed again from the
    /// records.
    public func repairIndex(_ report: VerifyReport) throws(HandoffError) -> RepairReport {
        var repair = RepairReport()
        var puts: [PreparedPut] = []
        for id in report.unindexedObjects {
            do {
                let (bytes, writtenAt) = try backend.unindexedObject(
                    id, maxSize: max(configuration.limits.maxBytes, 1))
                let document = try ArtifactDocument.parse(
                    bytes, source: "object \(id)",
                    limits: JSONParser.Limits(maxDepth: JSONParser.Limits.depthCeiling, maxBytes: .max))
                let schema = try ArtifactDocument.declaredSchema(of: document, source: "object \(id)")
                let valid = (try? schemas.check(document, declaring: schema.description, source: "")) != nil
                puts.append(
                    PreparedPut(
                        bytes: bytes,
                        put: IndexedPut(
                            id: id, schema: schema.description, size: bytes.count,
                            producer: Self.recoveredProducer,
                            consumers: [], workflow: nil, workspace: nil,
                            createdAt: writtenAt,
                            nextActions: NextActionExtractor.extract(
                                from: document,
                                places: schemas.nextActionPlaces(forSchema: schema.description)),
                            validated: valid)))
            } catch {
                repair.refused.append((id, error.message))
            }
        }
        for start in stride(from: 0, to: puts.count, by: Self.importBatchSize) {
            let batch = Array(puts[start..<min(start + Self.importBatchSize, puts.count)])
            for recorded in try backend.record(batch, at: now()) {
                repair.reindexed.append(recorded.artifact.id)
            }
        }
        repair.relistedNextActions = try backend.relistNextActions()
        return repair
    }
}
