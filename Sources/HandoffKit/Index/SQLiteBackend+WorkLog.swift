import HandoffJSON

/// Work sessions and their entries, the full-text index over them, escalations, insights and settings.
extension SQLiteBackend {
    // MARK: Sessions

    func createSession(
        id: String, start: WorkSessionStart, stepwise: Bool, at time: Timestamp, holder: SessionHolder? = nil
    )
        throws(HandoffError) -> WorkSessionInfo
    {
        try write { db in
            if try db.value(Int64.self, sql: "SELECT seq FROM work_session WHERE id = ?", arguments: [id])
                != nil
            {
                throw HandoffError(.conflict, "a work session \(quotedForMessage(id)) already exists")
            }
            try db.run(
                sql: """
                    INSERT INTO work_session (id, workspace, workspace_type, query, bot, participants, coordinator,
                        workflow, stepwise, started_at, holder, holder_token, held_until)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    id, start.workspace, start.workspaceType.rawValue, start.query, start.bot,
                    Self.jsonText(.array(start.participants.map(JSONValue.string))), start.coordinator,
                    start.workflow, stepwise, time.millisecondsSince1970, holder?.description, holder?.token,
                    holder.map { _ in time.millisecondsSince1970 + SessionHolder.leaseMilliseconds },
                ])
            try db.run(
                sql:
                    "INSERT INTO work_session_bot (bot, session, first_step) VALUES (?, last_insert_rowid(), 0)",
                arguments: [start.bot])
            return try session(id: id, in: db)!
        }
    }

    func session(id: String) throws(HandoffError) -> WorkSessionInfo? {
        try read { db in try session(id: id, in: db) }
    }

    /// The session whose work log or raw record is this artifact.
    func session(producing artifact: ArtifactID) throws(HandoffError) -> WorkSessionInfo? {
        try read { db in
            guard
                let seq = try db.value(
                    Int64.self, sql: "SELECT seq FROM artifact WHERE id = ?",
                    arguments: [artifact.description])
            else { return nil }
            return try db.row(
                sql: "SELECT \(Self.sessionColumns) FROM work_session s WHERE s.work_log_artifact = ?"
                    + " UNION ALL SELECT \(Self.sessionColumns) FROM work_session s WHERE s.session_artifact = ?"
                    + " LIMIT 1",
                arguments: [seq, seq]
            ).map(Self.sessionInfo)
        }
    }

    private func session(id: String, in db: Database) throws -> WorkSessionInfo? {
        try db.row(
            sql: "SELECT \(Self.sessionColumns) FROM work_session s WHERE s.id = ?", arguments: [id]
        ).map(Self.sessionInfo)
    }

    /// Sessions matching the filter, most recently started first.
    func sessions(_ filter: WorkSessionFilter) throws(HandoffError) -> [WorkSessionInfo] {
        var conditions = Conditions()
        conditions.add("s.workspace = ?", filter.workspace)
        conditions.add("s.workspace_type = ?", filter.workspaceType?.rawValue)
        conditions.add("s.started_at >= ?", filter.since?.millisecondsSince1970)
        conditions.add(
            "EXISTS (SELECT 1 FROM work_session_bot b WHERE b.bot = ? AND b.session = s.seq)", filter.bot)
        var arguments = conditions.arguments
        var sql =
            "SELECT \(Self.sessionColumns) FROM work_session s" + conditions.sql
            + " ORDER BY s.started_at DESC, s.seq DESC"
        sql += " LIMIT ? OFFSET ?"
        arguments += [filter.limit ?? -1, filter.offset]
        return try read { db in try db.rows(sql: sql, arguments: arguments).map(Self.sessionInfo) }
    }

    /// The entries of a session in step order, optionally only those one bot recorded.
    func entries(ofSession id: String, bot: String? = nil) throws(HandoffError) -> [WorkLogEntry] {
        try read { db in try entries(ofSession: id, bot: bot, in: db) }
    }

    private func entries(ofSession id: String, bot: String?, in db: Database) throws -> [WorkLogEntry] {
        var sql =
            "SELECT \(Self.entryColumns) FROM work_entry e JOIN work_session s ON s.seq = e.session WHERE s.id = ?"
        var arguments: StatementArguments = [id]
        if let bot {
            sql += " AND e.bot = ?"
            arguments += [bot]
        }
        var entries: [WorkLogEntry] = []
        try db.cachedStatement(sql: sql + " ORDER BY e.step").forEachRow(arguments: arguments) { row in
            entries.append(try Self.entry(row, from: 0))
            return true
        }
        return entries
    }

    /// Creates a session with all its entries (numbered and timed already) in one transaction, unless a
    /// session with this id exists; returns whether it created it.
    func importSession(id: String, start: WorkSessionStart, at time: Timestamp, entries: [WorkLogEntry])
        throws(HandoffError) -> Bool
    {
        try write { db in
            if try db.value(Int64.self, sql: "SELECT seq FROM work_session WHERE id = ?", arguments: [id])
                != nil
            {
                return false
            }
            try db.run(
                sql: """
                    INSERT INTO work_session (id, workspace, workspace_type, query, bot, participants, coordinator,
                        workflow, stepwise, started_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
                    """,
                arguments: [
                    id, start.workspace, start.workspaceType.rawValue, start.query, start.bot,
                    Self.jsonText(.array(start.participants.map(JSONValue.string))), start.coordinator,
                    start.workflow, time.millisecondsSince1970,
                ])
            let seq = db.lastInsertedRowID
            try db.run(
                sql: "INSERT INTO work_session_bot (bot, session, first_step) VALUES (?, ?, 0)",
                arguments: [start.bot, seq])
            let inserter = try EntryInserter(db)
            for entry in entries { try inserter.insert(entry, session: seq, sessionBot: start.bot) }
            try count(entries, in: seq, db: db)
            return true
        }
    }

    // MARK: Entries

    /// Entries for sessions a recorder streams (steps already numbered), with the escalation artifacts they
    /// raised, in one transaction after the escalations' objects are durable.
    ///
    /// - Parameter holder: The token of the recorder writing them: its lease on each session is renewed.
    func append(
        _ batch: [(session: String, entries: [WorkLogEntry])], escalations: [EscalationPut],
        at now: Timestamp,
        holder: String? = nil
    )
        throws(HandoffError)
    {
        try recording(escalations.map(\.put.object)) { () throws(HandoffError) in
            try appendRows(batch, escalations: escalations, at: now, holder: holder)
        }
    }

    private func appendRows(
        _ batch: [(session: String, entries: [WorkLogEntry])], escalations: [EscalationPut],
        at now: Timestamp, holder: String?
    ) throws(HandoffError) {
        try write { db in
            var sessions: [String: Int64] = [:]
            for (id, entries) in batch where !entries.isEmpty {
                let session = try openSession(id, in: db)
                guard !session.stepwise else {
                    throw HandoffError(
                        .conflict, "work session \(quotedForMessage(id)) takes entries one by one")
                }
                for entry in entries {
                    try insert(entry, session: session.seq, sessionBot: session.bot, in: db)
                }
                try count(entries, in: session.seq, db: db)
                if let holder { try renew(session.seq, holder: holder, at: now, in: db) }
                sessions[id] = session.seq
            }
            for escalation in escalations {
                guard let session = sessions[escalation.session] else { continue }
                let recorded = try record(escalation.put.put, at: now, in: db)
                try linkEscalation(recorded.artifact.id, session: session, step: escalation.step, in: db)
            }
        }
    }

    /// One entry for a session that takes them one call at a time: numbered after the last one in the same
    /// transaction, so concurrent callers each get their own step.
    ///
    /// - Parameter escalation: Given the session and the entry's step, the escalation artifact to store; its
    ///   object is written durably inside the transaction, before the row that names it.
    func appendStep(
        _ entry: WorkLogEntry, session id: String, at now: Timestamp,
        escalation: (WorkSessionInfo, WorkLogEntry) throws(HandoffError) -> PreparedPut?
    ) throws(HandoffError) -> WorkLogEntry {
        try write { db in
            let session = try openSession(id, in: db)
            guard session.stepwise else { throw SessionHolder.streamed(session: id) }
            var entry = entry
            entry.step = session.steps + 1
            entry.timestamp = now
            if entry.botName == nil { entry.botName = session.bot }
            try insert(entry, session: session.seq, sessionBot: session.bot, in: db)
            try count([entry], in: session.seq, db: db)
            if entry.escalation, let put = try escalation(try self.session(id: id, in: db)!, entry) {
                _ = try objects.write(put.bytes, as: put.put.id)
                let recorded = try record(put.put, at: now, in: db)
                try linkEscalation(recorded.artifact.id, session: session.seq, step: entry.step, in: db)
            }
            return entry
        }
    }

    /// Renews the holder's lease on open sessions it still holds; returns the ids of those it no longer holds
    /// (ended or taken over by another process).
    func renew(sessions ids: [String], holder: String, at now: Timestamp) throws(HandoffError) -> [String] {
        try write { db in
            var lost: [String] = []
            for id in ids {
                try db.run(
                    sql: """
                        UPDATE work_session SET held_until = ?
                        WHERE id = ? AND holder_token = ? AND ended_at IS NULL
                        """,
                    arguments: [now.millisecondsSince1970 + SessionHolder.leaseMilliseconds, id, holder])
                if db.changesCount == 0 { lost.append(id) }
            }
            return lost
        }
    }

    /// Lets go of sessions the holder holds, leaving them open for any process to end.
    func release(sessions ids: [String], holder: String) throws(HandoffError) {
        try write { db in
            for id in ids {
                try db.run(
                    sql: """
                        UPDATE work_session SET holder = NULL, holder_token = NULL, held_until = NULL
                        WHERE id = ? AND holder_token = ?
                        """,
                    arguments: [id, holder])
            }
        }
    }

    private func renew(_ session: Int64, holder: String, at now: Timestamp, in db: Database) throws {
        try db.run(
            sql: "UPDATE work_session SET held_until = ? WHERE seq = ? AND holder_token = ?",
            arguments: [now.millisecondsSince1970 + SessionHolder.leaseMilliseconds, session, holder])
    }

    /// Refuses to end a session another live recorder holds, naming it; read before anything is built.
    func checkNotHeld(_ id: String, byOtherThan holder: String?, at now: Timestamp) throws(HandoffError) {
        try read { db in try checkNotHeld(id, byOtherThan: holder, at: now, in: db) }
    }

    /// Refuses to end a session another live recorder holds, naming it.
    private func checkNotHeld(_ id: String, byOtherThan holder: String?, at now: Timestamp, in db: Database)
        throws
    {
        guard
            let row = try db.row(
                sql: "SELECT holder, holder_token, held_until FROM work_session WHERE id = ?", arguments: [id]
            ),
            let token: String = row[1], token != holder, let until: Int64 = row[2],
            until > now.millisecondsSince1970
        else { return }
        throw SessionHolder.conflict(
            session: id, holder: row[0] ?? "another process", until: Timestamp(millisecondsSince1970: until))
    }

    private struct OpenSession {
        var seq: Int64
        var bot: String
        var steps: Int
        var stepwise: Bool
    }

    private func openSession(_ id: String, in db: Database) throws -> OpenSession {
        guard
            let row = try db.row(
                sql: "SELECT seq, bot, steps, stepwise, ended_at FROM work_session WHERE id = ?",
                arguments: [id])
        else {
            throw HandoffError(.notFound, "no work session \(quotedForMessage(id)) in the store at \(path)")
        }
        guard (row[4] as Int64?) == nil else {
            throw HandoffError(.conflict, "work session \(quotedForMessage(id)) has already ended")
        }
        return OpenSession(seq: row[0], bot: row[1], steps: row[2], stepwise: row[3])
    }

    private func insert(_ entry: WorkLogEntry, session: Int64, sessionBot: String, in db: Database) throws {
        try EntryInserter(db).insert(entry, session: session, sessionBot: sessionBot)
    }

    /// Keeps a session's counters and its list of bots up to date with entries just inserted.
    private func count(_ entries: [WorkLogEntry], in session: Int64, db: Database) throws {
        var seen = Set<String>()
        for entry in entries {
            guard let bot = entry.botName, seen.insert(bot).inserted else { continue }
            try db.run(
                sql: "INSERT OR IGNORE INTO work_session_bot (bot, session, first_step) VALUES (?, ?, ?)",
                arguments: [bot, session, entry.step])
        }
        try db.run(
            sql: """
                UPDATE work_session SET steps = max(steps, ?), errors = errors + ?, escalations = escalations + ?,
                    last_entry_at = max(coalesce(last_entry_at, 0), ?)
                WHERE seq = ?
                """,
            arguments: [
                entries.map(\.step).max() ?? 0, entries.count(where: \.isError),
                entries.count { $0.escalation },
                entries.compactMap(\.timestamp?.millisecondsSince1970).max() ?? 0, session,
            ])
    }

    private func linkEscalation(_ artifact: ArtifactID, session: Int64, step: Int, in db: Database) throws {
        try db.run(
            sql: """
                INSERT OR IGNORE INTO work_escalation (artifact, session, step)
                SELECT seq, ?, ? FROM artifact WHERE id = ?
                """,
            arguments: [session, step, artifact.description])
    }

    // MARK: Ending

    /// Ends a session: records its artifacts (the raw record first, then the work log naming it as parent,
    /// with the work log's handoffs), links the escalations it raised under the raw record, and queues its
    /// insights, all in one transaction.
    ///
    /// - Parameter expectedSteps: How many entries the artifacts were built from; if more arrived since,
    ///   nothing changes and the caller builds them again.
    ///   - holder: The token of the recorder ending it, which may end a session it holds.
    ///   - force: End it even while another recorder holds it.
    func end(
        session id: String, expectedSteps: Int, at endedAt: Timestamp, finalOutput: String?, summary: String?,
        records: [(put: PreparedPut, firstStep: Int)], workLog: PreparedPut, insights: [InsightRecord],
        now: Timestamp,
        holder: String? = nil, force: Bool = false, receipt: Receipt? = nil
    ) throws(HandoffError) -> (session: WorkSessionInfo, workLog: RecordedPut)? {
        let objects = records.map(\.put.object) + [workLog.object] + insights.compactMap(\.approval?.object)
        return try recording(objects) { () throws(HandoffError) in
            try endRows(
                session: id, expectedSteps: expectedSteps, at: endedAt, finalOutput: finalOutput,
                summary: summary, records: records.map { ($0.put.put, $0.firstStep) }, workLog: workLog.put,
                insights: insights, now: now, holder: holder, force: force, receipt: receipt)
        }
    }

    private func endRows(
        session id: String, expectedSteps: Int, at endedAt: Timestamp, finalOutput: String?, summary: String?,
        records: [(put: IndexedPut, firstStep: Int)], workLog: IndexedPut, insights: [InsightRecord],
        now: Timestamp, holder: String?, force: Bool, receipt: Receipt?
    ) throws(HandoffError) -> (session: WorkSessionInfo, workLog: RecordedPut)? {
        try write { db in
            let session = try openSession(id, in: db)
            if !force { try checkNotHeld(id, byOtherThan: holder, at: now, in: db) }
            guard session.steps == expectedSteps else { return nil }
            if let receipt {
                // The step the session worked on is done with it, or nothing is.
                _ = try finish(receipt, .done, note: "work session \(id) ended", now: now, in: db)
            }
            var parts: [(seq: Int64, firstStep: Int)] = []
            for (record, firstStep) in records {
                let recorded = try self.record(record, at: now, in: db)
                parts.append((try artifactSeq(recorded.artifact.id, in: db), firstStep))
            }
            let recordedLog = try self.record(workLog, at: now, in: db)
            // The session names the first part; the rest follow it in the lineage.
            let sessionArtifact = parts[0].seq
            try db.run(
                sql: """
                    UPDATE work_session SET ended_at = ?, final_output = ?, summary = ?, session_artifact = ?,
                        work_log_artifact = ?, holder = NULL, holder_token = NULL, held_until = NULL WHERE seq = ?
                    """,
                arguments: [
                    endedAt.millisecondsSince1970, finalOutput, summary, sessionArtifact,
                    try artifactSeq(recordedLog.artifact.id, in: db), session.seq,
                ])
            // The escalations were handed on while the session ran; the part of the raw record that holds each
            // is its parent, so `chain` leads from each to the whole session.
            for (index, part) in parts.enumerated() {
                let next = index + 1 < parts.count ? parts[index + 1].firstStep : Int.max
                try db.run(
                    sql: """
                        INSERT OR IGNORE INTO artifact_parent (child, parent)
                        SELECT artifact, ? FROM work_escalation WHERE session = ? AND step >= ? AND step < ?
                        """,
                    arguments: [part.seq, session.seq, index == 0 ? Int.min : part.firstStep, next])
            }
            for insight in insights {
                try insert(insight, session: session.seq, at: now, in: db)
            }
            return (try self.session(id: id, in: db)!, recordedLog)
        }
    }

    private func artifactSeq(_ id: ArtifactID, in db: Database) throws -> Int64 {
        try db.value(Int64.self, sql: "SELECT seq FROM artifact WHERE id = ?", arguments: [id.description])!
    }

    // MARK: Searching

    /// Entries matching the terms, best first, as `SearchTerms` says: FTS5 finds the entries whose stems hold
    /// a word or a phrase, and each is scored by the fields that hold each term, the same sum every backend
    /// computes.
    func search(
        _ terms: SearchTerms, workspace: String?, bot: String?, reader: String? = nil, limit: Int, offset: Int
    ) throws(HandoffError) -> [WorkLogSearchHit] {
        guard searchesStems else {
            throw HandoffError(
                .io,
                "the index \(path) needs an upgrade to be searched, which a command that only reads does not make",
                hint: "run a command that writes, such as `handoff init`, once")
        }
        var score: [String] = []
        var scoreArguments = StatementArguments()
        for pattern in terms.patterns {
            for (field, weight) in SearchTerms.fieldWeights {
                score.append("CASE WHEN ' ' || t.\(field) || ' ' LIKE ? THEN \(weight) ELSE 0 END")
                scoreArguments += ["%" + pattern + "%"]
            }
        }
        var conditions = Conditions()
        conditions.add("m.score > 0")
        conditions.add("s.workspace = ?", workspace)
        conditions.add("e.bot = ?", bot)
        if let reader {
            // The sessions the reader takes part in, as `WorkSessionInfo.involves` says.
            conditions.add(
                """
                (EXISTS (SELECT 1 FROM work_session_bot b WHERE b.session = s.seq AND b.bot = ?)
                    OR s.coordinator = ? OR EXISTS (SELECT 1 FROM json_each(s.participants) p WHERE p.value = ?))
                """, reader, reader, reader)
        }
        // Ties go to the newest entry; the order uses nothing a backend numbers itself, so a copied store
        // lists the same.
        let sql = """
            SELECT \(Self.entryColumns), s.id, s.workspace, s.workspace_type, m.score
            FROM (SELECT t.rowid AS entry, \(joinedText(score, separator: " + ")) AS score
                FROM work_entry_text t WHERE work_entry_text MATCH ?) m
            JOIN work_entry e ON e.seq = m.entry JOIN work_session s ON s.seq = e.session
            """ + conditions.sql
            + " ORDER BY m.score DESC, e.at DESC, s.id DESC, e.step DESC LIMIT ? OFFSET ?"
        let arguments =
            scoreArguments + [Self.matchExpression(terms)] + conditions.arguments + [limit, offset]
        return try read { db in
            try db.rows(sql: sql, arguments: arguments).map { row in
                let entry = try Self.entry(row, from: 0)
                let base = Self.entryColumnCount
                let type: String = row[base + 2]
                return WorkLogSearchHit(
                    session: row[base], workspace: row[base + 1],
                    workspaceType: WorkspaceType(rawValue: type) ?? .open, entry: entry, score: row[base + 3])
            }
        }
    }

    /// How an entry's fields are indexed for `how`: their stems (`SearchText`), by its row's `seq`.
    static let insertSearchText = """
        INSERT INTO work_entry_text (rowid, message, category, details, tool_name, tool_error, bot)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """

    /// The arguments of `insertSearchText` for an entry's fields.
    static func searchText(
        entry: Int64, message: String, category: String, details: String, toolName: String?,
        toolError: String?, bot: String
    ) -> StatementArguments {
        [
            entry, SearchText.stems(of: message), SearchText.stems(of: category),
            SearchText.stems(of: details),
            SearchText.stems(of: toolName ?? ""), SearchText.stems(of: toolError ?? ""),
            SearchText.stems(of: bot),
        ]
    }

    /// The terms as an FTS5 query: each word and each phrase quoted, joined by OR. Terms hold only letters
    /// and digits, so nothing in them is read as FTS5 syntax.
    static func matchExpression(_ terms: SearchTerms) -> String {
        let quoted =
            terms.words.map { "\"\($0)\"" } + terms.phrases.map { "\"\(joinedText($0, separator: " "))\"" }
        return joinedText(quoted, separator: " OR ")
    }

    // MARK: Escalations

    /// Escalations whose handoffs are in one of `states` (all when nil), oldest first.
    func escalations(states: [Handoff.State]?, session: String?, limit: Int?, offset: Int)
        throws(HandoffError) -> [Escalation]
    {
        var sql = """
            SELECT \(Self.handoffColumns), s.id, w.step, s.workspace, e.bot, e.message
            FROM work_escalation w JOIN handoff h ON h.artifact = w.artifact JOIN artifact a ON a.seq = h.artifact
            JOIN work_session s ON s.seq = w.session
            JOIN work_entry e ON e.session = w.session AND e.step = w.step
            """
        var conditions = Conditions()
        if let states, !states.isEmpty {
            conditions.add(
                "h.state IN (\(Set(states).map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")))")
        }
        conditions.add("s.id = ?", session)
        var arguments = conditions.arguments
        sql += conditions.sql + " ORDER BY h.created_at, h.seq LIMIT ? OFFSET ?"
        arguments += [limit ?? -1, offset]
        return try read { db in
            try db.rows(sql: sql, arguments: arguments).map { row in
                let handoff = try Self.handoff(row)
                return Escalation(
                    session: row[17], step: row[18], workspace: row[19], bot: row[20], message: row[21],
                    artifact: handoff.artifactID, handoff: handoff)
            }
        }
    }

    // MARK: Insights

    private func insert(_ insight: InsightRecord, session: Int64, at now: Timestamp, in db: Database) throws {
        // An insight approved at once is recorded first, so that its row can name its artifact.
        if let approval = insight.approval { _ = try record(approval.put, at: now, in: db) }
        try db.run(
            sql: """
                INSERT OR IGNORE INTO insight (id, session, step, bot, category, confidence, content, applies_to,
                    learnt_at, state, queued_at, decided_at, artifact)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT seq FROM artifact WHERE id = ?))
                """,
            arguments: [
                HandoffID.make(at: now), session, insight.step, insight.bot, insight.category,
                insight.confidence,
                insight.content, Self.jsonText(.array(insight.appliesTo.map(JSONValue.string))),
                insight.learntAt.millisecondsSince1970, insight.approval == nil ? "pending" : "approved",
                now.millisecondsSince1970,
                insight.approval == nil ? nil : now.millisecondsSince1970,
                insight.approval?.put.id.description,
            ])
    }

    func insights(state: Insight.State?, session: String?, limit: Int?, offset: Int) throws(HandoffError)
        -> [Insight]
    {
        var conditions = Conditions()
        conditions.add("i.state = ?", state?.rawValue)
        conditions.add("s.id = ?", session)
        var arguments = conditions.arguments
        var sql = "SELECT \(Self.insightColumns) FROM insight i JOIN work_session s ON s.seq = i.session"
        sql += conditions.sql + " ORDER BY i.queued_at, i.seq LIMIT ? OFFSET ?"
        arguments += [limit ?? -1, offset]
        return try read { db in try db.rows(sql: sql, arguments: arguments).map(Self.insight) }
    }

    func insight(id: String) throws(HandoffError) -> Insight? {
        try read { db in
            try db.row(
                sql:
                    "SELECT \(Self.insightColumns) FROM insight i JOIN work_session s ON s.seq = i.session WHERE i.id = ?",
                arguments: [id]
            ).map(Self.insight)
        }
    }

    /// Approves (recording the insight artifact and its handoffs) or rejects a pending insight.
    /// - Throws: `.conflict` when it was decided already.
    func decide(insight id: String, approval: PreparedPut?, note: String?, at now: Timestamp)
        throws(HandoffError)
        -> Insight
    {
        try recording(approval.map { [$0.object] } ?? []) { () throws(HandoffError) in
            try decideRows(insight: id, approval: approval?.put, note: note, at: now)
        }
    }

    private func decideRows(insight id: String, approval: IndexedPut?, note: String?, at now: Timestamp)
        throws(HandoffError) -> Insight
    {
        try write { db in
            guard
                let state = try db.value(
                    String.self, sql: "SELECT state FROM insight WHERE id = ?", arguments: [id])
            else {
                throw HandoffError(.notFound, "no insight \(quotedForMessage(id)) in the store at \(path)")
            }
            guard state == "pending" else {
                throw HandoffError(.conflict, "insight \(id) was already \(state)")
            }
            if let approval { _ = try record(approval, at: now, in: db) }
            try db.run(
                sql: """
                    UPDATE insight SET state = ?, decided_at = ?, note = ?,
                        artifact = (SELECT seq FROM artifact WHERE id = ?) WHERE id = ?
                    """,
                arguments: [
                    approval == nil ? "rejected" : "approved", now.millisecondsSince1970, note,
                    approval?.id.description, id,
                ])
            return try db.row(
                sql:
                    "SELECT \(Self.insightColumns) FROM insight i JOIN work_session s ON s.seq = i.session WHERE i.id = ?",
                arguments: [id]
            ).map(Self.insight)!
        }
    }

    /// Every bot the work log knows: recording bots, participants and bots that recorded entries.
    func knownBots() throws(HandoffError) -> [String] {
        try read { db in
            try db.values(
                String.self,
                sql: """
                    SELECT bot FROM work_session_bot
                    UNION SELECT j.value FROM work_session s, json_each(s.participants) j
                    UNION SELECT coordinator FROM work_session WHERE coordinator IS NOT NULL
                    ORDER BY 1
                    """)
        }
    }

    // MARK: Settings

    func setting(_ name: String) throws(HandoffError) -> String? {
        try read { db in
            try db.value(String.self, sql: "SELECT value FROM setting WHERE name = ?", arguments: [name])
        }
    }

    /// Sets a setting, or removes it when `value` is nil.
    func setSetting(_ name: String, to value: String?) throws(HandoffError) {
        try write { db in
            if let value {
                try db.run(
                    sql:
                        "INSERT INTO setting (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    arguments: [name, value])
            } else {
                try db.run(sql: "DELETE FROM setting WHERE name = ?", arguments: [name])
            }
        }
    }

    // MARK: Rows

    static func jsonText(_ value: JSONValue) -> String {
        String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
    }

    private static func json(_ text: String, _ what: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(
                text, limits: JSONParser.Limits(maxDepth: JSONParser.Limits.depthCeiling, maxBytes: .max))
        } catch {
            throw HandoffError(.io, "the index holds a work-log \(what) that is not JSON: \(error)")
        }
    }

    private static func names(_ text: String) throws -> [String] {
        try json(text, "name list").arrayValue?.compactMap(\.stringValue) ?? []
    }

    static let sessionColumns = """
        s.seq, s.id, s.workspace, s.workspace_type, s.query, s.bot, s.participants, s.coordinator, s.workflow,
        s.stepwise, s.started_at, s.ended_at, s.last_entry_at, s.steps, s.errors, s.escalations, s.final_output,
        s.summary, (SELECT id FROM artifact WHERE seq = s.session_artifact),
        (SELECT id FROM artifact WHERE seq = s.work_log_artifact),
        (SELECT group_concat(bot, char(10)) FROM
            (SELECT bot FROM work_session_bot WHERE session = s.seq ORDER BY first_step, bot))
        """

    static func sessionInfo(_ row: Row) throws -> WorkSessionInfo {
        let typeName: String = row[3]
        guard let type = WorkspaceType(rawValue: typeName) else {
            throw HandoffError(
                .io, "the index holds a work session in an unknown workspace type \"\(typeName)\"")
        }
        let endedAt: Int64? = row[11]
        let lastEntryAt: Int64? = row[12]
        let sessionArtifact: String? = row[18]
        let workLogArtifact: String? = row[19]
        let bots: String? = row[20]
        return WorkSessionInfo(
            id: row[1],
            start: WorkSessionStart(
                workspace: row[2], workspaceType: type, query: row[4], bot: row[5],
                participants: try names(row[6]), coordinator: row[7], workflow: row[8]),
            startedAt: Timestamp(millisecondsSince1970: row[10]),
            endedAt: endedAt.map(Timestamp.init(millisecondsSince1970:)),
            lastEntryAt: lastEntryAt.map(Timestamp.init(millisecondsSince1970:)), steps: row[13],
            errors: row[14],
            escalations: row[15], bots: bots.map { $0.split(separator: "\n").map(String.init) } ?? [],
            finalOutput: row[16], summary: row[17],
            sessionArtifact: try sessionArtifact.map { text throws(HandoffError) in
                try ArtifactID(stored: text)
            },
            workLogArtifact: try workLogArtifact.map { text throws(HandoffError) in
                try ArtifactID(stored: text)
            },
            stepwise: row[9])
    }

    static let entryColumns = """
        e.step, e.at, e.level, e.category, e.message, e.details, e.confidence, e.duration_ms, e.tool_name,
        e.tool_input, e.tool_output, e.tool_status, e.tool_error, e.bot, e.bot_role, e.triggered_by, e.mentions,
        e.response_to, e.coordinator_mode, e.escalation, e.shareable_insight, e.insight_category
        """
    static let entryColumnCount = 22

    /// Decodes `entryColumns` starting at column `base`.
    static func entry(_ row: Row, from base: Int) throws -> WorkLogEntry {
        let levelName: String = row[base + 2]
        guard let level = LogLevel(rawValue: levelName) else {
            throw HandoffError(.io, "the index holds a work-log entry at an unknown level \"\(levelName)\"")
        }
        let toolInput: String? = row[base + 9]
        let toolOutput: String? = row[base + 10]
        let toolStatus: String? = row[base + 11]
        var entry = WorkLogEntry(
            level: level, category: row[base + 3], message: row[base + 4],
            details: try json(row[base + 5], "details").objectValue ?? [:], confidence: row[base + 6],
            durationMs: row[base + 7], toolName: row[base + 8],
            toolInput: try toolInput.map { try json($0, "tool input").objectValue ?? [:] },
            toolOutput: try toolOutput.map { try json($0, "tool output") },
            toolStatus: toolStatus.flatMap(ToolStatus.init(rawValue:)), toolError: row[base + 12],
            botName: row[base + 13], botRole: row[base + 14], triggeredBy: row[base + 15],
            mentions: try names(row[base + 16]), responseTo: row[base + 17], coordinatorMode: row[base + 18],
            escalation: row[base + 19], shareableInsight: row[base + 20], insightCategory: row[base + 21])
        entry.step = row[base]
        entry.timestamp = Timestamp(millisecondsSince1970: row[base + 1])
        return entry
    }

    static let insightColumns = """
        i.id, s.id, i.step, i.bot, i.category, i.confidence, i.content, s.workspace, s.workspace_type,
        i.applies_to, i.state, i.queued_at, i.decided_at, i.note, (SELECT id FROM artifact WHERE seq = i.artifact),
        i.learnt_at
        """

    static func insight(_ row: Row) throws -> Insight {
        let decidedAt: Int64? = row[12]
        let artifact: String? = row[14]
        let stateName: String = row[10]
        let typeName: String = row[8]
        return Insight(
            id: row[0], session: row[1], step: row[2], bot: row[3], category: row[4], confidence: row[5],
            content: row[6], workspace: row[7], workspaceType: WorkspaceType(rawValue: typeName) ?? .open,
            appliesTo: try names(row[9]), state: Insight.State(rawValue: stateName) ?? .pending,
            queuedAt: Timestamp(millisecondsSince1970: row[11]),
            learntAt: Timestamp(millisecondsSince1970: row[15]),
            decidedAt: decidedAt.map(Timestamp.init(millisecondsSince1970:)), note: row[13],
            artifact: try artifact.map { text throws(HandoffError) in try ArtifactID(stored: text) })
    }
}

/// Inserts entries with two statements compiled once for a batch: looking a statement up by its SQL, and
/// checking its arguments, cost more than inserting the row.
struct EntryInserter {
    let database: Database
    let entry: Statement
    let text: Statement

    init(_ db: Database) throws {
        database = db
        entry = try db.cachedStatement(
            sql: """
                INSERT INTO work_entry (session, step, at, level, category, message, details, confidence,
                    duration_ms, tool_name, tool_input, tool_output, tool_status, tool_error, bot, bot_role,
                    triggered_by, mentions, response_to, coordinator_mode, escalation, shareable_insight,
                    insight_category)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        text = try db.cachedStatement(sql: SQLiteBackend.insertSearchText)
    }

    func insert(_ entry: WorkLogEntry, session: Int64, sessionBot: String) throws {
        let details = entry.details.isEmpty ? "{}" : SQLiteBackend.jsonText(.object(entry.details))
        let bot = entry.botName ?? sessionBot
        self.entry.setUncheckedArguments([
            session, entry.step, entry.timestamp?.millisecondsSince1970 ?? 0, entry.level.rawValue,
            entry.category, entry.message, details, entry.confidence, entry.durationMs, entry.toolName,
            entry.toolInput.map { SQLiteBackend.jsonText(.object($0)) },
            entry.toolOutput.map(SQLiteBackend.jsonText),
            entry.toolStatus?.rawValue, entry.toolError, bot, entry.botRole, entry.triggeredBy ?? "user",
            entry.mentions.isEmpty
                ? "[]" : SQLiteBackend.jsonText(.array(entry.mentions.map(JSONValue.string))),
            entry.responseTo, entry.coordinatorMode, entry.escalation, entry.shareableInsight,
            entry.insightCategory,
        ])
        try self.entry.execute()
        text.setUncheckedArguments(
            SQLiteBackend.searchText(
                entry: database.lastInsertedRowID, message: entry.message, category: entry.category,
                details: details, toolName: entry.toolName, toolError: entry.toolError, bot: bot))
        try text.execute()
    }
}
