/// What `copy(to:)` found to copy, by kind: what the destination lacked (`added`), and what it held in an
/// older state (`updated`: a handoff finished or claimed since, a session that went on or ended).
public struct CopyReport: Sendable, Equatable {
    public var schemas = 0
    public var artifacts = 0
    /// Bytes of the artifacts added.
    public var bytes = 0
    public var handoffs = 0
    public var handoffsUpdated = 0
    public var sessions = 0
    public var sessionsUpdated = 0
    public var entries = 0
    public var settings = 0

    public init() {}

    /// Whether the destination held everything already: a copy repeated changes nothing.
    public var isEmpty: Bool { self == CopyReport() }
}

extension Store {
    /// Copies everything this store holds into `destination` (a store of either backend): artifacts with their
    /// bytes, lineage and next actions; handoffs with their states, leases and histories; store-local schemas;
    /// work sessions with their entries, escalations and insights; settings.
    ///
    /// What the destination already holds stays; what the source changed since an earlier copy (a handoff
    /// acked, a session ended) is brought up to date. A copy of a store that changed nothing since the last
    /// copies nothing. Each part is written in one transaction of the destination, so a copy interrupted
    /// part-way leaves a sound store, and running it again finishes it. Bots may keep working on this store
    /// meanwhile: what they do after a part was read comes with the next copy.
    ///
    /// - Parameter progress: Called after each part with the report so far.
    public func copy(to destination: Store, progress: (CopyReport) -> Void = { _ in }) throws(HandoffError)
        -> CopyReport
    {
        guard destination.location != location else {
            throw HandoffError(.usage, "the store at \(location) cannot be copied into itself")
        }
        let target = destination.backend
        var report = CopyReport()
        report.schemas = try target.importCopiedSchemas(try backend.copySchemas()).added
        progress(report)

        var cursor: CopyCursor?
        var unlinked: [ArtifactLink] = []
        while true {
            let (artifacts, next) = try backend.copyArtifacts(after: cursor, limit: 500, maxBytes: 32 << 20)
            guard let next else { break }
            let counts = try target.importCopiedArtifacts(artifacts)
            report.artifacts += counts.added
            report.bytes += counts.bytes
            unlinked += counts.unlinked
            cursor = next
            progress(report)
        }
        if !unlinked.isEmpty { try target.importCopiedLinks(unlinked) }

        cursor = nil
        while true {
            let (handoffs, next) = try backend.copyHandoffs(after: cursor, limit: 1000)
            guard let next else { break }
            let counts = try target.importCopiedHandoffs(handoffs)
            report.handoffs += counts.added
            report.handoffsUpdated += counts.updated
            cursor = next
            progress(report)
        }

        cursor = nil
        while true {
            let (sessions, next) = try backend.copySessions(after: cursor, limit: 100)
            guard let next else { break }
            for session in sessions {
                let counts = try target.importCopiedSession(session)
                report.sessions += counts.added
                report.sessionsUpdated += counts.updated
                // Entries a part at a time: a session may hold hundreds of thousands.
                var step = try target.lastCopiedStep(ofSession: session.info.id)
                while true {
                    let entries = try backend.copyEntries(
                        ofSession: session.info.id, afterStep: step, limit: 2000)
                    guard let last = entries.last else { break }
                    report.entries += try target.importCopiedEntries(entries, session: session.info.id).added
                    step = last.step
                }
            }
            cursor = next
            progress(report)
        }

        let settings = try target.importCopiedSettings(try backend.copySettings())
        report.settings = settings.added + settings.updated
        progress(report)
        return report
    }
}
