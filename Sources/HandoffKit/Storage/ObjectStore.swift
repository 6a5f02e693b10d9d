#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The content-addressed files under `<store>/objects/xxh128/ab/cdef…`: write-once, durable, verified on
/// every read.
struct ObjectStore: Sendable {
    /// `<store>/objects/xxh128`; the hash function is part of the path.
    let root: String
    /// `<store>/tmp`, where objects are written before they get their name.
    let temporaryDirectory: String

    init(storePath: String) {
        root = storePath + "/objects/xxh128"
        temporaryDirectory = storePath + "/tmp"
    }

    func path(of id: ArtifactID) -> String {
        let hex = id.hex
        // Substrings made Strings first: `String + Substring` is a generic append whose first use in a process
        // costs a scan of the binary's conformance records.
        return root + "/" + String(hex.prefix(2)) + "/" + String(hex.dropFirst(2))
    }

    enum WriteOutcome {
        case created
        case existed
    }

    /// Stores `bytes` under `id` and returns once they are on stable storage.
    ///
    /// The bytes go to a temporary file that is flushed, then linked to the object's name (a link never
    /// replaces an existing file), then the directory is flushed. An existing object with the same bytes
    /// makes this a no-op; one whose bytes no longer hash to `id` is damaged and is replaced; one with other
    /// bytes that do hash to `id` is a collision, reported and left alone.
    /// - Precondition: `id` is the hash of `bytes`.
    func write(_ bytes: [UInt8], as id: ArtifactID) throws(HandoffError) -> WriteOutcome {
        let target = path(of: id)
        let shard = String(target.prefix(root.utf8.count + 3))
        if FileIO.exists(target) {
            try checkExisting(at: target, against: bytes, id: id)
            // The writer that created it may have crashed before flushing the directory entry.
            try FileIO.syncDirectory(shard)
            return .existed
        }
        if try createShard(shard) {
            try FileIO.syncDirectory(root)
        }
        let temporary = temporaryDirectory + "/" + temporaryName()
        try FileIO.writeNewFileDurably(temporary, bytes)
        defer { FileIO.removeFile(temporary) }
        Failpoint.hit("object-temporary-written")
        switch try FileIO.linkWithoutReplacing(temporary, target) {
        case .linked:
            try FileIO.syncDirectory(shard)
            Failpoint.hit("object-linked")
            return .created
        case .targetExists:
            // Another process stored it first.
            try checkExisting(at: target, against: bytes, id: id, replacingDamageWith: temporary)
            try FileIO.syncDirectory(shard)
            return .existed
        }
    }

    /// Stores several objects with two flushes of the whole file system instead of two flushes per object:
    /// all temporary files are written, the file system is flushed, they are linked to their names, and it is
    /// flushed again. The same guarantees as `write(_:as:)`, for each object, once this returns.
    func write(batch items: [(bytes: [UInt8], id: ArtifactID)]) throws(HandoffError) -> [WriteOutcome] {
        guard items.count > 2 else {
            var outcomes: [WriteOutcome] = []
            for item in items { outcomes.append(try write(item.bytes, as: item.id)) }
            return outcomes
        }
        var outcomes = [WriteOutcome](repeating: .existed, count: items.count)
        var pending: [(position: Int, temporary: String, target: String)] = []
        defer { for item in pending { FileIO.removeFile(item.temporary) } }
        var shards = Set<String>()
        for (position, item) in items.enumerated() {
            let target = path(of: item.id)
            if FileIO.exists(target) {
                try checkExisting(at: target, against: item.bytes, id: item.id)
                continue
            }
            let shard = String(target.prefix(root.utf8.count + 3))
            if !shards.contains(shard) {
                try createShard(shard)
                shards.insert(shard)
            }
            let temporary = temporaryDirectory + "/" + temporaryName()
            try FileIO.writeNewFile(temporary, item.bytes, flush: false)
            pending.append((position, temporary, target))
        }
        try FileIO.syncFileSystem(containing: root)
        Failpoint.hit("object-temporary-written")
        for item in pending {
            switch try FileIO.linkWithoutReplacing(item.temporary, item.target) {
            case .linked:
                outcomes[item.position] = .created
            case .targetExists:
                try checkExisting(
                    at: item.target, against: items[item.position].bytes, id: items[item.position].id,
                    replacingDamageWith: item.temporary)
            }
        }
        try FileIO.syncFileSystem(containing: root)
        Failpoint.hit("object-linked")
        return outcomes
    }

    /// The largest file at an object's path that is read to tell a hash collision from damage.
    static let collisionCheckLimit = 256 << 20

    /// Creates a shard folder, or makes sure the one there is a real folder of this user's; returns whether
    /// it was created.
    @discardableResult
    private func createShard(_ shard: String) throws(HandoffError) -> Bool {
        let existed = FileIO.exists(shard)
        try FileIO.secureDirectory(shard, create: true)
        return !existed
    }

    private func checkExisting(
        at target: String, against bytes: [UInt8], id: ArtifactID,
        replacingDamageWith temporary: String? = nil
    ) throws(HandoffError) {
        // What is there is compared, not followed: a link, a FIFO or a device is damage, and is replaced by
        // these bytes. A file of another size is read (to tell a collision from damage) only up to a size no
        // object reaches in practice, so a huge sparse file costs nothing.
        let existing: [UInt8]?
        do {
            existing = try FileIO.readRegularFile(
                target, maxSize: max(bytes.count, Self.collisionCheckLimit), followLink: false)
        } catch  where error.code == .invalidInput || error.code == .notFound {
            existing = nil
        }
        if existing == bytes { return }
        let existingID = existing.map { ArtifactID(canonicalBytes: $0) }
        guard existingID != id else {
            throw HandoffError(
                .io,
                "hash collision: \(id) is already stored with different content; nothing was overwritten",
                hint: "keep both files and report this: it is the first known XXH3-128 collision")
        }
        // The stored object is damaged (its bytes no longer hash to its name); these bytes are the right ones.
        if let temporary {
            try FileIO.replace(target, with: temporary)
        } else {
            let replacement = temporaryDirectory + "/" + temporaryName()
            try FileIO.writeNewFileDurably(replacement, bytes)
            try FileIO.replace(target, with: replacement)
        }
    }

    /// The bytes of an object, after checking that they still hash to its id.
    ///
    /// Only a regular file is read, never followed through a link, and only when its size is `size` (the
    /// size the index recorded) or, when that is not known, at most `maxSize`: anything else is damage,
    /// found before a byte is read.
    /// - Throws: `.notFound` when there is no such object, `.io` when it is damaged or unreadable.
    func read(_ id: ArtifactID, size: Int?, maxSize: Int) throws(HandoffError) -> [UInt8] {
        let path = path(of: id)
        let bytes: [UInt8]
        do {
            bytes = try FileIO.readRegularFile(path, maxSize: size ?? maxSize, followLink: false)
        } catch  where error.code == .notFound {
            throw HandoffError(
                .notFound, "the object file of \(id) is missing (\(path))",
                hint: "run `handoff verify` to check the whole store")
        } catch  where error.code == .invalidInput {
            throw HandoffError(
                .io, "object \(id) is damaged: \(error.message)",
                hint: "run `handoff verify`; putting the original document again repairs it")
        }
        let actual = ArtifactID(canonicalBytes: bytes)
        guard actual == id else {
            throw HandoffError(
                .io, "object \(id) is damaged: its bytes hash to \(actual) (\(path))",
                hint: "run `handoff verify`; putting the original document again repairs it")
        }
        if let size, bytes.count != size {
            throw HandoffError(
                .io,
                "object \(id) is damaged: it has \(bytes.count) bytes, the index records \(size) (\(path))",
                hint: "run `handoff verify`; putting the original document again repairs it")
        }
        return bytes
    }

    /// Every object id on disk, with the names of files that are not objects.
    func scan() throws(HandoffError) -> (ids: [ArtifactID], strays: [String]) {
        var ids: [ArtifactID] = []
        var strays: [String] = []
        for shard in try FileIO.contentsOfDirectory(root).sorted() {
            let shardPath = root + "/" + shard
            // A link in place of a shard is not followed: the store's objects are in the store.
            guard shard.utf8.count == 2, FileIO.isRealDirectory(shardPath) else {
                strays.append(shardPath)
                continue
            }
            for name in try FileIO.contentsOfDirectory(shardPath).sorted() {
                if let reference = try? ArtifactReference(parsing: shard + name),
                    let id = reference.completeID
                {
                    ids.append(id)
                } else {
                    strays.append(shardPath + "/" + name)
                }
            }
        }
        return (ids, strays)
    }

    private func temporaryName() -> String {
        var generator = SystemRandomNumberGenerator()
        return "object-\(getpid())-\(String(generator.next(), radix: 36))"
    }
}
