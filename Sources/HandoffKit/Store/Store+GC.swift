/// What `gc` keeps: how long work logs live by workspace type, and how long finished work stays.
public struct GCPolicy: Sendable, Equatable {
    /// Days a work session is kept after it ended, by workspace type. A session that never ended goes when it
    /// was idle that long and at least a day, and no recorder holds it.
    public var sessionRetentionDays: [WorkspaceType: Int]
    /// Artifacts stored, and handoffs finished, within this many days are kept with their lineage.
    public var keepDays: Double
    /// Leftovers of interrupted writes (unindexed objects, temporary files) older than this many seconds are
    /// removed; younger ones may belong to a put still running.
    public var leftoverGraceSeconds: Double

    public init(
        sessionRetentionDays: [WorkspaceType: Int] = [
            .open: 7, .project: 90, .direct: 30, .coordination: 90,
        ],
        keepDays: Double = 7, leftoverGraceSeconds: Double = 3600
    ) {
        self.sessionRetentionDays = sessionRetentionDays
        self.keepDays = keepDays
        self.leftoverGraceSeconds = leftoverGraceSeconds
    }
}

/// What `gc` removed, or would remove in a dry run.
public struct GCReport: Sendable {
    /// Work sessions past their retention, with their entries and queued insights.
    public var sessions: [String] = []
    public var entries = 0
    public var insights = 0
    /// Artifacts nothing live reaches, with their handoffs.
    public var artifacts: [ArtifactID] = []
    public var handoffs = 0
    /// Object files removed: the artifacts', and leftovers of interrupted writes.
    public var objectFiles = 0
    /// Bytes of object files removed.
    public var bytes = 0
    /// Temporary files of interrupted writes removed.
    public var temporaryFiles = 0
    public var dryRun = false
}

extension Store {
    /// Removes work logs past their workspace type's retention, then every artifact nothing live reaches
    /// (see `GCPolicy`): pending and claimed handoffs, the sessions kept, recent work, and the lineage of all
    /// of these stay, as do store-local schemas.
    ///
    /// Safe while bots work: rows go in one transaction, and each object file is removed inside a transaction
    /// that first checks nothing has indexed its content again; a put racing the collection writes its object
    /// back before it commits. `verify` stays clean.
    public func collectGarbage(_ policy: GCPolicy = .init(), dryRun: Bool = false) throws(HandoffError)
        -> GCReport
    {
        let now = configuration.clock().millisecondsSince1970
        var cutoffs: [WorkspaceType: Int64] = [:]
        for type in WorkspaceType.allCases {
            let days = Int64(max(0, policy.sessionRetentionDays[type] ?? 36_500))
            cutoffs[type] = now - days * 86_400_000
        }
        let keepSince = now - Int64(max(0, policy.keepDays) * 86_400_000)
        let collected = try index.collectGarbage(
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
        for (id, _) in try index.indexedObjects() { known.insert(id) }
        for entry in try index.schemaEntries() { known.insert(entry.id) }
        for id in try objects.scan().ids where !known.contains(id) {
            if let modified = FileIO.modificationTime(objects.path(of: id)), modified < graceCutoff {
                candidates.append(id)
            }
        }
        var start = 0
        while start < candidates.count {
            let chunk = Array(candidates[start..<min(start + 500, candidates.count)])
            start += chunk.count
            try index.withUnindexed(chunk) { id in
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
}
