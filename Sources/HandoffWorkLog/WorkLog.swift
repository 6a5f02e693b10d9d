import HandoffJSON
import HandoffKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The work logs of a store: recording sessions, ending them into artifacts, and reading them back.
///
/// ```swift
/// let store = try Store.create(at: ".handoff")
/// let workLog = try WorkLog(store: store)
/// if let session = try workLog.start(WorkSessionStart(workspace: "#general", query: "Check my bookmarks", bot: "bookmark_analyzer")) {
///     try session.tool("bird", input: ["command": "bookmarks"], output: ["count": 50], status: .success, durationMs: 1200)
///     let ended = try session.end(finalOutput: "12 bookmarks", to: ["action_suggester"])
///     print(ended.workLog.id)  // the work-log-v1 artifact in action_suggester's inbox
/// }
/// ```
public final class WorkLog: Sendable {
    public let store: Store
    /// The store's work-log configuration, as it was when this was made.
    public let configuration: WorkLogConfiguration
    let writer: GroupCommitWriter
    /// This process, as the holder of the sessions its recorders stream into.
    package let holder: SessionHolder

    /// How long a recorded entry waits at most before its batch is written.
    public static let defaultFlushDelay = 0.1

    /// The work logs of `store`, with the store's own configuration unless one is given.
    /// - Parameters:
    ///   - flushDelay: How long an entry waits at most before it is written with the others of its moment;
    ///     kept well under a second so that entries are durable within one.
    ///   - recorder: What records here, as another process trying to end one of its sessions is told
    ///     (`handoff log record`); the process id and host are added.
    public init(
        store: Store, configuration: WorkLogConfiguration? = nil,
        flushDelay: Double = WorkLog.defaultFlushDelay, recorder: String = "a recorder"
    )
        throws(HandoffError)
    {
        self.store = store
        holder = SessionHolder(description: "\(recorder), pid \(getpid()) on \(Self.hostName)")
        let effective: WorkLogConfiguration
        if let configuration {
            effective = configuration
        } else {
            effective = try WorkLogConfiguration.load(from: store)
        }
        self.configuration = effective
        writer = GroupCommitWriter(
            store: store, configuration: effective, delaySeconds: flushDelay, holder: holder)
    }

    private static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "this host" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: Recording

    /// Starts recording a session.
    /// - Returns: Its recorder, or nil when work logs are disabled in this store's configuration.
    /// - Throws: `HandoffError` `.usage` for a bad name.
    public func start(_ start: WorkSessionStart) throws(HandoffError) -> WorkLogRecorder? {
        guard configuration.enabled else { return nil }
        let recorder = WorkLogRecorder(session: try begin(start, stepwise: false), log: self)
        writer.hold(recorder.id)
        return recorder
    }

    /// Starts a session whose entries arrive one call at a time, from any process (`handoff log add`).
    /// - Returns: The session, or nil when work logs are disabled.
    public func startStepwise(_ start: WorkSessionStart) throws(HandoffError) -> WorkSessionInfo? {
        guard configuration.enabled else { return nil }
        return try begin(start, stepwise: true)
    }

    private func begin(_ start: WorkSessionStart, stepwise: Bool) throws(HandoffError) -> WorkSessionInfo {
        var start = start
        if let masker = configuration.masker { start.query = masker.mask(start.query) }
        // A stream's session is held by this process while it records; a stepwise one by nobody.
        return try store.startWorkSession(start, stepwise: stepwise, holder: stepwise ? nil : holder)
    }

    /// Records one entry of a stepwise session, numbered after the last one in the same transaction, so
    /// several processes can add to one session at once.
    /// - Returns: The entry with its step and time, or nil when the configuration does not keep it.
    public func add(_ entry: WorkLogEntry, toSession id: String) throws(HandoffError) -> WorkLogEntry? {
        try entry.check()
        let session = try store.workSession(id)
        guard var entry = admit(entry, in: session.start.workspaceType) else { return nil }
        if let masker = configuration.masker { entry = entry.masked(by: masker) }
        return try store.appendWorkEntry(entry, toSession: id) { [configuration] session, entry in
            Self.escalationRequest(entry, session: session, configuration)
        }
    }

    /// The entry as the configuration keeps it, or nil when it drops it; a confident entry in a shareable
    /// category is flagged as an insight, as the note's `add_entry` does. Escalations are always kept.
    func admit(_ entry: WorkLogEntry, in type: WorkspaceType) -> WorkLogEntry? {
        var entry = entry
        if !entry.escalation {
            let defaults = configuration.defaults(for: type)
            guard configuration.levels.contains(entry.level),
                configuration.categories?.contains(entry.category) ?? true,
                defaults.logBotConversations || entry.category != "bot_conversation",
                defaults.logCoordination || (entry.level != .coordination && !entry.coordinatorMode)
            else { return nil }
        }
        let exchange = configuration.learningExchange
        if let confidence = entry.confidence, confidence >= exchange.minConfidence,
            exchange.shareableCategories.contains(entry.category)
        {
            entry.shareableInsight = true
            if entry.insightCategory == nil { entry.insightCategory = entry.category }
        }
        return entry
    }

    static func escalationRequest(
        _ entry: WorkLogEntry, session: WorkSessionInfo, _ configuration: WorkLogConfiguration
    ) -> PutRequest {
        PutRequest(
            document: WorkLogArtifacts.escalation(entry, session: session, decider: configuration.escalateTo),
            producer: entry.botName ?? session.start.bot, consumers: [configuration.escalateTo],
            workflow: session.start.workflow, workspace: session.start.workspace,
            source: "the escalation at step \(entry.step) of work session \(session.id)")
    }

    // MARK: Ending

    /// Ends a session (one a recorder in another process left, or a stepwise one): stores its raw record
    /// and its `work-log-v1` artifact, hands the work log to `consumers` in the same transaction, and queues
    /// its insights (approving them at once when the configuration says so).
    ///
    /// A session a live recorder in another process streams into (`log record`, an MCP server) is held by
    /// it: ending it here would lose what it has not written yet, so that is refused unless `force`.
    /// - Throws: `HandoffError` `.notFound` for an unknown session, `.conflict` when it has ended already or
    ///   another recorder holds it.
    /// - Parameter receipt: The claimed handoff the session worked on: finished as done in the same
    ///   transaction, so the work log and the step's end leave together (`.conflict`, nothing stored, when
    ///   the receipt no longer holds); its artifact is among the work log's parents.
    @discardableResult
    public func end(
        session id: String, finalOutput: String? = nil, summary: String? = nil, to consumers: [String] = [],
        nextActions: [String] = [], force: Bool = false, receipt: Receipt? = nil
    ) throws(HandoffError) -> WorkSessionEnd {
        try end(
            session: id, finalOutput: finalOutput, summary: summary, to: consumers, nextActions: nextActions,
            at: nil, force: force, receipt: receipt)
    }

    /// `end`, at a given time (an import keeps the original one) or now.
    @discardableResult
    func end(
        session id: String, finalOutput: String?, summary: String?, to consumers: [String],
        nextActions: [String],
        at time: Timestamp?, force: Bool = false, receipt: Receipt? = nil
    ) throws(HandoffError) -> WorkSessionEnd {
        for consumer in consumers { try Store.checkName(consumer, as: "consumer") }
        for action in nextActions where !WorkLogEntry.isActionName(action) {
            throw HandoffError(
                .usage, "\(quotedForMessage(action)) is not an action name",
                hint: "lower snake_case, such as manual_review, at most 64 characters")
        }
        let mask: (String?) -> String? = { [configuration] text in
            configuration.masker.map { masker in text.map(masker.mask) } ?? text
        }
        let finalOutput = mask(finalOutput)
        let summary = mask(summary)
        var document: JSONValue = .null
        let ended: (WorkSessionInfo, PutResult)
        do {
            ended = try endStored(
                session: id, finalOutput: finalOutput, summary: summary, to: consumers,
                nextActions: nextActions,
                at: time, force: force, receipt: receipt, document: &document)
        } catch {
            guard error.code == .invalidInput, error.hint == nil else { throw error }
            // Nothing was written: say that the entries are still there.
            throw HandoffError(
                error.code, error.message,
                hint:
                    "the session stays open and every entry readable (handoff logs \(id)); record fewer, smaller entries per session",
                details: error.details, cause: error.cause)
        }
        let (session, put) = ended
        return WorkSessionEnd(
            session: session, record: session.sessionArtifact!,
            recordParts: try store.parents(of: put.id).filter { $0.schema == "work-session-v1" }.map(\.id),
            workLog: put, artifact: document)
    }

    private func endStored(
        session id: String, finalOutput: String?, summary: String?, to consumers: [String],
        nextActions: [String], at time: Timestamp?, force: Bool, receipt: Receipt?, document: inout JSONValue
    ) throws(HandoffError) -> (WorkSessionInfo, PutResult) {
        // This process's own sessions it may end; another's only by force.
        try store.endWorkSession(id, at: time, holder: holder, force: force, receipt: receipt) {
            [self] session, entries, endedAt throws(HandoffError) in
            let start = session.start
            let limit = store.configuration.limits.maxBytes
            document = WorkLogArtifacts.agentArtifact(
                query: start.query, workflow: start.workflow, entries: entries, finalOutput: finalOutput,
                nextActions: nextActions, confidenceThreshold: configuration.confidenceThreshold, limit: limit
            )
            let parts = try WorkLogArtifacts.sessionRecordParts(
                session, entries: entries, endedAt: endedAt, finalOutput: finalOutput, summary: summary,
                limit: limit)
            return Store.WorkSessionArtifacts(
                finalOutput: finalOutput, summary: summary,
                records: parts.enumerated().map { index, part in
                    (
                        PutRequest(
                            document: part.document, producer: start.bot, workflow: start.workflow,
                            workspace: start.workspace, createdAt: time,
                            source: parts.count == 1
                                ? "the record of work session \(id)"
                                : "part \(index + 1) of \(parts.count) of the record of work session \(id)"),
                        part.firstStep
                    )
                },
                workLog: PutRequest(
                    document: document, producer: start.bot, consumers: consumers, workflow: start.workflow,
                    workspace: start.workspace, createdAt: time, source: "the work log of work session \(id)"),
                insights: try insights(of: session, entries: entries, at: endedAt))
        }
    }

    /// The insights a session queues: entries flagged shareable, confident enough, in a shareable category.
    private func insights(of session: WorkSessionInfo, entries: [WorkLogEntry], at time: Timestamp)
        throws(HandoffError) -> [Store.InsightDraft]
    {
        let exchange = configuration.learningExchange
        let candidates = entries.filter { entry in
            guard entry.shareableInsight, let confidence = entry.confidence else { return false }
            return confidence >= exchange.minConfidence
                && exchange.shareableCategories.contains(entry.insightCategory ?? entry.category)
        }
        guard !candidates.isEmpty else { return [] }
        let everyone = session.start.workspaceType == .open ? try store.knownBots() : []
        return candidates.map { entry in
            let bot = entry.botName ?? session.start.bot
            let appliesTo: [String]
            switch session.start.workspaceType {
            case .open: appliesTo = everyone
            case .direct: appliesTo = [bot]
            case .project, .coordination:
                appliesTo = session.start.participants.isEmpty ? session.bots : session.start.participants
            }
            var draft = Store.InsightDraft(
                step: entry.step, bot: bot, category: entry.insightCategory ?? entry.category,
                confidence: entry.confidence, content: entry.message, appliesTo: appliesTo,
                learntAt: entry.timestamp ?? time, approval: nil)
            if exchange.autoApprove {
                draft.approval = Self.insightRequest(
                    content: draft.content, category: draft.category, confidence: draft.confidence, bot: bot,
                    session: session.id, step: entry.step, workspace: session.start.workspace,
                    type: session.start.workspaceType, appliesTo: appliesTo, learntAt: draft.learntAt,
                    workflow: session.start.workflow)
            }
            return draft
        }
    }

    private static func insightRequest(
        content: String, category: String, confidence: Double?, bot: String, session: String, step: Int,
        workspace: String, type: WorkspaceType, appliesTo: [String], learntAt: Timestamp, workflow: String?
    ) -> PutRequest {
        let document: JSONValue = [
            "schema": "insight-v1", "content": .string(content), "category": .string(category),
            "confidence": confidence.map(JSONValue.number) ?? .null, "source_bot": .string(bot),
            "session_id": .string(session), "step": .number(Double(step)), "workspace_id": .string(workspace),
            "workspace_type": .string(type.rawValue), "applies_to": .array(appliesTo.map(JSONValue.string)),
            "learnt_at": .string(learntAt.description), "next_actions": ["apply_insight"],
        ]
        return PutRequest(
            document: document, producer: bot, consumers: appliesTo, workflow: workflow, workspace: workspace,
            source: "the insight at step \(step) of work session \(session)")
    }

    // MARK: The learning exchange

    /// Insights in `state` (every one when nil), oldest first; `offset` skips that many first.
    public func insights(state: Insight.State? = .pending, limit: Int? = nil, offset: Int = 0)
        throws(HandoffError) -> [Insight]
    {
        try store.insights(state: state, limit: limit, offset: offset)
    }

    /// Approves a pending insight: its `insight-v1` artifact is handed to every bot it applies to.
    /// - Throws: `HandoffError` `.notFound`, or `.conflict` when it was decided already.
    @discardableResult
    public func approveInsight(_ id: String, note: String? = nil) throws(HandoffError) -> Insight {
        let insight = try store.insight(id)
        let session = try? store.workSession(insight.session)
        let request = Self.insightRequest(
            content: insight.content, category: insight.category, confidence: insight.confidence,
            bot: insight.bot,
            session: insight.session, step: insight.step, workspace: insight.workspace,
            type: insight.workspaceType,
            appliesTo: insight.appliesTo, learntAt: insight.learntAt, workflow: session?.start.workflow)
        return try store.decideInsight(id, approval: request, note: note)
    }

    /// Rejects a pending insight; it is not shared.
    @discardableResult
    public func rejectInsight(_ id: String, note: String? = nil) throws(HandoffError) -> Insight {
        try store.decideInsight(id, approval: nil, note: note)
    }

    // MARK: Reading

    /// A session by id.
    public func session(_ id: String) throws(HandoffError) -> WorkSessionInfo {
        try store.workSession(id)
    }

    /// A session's entries in step order, optionally only one bot's.
    public func entries(ofSession id: String, bot: String? = nil) throws(HandoffError) -> [WorkLogEntry] {
        _ = try store.workSession(id)
        return try store.workEntries(ofSession: id, bot: bot)
    }

    /// Sessions matching the filter, most recently started first.
    public func sessions(_ filter: WorkSessionFilter = .init()) throws(HandoffError) -> [WorkSessionInfo] {
        try store.workSessions(filter)
    }

    /// Escalations that wait for a decision (pending or claimed), or every one when `all` is set, oldest
    /// first; `offset` skips that many first.
    public func escalations(all: Bool = false, limit: Int? = nil, offset: Int = 0) throws(HandoffError)
        -> [Escalation]
    {
        try store.escalations(states: all ? nil : [.pending, .claimed], limit: limit, offset: offset)
    }

    /// Entries matching a question or keywords, best first: `how "why did you escalate"`.
    ///
    /// The words of the query (without the common ones, such as "why" and "did") and its quoted phrases are
    /// looked up in every entry's message, category, details, tool name and error and bot, by their stems, so
    /// "escalate" finds "escalation"; entries holding more of them, and in their message, score higher
    /// (`SearchTerms`). Every backend finds and orders the same hits.
    /// - Parameter reader: Only sessions this bot takes part in (`WorkSessionInfo.involves`), when given.
    public func search(
        _ query: String, workspace: String? = nil, bot: String? = nil, reader: String? = nil, limit: Int = 10,
        offset: Int = 0
    ) throws(HandoffError) -> [WorkLogSearchHit] {
        guard let terms = SearchTerms(question: query) else {
            throw HandoffError(
                .usage, "the question has no words to look for", hint: "such as: handoff how \"confidence\"")
        }
        return try store.searchWorkEntries(
            terms, workspace: workspace, bot: bot, reader: reader, limit: limit, offset: offset)
    }
}

/// What ending a session stored and handed on.
public struct WorkSessionEnd: Sendable {
    /// The session, ended.
    public let session: WorkSessionInfo
    /// The raw record (`work-session-v1`): its first part, when it took more than one.
    public let record: ArtifactID
    /// Every part of the raw record, in step order: one, unless the session was longer than an artifact
    /// may be. Each part is the parent of the next, and all are parents of the work log.
    public let recordParts: [ArtifactID]
    /// The `work-log-v1` artifact and the handoffs made of it.
    public let workLog: PutResult
    /// The `work-log-v1` document.
    public let artifact: JSONValue
}

extension WorkSessionEnd {
    /// Its stable JSON form, as `log end --json` prints it and the MCP tool `end_session` returns it.
    public var json: JSONValue {
        [
            "session": session.json, "work_log": .string(workLog.id.description),
            "record": .string(record.description), "handoffs": .array(workLog.handoffs.map(\.listed)),
            "recommendations": artifact["recommendations"] ?? [],
        ]
    }
}
