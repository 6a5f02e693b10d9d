import HandoffJSON
import HandoffKit

/// Reading this store for `handoff copy`, and writing what another store holds into it.
extension PostgresBackend {
    // MARK: Reading

    func copySchemas() throws(HandoffError) -> [CopiedSchema] {
        try read { connection in
            let rows = try connection.execute(
                """
                SELECT s.name, s.object, s.created_at, o.bytes FROM schema_entry s JOIN object o ON o.id = s.object
                ORDER BY s.name
                """, binaryResult: true)
            return try (0..<rows.rowCount).map { row throws(HandoffError) in
                CopiedSchema(
                    name: String(decoding: rows.bytes(row, 0) ?? [], as: UTF8.self),
                    bytes: rows.bytes(row, 3) ?? [],
                    id: try ArtifactID(stored: String(decoding: rows.bytes(row, 1) ?? [], as: UTF8.self)),
                    createdAt: Timestamp(millisecondsSince1970: Self.bigEndian(rows.bytes(row, 2))))
            }
        }
    }

    /// A `bigint` of a binary result.
    private static func bigEndian(_ bytes: [UInt8]?) -> Int64 {
        (bytes ?? []).reduce(0) { $0 << 8 | Int64($1) }
    }

    func copySettings() throws(HandoffError) -> [(name: String, value: String)] {
        try read { connection in
            let rows = try connection.execute("SELECT name, value FROM setting ORDER BY name")
            return (0..<rows.rowCount).map { (rows.string($0, 0) ?? "", rows.string($0, 1) ?? "") }
        }
    }

    func copyArtifacts(after cursor: CopyCursor?, limit: Int, maxBytes: Int) throws(HandoffError) -> (
        [CopiedArtifact], next: CopyCursor?
    ) {
        try read { connection in
            // The sizes first, so that a part stops at `maxBytes` before any bytes are read.
            let rows = try connection.execute(
                """
                SELECT \(Self.artifactColumns), a.next_actions_json,
                    (SELECT string_agg(p.id, ',' ORDER BY p.seq) FROM artifact_parent ap
                        JOIN artifact p ON p.seq = ap.parent WHERE ap.child = a.seq)
                FROM artifact a WHERE a.seq > $1 ORDER BY a.seq LIMIT $2
                """, [(cursor ?? 0).pgValue, limit.pgValue])
            var copied: [CopiedArtifact] = []
            var bytes = 0
            var last: Int64?
            for row in 0..<rows.rowCount {
                let info = try Self.artifactInfo(rows, row)
                if !copied.isEmpty && bytes + info.size > maxBytes { break }
                let content =
                    try connection.execute(
                        "SELECT bytes FROM object WHERE id = $1", [info.id.description.pgValue],
                        binaryResult: true
                    ).bytes(0, 0)
                guard let content else {
                    throw HandoffError(
                        .io, "\(info.id): indexed, but its object is missing", hint: "run `handoff verify`")
                }
                let actions = try connection.execute(
                    "SELECT action, source, inferred FROM next_action WHERE artifact = $1 ORDER BY seq",
                    [rows.int(row, 0).pgValue])
                let parents = try (rows.string(row, 10)?.split(separator: ",") ?? []).map {
                    text throws(HandoffError) in try ArtifactID(stored: String(text))
                }
                bytes += content.count
                last = rows.int(row, 0)
                copied.append(
                    CopiedArtifact(
                        info: info, bytes: content,
                        nextActions: (0..<actions.rowCount).map {
                            NextAction(
                                action: actions.string($0, 0) ?? "", source: actions.string($0, 1) ?? "",
                                inferred: actions.bool($0, 2) ?? false)
                        }, parents: parents))
            }
            return (copied, last)
        }
    }

    func copyHandoffs(after cursor: CopyCursor?, limit: Int) throws(HandoffError) -> (
        [CopiedHandoff], next: CopyCursor?
    ) {
        try read { connection in
            let rows = try connection.execute(
                """
                SELECT \(Self.handoffColumns), h.lease_token FROM handoff h JOIN artifact a ON a.seq = h.artifact
                WHERE h.seq > $1 ORDER BY h.seq LIMIT $2
                """, [(cursor ?? 0).pgValue, limit.pgValue])
            var copied: [CopiedHandoff] = []
            for row in 0..<rows.rowCount {
                let events = try connection.execute(
                    """
                    SELECT kind, at, worker, attempt, lease_expires_at, note FROM handoff_event WHERE handoff = $1
                    ORDER BY seq
                    """, [rows.int(row, 0).pgValue])
                copied.append(
                    CopiedHandoff(
                        handoff: try Self.handoff(rows, row), leaseToken: rows.string(row, 17),
                        events: (0..<events.rowCount).map { event in
                            HandoffEvent(
                                kind: events.string(event, 0) ?? "",
                                at: Timestamp(millisecondsSince1970: events.int(event, 1) ?? 0),
                                worker: events.string(event, 2), attempt: events.int(event, 3).map(Int.init),
                                leaseExpiresAt: events.int(event, 4).map(
                                    Timestamp.init(millisecondsSince1970:)),
                                note: events.string(event, 5))
                        }))
            }
            return (copied, rows.rowCount > 0 ? rows.int(rows.rowCount - 1, 0) : nil)
        }
    }

    func copySessions(after cursor: CopyCursor?, limit: Int) throws(HandoffError) -> (
        [CopiedSession], next: CopyCursor?
    ) {
        try read { connection in
            let rows = try connection.execute(
                """
                SELECT \(Self.sessionColumns), s.holder, s.holder_token, s.held_until FROM work_session s
                WHERE s.seq > $1 ORDER BY s.seq LIMIT $2
                """, [(cursor ?? 0).pgValue, limit.pgValue])
            var copied: [CopiedSession] = []
            for row in 0..<rows.rowCount {
                let seq = rows.int(row, 0).pgValue
                let bots = try connection.execute(
                    "SELECT bot, first_step FROM work_session_bot WHERE session = $1 ORDER BY first_step, bot",
                    [seq])
                let escalations = try connection.execute(
                    """
                    SELECT a.id, w.step FROM work_escalation w JOIN artifact a ON a.seq = w.artifact
                    WHERE w.session = $1 ORDER BY w.step, a.id
                    """, [seq])
                let insights = try connection.execute(
                    """
                    SELECT \(Self.insightColumns) FROM insight i JOIN work_session s ON s.seq = i.session
                    WHERE i.session = $1 ORDER BY i.seq
                    """, [seq])
                copied.append(
                    CopiedSession(
                        info: try Self.sessionInfo(rows, row), holder: rows.string(row, 21),
                        holderToken: rows.string(row, 22),
                        heldUntil: rows.int(row, 23).map(Timestamp.init(millisecondsSince1970:)),
                        firstSteps: (0..<bots.rowCount).map {
                            (bot: bots.string($0, 0) ?? "", step: Int(bots.int($0, 1) ?? 0))
                        },
                        escalations: try (0..<escalations.rowCount).map { escalation throws(HandoffError) in
                            (
                                artifact: try ArtifactID(stored: escalations.string(escalation, 0) ?? ""),
                                step: Int(escalations.int(escalation, 1) ?? 0)
                            )
                        },
                        insights: try (0..<insights.rowCount).map { insight throws(HandoffError) in
                            try Self.insight(insights, insight)
                        }))
            }
            return (copied, rows.rowCount > 0 ? rows.int(rows.rowCount - 1, 0) : nil)
        }
    }

    func copyEntries(ofSession id: String, afterStep step: Int, limit: Int) throws(HandoffError)
        -> [WorkLogEntry]
    {
        try read { connection in
            let rows = try connection.execute(
                """
                SELECT \(Self.entryColumns) FROM work_entry e JOIN work_session s ON s.seq = e.session
                WHERE s.id = $1 AND e.step > $2 ORDER BY e.step LIMIT $3
                """, [id.pgValue, step.pgValue, limit.pgValue])
            return try (0..<rows.rowCount).map { row throws(HandoffError) in try Self.entry(rows, row) }
        }
    }

    func lastCopiedStep(ofSession id: String) throws(HandoffError) -> Int {
        try read { connection in
            Int(
                try connection.execute(
                    """
                    SELECT coalesce(max(e.step), 0) FROM work_entry e JOIN work_session s ON s.seq = e.session
                    WHERE s.id = $1
                    """, [id.pgValue]
                ).int(0, 0) ?? 0)
        }
    }

    // MARK: Writing

    func importCopiedSchemas(_ schemas: [CopiedSchema]) throws(HandoffError) -> CopyCounts {
        var counts = CopyCounts()
        for schema in schemas {
            let existed = try addSchema(
                name: schema.name, object: PreparedObject(bytes: schema.bytes, id: schema.id),
                at: schema.createdAt)
            if !existed { counts.added += 1 }
        }
        return counts
    }

    func importCopiedSettings(_ settings: [(name: String, value: String)]) throws(HandoffError) -> CopyCounts
    {
        try write { connection in
            var counts = CopyCounts()
            for (name, value) in settings {
                let current = try connection.execute(
                    "SELECT value FROM setting WHERE name = $1", [name.pgValue]
                ).string(0, 0)
                guard current != value else { continue }
                try connection.execute(
                    """
                    INSERT INTO setting (name, value) VALUES ($1, $2)
                    ON CONFLICT (name) DO UPDATE SET value = excluded.value
                    """, [name.pgValue, value.pgValue])
                if current == nil { counts.added += 1 } else { counts.updated += 1 }
            }
            return counts
        }
    }

    func importCopiedArtifacts(_ artifacts: [CopiedArtifact]) throws(HandoffError) -> CopyCounts {
        try write { connection in
            try excludeCollection(connection)
            var counts = CopyCounts()
            for artifact in artifacts {
                let info = artifact.info
                try writeObject(
                    PreparedObject(bytes: artifact.bytes, id: info.id), at: info.createdAt, in: connection)
                let inserted = try connection.execute(
                    """
                    INSERT INTO artifact (id, schema, size, created_at, producer, workflow, workspace, validated,
                        next_actions_json)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING seq
                    """,
                    [
                        info.id.description.pgValue, info.schema.pgValue, info.size.pgValue,
                        info.createdAt.millisecondsSince1970.pgValue, info.producer.pgValue,
                        info.workflow.pgValue,
                        info.workspace.pgValue, info.validated.pgValue,
                        String(
                            decoding: JSONWriter.encode(.array(artifact.nextActions.map(\.json))),
                            as: UTF8.self
                        )
                        .pgValue,
                    ])
                guard let seq = inserted.int(0, 0) else { continue }
                for action in artifact.nextActions {
                    try connection.execute(
                        """
                        INSERT INTO next_action (artifact, action, source, inferred) VALUES ($1, $2, $3, $4)
                        ON CONFLICT DO NOTHING
                        """,
                        [seq.pgValue, action.action.pgValue, action.source.pgValue, action.inferred.pgValue])
                }
                for parent in artifact.parents {
                    let linked = try connection.execute(
                        """
                        INSERT INTO artifact_parent (child, parent) SELECT $1, seq FROM artifact WHERE id = $2
                        ON CONFLICT DO NOTHING
                        """, [seq.pgValue, parent.description.pgValue])
                    if linked.affectedRows == 0 {
                        counts.unlinked.append(ArtifactLink(child: info.id, parent: parent))
                    }
                }
                counts.added += 1
                counts.bytes += artifact.bytes.count
            }
            return counts
        }
    }

    func importCopiedLinks(_ links: [ArtifactLink]) throws(HandoffError) {
        try write { connection in
            for link in links {
                let linked = try connection.execute(
                    """
                    INSERT INTO artifact_parent (child, parent)
                    SELECT c.seq, p.seq FROM artifact c, artifact p WHERE c.id = $1 AND p.id = $2
                    ON CONFLICT DO NOTHING RETURNING child
                    """, [link.child.description.pgValue, link.parent.description.pgValue])
                if linked.rowCount == 0 {
                    let present = try connection.execute(
                        "SELECT count(*) FROM artifact WHERE id IN ($1, $2)",
                        [link.child.description.pgValue, link.parent.description.pgValue])
                    guard present.int(0, 0) == 2 else {
                        throw HandoffError(
                            .io, "copying \(link.child): its parent \(link.parent) was not copied")
                    }
                }
            }
        }
    }

    func importCopiedHandoffs(_ handoffs: [CopiedHandoff]) throws(HandoffError) -> CopyCounts {
        try write { connection in
            var counts = CopyCounts()
            var announced = Set<String>()
            for copied in handoffs {
                let handoff = copied.handoff
                let values: [PGValue?] = [
                    handoff.state.rawValue.pgValue, handoff.attempts.pgValue,
                    handoff.updatedAt.millisecondsSince1970.pgValue,
                    handoff.availableAt.millisecondsSince1970.pgValue,
                    handoff.leaseExpiresAt?.millisecondsSince1970.pgValue, copied.leaseToken.pgValue,
                    handoff.worker.pgValue, handoff.note.pgValue,
                ]
                let seq: Int64
                let existing = try connection.execute(
                    "SELECT seq, updated_at FROM handoff WHERE id = $1 FOR UPDATE", [handoff.id.pgValue])
                if let found = existing.int(0, 0) {
                    seq = found
                    // Only what the source changed since it was last copied.
                    guard handoff.updatedAt.millisecondsSince1970 > existing.int(0, 1) ?? 0 else { continue }
                    try connection.execute(
                        """
                        UPDATE handoff SET state = $1, attempts = $2, updated_at = $3, available_at = $4,
                            lease_expires_at = $5, lease_token = $6, worker = $7, note = $8 WHERE seq = $9
                        """, values + [seq.pgValue])
                    counts.updated += 1
                } else {
                    let inserted = try connection.execute(
                        """
                        INSERT INTO handoff (state, attempts, updated_at, available_at, lease_expires_at, lease_token,
                            worker, note, id, artifact, producer, consumer, workflow, workspace, created_at,
                            routed_from)
                        SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, a.seq, $11, $12, $13, $14, $15,
                            (SELECT seq FROM handoff WHERE id = $16)
                        FROM artifact a WHERE a.id = $10
                        RETURNING seq
                        """,
                        values + [
                            handoff.id.pgValue, handoff.artifactID.description.pgValue,
                            handoff.producer.pgValue,
                            handoff.consumer.pgValue, handoff.workflow.pgValue, handoff.workspace.pgValue,
                            handoff.createdAt.millisecondsSince1970.pgValue, handoff.routedFrom.pgValue,
                        ])
                    guard let found = inserted.int(0, 0) else {
                        throw HandoffError(
                            .io,
                            "copying handoff \(handoff.id): its artifact \(handoff.artifactID) was not copied"
                        )
                    }
                    seq = found
                    counts.added += 1
                }
                // Events are only ever added: those past the ones this store has are the source's later ones.
                let known = Int(
                    try connection.execute(
                        "SELECT count(*) FROM handoff_event WHERE handoff = $1", [seq.pgValue]
                    )
                    .int(0, 0) ?? 0)
                for event in copied.events.dropFirst(known) {
                    try addEvent(
                        seq, event.kind, at: event.at, worker: event.worker, attempt: event.attempt,
                        leaseExpiresAt: event.leaseExpiresAt, note: event.note, in: connection)
                }
                // Workers waiting on this store hear of what became claimable.
                if handoff.state == .pending && announced.insert(handoff.consumer).inserted {
                    try announce(handoff.consumer, in: connection)
                }
            }
            return counts
        }
    }

    func importCopiedSession(_ copied: CopiedSession) throws(HandoffError) -> CopyCounts {
        let info = copied.info
        return try write { connection in
            try excludeCollection(connection)
            func artifactSeq(_ id: ArtifactID?) throws -> PGValue? {
                guard let id else { return nil }
                guard
                    let seq = try connection.execute(
                        "SELECT seq FROM artifact WHERE id = $1", [id.description.pgValue]
                    ).int(0, 0)
                else {
                    throw HandoffError(
                        .io, "copying work session \(info.id): its artifact \(id) was not copied")
                }
                return seq.pgValue
            }
            let state: [PGValue?] = [
                info.endedAt?.millisecondsSince1970.pgValue, info.lastEntryAt?.millisecondsSince1970.pgValue,
                info.steps.pgValue, info.errors.pgValue, info.escalations.pgValue, info.finalOutput.pgValue,
                info.summary.pgValue, try artifactSeq(info.sessionArtifact),
                try artifactSeq(info.workLogArtifact),
                copied.holder.pgValue, copied.holderToken.pgValue,
                copied.heldUntil?.millisecondsSince1970.pgValue,
            ]
            var counts = CopyCounts()
            let seq: Int64
            if let existing = try connection.execute(
                "SELECT seq FROM work_session WHERE id = $1 FOR UPDATE", [info.id.pgValue]
            ).int(0, 0) {
                seq = existing
                let updated = try connection.execute(
                    """
                    UPDATE work_session SET ended_at = $1, last_entry_at = $2, steps = $3, errors = $4,
                        escalations = $5, final_output = $6, summary = $7, session_artifact = $8,
                        work_log_artifact = $9, holder = $10, holder_token = $11, held_until = $12
                    WHERE seq = $13 AND (ended_at, last_entry_at, steps, errors, escalations, final_output, summary,
                        session_artifact, work_log_artifact, holder, holder_token, held_until)
                        IS DISTINCT FROM ($1::bigint, $2::bigint, $3::integer, $4::integer, $5::integer, $6::text,
                            $7::text, $8::bigint, $9::bigint, $10::text, $11::text, $12::bigint)
                    """, state + [seq.pgValue])
                if updated.affectedRows > 0 { counts.updated += 1 }
            } else {
                let start = info.start
                let inserted = try connection.execute(
                    """
                    INSERT INTO work_session (ended_at, last_entry_at, steps, errors, escalations, final_output,
                        summary, session_artifact, work_log_artifact, holder, holder_token, held_until, id,
                        workspace, workspace_type, query, bot, participants, coordinator, workflow, stepwise,
                        started_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
                        $20, $21, $22)
                    RETURNING seq
                    """,
                    state + [
                        info.id.pgValue, start.workspace.pgValue, start.workspaceType.rawValue.pgValue,
                        start.query.pgValue, start.bot.pgValue,
                        Self.jsonText(.array(start.participants.map(JSONValue.string))).pgValue,
                        start.coordinator.pgValue, start.workflow.pgValue, info.stepwise.pgValue,
                        info.startedAt.millisecondsSince1970.pgValue,
                    ])
                seq = inserted.int(0, 0) ?? 0
                counts.added += 1
            }
            for (bot, step) in copied.firstSteps {
                try connection.execute(
                    """
                    INSERT INTO work_session_bot (bot, session, first_step) VALUES ($1, $2, $3)
                    ON CONFLICT DO NOTHING
                    """, [bot.pgValue, seq.pgValue, step.pgValue])
            }
            for (artifact, step) in copied.escalations {
                try connection.execute(
                    """
                    INSERT INTO work_escalation (artifact, session, step)
                    SELECT seq, $1, $2 FROM artifact WHERE id = $3 ON CONFLICT DO NOTHING
                    """, [seq.pgValue, step.pgValue, artifact.description.pgValue])
            }
            for insight in copied.insights {
                let decision: [PGValue?] = [
                    insight.state.rawValue.pgValue, insight.decidedAt?.millisecondsSince1970.pgValue,
                    insight.note.pgValue, try artifactSeq(insight.artifact),
                ]
                try connection.execute(
                    """
                    INSERT INTO insight (state, decided_at, note, artifact, id, session, step, bot, category,
                        confidence, content, applies_to, learnt_at, queued_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                    ON CONFLICT (id) DO UPDATE SET state = excluded.state, decided_at = excluded.decided_at,
                        note = excluded.note, artifact = excluded.artifact
                    WHERE (insight.state, insight.decided_at, insight.note, insight.artifact)
                        IS DISTINCT FROM (excluded.state, excluded.decided_at, excluded.note, excluded.artifact)
                    """,
                    decision + [
                        insight.id.pgValue, seq.pgValue, insight.step.pgValue, insight.bot.pgValue,
                        insight.category.pgValue, insight.confidence.pgValue, insight.content.pgValue,
                        Self.jsonText(.array(insight.appliesTo.map(JSONValue.string))).pgValue,
                        insight.learntAt.millisecondsSince1970.pgValue,
                        insight.queuedAt.millisecondsSince1970.pgValue,
                    ])
            }
            return counts
        }
    }

    func importCopiedEntries(_ entries: [WorkLogEntry], session id: String) throws(HandoffError) -> CopyCounts
    {
        try write { connection in
            let session = try connection.execute(
                "SELECT seq, bot FROM work_session WHERE id = $1 FOR UPDATE", [id.pgValue])
            guard let seq = session.int(0, 0), let bot = session.string(0, 1) else {
                throw HandoffError(
                    .io, "copying the entries of work session \(id): the session was not copied")
            }
            let last = Int(
                try connection.execute(
                    "SELECT coalesce(max(step), 0) FROM work_entry WHERE session = $1", [seq.pgValue]
                ).int(0, 0) ?? 0)
            var counts = CopyCounts()
            for entry in entries where entry.step > last {
                try insert(entry, session: seq, sessionBot: bot, in: connection)
                counts.added += 1
            }
            return counts
        }
    }
}
