import HandoffJSON
import HandoffKit

/// Work sessions and their entries, `how`, escalations, insights, schemas and settings.
extension PostgresBackend {
    // MARK: Sessions

    static let sessionColumns = """
        s.seq, s.id, s.workspace, s.workspace_type, s.query, s.bot, s.participants, s.coordinator, s.workflow,
        s.stepwise, s.started_at, s.ended_at, s.last_entry_at, s.steps, s.errors, s.escalations, s.final_output,
        s.summary, (SELECT id FROM artifact WHERE seq = s.session_artifact),
        (SELECT id FROM artifact WHERE seq = s.work_log_artifact),
        (SELECT string_agg(bot, E'\\n' ORDER BY first_step, bot) FROM work_session_bot WHERE session = s.seq)
        """

    static func sessionInfo(_ rows: PGResult, _ row: Int) throws(HandoffError) -> WorkSessionInfo {
        let typeName = rows.string(row, 3) ?? ""
        guard let type = WorkspaceType(rawValue: typeName) else {
            throw HandoffError(
                .io, "the index holds a work session in an unknown workspace type \"\(typeName)\"")
        }
        return WorkSessionInfo(
            id: rows.string(row, 1) ?? "",
            start: WorkSessionStart(
                workspace: rows.string(row, 2) ?? "", workspaceType: type, query: rows.string(row, 4) ?? "",
                bot: rows.string(row, 5) ?? "", participants: try names(rows.string(row, 6) ?? "[]"),
                coordinator: rows.string(row, 7), workflow: rows.string(row, 8)),
            startedAt: Timestamp(millisecondsSince1970: rows.int(row, 10) ?? 0),
            endedAt: rows.int(row, 11).map(Timestamp.init(millisecondsSince1970:)),
            lastEntryAt: rows.int(row, 12).map(Timestamp.init(millisecondsSince1970:)),
            steps: Int(rows.int(row, 13) ?? 0), errors: Int(rows.int(row, 14) ?? 0),
            escalations: Int(rows.int(row, 15) ?? 0),
            bots: rows.string(row, 20).map { $0.split(separator: "\n").map(String.init) } ?? [],
            finalOutput: rows.string(row, 16), summary: rows.string(row, 17),
            sessionArtifact: try rows.string(row, 18).map { text throws(HandoffError) in
                try ArtifactID(stored: text)
            },
            workLogArtifact: try rows.string(row, 19).map { text throws(HandoffError) in
                try ArtifactID(stored: text)
            },
            stepwise: rows.bool(row, 9) ?? false)
    }

    private static func json(_ text: String, _ what: String) throws(HandoffError) -> JSONValue {
        do {
            return try JSONParser.parse(
                text, limits: JSONParser.Limits(maxDepth: JSONParser.Limits.depthCeiling, maxBytes: .max))
        } catch {
            throw HandoffError(.io, "the index holds a work-log \(what) that is not JSON: \(error)")
        }
    }

    private static func names(_ text: String) throws(HandoffError) -> [String] {
        try json(text, "name list").arrayValue?.compactMap(\.stringValue) ?? []
    }

    static func jsonText(_ value: JSONValue) -> String {
        String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
    }

    func createSession(
        id: String, start: WorkSessionStart, stepwise: Bool, at time: Timestamp, holder: SessionHolder?
    ) throws(HandoffError) -> WorkSessionInfo {
        try write { connection in
            let inserted = try connection.execute(
                """
                INSERT INTO work_session (id, workspace, workspace_type, query, bot, participants, coordinator,
                    workflow, stepwise, started_at, holder, holder_token, held_until)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                ON CONFLICT (id) DO NOTHING RETURNING seq
                """,
                [
                    id.pgValue, start.workspace.pgValue, start.workspaceType.rawValue.pgValue,
                    start.query.pgValue,
                    start.bot.pgValue,
                    Self.jsonText(.array(start.participants.map(JSONValue.string))).pgValue,
                    start.coordinator.pgValue, start.workflow.pgValue, stepwise.pgValue,
                    time.millisecondsSince1970.pgValue, holder?.description.pgValue, holder?.token.pgValue,
                    holder.map { _ in time.millisecondsSince1970 + SessionHolder.leaseMilliseconds }.pgValue,
                ])
            guard let seq = inserted.int(0, 0) else {
                throw HandoffError(.conflict, "a work session \(quotedForMessage(id)) already exists")
            }
            try connection.execute(
                "INSERT INTO work_session_bot (bot, session, first_step) VALUES ($1, $2, 0)",
                [start.bot.pgValue, seq.pgValue])
            return try session(id: id, in: connection)!
        }
    }

    func session(id: String) throws(HandoffError) -> WorkSessionInfo? {
        try read { connection in try session(id: id, in: connection) }
    }

    private func session(id: String, in connection: PGConnection) throws -> WorkSessionInfo? {
        let rows = try connection.execute(
            "SELECT \(Self.sessionColumns) FROM work_session s WHERE s.id = $1", [id.pgValue])
        return rows.rowCount == 0 ? nil : try Self.sessionInfo(rows, 0)
    }

    func session(producing artifact: ArtifactID) throws(HandoffError) -> WorkSessionInfo? {
        try read { connection in
            let rows = try connection.execute(
                """
                SELECT \(Self.sessionColumns) FROM work_session s JOIN artifact a
                    ON a.seq = s.work_log_artifact OR a.seq = s.session_artifact
                WHERE a.id = $1 LIMIT 1
                """, [artifact.description.pgValue])
            return rows.rowCount == 0 ? nil : try Self.sessionInfo(rows, 0)
        }
    }

    func sessions(_ filter: WorkSessionFilter) throws(HandoffError) -> [WorkSessionInfo] {
        var conditions = PGConditions()
        conditions.add("s.workspace = ?", filter.workspace)
        conditions.add("s.workspace_type = ?", filter.workspaceType?.rawValue)
        conditions.add("s.started_at >= ?", filter.since?.millisecondsSince1970)
        conditions.add(
            "EXISTS (SELECT 1 FROM work_session_bot b WHERE b.bot = ? AND b.session = s.seq)", filter.bot)
        var sql =
            "SELECT \(Self.sessionColumns) FROM work_session s" + conditions.sql
            + " ORDER BY s.started_at DESC, s.seq DESC"
        if let limit = filter.limit { sql += " LIMIT \(conditions.placeholder(limit.pgValue))" }
        sql += " OFFSET \(conditions.placeholder(filter.offset.pgValue))"
        return try readStatement { connection in
            let rows = try connection.execute(sql, conditions.arguments)
            return try (0..<rows.rowCount).map { row throws(HandoffError) in try Self.sessionInfo(rows, row) }
        }
    }

    static let entryColumns = """
        e.step, e.at, e.level, e.category, e.message, e.details, e.confidence, e.duration_ms, e.tool_name,
        e.tool_input, e.tool_output, e.tool_status, e.tool_error, e.bot, e.bot_role, e.triggered_by, e.mentions,
        e.response_to, e.coordinator_mode, e.escalation, e.shareable_insight, e.insight_category
        """
    static let entryColumnCount = 22

    static func entry(_ rows: PGResult, _ row: Int, from base: Int = 0) throws(HandoffError) -> WorkLogEntry {
        let levelName = rows.string(row, base + 2) ?? ""
        guard let level = LogLevel(rawValue: levelName) else {
            throw HandoffError(.io, "the index holds a work-log entry at an unknown level \"\(levelName)\"")
        }
        var entry = WorkLogEntry(
            level: level, category: rows.string(row, base + 3) ?? "",
            message: rows.string(row, base + 4) ?? "",
            details: try json(rows.string(row, base + 5) ?? "{}", "details").objectValue ?? [:],
            confidence: rows.double(row, base + 6), durationMs: rows.int(row, base + 7).map { Int($0) },
            toolName: rows.string(row, base + 8),
            toolInput: try rows.string(row, base + 9).map { text throws(HandoffError) in
                try json(text, "tool input").objectValue ?? [:]
            },
            toolOutput: try rows.string(row, base + 10).map { text throws(HandoffError) in
                try json(text, "tool output")
            },
            toolStatus: rows.string(row, base + 11).flatMap(ToolStatus.init(rawValue:)),
            toolError: rows.string(row, base + 12), botName: rows.string(row, base + 13),
            botRole: rows.string(row, base + 14), triggeredBy: rows.string(row, base + 15),
            mentions: try names(rows.string(row, base + 16) ?? "[]"),
            responseTo: rows.int(row, base + 17).map { Int($0) },
            coordinatorMode: rows.bool(row, base + 18) ?? false,
            escalation: rows.bool(row, base + 19) ?? false,
            shareableInsight: rows.bool(row, base + 20) ?? false, insightCategory: rows.string(row, base + 21)
        )
        entry.step = Int(rows.int(row, base) ?? 0)
        entry.timestamp = Timestamp(millisecondsSince1970: rows.int(row, base + 1) ?? 0)
        return entry
    }

    func entries(ofSession id: String, bot: String?) throws(HandoffError) -> [WorkLogEntry] {
        try read { connection in try entries(ofSession: id, bot: bot, in: connection) }
    }

    private func entries(ofSession id: String, bot: String?, in connection: PGConnection) throws
        -> [WorkLogEntry]
    {
        var arguments: [PGValue?] = [id.pgValue]
        var sql =
            "SELECT \(Self.entryColumns) FROM work_entry e JOIN work_session s ON s.seq = e.session WHERE s.id = $1"
        if let bot {
            arguments.append(bot.pgValue)
            sql += " AND e.bot = $2"
        }
        let rows = try connection.execute(sql + " ORDER BY e.step", arguments)
        return try (0..<rows.rowCount).map { row throws(HandoffError) in try Self.entry(rows, row) }
    }

    func importSession(id: String, start: WorkSessionStart, at time: Timestamp, entries: [WorkLogEntry])
        throws(HandoffError) -> Bool
    {
        try write { connection in
            let inserted = try connection.execute(
                """
                INSERT INTO work_session (id, workspace, workspace_type, query, bot, participants, coordinator,
                    workflow, stepwise, started_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, false, $9) ON CONFLICT (id) DO NOTHING RETURNING seq
                """,
                [
                    id.pgValue, start.workspace.pgValue, start.workspaceType.rawValue.pgValue,
                    start.query.pgValue,
                    start.bot.pgValue,
                    Self.jsonText(.array(start.participants.map(JSONValue.string))).pgValue,
                    start.coordinator.pgValue, start.workflow.pgValue, time.millisecondsSince1970.pgValue,
                ])
            guard let seq = inserted.int(0, 0) else { return false }
            try connection.execute(
                "INSERT INTO work_session_bot (bot, session, first_step) VALUES ($1, $2, 0)",
                [start.bot.pgValue, seq.pgValue])
            for entry in entries { try insert(entry, session: seq, sessionBot: start.bot, in: connection) }
            try count(entries, in: seq, connection: connection)
            return true
        }
    }

    // MARK: Entries

    private struct OpenSession {
        var seq: Int64
        var bot: String
        var steps: Int
        var stepwise: Bool
    }

    /// The session, locked for this transaction, which must not have ended.
    private func openSession(_ id: String, in connection: PGConnection) throws -> OpenSession {
        let rows = try connection.execute(
            "SELECT seq, bot, steps, stepwise, ended_at FROM work_session WHERE id = $1 FOR UPDATE",
            [id.pgValue])
        guard rows.rowCount == 1 else {
            throw HandoffError(
                .notFound, "no work session \(quotedForMessage(id)) in the store at \(location)")
        }
        guard rows.isNull(0, 4) else {
            throw HandoffError(.conflict, "work session \(quotedForMessage(id)) has already ended")
        }
        return OpenSession(
            seq: rows.int(0, 0) ?? 0, bot: rows.string(0, 1) ?? "", steps: Int(rows.int(0, 2) ?? 0),
            stepwise: rows.bool(0, 3) ?? false)
    }

    func append(
        _ batch: [(session: String, entries: [WorkLogEntry])], escalations: [EscalationPut],
        at now: Timestamp,
        holder: String?
    ) throws(HandoffError) {
        try write { connection in
            if !escalations.isEmpty { try excludeCollection(connection) }
            var sessions: [String: Int64] = [:]
            for (id, entries) in batch where !entries.isEmpty {
                let session = try openSession(id, in: connection)
                guard !session.stepwise else {
                    throw HandoffError(
                        .conflict, "work session \(quotedForMessage(id)) takes entries one by one")
                }
                for entry in entries {
                    try insert(entry, session: session.seq, sessionBot: session.bot, in: connection)
                }
                try count(entries, in: session.seq, connection: connection)
                if let holder { try renew(session.seq, holder: holder, at: now, in: connection) }
                sessions[id] = session.seq
            }
            for escalation in escalations {
                guard let session = sessions[escalation.session] else { continue }
                let recorded = try record(escalation.put, at: now, in: connection)
                try linkEscalation(
                    recorded.artifact.id, session: session, step: escalation.step, in: connection)
            }
        }
    }

    func appendStep(
        _ entry: WorkLogEntry, session id: String, at now: Timestamp,
        escalation: (WorkSessionInfo, WorkLogEntry) throws(HandoffError) -> PreparedPut?
    ) throws(HandoffError) -> WorkLogEntry {
        try write { connection in
            let session = try openSession(id, in: connection)
            guard session.stepwise else { throw SessionHolder.streamed(session: id) }
            var entry = entry
            entry.step = session.steps + 1
            entry.timestamp = now
            if entry.botName == nil { entry.botName = session.bot }
            try insert(entry, session: session.seq, sessionBot: session.bot, in: connection)
            try count([entry], in: session.seq, connection: connection)
            if entry.escalation, let put = try escalation(try self.session(id: id, in: connection)!, entry) {
                try excludeCollection(connection)
                let recorded = try record(put, at: now, in: connection)
                try linkEscalation(
                    recorded.artifact.id, session: session.seq, step: entry.step, in: connection)
            }
            return entry
        }
    }

    func insert(
        _ entry: WorkLogEntry, session: Int64, sessionBot: String, in connection: PGConnection
    )
        throws
    {
        let details = entry.details.isEmpty ? "{}" : Self.jsonText(.object(entry.details))
        let bot = entry.botName ?? sessionBot
        let inserted = try connection.execute(
            """
            INSERT INTO work_entry (session, step, at, level, category, message, details, confidence,
                duration_ms, tool_name, tool_input, tool_output, tool_status, tool_error, bot, bot_role,
                triggered_by, mentions, response_to, coordinator_mode, escalation, shareable_insight,
                insight_category)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                $21, $22, $23)
            RETURNING seq
            """,
            [
                session.pgValue, entry.step.pgValue, (entry.timestamp?.millisecondsSince1970 ?? 0).pgValue,
                entry.level.rawValue.pgValue, entry.category.pgValue, entry.message.pgValue, details.pgValue,
                entry.confidence.pgValue, entry.durationMs.pgValue, entry.toolName.pgValue,
                entry.toolInput.map { Self.jsonText(.object($0)) }.pgValue,
                entry.toolOutput.map(Self.jsonText).pgValue, entry.toolStatus?.rawValue.pgValue,
                entry.toolError.pgValue, bot.pgValue, entry.botRole.pgValue,
                (entry.triggeredBy ?? "user").pgValue,
                (entry.mentions.isEmpty ? "[]" : Self.jsonText(.array(entry.mentions.map(JSONValue.string))))
                    .pgValue,
                entry.responseTo.pgValue, entry.coordinatorMode.pgValue, entry.escalation.pgValue,
                entry.shareableInsight.pgValue, entry.insightCategory.pgValue,
            ])
        try connection.execute(
            """
            INSERT INTO work_entry_text (entry, message, category, details, tool_name, tool_error, bot)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """,
            [
                inserted.int(0, 0).pgValue, SearchText.stems(of: entry.message).pgValue,
                SearchText.stems(of: entry.category).pgValue, SearchText.stems(of: details).pgValue,
                SearchText.stems(of: entry.toolName ?? "").pgValue,
                SearchText.stems(of: entry.toolError ?? "").pgValue,
                SearchText.stems(of: bot).pgValue,
            ])
    }

    /// Keeps a session's counters and its list of bots up to date with entries just inserted.
    private func count(_ entries: [WorkLogEntry], in session: Int64, connection: PGConnection) throws {
        var seen: [String] = []
        for entry in entries {
            guard let bot = entry.botName, !seen.contains(bot) else { continue }
            seen.append(bot)
            try connection.execute(
                """
                INSERT INTO work_session_bot (bot, session, first_step) VALUES ($1, $2, $3)
                ON CONFLICT DO NOTHING
                """, [bot.pgValue, session.pgValue, entry.step.pgValue])
        }
        try connection.execute(
            """
            UPDATE work_session SET steps = GREATEST(steps, $1), errors = errors + $2,
                escalations = escalations + $3, last_entry_at = GREATEST(coalesce(last_entry_at, 0), $4)
            WHERE seq = $5
            """,
            [
                (entries.map(\.step).max() ?? 0).pgValue, entries.count(where: \.isError).pgValue,
                entries.count { $0.escalation }.pgValue,
                (entries.compactMap(\.timestamp?.millisecondsSince1970).max() ?? 0).pgValue, session.pgValue,
            ])
    }

    private func linkEscalation(
        _ artifact: ArtifactID, session: Int64, step: Int, in connection: PGConnection
    )
        throws
    {
        try connection.execute(
            """
            INSERT INTO work_escalation (artifact, session, step) SELECT seq, $1, $2 FROM artifact WHERE id = $3
            ON CONFLICT DO NOTHING
            """, [session.pgValue, step.pgValue, artifact.description.pgValue])
    }

    // MARK: Holding

    func renew(sessions ids: [String], holder: String, at now: Timestamp) throws(HandoffError) -> [String] {
        try write { connection in
            var lost: [String] = []
            for id in ids {
                let updated = try connection.execute(
                    """
                    UPDATE work_session SET held_until = $1 WHERE id = $2 AND holder_token = $3 AND ended_at IS NULL
                    """,
                    [
                        (now.millisecondsSince1970 + SessionHolder.leaseMilliseconds).pgValue, id.pgValue,
                        holder.pgValue,
                    ])
                if updated.affectedRows == 0 { lost.append(id) }
            }
            return lost
        }
    }

    private func renew(_ session: Int64, holder: String, at now: Timestamp, in connection: PGConnection)
        throws
    {
        try connection.execute(
            "UPDATE work_session SET held_until = $1 WHERE seq = $2 AND holder_token = $3",
            [
                (now.millisecondsSince1970 + SessionHolder.leaseMilliseconds).pgValue, session.pgValue,
                holder.pgValue,
            ])
    }

    func release(sessions ids: [String], holder: String) throws(HandoffError) {
        try write { connection in
            for id in ids {
                try connection.execute(
                    """
                    UPDATE work_session SET holder = NULL, holder_token = NULL, held_until = NULL
                    WHERE id = $1 AND holder_token = $2
                    """, [id.pgValue, holder.pgValue])
            }
        }
    }

    func checkNotHeld(_ id: String, byOtherThan holder: String?, at now: Timestamp) throws(HandoffError) {
        try read { connection in try checkNotHeld(id, byOtherThan: holder, at: now, in: connection) }
    }

    private func checkNotHeld(
        _ id: String, byOtherThan holder: String?, at now: Timestamp, in connection: PGConnection
    )
        throws
    {
        let rows = try connection.execute(
            "SELECT holder, holder_token, held_until FROM work_session WHERE id = $1", [id.pgValue])
        guard rows.rowCount == 1, let token = rows.string(0, 1), token != holder, let until = rows.int(0, 2),
            until > now.millisecondsSince1970
        else { return }
        throw SessionHolder.conflict(
            session: id, holder: rows.string(0, 0) ?? "another process",
            until: Timestamp(millisecondsSince1970: until))
    }

    // MARK: Ending

    func end(
        session id: String, expectedSteps: Int, at endedAt: Timestamp, finalOutput: String?, summary: String?,
        records: [(put: PreparedPut, firstStep: Int)], workLog: PreparedPut, insights: [InsightRecord],
        now: Timestamp, holder: String?, force: Bool, receipt: Receipt?
    ) throws(HandoffError) -> (session: WorkSessionInfo, workLog: RecordedPut)? {
        try write { connection in
            try excludeCollection(connection)
            let session = try openSession(id, in: connection)
            if !force { try checkNotHeld(id, byOtherThan: holder, at: now, in: connection) }
            guard session.steps == expectedSteps else { return nil }
            if let receipt {
                // The step the session worked on is done with it, or nothing is.
                _ = try finish(receipt, .done, note: "work session \(id) ended", now: now, in: connection)
            }
            var parts: [(seq: Int64, firstStep: Int)] = []
            for (record, firstStep) in records {
                let recorded = try self.record(record, at: now, in: connection)
                parts.append((try artifactSeq(recorded.artifact.id, in: connection), firstStep))
            }
            let recordedLog = try self.record(workLog, at: now, in: connection)
            try connection.execute(
                """
                UPDATE work_session SET ended_at = $1, final_output = $2, summary = $3, session_artifact = $4,
                    work_log_artifact = $5, holder = NULL, holder_token = NULL, held_until = NULL WHERE seq = $6
                """,
                [
                    endedAt.millisecondsSince1970.pgValue, finalOutput.pgValue, summary.pgValue,
                    parts[0].seq.pgValue,
                    try artifactSeq(recordedLog.artifact.id, in: connection).pgValue, session.seq.pgValue,
                ])
            // Each escalation hangs from the part of the raw record that holds its step.
            for (index, part) in parts.enumerated() {
                let next = index + 1 < parts.count ? parts[index + 1].firstStep : Int(Int32.max)
                try connection.execute(
                    """
                    INSERT INTO artifact_parent (child, parent)
                    SELECT artifact, $1 FROM work_escalation WHERE session = $2 AND step >= $3 AND step < $4
                    ON CONFLICT DO NOTHING
                    """,
                    [
                        part.seq.pgValue, session.seq.pgValue,
                        (index == 0 ? Int(Int32.min) : part.firstStep).pgValue,
                        next.pgValue,
                    ])
            }
            for insight in insights { try insert(insight, session: session.seq, at: now, in: connection) }
            return (try self.session(id: id, in: connection)!, recordedLog)
        }
    }

    private func artifactSeq(_ id: ArtifactID, in connection: PGConnection) throws -> Int64 {
        guard
            let seq = try connection.execute(
                "SELECT seq FROM artifact WHERE id = $1", [id.description.pgValue]
            ).int(0, 0)
        else { throw HandoffError(.io, "\(location): the artifact \(id) vanished while being recorded") }
        return seq
    }

    // MARK: Searching

    /// Entries matching the terms, best first, as `SearchTerms` says: the search vector finds candidates
    /// holding every word of some term, and each is scored by the fields that hold each term, the same sum
    /// every backend computes.
    func search(
        _ terms: SearchTerms, workspace: String?, bot: String?, reader: String?, limit: Int, offset: Int
    ) throws(HandoffError) -> [WorkLogSearchHit] {
        var conditions = PGConditions()
        var score: [String] = []
        for pattern in terms.patterns {
            let mark = conditions.placeholder(("%" + pattern + "%").pgValue)
            for (field, weight) in SearchTerms.fieldWeights {
                score.append("CASE WHEN ' ' || t.\(field) || ' ' LIKE \(mark) THEN \(weight) ELSE 0 END")
            }
        }
        // Candidates: any term, a phrase's words all present (their order is checked by the score).
        let query =
            terms.words.map { "'\($0)'" }
            + terms.phrases.map { "(" + $0.map { "'\($0)'" }.joined(separator: " & ") + ")" }
        let match = conditions.placeholder(query.joined(separator: " | ").pgValue)
        var condition = PGConditions(after: conditions.arguments)
        condition.add("m.score > 0")
        condition.add("s.workspace = ?", workspace)
        condition.add("e.bot = ?", bot)
        if let reader {
            let mark = condition.placeholder(reader.pgValue)
            condition.add(
                """
                (EXISTS (SELECT 1 FROM work_session_bot b WHERE b.session = s.seq AND b.bot = \(mark))
                    OR s.coordinator = \(mark)
                    OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(s.participants::jsonb) p WHERE p = \(mark)))
                """)
        }
        let sql = """
            SELECT \(Self.entryColumns), s.id, s.workspace, s.workspace_type, m.score
            FROM (SELECT t.entry, \(score.joined(separator: " + ")) AS score
                FROM work_entry_text t WHERE t.terms @@ to_tsquery('simple', \(match))) m
            JOIN work_entry e ON e.seq = m.entry JOIN work_session s ON s.seq = e.session
            """ + condition.sql
            + " ORDER BY m.score DESC, e.at DESC, s.id DESC, e.step DESC LIMIT \(condition.placeholder(limit.pgValue)) OFFSET \(condition.placeholder(offset.pgValue))"
        return try readStatement { connection in
            let rows = try connection.execute(sql, condition.arguments)
            return try (0..<rows.rowCount).map { row throws(HandoffError) in
                let base = Self.entryColumnCount
                return WorkLogSearchHit(
                    session: rows.string(row, base) ?? "", workspace: rows.string(row, base + 1) ?? "",
                    workspaceType: WorkspaceType(rawValue: rows.string(row, base + 2) ?? "") ?? .open,
                    entry: try Self.entry(rows, row), score: Int(rows.int(row, base + 3) ?? 0))
            }
        }
    }

    // MARK: Escalations and insights

    func escalations(states: [Handoff.State]?, session: String?, limit: Int?, offset: Int)
        throws(HandoffError) -> [Escalation]
    {
        var conditions = PGConditions()
        if let states, !states.isEmpty {
            conditions.add(
                "h.state IN (\(Set(states).map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")))")
        }
        conditions.add("s.id = ?", session)
        var sql = """
            SELECT \(Self.handoffColumns), s.id, w.step, s.workspace, e.bot, e.message
            FROM work_escalation w JOIN handoff h ON h.artifact = w.artifact JOIN artifact a ON a.seq = h.artifact
            JOIN work_session s ON s.seq = w.session
            JOIN work_entry e ON e.session = w.session AND e.step = w.step
            """ + conditions.sql + " ORDER BY h.created_at, h.seq"
        if let limit { sql += " LIMIT \(conditions.placeholder(limit.pgValue))" }
        sql += " OFFSET \(conditions.placeholder(offset.pgValue))"
        return try readStatement { connection in
            let rows = try connection.execute(sql, conditions.arguments)
            return try (0..<rows.rowCount).map { row throws(HandoffError) in
                let handoff = try Self.handoff(rows, row)
                return Escalation(
                    session: rows.string(row, 17) ?? "", step: Int(rows.int(row, 18) ?? 0),
                    workspace: rows.string(row, 19) ?? "", bot: rows.string(row, 20) ?? "",
                    message: rows.string(row, 21) ?? "", artifact: handoff.artifactID, handoff: handoff)
            }
        }
    }

    static let insightColumns = """
        i.id, s.id, i.step, i.bot, i.category, i.confidence, i.content, s.workspace, s.workspace_type,
        i.applies_to, i.state, i.queued_at, i.decided_at, i.note, (SELECT id FROM artifact WHERE seq = i.artifact),
        i.learnt_at
        """

    static func insight(_ rows: PGResult, _ row: Int) throws(HandoffError) -> Insight {
        Insight(
            id: rows.string(row, 0) ?? "", session: rows.string(row, 1) ?? "",
            step: Int(rows.int(row, 2) ?? 0),
            bot: rows.string(row, 3) ?? "", category: rows.string(row, 4) ?? "",
            confidence: rows.double(row, 5),
            content: rows.string(row, 6) ?? "", workspace: rows.string(row, 7) ?? "",
            workspaceType: WorkspaceType(rawValue: rows.string(row, 8) ?? "") ?? .open,
            appliesTo: try names(rows.string(row, 9) ?? "[]"),
            state: Insight.State(rawValue: rows.string(row, 10) ?? "") ?? .pending,
            queuedAt: Timestamp(millisecondsSince1970: rows.int(row, 11) ?? 0),
            learntAt: Timestamp(millisecondsSince1970: rows.int(row, 15) ?? 0),
            decidedAt: rows.int(row, 12).map(Timestamp.init(millisecondsSince1970:)),
            note: rows.string(row, 13),
            artifact: try rows.string(row, 14).map { text throws(HandoffError) in try ArtifactID(stored: text)
            })
    }

    private func insert(
        _ insight: InsightRecord, session: Int64, at now: Timestamp, in connection: PGConnection
    )
        throws
    {
        if let approval = insight.approval { _ = try record(approval, at: now, in: connection) }
        try connection.execute(
            """
            INSERT INTO insight (id, session, step, bot, category, confidence, content, applies_to, learnt_at,
                state, queued_at, decided_at, artifact)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, (SELECT seq FROM artifact WHERE id = $13))
            ON CONFLICT DO NOTHING
            """,
            [
                HandoffID.make(at: now).pgValue, session.pgValue, insight.step.pgValue, insight.bot.pgValue,
                insight.category.pgValue, insight.confidence.pgValue, insight.content.pgValue,
                Self.jsonText(.array(insight.appliesTo.map(JSONValue.string))).pgValue,
                insight.learntAt.millisecondsSince1970.pgValue,
                (insight.approval == nil ? "pending" : "approved").pgValue, now.millisecondsSince1970.pgValue,
                (insight.approval == nil ? nil : now.millisecondsSince1970).pgValue,
                insight.approval?.put.id.description.pgValue,
            ])
    }

    func insights(state: Insight.State?, session: String?, limit: Int?, offset: Int) throws(HandoffError)
        -> [Insight]
    {
        var conditions = PGConditions()
        conditions.add("i.state = ?", state?.rawValue)
        conditions.add("s.id = ?", session)
        var sql =
            "SELECT \(Self.insightColumns) FROM insight i JOIN work_session s ON s.seq = i.session"
            + conditions.sql + " ORDER BY i.queued_at, i.seq"
        if let limit { sql += " LIMIT \(conditions.placeholder(limit.pgValue))" }
        sql += " OFFSET \(conditions.placeholder(offset.pgValue))"
        return try readStatement { connection in
            let rows = try connection.execute(sql, conditions.arguments)
            return try (0..<rows.rowCount).map { row throws(HandoffError) in try Self.insight(rows, row) }
        }
    }

    func insight(id: String) throws(HandoffError) -> Insight? {
        try readStatement { connection in
            let rows = try connection.execute(
                "SELECT \(Self.insightColumns) FROM insight i JOIN work_session s ON s.seq = i.session WHERE i.id = $1",
                [id.pgValue])
            return rows.rowCount == 0 ? nil : try Self.insight(rows, 0)
        }
    }

    func decide(insight id: String, approval: PreparedPut?, note: String?, at now: Timestamp)
        throws(HandoffError) -> Insight
    {
        try write { connection in
            let state = try connection.execute(
                "SELECT state FROM insight WHERE id = $1 FOR UPDATE", [id.pgValue])
            guard let current = state.string(0, 0) else {
                throw HandoffError(
                    .notFound, "no insight \(quotedForMessage(id)) in the store at \(location)")
            }
            guard current == "pending" else {
                throw HandoffError(.conflict, "insight \(id) was already \(current)")
            }
            if let approval {
                try excludeCollection(connection)
                _ = try record(approval, at: now, in: connection)
            }
            try connection.execute(
                """
                UPDATE insight SET state = $1, decided_at = $2, note = $3,
                    artifact = (SELECT seq FROM artifact WHERE id = $4) WHERE id = $5
                """,
                [
                    (approval == nil ? "rejected" : "approved").pgValue, now.millisecondsSince1970.pgValue,
                    note.pgValue, approval?.put.id.description.pgValue, id.pgValue,
                ])
            let rows = try connection.execute(
                "SELECT \(Self.insightColumns) FROM insight i JOIN work_session s ON s.seq = i.session WHERE i.id = $1",
                [id.pgValue])
            return try Self.insight(rows, 0)
        }
    }

    func knownBots() throws(HandoffError) -> [String] {
        try readStatement { connection in
            let rows = try connection.execute(
                """
                SELECT bot FROM work_session_bot
                UNION SELECT p FROM work_session s, jsonb_array_elements_text(s.participants::jsonb) p
                UNION SELECT coordinator FROM work_session WHERE coordinator IS NOT NULL
                ORDER BY 1
                """)
            return (0..<rows.rowCount).compactMap { rows.string($0, 0) }
        }
    }

    // MARK: Schemas and settings

    func schemaEntries() throws(HandoffError) -> [SchemaEntry] {
        try readStatement { connection in
            let rows = try connection.execute(
                "SELECT name, object, size, created_at FROM schema_entry ORDER BY name")
            return try (0..<rows.rowCount).map { row throws(HandoffError) in try Self.schemaEntry(rows, row) }
        }
    }

    func schemaEntry(named name: String) throws(HandoffError) -> SchemaEntry? {
        try readStatement { connection in
            let rows = try connection.execute(
                "SELECT name, object, size, created_at FROM schema_entry WHERE name = $1", [name.pgValue])
            return rows.rowCount == 0 ? nil : try Self.schemaEntry(rows, 0)
        }
    }

    private static func schemaEntry(_ rows: PGResult, _ row: Int) throws(HandoffError) -> SchemaEntry {
        SchemaEntry(
            name: rows.string(row, 0) ?? "", id: try ArtifactID(stored: rows.string(row, 1) ?? ""),
            size: Int(rows.int(row, 2) ?? 0), addedAt: Timestamp(millisecondsSince1970: rows.int(row, 3) ?? 0)
        )
    }

    func addSchema(name: String, object: PreparedObject, at now: Timestamp) throws(HandoffError) -> Bool {
        try write { connection in
            try writeObject(object, at: now, in: connection)
            let existing = try connection.execute(
                "SELECT object FROM schema_entry WHERE name = $1", [name.pgValue])
            if let stored = existing.string(0, 0) {
                guard stored == object.id.description else {
                    throw SchemaEntry.changed(name: name, stored: stored)
                }
                return true
            }
            try connection.execute(
                "INSERT INTO schema_entry (name, object, size, created_at) VALUES ($1, $2, $3, $4)",
                [
                    name.pgValue, object.id.description.pgValue, object.bytes.count.pgValue,
                    now.millisecondsSince1970.pgValue,
                ])
            return false
        }
    }

    func setting(_ name: String) throws(HandoffError) -> String? {
        try readStatement { connection in
            try connection.execute("SELECT value FROM setting WHERE name = $1", [name.pgValue]).string(0, 0)
        }
    }

    func setSetting(_ name: String, to value: String?) throws(HandoffError) {
        try write { connection throws -> Void in
            if let value {
                try connection.execute(
                    "INSERT INTO setting (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    [name.pgValue, value.pgValue])
            } else {
                try connection.execute("DELETE FROM setting WHERE name = $1", [name.pgValue])
            }
        }
    }
}
