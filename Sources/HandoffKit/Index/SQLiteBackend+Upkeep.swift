extension SQLiteBackend {
    /// Removes the rows of what is past its retention or unreachable in one transaction (`collectRows`), then
    /// each collected artifact's object file inside a transaction that first checks nothing has indexed its
    /// content again (a put racing the collection writes it back before it commits), then leftovers of
    /// interrupted writes past the grace period.
    func collectGarbage(_ policy: GCPolicy, dryRun: Bool, now moment: Timestamp, progress: WorkProgress)
        throws(HandoffError) -> GCReport
    {
        let now = moment.millisecondsSince1970
        var cutoffs: [WorkspaceType: Int64] = [:]
        for type in WorkspaceType.allCases {
            let days = Int64(max(0, policy.sessionRetentionDays[type] ?? 36_500))
            cutoffs[type] = now - days * 86_400_000
        }
        let keepSince = now - Int64(max(0, policy.keepDays) * 86_400_000)
        let collected = try collectRows(
            sessionCutoffs: cutoffs, keepSince: keepSince, now: now, dryRun: dryRun)
        var report = GCReport()
        report.dryRun = dryRun
        report.sessions = collected.sessions
        report.entries = collected.entries
        report.insights = collected.insights
        report.artifacts = collected.artifacts.map(\.id)
        report.handoffs = collected.handoffs
        // File times come from the system clock, whatever clock the store stamps its records with.
        let graceCutoff =
            Timestamp.now().millisecondsSince1970 - Int64(max(0, policy.leftoverGraceSeconds) * 1000)
        if dryRun {
            report.objectFiles = collected.artifacts.count
            report.bytes = collected.artifacts.reduce(0) { $0 + $1.size }
            return report
        }
        // The collected artifacts' objects, and objects no put finished indexing long ago.
        var candidates = collected.artifacts.map(\.id)
        var known = Set(candidates)
        for (id, _) in try indexedObjects() { known.insert(id) }
        for entry in try schemaEntries() { known.insert(entry.id) }
        for id in try objects.scan().ids where !known.contains(id) {
            if let modified = FileIO.modificationTime(objects.path(of: id)), modified < graceCutoff {
                candidates.append(id)
            }
        }
        var start = 0
        while start < candidates.count {
            let chunk = Array(candidates[start..<min(start + 500, candidates.count)])
            start += chunk.count
            progress(start - chunk.count, candidates.count)
            try withUnindexed(chunk) { id in
                let path = objects.path(of: id)
                let size = FileIO.fileSize(path) ?? 0
                if FileIO.exists(path) {
                    FileIO.removeFile(path)
                    report.objectFiles += 1
                    report.bytes += size
                }
            }
        }
        for name in try FileIO.contentsOfDirectory(objects.temporaryDirectory) {
            let path = objects.temporaryDirectory + "/" + name
            if let modified = FileIO.modificationTime(path), modified < graceCutoff {
                FileIO.removeFile(path)
                report.temporaryFiles += 1
            }
        }
        return report
    }

    /// Re-hashes every object file and cross-checks the files against the index: damage is a problem, files
    /// nobody indexed and leftovers of interrupted writes are listed apart.
    func verify(largest: Int, progress: WorkProgress) throws(HandoffError) -> VerifyReport {
        var report = VerifyReport()
        for (id, message) in try integrityProblems() {
            report.problems.append(.init(kind: .index, id: id, message: "index: \(message)"))
        }
        var indexed: [ArtifactID: Int] = [:]
        for (id, size) in try indexedObjects() { indexed[id] = size }
        report.indexedArtifacts = indexed.count
        // Store-local schemas are objects too.
        for entry in try schemaEntries() { indexed[entry.id] = entry.size }
        let largest = max(largest, indexed.values.max() ?? 0)
        let (ids, strays) = try objects.scan()
        report.strayFiles = strays
        var onDisk = Set<ArtifactID>()
        for (index, id) in ids.enumerated() {
            progress(index, ids.count)
            onDisk.insert(id)
            let path = objects.path(of: id)
            let bytes: [UInt8]
            do {
                // Whatever is there is looked at, not followed or waited on: links, FIFOs, devices and
                // oversized files are damage, reported without reading them.
                bytes = try FileIO.readRegularFile(path, maxSize: largest, followLink: false)
            } catch  where error.code == .invalidInput {
                report.problems.append(.init(kind: .damaged, id: id, message: "\(id): \(error.message)"))
                continue
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

    /// An object file `verify` found unindexed, and its modification time.
    func unindexedObject(_ id: ArtifactID, maxSize: Int) throws(HandoffError) -> (
        bytes: [UInt8], writtenAt: Timestamp?
    ) {
        let bytes = try objects.read(id, size: nil, maxSize: maxSize)
        return (
            bytes, FileIO.modificationTime(objects.path(of: id)).map(Timestamp.init(millisecondsSince1970:))
        )
    }

    func objectBytes(_ id: ArtifactID, size: Int) throws(HandoffError) -> [UInt8] {
        try objects.read(id, size: size, maxSize: size)
    }

    /// The index's files: the database, its write-ahead log and shared memory.
    func indexBytes() throws(HandoffError) -> Int {
        ["", "-wal", "-shm"].compactMap { FileIO.fileSize(path + $0) }.reduce(0, +)
    }
}
