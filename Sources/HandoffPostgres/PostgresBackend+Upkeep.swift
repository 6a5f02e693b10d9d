import HandoffJSON
import HandoffKit

/// Collection, verification and repair.
extension PostgresBackend {
    /// Removes what is past its retention or unreachable, rows and bytes, in one transaction that keeps
    /// every writer out meanwhile (writers share a lock a collection takes alone), so that nothing a put is
    /// recording can be collected under it.
    /// The rows and objects go in one transaction; `progress` hears of the objects once, when they are gone.
    func collectGarbage(_ policy: GCPolicy, dryRun: Bool, now moment: Timestamp, progress: WorkProgress)
        throws(HandoffError) -> GCReport
    {
        let now = moment.millisecondsSince1970
        return try write { connection in
            try connection.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended('handoff-gc:' || $1, 0))", [schemaName.pgValue]
            )
            try connection.run(
                """
                CREATE TEMP TABLE gc_expired (seq bigint PRIMARY KEY) ON COMMIT DROP;
                CREATE TEMP TABLE gc_live (seq bigint PRIMARY KEY) ON COMMIT DROP;
                """)
            for type in WorkspaceType.allCases {
                let days = Int64(max(0, policy.sessionRetentionDays[type] ?? 36_500))
                let cutoff = now - days * 86_400_000
                // Retention counts from a session's end; an open one goes only when idle past its retention
                // and a day, and nobody holds it.
                try connection.execute(
                    """
                    INSERT INTO gc_expired (seq) SELECT seq FROM work_session
                    WHERE workspace_type = $1 AND CASE WHEN ended_at IS NOT NULL THEN ended_at < $2
                        ELSE coalesce(last_entry_at, started_at) < $3 AND coalesce(held_until, 0) <= $4 END
                    """,
                    [
                        type.rawValue.pgValue, cutoff.pgValue, min(cutoff, now - 86_400_000).pgValue,
                        now.pgValue,
                    ])
            }
            var report = GCReport()
            report.dryRun = dryRun
            let sessions = try connection.execute(
                "SELECT s.id FROM work_session s JOIN gc_expired x ON x.seq = s.seq ORDER BY s.seq")
            report.sessions = (0..<sessions.rowCount).compactMap { sessions.string($0, 0) }
            report.entries = Int(
                try connection.execute(
                    "SELECT count(*) FROM work_entry WHERE session IN (SELECT seq FROM gc_expired)"
                )
                .int(0, 0) ?? 0)
            report.insights = Int(
                try connection.execute(
                    "SELECT count(*) FROM insight WHERE session IN (SELECT seq FROM gc_expired)"
                )
                .int(0, 0) ?? 0)
            let keepSince = now - Int64(max(0, policy.keepDays) * 86_400_000)
            try connection.execute(
                """
                INSERT INTO gc_live (seq)
                WITH RECURSIVE live(seq) AS (
                    SELECT seq FROM (
                        SELECT artifact FROM handoff WHERE state IN ('pending', 'claimed')
                        UNION SELECT artifact FROM handoff WHERE updated_at >= $1
                        UNION SELECT seq FROM artifact WHERE created_at >= $1
                        UNION SELECT session_artifact FROM work_session
                            WHERE session_artifact IS NOT NULL AND seq NOT IN (SELECT seq FROM gc_expired)
                        UNION SELECT work_log_artifact FROM work_session
                            WHERE work_log_artifact IS NOT NULL AND seq NOT IN (SELECT seq FROM gc_expired)
                        UNION SELECT artifact FROM work_escalation WHERE session NOT IN (SELECT seq FROM gc_expired)
                        UNION SELECT artifact FROM insight
                            WHERE artifact IS NOT NULL AND session NOT IN (SELECT seq FROM gc_expired)
                    ) AS seed(seq)
                    -- PostgreSQL allows one recursive reference: parents and children of what is live, at once.
                    UNION SELECT CASE WHEN p.child = l.seq THEN p.parent ELSE p.child END
                    FROM artifact_parent p JOIN live l ON p.child = l.seq OR p.parent = l.seq
                )
                SELECT seq FROM live WHERE seq IS NOT NULL
                """, [keepSince.pgValue])
            let collected = try connection.execute(
                "SELECT id, size FROM artifact WHERE seq NOT IN (SELECT seq FROM gc_live) ORDER BY seq")
            report.artifacts = try (0..<collected.rowCount).map { row throws(HandoffError) in
                try ArtifactID(stored: collected.string(row, 0) ?? "")
            }
            report.handoffs = Int(
                try connection.execute(
                    "SELECT count(*) FROM handoff WHERE artifact NOT IN (SELECT seq FROM gc_live)"
                ).int(0, 0) ?? 0)
            let unreferenced = """
                FROM object WHERE id NOT IN (SELECT id FROM artifact WHERE seq IN (SELECT seq FROM gc_live))
                    AND id NOT IN (SELECT object FROM schema_entry)
                """
            let objects = try connection.execute(
                "SELECT count(*), coalesce(sum(length(bytes)), 0) " + unreferenced)
            report.objectFiles = Int(objects.int(0, 0) ?? 0)
            report.bytes = Int(objects.int(0, 1) ?? 0)
            guard !dryRun else { return report }
            try connection.run(
                """
                DELETE FROM work_entry_text WHERE entry IN
                    (SELECT seq FROM work_entry WHERE session IN (SELECT seq FROM gc_expired));
                DELETE FROM work_entry WHERE session IN (SELECT seq FROM gc_expired);
                DELETE FROM work_session_bot WHERE session IN (SELECT seq FROM gc_expired);
                DELETE FROM work_escalation WHERE session IN (SELECT seq FROM gc_expired);
                DELETE FROM insight WHERE session IN (SELECT seq FROM gc_expired);
                DELETE FROM work_session WHERE seq IN (SELECT seq FROM gc_expired);
                UPDATE work_session SET session_artifact = NULL WHERE session_artifact NOT IN (SELECT seq FROM gc_live);
                UPDATE work_session SET work_log_artifact = NULL WHERE work_log_artifact NOT IN (SELECT seq FROM gc_live);
                UPDATE insight SET artifact = NULL WHERE artifact NOT IN (SELECT seq FROM gc_live);
                DELETE FROM work_escalation WHERE artifact NOT IN (SELECT seq FROM gc_live);
                DELETE FROM next_action WHERE artifact NOT IN (SELECT seq FROM gc_live);
                DELETE FROM artifact_parent WHERE child NOT IN (SELECT seq FROM gc_live)
                    OR parent NOT IN (SELECT seq FROM gc_live);
                DELETE FROM handoff_event WHERE handoff IN
                    (SELECT seq FROM handoff WHERE artifact NOT IN (SELECT seq FROM gc_live));
                UPDATE handoff SET routed_from = NULL WHERE routed_from IN
                    (SELECT seq FROM handoff WHERE artifact NOT IN (SELECT seq FROM gc_live));
                DELETE FROM handoff WHERE artifact NOT IN (SELECT seq FROM gc_live);
                DELETE FROM artifact WHERE seq NOT IN (SELECT seq FROM gc_live);
                """)
            try connection.execute("DELETE " + unreferenced)
            progress(report.objectFiles, report.objectFiles)
            return report
        }
    }

    /// Re-hashes every object a batch at a time (no more than about 16 MB of them, or one larger object, in
    /// memory at once), and cross-checks objects and rows.
    /// `largest` bounds what is read of a file no row names, in a folder store; here every object is a row,
    /// stored no larger than the store accepts.
    func verify(largest _: Int, progress: WorkProgress) throws(HandoffError) -> VerifyReport {
        var report = VerifyReport()
        let indexed: [String: Int] = try read { connection in
            var sizes: [String: Int] = [:]
            let artifacts = try connection.execute("SELECT id, size FROM artifact")
            for row in 0..<artifacts.rowCount {
                sizes[artifacts.string(row, 0) ?? ""] = Int(artifacts.int(row, 1) ?? 0)
            }
            report.indexedArtifacts = sizes.count
            let schemas = try connection.execute("SELECT object, size FROM schema_entry")
            for row in 0..<schemas.rowCount {
                sizes[schemas.string(row, 0) ?? ""] = Int(schemas.int(row, 1) ?? 0)
            }
            for problem in try nextActionMismatches(in: connection) {
                report.problems.append(
                    .init(
                        kind: .index, id: problem.id,
                        message:
                            "index: the next actions listed for \(problem.id) are not those recorded for it"))
            }
            return sizes
        }
        var stored = Set<String>()
        var after = ""
        while true {
            let batch: PGResult = try read { connection in
                // The ids of the next objects that fit 16 MB together (at least one), then their bytes.
                try connection.execute(
                    """
                    WITH next AS (
                        SELECT id, sum(octet_length(bytes)) OVER (ORDER BY id) AS running FROM object
                        WHERE id > $1 ORDER BY id LIMIT 64
                    )
                    SELECT o.id, o.bytes FROM object o JOIN next n ON n.id = o.id
                    WHERE n.running <= 16777216 OR n.id = (SELECT min(id) FROM next)
                    ORDER BY o.id
                    """, [after.pgValue],
                    binaryResult: true)
            }
            guard batch.rowCount > 0 else { break }
            progress(stored.count, indexed.count)
            for row in 0..<batch.rowCount {
                let text = String(decoding: batch.bytes(row, 0) ?? [], as: UTF8.self)
                after = text
                stored.insert(text)
                guard let id = try? ArtifactID(stored: text) else {
                    report.problems.append(
                        .init(kind: .damaged, id: nil, message: "an object is named \(text)"))
                    continue
                }
                let bytes = batch.bytes(row, 1) ?? []
                report.objectsChecked += 1
                report.bytesChecked += bytes.count
                let actual = ArtifactID(canonicalBytes: bytes)
                if actual != id {
                    report.problems.append(
                        .init(kind: .damaged, id: id, message: "\(id): damaged, its bytes hash to \(actual)"))
                }
                if let size = indexed[text] {
                    if size != bytes.count {
                        report.problems.append(
                            .init(
                                kind: .sizeMismatch, id: id,
                                message:
                                    "\(id): the index records \(size) bytes, the object has \(bytes.count)"))
                    }
                } else {
                    report.unindexedObjects.append(id)
                }
            }
        }
        for text in indexed.keys.sorted() where !stored.contains(text) {
            let id = try ArtifactID(stored: text)
            report.problems.append(
                .init(kind: .missing, id: id, message: "\(id): indexed, but its object is missing"))
        }
        return report
    }

    func unindexedObject(_ id: ArtifactID, maxSize: Int) throws(HandoffError) -> (
        bytes: [UInt8], writtenAt: Timestamp?
    ) {
        try read { connection in
            let rows = try connection.execute(
                "SELECT bytes, written_at::text FROM object WHERE id = $1", [id.description.pgValue],
                binaryResult: true)
            guard let bytes = rows.bytes(0, 0) else {
                throw HandoffError(.notFound, "no object \(id) in \(location)")
            }
            guard bytes.count <= maxSize else {
                throw HandoffError(
                    .invalidInput, "object \(id) is \(bytes.count) bytes, more than \(maxSize)")
            }
            let written = rows.bytes(0, 1).flatMap { Int64(String(decoding: $0, as: UTF8.self)) }
            return (bytes, written.map(Timestamp.init(millisecondsSince1970:)))
        }
    }

    func relistNextActions() throws(HandoffError) -> [ArtifactID] {
        try write { connection in
            try nextActionMismatches(in: connection).map { mismatch in
                try connection.execute(
                    "UPDATE artifact SET next_actions_json = $1 WHERE seq = $2",
                    [mismatch.rendered.pgValue, mismatch.seq.pgValue])
                return mismatch.id
            }
        }
    }

    /// The artifacts whose listed next actions differ from what their `next_action` rows render to.
    private func nextActionMismatches(in connection: PGConnection) throws -> [(
        seq: Int64, id: ArtifactID, rendered: String
    )] {
        let rows = try connection.execute(
            """
            SELECT a.seq, a.id, a.next_actions_json, n.action, n.source, n.inferred FROM artifact a
            LEFT JOIN next_action n ON n.artifact = a.seq ORDER BY a.seq, n.seq
            """)
        var mismatches: [(seq: Int64, id: ArtifactID, rendered: String)] = []
        var row = 0
        while row < rows.rowCount {
            let seq = rows.int(row, 0) ?? 0
            let listed = rows.string(row, 2) ?? ""
            var actions: [NextAction] = []
            let id = rows.string(row, 1) ?? ""
            while row < rows.rowCount, rows.int(row, 0) == seq {
                if let action = rows.string(row, 3) {
                    actions.append(
                        NextAction(
                            action: action, source: rows.string(row, 4) ?? "",
                            inferred: rows.bool(row, 5) ?? false))
                }
                row += 1
            }
            let rendered = String(decoding: JSONWriter.encode(.array(actions.map(\.json))), as: UTF8.self)
            if rendered != listed { mismatches.append((seq, try ArtifactID(stored: id), rendered)) }
        }
        return mismatches
    }
}
