/// What `gc` finds to remove, and (unless it was a dry run) removed from the index.
struct CollectedGarbage: Sendable {
    var sessions: [String] = []
    var entries = 0
    var insights = 0
    /// Artifacts nothing live reaches: their ids and sizes.
    var artifacts: [(id: ArtifactID, size: Int)] = []
    var handoffs = 0
}

extension SQLiteBackend {
    /// Finds work sessions past their retention and the artifacts nothing live reaches, and removes their
    /// rows (not their object files) in one transaction, unless `dryRun`.
    ///
    /// Live are: artifacts with a pending or claimed handoff, the artifacts of sessions kept, artifacts stored
    /// or with a handoff finished since `keepSince`, and every artifact in the lineage of those (ancestors and
    /// descendants, transitively).
    ///
    /// - Parameter sessionCutoffs: For each workspace type, sessions that ended before this time (milliseconds
    ///   since 1970) are past their retention.
    /// - Parameter now: The store's time (milliseconds since 1970): open sessions active within a day of it, or
    ///   held by a recorder past it, are kept.
    func collectRows(sessionCutoffs: [WorkspaceType: Int64], keepSince: Int64, now: Int64, dryRun: Bool)
        throws(HandoffError)
        -> CollectedGarbage
    {
        try write { db in
            var result = CollectedGarbage()
            try db.execute(
                sql: """
                    CREATE TEMP TABLE IF NOT EXISTS gc_expired (seq INTEGER PRIMARY KEY);
                    CREATE TEMP TABLE IF NOT EXISTS gc_live (seq INTEGER PRIMARY KEY);
                    DELETE FROM gc_expired;
                    DELETE FROM gc_live;
                    """)
            defer { try? db.execute(sql: "DELETE FROM gc_expired; DELETE FROM gc_live;") }
            for type in WorkspaceType.allCases {
                // Retention counts from a session's end. An open one goes only when it was idle past its
                // retention and for a day at least, and nobody holds it: a recorder may still be writing.
                let cutoff = sessionCutoffs[type] ?? Int64.min
                try db.run(
                    sql: """
                        INSERT INTO gc_expired (seq) SELECT seq FROM work_session
                        WHERE workspace_type = ? AND CASE WHEN ended_at IS NOT NULL THEN ended_at < ?
                            ELSE coalesce(last_entry_at, started_at) < ? AND coalesce(held_until, 0) <= ? END
                        """,
                    arguments: [type.rawValue, cutoff, min(cutoff, now - 86_400_000), now])
            }
            result.sessions = try db.values(
                String.self,
                sql: "SELECT s.id FROM work_session s JOIN gc_expired x ON x.seq = s.seq ORDER BY s.seq")
            result.entries =
                try db.value(Int.self, sql: "SELECT count(*) FROM work_entry WHERE session IN gc_expired")
                ?? 0
            result.insights =
                try db.value(Int.self, sql: "SELECT count(*) FROM insight WHERE session IN gc_expired") ?? 0
            try db.run(
                sql: """
                    INSERT INTO gc_live (seq)
                    WITH RECURSIVE live(seq) AS (
                        SELECT artifact FROM handoff WHERE state IN ('pending', 'claimed')
                        UNION SELECT artifact FROM handoff WHERE updated_at >= :since
                        UNION SELECT seq FROM artifact WHERE created_at >= :since
                        UNION SELECT session_artifact FROM work_session
                            WHERE session_artifact IS NOT NULL AND seq NOT IN gc_expired
                        UNION SELECT work_log_artifact FROM work_session
                            WHERE work_log_artifact IS NOT NULL AND seq NOT IN gc_expired
                        UNION SELECT artifact FROM work_escalation WHERE session NOT IN gc_expired
                        UNION SELECT artifact FROM insight WHERE artifact IS NOT NULL AND session NOT IN gc_expired
                        UNION SELECT p.parent FROM artifact_parent p JOIN live l ON p.child = l.seq
                        UNION SELECT p.child FROM artifact_parent p JOIN live l ON p.parent = l.seq
                    )
                    SELECT seq FROM live WHERE seq IS NOT NULL
                    """,
                arguments: ["since": keepSince])
            result.artifacts = try db.rows(
                sql: "SELECT id, size FROM artifact WHERE seq NOT IN gc_live ORDER BY seq"
            ).map { row in (try ArtifactID(stored: row[0]), row[1]) }
            result.handoffs =
                try db.value(
                    Int.self, sql: "SELECT count(*) FROM handoff WHERE artifact NOT IN gc_live") ?? 0
            guard !dryRun else { return result }
            try db.execute(
                sql: """
                    DELETE FROM work_entry_text WHERE rowid IN (SELECT seq FROM work_entry WHERE session IN gc_expired);
                    DELETE FROM work_entry WHERE session IN gc_expired;
                    DELETE FROM work_session_bot WHERE session IN gc_expired;
                    DELETE FROM work_escalation WHERE session IN gc_expired;
                    DELETE FROM insight WHERE session IN gc_expired;
                    DELETE FROM work_session WHERE seq IN gc_expired;

                    DELETE FROM next_action WHERE artifact NOT IN gc_live;
                    DELETE FROM artifact_parent WHERE child NOT IN gc_live OR parent NOT IN gc_live;
                    DELETE FROM handoff_event WHERE handoff IN
                        (SELECT seq FROM handoff WHERE artifact NOT IN gc_live);
                    DELETE FROM handoff WHERE artifact NOT IN gc_live;
                    DELETE FROM artifact WHERE seq NOT IN gc_live;
                    """)
            return result
        }
    }

    /// Runs `body` for each id whose artifact row is gone, inside one write transaction, so that no put can
    /// record the same content meanwhile: a put that did gets its object back (see `Store.commit`).
    func withUnindexed(_ ids: [ArtifactID], _ body: (ArtifactID) -> Void) throws(HandoffError) {
        try write { db in
            for id in ids {
                let indexed =
                    try db.value(
                        Int64.self, sql: "SELECT seq FROM artifact WHERE id = ?", arguments: [id.description])
                    != nil
                    || db.value(
                        Int64.self, sql: "SELECT 1 FROM schema WHERE object = ?", arguments: [id.description])
                        != nil
                if !indexed { body(id) }
            }
        }
    }
}
