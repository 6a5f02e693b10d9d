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

    package init(dryRun: Bool = false) { self.dryRun = dryRun }
}

extension Store {
    /// Removes work logs past their workspace type's retention, then every artifact nothing live reaches
    /// (see `GCPolicy`): pending and claimed handoffs, the sessions kept, recent work, and the lineage of all
    /// of these stay, as do store-local schemas.
    ///
    /// Safe while bots work: a put racing the collection is never lost, and `verify` stays clean.
    /// - Parameter progress: Called as objects are removed, with how many of how many.
    public func collectGarbage(
        _ policy: GCPolicy = .init(), dryRun: Bool = false, progress: WorkProgress = { _, _ in }
    ) throws(HandoffError) -> GCReport {
        try backend.collectGarbage(policy, dryRun: dryRun, now: now(), progress: progress)
    }
}
