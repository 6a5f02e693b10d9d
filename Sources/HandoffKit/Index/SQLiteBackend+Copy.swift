import HandoffJSON

/// Reading this store for `handoff copy`, and writing what another store holds into it.
extension SQLiteBackend {
    // MARK: Reading

    func copySchemas() throws(HandoffError) -> [CopiedSchema] {
        try schemaEntries().map { entry throws(HandoffError) in
            CopiedSchema(
                name: entry.name, bytes: try objects.read(entry.id, size: entry.size, maxSize: entry.size),
                id: entry.id, createdAt: entry.addedAt)
        }
    }

    func copySettings() throws(HandoffError) -> [(name: String, value: String)] {
        try read { db in
            try db.rows(sql: "SELECT name, value FROM setting ORDER BY name").map { row in
                (row[0] as String, row[1] as String)
            }
        }
    }

    func copyArtifacts(after cursor: CopyCursor?, limit: Int, maxBytes: Int) throws(HandoffError) -> (
        [CopiedArtifact], next: CopyCursor?
    ) {
        let rows: [(seq: Int64, info: ArtifactInfo, actions: [NextAction], parents: [ArtifactID])] = try read
        {
            db in
            try db.rows(
                sql: "SELECT \(Self.artifactColumns) FROM artifact a WHERE a.seq > ? ORDER BY a.seq LIMIT ?",
                arguments: [cursor ?? 0, limit]
            ).map { row in
                let seq: Int64 = row[0]
                let actions = try db.rows(
                    sql: "SELECT action, source, inferred FROM next_action WHERE artifact = ? ORDER BY rowid",
                    arguments: [seq]
                ).map { NextAction(action: $0[0], source: $0[1], inferred: $0[2]) }
                let parents = try db.values(
                    String.self,
                    sql: """
                        SELECT a.id FROM artifact_parent p JOIN artifact a ON a.seq = p.parent
                        WHERE p.child = ? ORDER BY a.seq
                        """, arguments: [seq]
                ).map { text throws(HandoffError) in try ArtifactID(stored: text) }
                return (seq, try Self.artifactInfo(row), actions, parents)
            }
        }
        var copied: [CopiedArtifact] = []
        var bytes = 0
        for row in rows {
            // A part holds at most `maxBytes`, but always one artifact, however large.
            if !copied.isEmpty && bytes + row.info.size > maxBytes { break }
            let content = try objects.read(row.info.id, size: row.info.size, maxSize: row.info.size)
            bytes += content.count
            copied.append(
                CopiedArtifact(info: row.info, bytes: content, nextActions: row.actions, parents: row.parents)
            )
        }
        let next = copied.isEmpty ? nil : rows[copied.count - 1].seq
        return (copied, next)
    }

    func copyHandoffs(after cursor: CopyCursor?, limit: Int) throws(HandoffError) -> (
        [CopiedHandoff], next: CopyCursor?
    ) {
        try read { db in
            var last: Int64?
            let handoffs = try db.rows(
                sql: """
                    SELECT \(Self.handoffColumns), h.lease_token FROM handoff h JOIN artifact a ON a.seq = h.artifact
                    WHERE h.seq > ? ORDER BY h.seq LIMIT ?
                    """, arguments: [cursor ?? 0, limit]
            ).map { row in
                let seq: Int64 = row[0]
                last = seq
                let events = try db.rows(
                    sql: """
                        SELECT kind, at, worker, attempt, lease_expires_at, note FROM handoff_event
                        WHERE handoff = ? ORDER BY seq
                        """, arguments: [seq]
                ).map { event in
                    let expiry: Int64? = event[4]
                    return HandoffEvent(
                        kind: event[0], at: Timestamp(millisecondsSince1970: event[1]), worker: event[2],
                        attempt: event[3], leaseExpiresAt: expiry.map(Timestamp.init(millisecondsSince1970:)),
                        note: event[5])
                }
                return CopiedHandoff(handoff: try Self.handoff(row), leaseToken: row[17], events: events)
            }
            return (handoffs, last)
        }
    }

    func copySessions(after cursor: CopyCursor?, limit: Int) throws(HandoffError) -> (
        [CopiedSession], next: CopyCursor?
    ) {
        try read { db in
            var last: Int64?
            let sessions = try db.rows(
                sql: """
                    SELECT \(Self.sessionColumns), s.holder, s.holder_token, s.held_until FROM work_session s
                    WHERE s.seq > ? ORDER BY s.seq LIMIT ?
                    """, arguments: [cursor ?? 0, limit]
            ).map { row in
                let seq: Int64 = row[0]
                last = seq
                let firstSteps = try db.rows(
                    sql:
                        "SELECT bot, first_step FROM work_session_bot WHERE session = ? ORDER BY first_step, bot",
                    arguments: [seq]
                ).map { (bot: $0[0] as String, step: $0[1] as Int) }
                let escalations = try db.rows(
                    sql: """
                        SELECT a.id, w.step FROM work_escalation w JOIN artifact a ON a.seq = w.artifact
                        WHERE w.session = ? ORDER BY w.step, a.id
                        """, arguments: [seq]
                ).map { row throws(HandoffError) in
                    (artifact: try ArtifactID(stored: row[0]), step: row[1] as Int)
                }
                let insights = try db.rows(
                    sql: """
                        SELECT \(Self.insightColumns) FROM insight i JOIN work_session s ON s.seq = i.session
                        WHERE i.session = ? ORDER BY i.seq
                        """, arguments: [seq]
                ).map(Self.insight)
                let heldUntil: Int64? = row[23]
                return CopiedSession(
                    info: try Self.sessionInfo(row), holder: row[21], holderToken: row[22],
                    heldUntil: heldUntil.map(Timestamp.init(millisecondsSince1970:)), firstSteps: firstSteps,
                    escalations: escalations, insights: insights)
            }
            return (sessions, last)
        }
    }

    func copyEntries(ofSession id: String, afterStep step: Int, limit: Int) throws(HandoffError)
        -> [WorkLogEntry]
    {
        try read { db in
            var entries: [WorkLogEntry] = []
            try db.cachedStatement(
                sql: """
                    SELECT \(Self.entryColumns) FROM work_entry e JOIN work_session s ON s.seq = e.session
                    WHERE s.id = ? AND e.step > ? ORDER BY e.step LIMIT ?
                    """
            ).forEachRow(arguments: [id, step, limit]) { row in
                entries.append(try Self.entry(row, from: 0))
                return true
            }
            return entries
        }
    }

    func lastCopiedStep(ofSession id: String) throws(HandoffError) -> Int {
        try read { db in
            try db.value(
                Int.self,
                sql: """
                    SELECT coalesce(max(e.step), 0) FROM work_entry e JOIN work_session s ON s.seq = e.session
                    WHERE s.id = ?
                    """, arguments: [id]) ?? 0
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
        try write { db in
            var counts = CopyCounts()
            for (name, value) in settings {
                let current = try db.value(
                    String.self, sql: "SELECT value FROM setting WHERE name = ?", arguments: [name])
                guard current != value else { continue }
                try db.run(
                    sql:
                        "INSERT INTO setting (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    arguments: [name, value])
                if current == nil { counts.added += 1 } else { counts.updated += 1 }
            }
            return counts
        }
    }

    func importCopiedArtifacts(_ artifacts: [CopiedArtifact]) throws(HandoffError) -> CopyCounts {
        try recording(artifacts.map { PreparedObject(bytes: $0.bytes, id: $0.info.id) }) {
            () throws(HandoffError) in
            try write { db in
                var counts = CopyCounts()
                for artifact in artifacts {
                    let info = artifact.info
                    if try db.value(
                        Int64.self, sql: "SELECT seq FROM artifact WHERE id = ?",
                        arguments: [info.id.description])
                        != nil
                    {
                        continue
                    }
                    try db.run(
                        sql: """
                            INSERT INTO artifact (id, schema, size, created_at, producer, workflow, workspace, validated,
                                next_actions_json)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            info.id.description, info.schema, info.size, info.createdAt.millisecondsSince1970,
                            info.producer, info.workflow, info.workspace, info.validated,
                            String(decoding: Self.renderedNextActions(artifact.nextActions), as: UTF8.self),
                        ])
                    let seq = db.lastInsertedRowID
                    for action in artifact.nextActions {
                        try db.run(
                            sql:
                                "INSERT OR IGNORE INTO next_action (artifact, action, source, inferred) VALUES (?, ?, ?, ?)",
                            arguments: [seq, action.action, action.source, action.inferred])
                    }
                    for parent in artifact.parents {
                        try db.run(
                            sql: """
                                INSERT OR IGNORE INTO artifact_parent (child, parent)
                                SELECT ?, seq FROM artifact WHERE id = ?
                                """,
                            arguments: [seq, parent.description])
                        if db.changesCount == 0 {
                            counts.unlinked.append(ArtifactLink(child: info.id, parent: parent))
                        }
                    }
                    counts.added += 1
                    counts.bytes += artifact.bytes.count
                }
                return counts
            }
        }
    }

    func importCopiedLinks(_ links: [ArtifactLink]) throws(HandoffError) {
        try write { db in
            for link in links {
                guard
                    let child = try db.value(
                        Int64.self, sql: "SELECT seq FROM artifact WHERE id = ?",
                        arguments: [link.child.description]),
                    let parent = try db.value(
                        Int64.self, sql: "SELECT seq FROM artifact WHERE id = ?",
                        arguments: [link.parent.description])
                else {
                    throw HandoffError(.io, "copying \(link.child): its parent \(link.parent) was not copied")
                }
                try db.run(
                    sql: "INSERT OR IGNORE INTO artifact_parent (child, parent) VALUES (?, ?)",
                    arguments: [child, parent])
            }
        }
    }

    func importCopiedHandoffs(_ handoffs: [CopiedHandoff]) throws(HandoffError) -> CopyCounts {
        try write { db in
            var counts = CopyCounts()
            for copied in handoffs {
                let handoff = copied.handoff
                let routedFrom: Int64? = try handoff.routedFrom.flatMap { id in
                    try db.value(Int64.self, sql: "SELECT seq FROM handoff WHERE id = ?", arguments: [id])
                }
                let values: StatementArguments = [
                    handoff.state.rawValue, handoff.attempts, handoff.updatedAt.millisecondsSince1970,
                    handoff.availableAt.millisecondsSince1970, handoff.leaseExpiresAt?.millisecondsSince1970,
                    copied.leaseToken, handoff.worker, handoff.note,
                ]
                let seq: Int64
                if let existing = try db.row(
                    sql: "SELECT seq, updated_at FROM handoff WHERE id = ?", arguments: [handoff.id])
                {
                    seq = existing[0]
                    let updatedAt: Int64 = existing[1]
                    // Only what the source changed since it was last copied.
                    guard handoff.updatedAt.millisecondsSince1970 > updatedAt else { continue }
                    try db.run(
                        sql: """
                            UPDATE handoff SET state = ?, attempts = ?, updated_at = ?, available_at = ?,
                                lease_expires_at = ?, lease_token = ?, worker = ?, note = ? WHERE seq = ?
                            """, arguments: values + [seq])
                    counts.updated += 1
                } else {
                    guard
                        let artifact = try db.value(
                            Int64.self, sql: "SELECT seq FROM artifact WHERE id = ?",
                            arguments: [handoff.artifactID.description])
                    else {
                        throw HandoffError(
                            .io,
                            "copying handoff \(handoff.id): its artifact \(handoff.artifactID) was not copied"
                        )
                    }
                    try db.run(
                        sql: """
                            INSERT INTO handoff (state, attempts, updated_at, available_at, lease_expires_at, lease_token,
                                worker, note, id, artifact, producer, consumer, workflow, workspace, created_at,
                                routed_from)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: values + [
                            handoff.id, artifact, handoff.producer, handoff.consumer, handoff.workflow,
                            handoff.workspace, handoff.createdAt.millisecondsSince1970, routedFrom,
                        ])
                    seq = db.lastInsertedRowID
                    counts.added += 1
                }
                // Events are only ever added: those past the ones this store has are the source's later ones.
                let known =
                    try db.value(
                        Int.self, sql: "SELECT count(*) FROM handoff_event WHERE handoff = ?",
                        arguments: [seq])
                    ?? 0
                for event in copied.events.dropFirst(known) {
                    try addEvent(
                        seq, event.kind, at: event.at, worker: event.worker, attempt: event.attempt,
                        leaseExpiresAt: event.leaseExpiresAt, note: event.note, in: db)
                }
            }
            return counts
        }
    }

    func importCopiedSession(_ copied: CopiedSession) throws(HandoffError) -> CopyCounts {
        let info = copied.info
        return try write { db in
            func artifactSeq(_ id: ArtifactID?) throws -> Int64? {
                guard let id else { return nil }
                guard
                    let seq = try db.value(
                        Int64.self, sql: "SELECT seq FROM artifact WHERE id = ?", arguments: [id.description])
                else {
                    throw HandoffError(
                        .io, "copying work session \(info.id): its artifact \(id) was not copied")
                }
                return seq
            }
            let state: StatementArguments = [
                info.endedAt?.millisecondsSince1970, info.lastEntryAt?.millisecondsSince1970, info.steps,
                info.errors,
                info.escalations, info.finalOutput, info.summary, try artifactSeq(info.sessionArtifact),
                try artifactSeq(info.workLogArtifact), copied.holder, copied.holderToken,
                copied.heldUntil?.millisecondsSince1970,
            ]
            var counts = CopyCounts()
            let seq: Int64
            if let existing = try db.value(
                Int64.self, sql: "SELECT seq FROM work_session WHERE id = ?", arguments: [info.id])
            {
                seq = existing
                try db.run(
                    sql: """
                        UPDATE work_session SET ended_at = ?, last_entry_at = ?, steps = ?, errors = ?, escalations = ?,
                            final_output = ?, summary = ?, session_artifact = ?, work_log_artifact = ?, holder = ?,
                            holder_token = ?, held_until = ?
                        WHERE seq = ? AND NOT (ended_at IS ? AND last_entry_at IS ? AND steps = ? AND errors = ?
                            AND escalations = ? AND final_output IS ? AND summary IS ? AND session_artifact IS ?
                            AND work_log_artifact IS ? AND holder IS ? AND holder_token IS ? AND held_until IS ?)
                        """, arguments: state + [seq] + state)
                if db.changesCount > 0 { counts.updated += 1 }
            } else {
                let start = info.start
                try db.run(
                    sql: """
                        INSERT INTO work_session (ended_at, last_entry_at, steps, errors, escalations, final_output,
                            summary, session_artifact, work_log_artifact, holder, holder_token, held_until, id,
                            workspace, workspace_type, query, bot, participants, coordinator, workflow, stepwise,
                            started_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: state + [
                        info.id, start.workspace, start.workspaceType.rawValue, start.query, start.bot,
                        Self.jsonText(.array(start.participants.map(JSONValue.string))), start.coordinator,
                        start.workflow, info.stepwise, info.startedAt.millisecondsSince1970,
                    ])
                seq = db.lastInsertedRowID
                counts.added += 1
            }
            for (bot, step) in copied.firstSteps {
                try db.run(
                    sql: "INSERT OR IGNORE INTO work_session_bot (bot, session, first_step) VALUES (?, ?, ?)",
                    arguments: [bot, seq, step])
            }
            for (artifact, step) in copied.escalations {
                try db.run(
                    sql: """
                        INSERT OR IGNORE INTO work_escalation (artifact, session, step)
                        SELECT seq, ?, ? FROM artifact WHERE id = ?
                        """,
                    arguments: [seq, step, artifact.description])
            }
            for insight in copied.insights {
                let decision: StatementArguments = [
                    insight.state.rawValue, insight.decidedAt?.millisecondsSince1970, insight.note,
                    try artifactSeq(insight.artifact),
                ]
                if try db.value(
                    Int64.self, sql: "SELECT seq FROM insight WHERE id = ?", arguments: [insight.id]) != nil
                {
                    try db.run(
                        sql: """
                            UPDATE insight SET state = ?, decided_at = ?, note = ?, artifact = ?
                            WHERE id = ? AND NOT (state = ? AND decided_at IS ? AND note IS ? AND artifact IS ?)
                            """, arguments: decision + [insight.id] + decision)
                } else {
                    try db.run(
                        sql: """
                            INSERT INTO insight (state, decided_at, note, artifact, id, session, step, bot, category,
                                confidence, content, applies_to, learnt_at, queued_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: decision + [
                            insight.id, seq, insight.step, insight.bot, insight.category, insight.confidence,
                            insight.content, Self.jsonText(.array(insight.appliesTo.map(JSONValue.string))),
                            insight.learntAt.millisecondsSince1970, insight.queuedAt.millisecondsSince1970,
                        ])
                }
            }
            return counts
        }
    }

    func importCopiedEntries(_ entries: [WorkLogEntry], session id: String) throws(HandoffError) -> CopyCounts
    {
        try write { db in
            guard
                let session = try db.row(
                    sql: "SELECT seq, bot FROM work_session WHERE id = ?", arguments: [id])
            else {
                throw HandoffError(
                    .io, "copying the entries of work session \(id): the session was not copied")
            }
            let seq: Int64 = session[0]
            let last =
                try db.value(
                    Int.self, sql: "SELECT coalesce(max(step), 0) FROM work_entry WHERE session = ?",
                    arguments: [seq])
                ?? 0
            let inserter = try EntryInserter(db)
            var counts = CopyCounts()
            for entry in entries where entry.step > last {
                try inserter.insert(entry, session: seq, sessionBot: session[1])
                counts.added += 1
            }
            return counts
        }
    }
}
