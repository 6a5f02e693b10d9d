import HandoffJSON

/// Work sessions as the store keeps them. `HandoffWorkLog` builds on these: it decides what an entry
/// becomes (masking, configuration, artifacts); the store keeps it durable and findable.
extension Store {
    /// Starts a session and returns it as stored.
    /// - Parameters:
    ///   - id: The session's id; nil makes a new time-ordered one.
    ///   - stepwise: Whether entries will arrive one call at a time (`log add`) rather than from one recorder.
    /// - Throws: `.usage` for a bad name, `.conflict` when a session with this id exists.
    ///   - holder: The recorder that will hold the session while it streams entries into it.
    package func startWorkSession(
        _ start: WorkSessionStart, id: String? = nil, stepwise: Bool, at time: Timestamp? = nil,
        holder: SessionHolder? = nil
    ) throws(HandoffError) -> WorkSessionInfo {
        try Self.check(start)
        if let id { try Name.check(id, as: "session") }
        let now = time ?? now()
        return try backend.createSession(
            id: id ?? HandoffID.make(at: now), start: start, stepwise: stepwise, at: now, holder: holder)
    }

    /// Lets go of sessions a recorder holds without ending them: any process may end them now.
    package func releaseWorkSessions(_ ids: [String], holder: SessionHolder) throws(HandoffError) {
        try backend.release(sessions: ids, holder: holder.token)
    }

    /// Renews a recorder's lease on the sessions it holds.
    /// - Returns: The ids of those it no longer holds: ended or taken over by another process meanwhile.
    package func renewWorkSessions(_ ids: [String], holder: SessionHolder) throws(HandoffError) -> [String] {
        try backend.renew(sessions: ids, holder: holder.token, at: now())
    }

    /// Checks the names a session start gives.
    package static func check(_ start: WorkSessionStart) throws(HandoffError) {
        try Name.check(start.workspace, as: "workspace")
        try Name.check(start.bot, as: "bot")
        for participant in start.participants { try Name.check(participant, as: "participant") }
        if let coordinator = start.coordinator { try Name.check(coordinator, as: "coordinator") }
        if let workflow = start.workflow { try Name.check(workflow, as: "workflow") }
    }

    /// Checks a name the work log records (a bot, a mention, a category).
    package static func checkName(_ value: String, as role: String) throws(HandoffError) {
        try Name.check(value, as: role)
    }

    /// Creates a session with all its entries, numbered and timed, in one transaction, unless one with this
    /// id exists (an import run again); returns whether it did.
    package func importWorkSession(
        _ start: WorkSessionStart, id: String, at time: Timestamp, entries: [WorkLogEntry]
    )
        throws(HandoffError) -> Bool
    {
        try Self.check(start)
        try Name.check(id, as: "session")
        return try backend.importSession(id: id, start: start, at: time, entries: entries)
    }

    /// Records entries a recorder numbered, and the escalations they raised, in one transaction after the
    /// escalations' objects are durable.
    /// - Parameter holder: The recorder writing them, whose lease on their sessions is renewed.
    package func appendWorkEntries(
        _ batch: [(session: String, entries: [WorkLogEntry])],
        escalations: [(session: String, step: Int, request: PutRequest)], holder: SessionHolder? = nil
    ) throws(HandoffError) {
        var prepared: [EscalationPut] = []
        for escalation in escalations {
            let put = try prepare(escalation.request)
            prepared.append(EscalationPut(put: put, session: escalation.session, step: escalation.step))
        }
        try backend.append(batch, escalations: prepared, at: now(), holder: holder?.token)
    }

    /// Records one entry of a stepwise session, numbered after the last one.
    /// - Parameter escalation: The escalation artifact an escalating entry raises, given the session and the
    ///   numbered entry.
    /// - Returns: The entry with its step and time.
    package func appendWorkEntry(
        _ entry: WorkLogEntry, toSession id: String,
        escalation: @escaping (WorkSessionInfo, WorkLogEntry) -> PutRequest?
    ) throws(HandoffError) -> WorkLogEntry {
        let now = now()
        return try backend.appendStep(entry, session: id, at: now) { session, entry throws(HandoffError) in
            guard let request = escalation(session, entry) else { return nil }
            return try self.prepare(request)
        }
    }

    /// What ending a session stores: its raw record in one part or more (each the parent of the next), the
    /// work log handed on (whose parents are the record's parts), and the insights it queues.
    package struct WorkSessionArtifacts: Sendable {
        package var finalOutput: String?
        package var summary: String?
        /// The record's parts in step order, each with the step its entries start at.
        package var records: [(request: PutRequest, firstStep: Int)]
        package var workLog: PutRequest
        package var insights: [InsightDraft]

        package init(
            finalOutput: String?, summary: String?, records: [(request: PutRequest, firstStep: Int)],
            workLog: PutRequest, insights: [InsightDraft]
        ) {
            self.finalOutput = finalOutput
            self.summary = summary
            self.records = records
            self.workLog = workLog
            self.insights = insights
        }
    }

    /// An insight a session queues for the learning exchange.
    package struct InsightDraft: Sendable {
        package var step: Int
        package var bot: String
        package var category: String
        package var confidence: Double?
        package var content: String
        package var appliesTo: [String]
        package var learntAt: Timestamp
        /// The insight artifact with its handoffs, when insights are approved without asking.
        package var approval: PutRequest?

        package init(
            step: Int, bot: String, category: String, confidence: Double?, content: String,
            appliesTo: [String], learntAt: Timestamp, approval: PutRequest?
        ) {
            self.step = step
            self.bot = bot
            self.category = category
            self.confidence = confidence
            self.content = content
            self.appliesTo = appliesTo
            self.learntAt = learntAt
            self.approval = approval
        }
    }

    /// Ends a session: `build` turns the session and its entries into what to store, which is then written
    /// in one index transaction with the session's end. If entries arrive meanwhile, it builds again.
    /// - Returns: The ended session and the work log's put.
    /// - Throws: `.notFound` for an unknown session, `.conflict` when it has already ended, and whatever
    ///   `build` or the puts throw (an invalid work log stores nothing).
    /// - Parameters:
    ///   - holder: The recorder ending it: a session another live recorder holds is not ended (`.conflict`)
    ///     unless `force`.
    ///   - receipt: A claimed handoff the session worked on, finished as done in the same transaction; its
    ///     artifact is among the work log's parents.
    package func endWorkSession(
        _ id: String, at time: Timestamp? = nil, holder: SessionHolder? = nil, force: Bool = false,
        receipt: Receipt? = nil,
        build: (WorkSessionInfo, [WorkLogEntry], Timestamp) throws(HandoffError) -> WorkSessionArtifacts
    ) throws(HandoffError) -> (session: WorkSessionInfo, workLog: PutResult) {
        let claimed = try receipt.map { receipt throws(HandoffError) in
            try handoff(id: receipt.handoffID).artifactID
        }
        while true {
            guard let session = try backend.session(id: id) else {
                throw HandoffError(
                    .notFound, "no work session \(quotedForMessage(id)) in the store at \(location)")
            }
            guard !session.isEnded else {
                throw HandoffError(.conflict, "work session \(quotedForMessage(id)) has already ended")
            }
            // Checked again when it ends; here, so that nothing is built or written for a session held elsewhere.
            if !force { try backend.checkNotHeld(id, byOtherThan: holder?.token, at: now()) }
            let entries = try backend.entries(ofSession: id, bot: nil)
            let endedAt = time ?? now()
            let ending = try build(session, entries, endedAt)
            // Each part of the record is the parent of the next, and all are the work log's parents; they are
            // stored in the same transaction, so `commit`'s check of parents does not apply.
            var records: [(put: PreparedPut, firstStep: Int)] = []
            for (request, firstStep) in ending.records {
                var request = request
                request.parents = records.last.map { [$0.put.put.id] } ?? []
                records.append((try prepare(request), firstStep))
            }
            var workLogRequest = ending.workLog
            workLogRequest.parents = records.map(\.put.put.id) + (claimed.map { [$0] } ?? [])
            let workLog = try prepare(workLogRequest)
            var insights: [InsightRecord] = []
            for draft in ending.insights {
                insights.append(
                    InsightRecord(
                        step: draft.step, bot: draft.bot, category: draft.category,
                        confidence: draft.confidence,
                        content: draft.content, appliesTo: draft.appliesTo, learntAt: draft.learntAt,
                        approval: try draft.approval.map { request throws(HandoffError) in
                            try prepare(request)
                        }))
            }
            guard
                let (ended, recorded) = try backend.end(
                    session: id, expectedSteps: entries.count, at: endedAt,
                    finalOutput: ending.finalOutput, summary: ending.summary, records: records,
                    workLog: workLog, insights: insights, now: now(), holder: holder?.token, force: force,
                    receipt: receipt)
            else { continue }
            return (
                ended,
                PutResult(recorded: recorded)
            )
        }
    }

    /// A session by id.
    /// - Throws: `.notFound` when the store has no such session.
    package func workSession(_ id: String) throws(HandoffError) -> WorkSessionInfo {
        guard let session = try backend.session(id: id) else {
            throw HandoffError(
                .notFound, "no work session \(quotedForMessage(id)) in the store at \(location)",
                hint: "`handoff logs` lists the sessions")
        }
        return session
    }

    /// The session whose work log or raw record `artifact` is, if any.
    package func workSession(producing artifact: ArtifactID) throws(HandoffError) -> WorkSessionInfo? {
        try backend.session(producing: artifact)
    }

    package func workSessions(_ filter: WorkSessionFilter) throws(HandoffError) -> [WorkSessionInfo] {
        try backend.sessions(filter)
    }

    package func workEntries(ofSession id: String, bot: String? = nil) throws(HandoffError) -> [WorkLogEntry]
    {
        try backend.entries(ofSession: id, bot: bot)
    }

    /// Entries matching the terms' words and phrases, best first.
    package func searchWorkEntries(
        _ terms: SearchTerms, workspace: String?, bot: String?, reader: String? = nil, limit: Int,
        offset: Int = 0
    ) throws(HandoffError) -> [WorkLogSearchHit] {
        try backend.search(
            terms, workspace: workspace, bot: bot, reader: reader, limit: limit, offset: offset)
    }

    package func escalations(
        states: [Handoff.State]?, session: String? = nil, limit: Int?, offset: Int = 0
    ) throws(HandoffError) -> [Escalation] {
        try backend.escalations(states: states, session: session, limit: limit, offset: offset)
    }

    package func insights(
        state: Insight.State?, session: String? = nil, limit: Int?, offset: Int = 0
    ) throws(HandoffError) -> [Insight] {
        try backend.insights(state: state, session: session, limit: limit, offset: offset)
    }

    package func insight(_ id: String) throws(HandoffError) -> Insight {
        guard let insight = try backend.insight(id: id) else {
            throw HandoffError(
                .notFound, "no insight \(quotedForMessage(id)) in the store at \(location)",
                hint: "`handoff insights` lists the pending ones")
        }
        return insight
    }

    /// Approves an insight, storing its artifact and handing it on, or rejects it (`approval` nil).
    package func decideInsight(_ id: String, approval: PutRequest?, note: String?) throws(HandoffError)
        -> Insight
    {
        let prepared = try approval.map { request throws(HandoffError) in try prepare(request) }
        return try backend.decide(insight: id, approval: prepared, note: note, at: now())
    }

    /// Every bot the work log has seen.
    package func knownBots() throws(HandoffError) -> [String] {
        try backend.knownBots()
    }

    /// A per-store setting's JSON text, or nil when unset.
    package func setting(_ name: String) throws(HandoffError) -> String? {
        try backend.setting(name)
    }

    /// Sets a per-store setting (JSON text), or removes it when `value` is nil.
    package func setSetting(_ name: String, to value: String?) throws(HandoffError) {
        try backend.setSetting(name, to: value)
    }
}
