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
            case sizeMismatch = "size-mismatch"
            /// An object could not be read.
            case unreadable
            /// SQLite found the index file inconsistent.
            case index
        }

        public let kind: Kind
        public let id: ArtifactID?
        public let message: String

        public var description: String { message }
    }

    /// Objects read and re-hashed.
    public var objectsChecked = 0
    /// Bytes read and re-hashed.
    public var bytesChecked = 0
    /// Artifacts the index lists (store-local schemas are checked too, but not counted here).
    public var indexedArtifacts = 0
    public var problems: [Problem] = []
    /// Objects no index entry names: left by puts interrupted before they recorded them. Harmless.
    public var unindexedObjects: [ArtifactID] = []
    /// Files in the store that are neither objects nor the index, such as temporary files of interrupted
    /// writes. Harmless.
    public var strayFiles: [String] = []

    /// Whether nothing is wrong.
    public var isClean: Bool { problems.isEmpty }
}

extension Store {
    /// Re-hashes every object and cross-checks the objects against the index.
    ///
    /// Damage (an object whose bytes changed, an indexed artifact without its object, a size that differs,
    /// an inconsistent index file) is listed in `problems`; leftovers of interrupted writes are listed apart,
    /// since they lose nothing.
    public func verify() throws(HandoffError) -> VerifyReport {
        var report = VerifyReport()
        for message in try index.integrityProblems() {
            report.problems.append(.init(kind: .index, id: nil, message: "index: \(message)"))
        }
        var indexed: [ArtifactID: Int] = [:]
        for (id, size) in try index.indexedObjects() { indexed[id] = size }
        report.indexedArtifacts = indexed.count
        // Store-local schemas are objects too.
        for entry in try index.schemaEntries() { indexed[entry.id] = entry.size }
        let (ids, strays) = try objects.scan()
        report.strayFiles = strays
        var onDisk = Set<ArtifactID>()
        for id in ids {
            onDisk.insert(id)
            let bytes: [UInt8]
            do {
                bytes = try FileIO.readFile(objects.path(of: id))
            } catch {
                report.problems.append(.init(kind: .unreadable, id: id, message: "\(id): \(error.message)"))
                continue
            }
            report.objectsChecked += 1
            report.bytesChecked += bytes.count
            let actual = ArtifactID(canonicalBytes: bytes)
            if actual != id {
                report.problems.append(
                    .init(
                        kind: .damaged, id: id,
                        message: "\(id): damaged, its bytes hash to \(actual) (\(objects.path(of: id)))"))
            }
            if let size = indexed[id] {
                if size != bytes.count {
                    report.problems.append(
                        .init(
                            kind: .sizeMismatch, id: id,
                            message: "\(id): the index records \(size) bytes, the object has \(bytes.count)"))
                }
            } else {
                report.unindexedObjects.append(id)
            }
        }
        for id in indexed.keys.sorted() where !onDisk.contains(id) {
            report.problems.append(
                .init(
                    kind: .missing, id: id,
                    message: "\(id): indexed, but its object file is missing (\(objects.path(of: id)))"))
        }
        for name in try FileIO.contentsOfDirectory(objects.temporaryDirectory).sorted() {
            report.strayFiles.append(objects.temporaryDirectory + "/" + name)
        }
        return report
    }
}
