import HandoffJSON
import HandoffKit
import HandoffSchema

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Records one work session, step by step; `WorkLog.start(_:)` makes one.
///
/// Recording an entry only numbers it, stamps it with the store's clock and queues it: entries are written in
/// batches, durable within a second of being recorded and at the latest when the session ends. A bot that
/// dies leaves every entry but the last moment's, and the session not ended.
///
/// ```swift
/// guard let session = try workLog.start(WorkSessionStart(workspace: "#general", query: "Weather?", bot: "nanobot"))
/// else { return }  // work logs are disabled in this store
/// try session.record(WorkLogEntry(level: .decision, category: "routing", message: "Simple query", confidence: 0.95))
/// try session.tool("weather_lookup", input: ["location": "auto-detect"], output: ["temp": 72], status: .success, durationMs: 450)
/// let ended = try session.end(finalOutput: "It's 72°F and sunny!", to: ["action_suggester"])
/// ```
public final class WorkLogRecorder: Sendable {
    /// The session as it was started.
    public var session: WorkSessionInfo { recording.info }
    /// The session's id.
    public var id: String { recording.info.id }

    private let recording: RecordingSession
    private let log: WorkLog
    private let state: Locked<State>

    private struct State {
        var nextStep = 1
        var ended = false
        var random: UInt64
    }

    init(session: WorkSessionInfo, log: WorkLog) {
        recording = RecordingSession(session)
        self.log = log
        var generator = SystemRandomNumberGenerator()
        state = Locked(State(random: generator.next() | 1))
    }

    /// Records an entry.
    /// - Returns: The entry with its step and time, or nil when the store's configuration does not keep it
    ///   (its level, category or workspace type, or `info` sampling).
    /// - Throws: `HandoffError` `.invalidInput` for an entry the work-log schemas refuse (a confidence above 1,
    ///   a bad name), `.conflict` once the session has ended.
    @discardableResult
    public func record(_ entry: WorkLogEntry) throws(HandoffError) -> WorkLogEntry? {
        try entry.check()
        return try record(checked: entry)
    }

    /// Records an entry given in its `work-log-entry-v1` JSON form (a line of `log record`), checked against
    /// the published schema.
    /// - Throws: `HandoffError` `.invalidInput` naming the first problem and where it is.
    @discardableResult
    public func record(json value: JSONValue) throws(HandoffError) -> WorkLogEntry? {
        try record(checked: log.entry(fromJSON: value, for: session.start))
    }

    /// Records an entry that passed `check()` already (one read from JSON, say).
    func record(checked entry: WorkLogEntry) throws(HandoffError) -> WorkLogEntry? {
        let configuration = log.configuration
        guard var entry = log.admit(entry, in: session.start.workspaceType) else { return nil }
        if entry.level == .info && configuration.infoSampleRate < 1 {
            let keep = state.withLock { state in
                // xorshift64: sampling needs no more than a cheap, well-spread draw.
                state.random ^= state.random << 13
                state.random ^= state.random >> 7
                state.random ^= state.random << 17
                return Double(state.random >> 11) / Double(1 << 53) < configuration.infoSampleRate
            }
            guard keep || entry.escalation else { return nil }
        }
        if entry.botName == nil { entry.botName = session.start.bot }
        let now = log.store.now()
        let step = try state.withLock { state throws(HandoffError) in
            guard !state.ended else {
                throw HandoffError(.conflict, "work session \(id) has ended; start a new one to record more")
            }
            defer { state.nextStep += 1 }
            return state.nextStep
        }
        entry.step = step
        entry.timestamp = now
        log.writer.enqueue(GroupCommitWriter.Pending(session: recording, entry: entry))
        return entry
    }

    /// Records a step, as the note's `add_entry`.
    @discardableResult
    public func add(
        _ level: LogLevel, category: String, message: String, details: JSONObject = [:],
        confidence: Double? = nil,
        durationMs: Int? = nil, bot: String? = nil, triggeredBy: String? = nil, coordinatorMode: Bool = false
    ) throws(HandoffError) -> WorkLogEntry? {
        try record(
            WorkLogEntry(
                level: level, category: category, message: message, details: details, confidence: confidence,
                durationMs: durationMs, botName: bot, triggeredBy: triggeredBy,
                coordinatorMode: coordinatorMode))
    }

    /// Records a tool run, as the note's `add_tool_entry`: level `tool`, category `tool_execution`, message
    /// `Executed <tool>` unless given.
    @discardableResult
    public func tool(
        _ name: String, input: JSONObject? = nil, output: JSONValue? = nil, status: ToolStatus? = nil,
        durationMs: Int? = nil, error: String? = nil, message: String? = nil, level: LogLevel = .tool,
        category: String = "tool_execution", confidence: Double? = nil, bot: String? = nil
    ) throws(HandoffError) -> WorkLogEntry? {
        try record(
            WorkLogEntry(
                level: level, category: category, message: message ?? "Executed \(name)",
                details: ["tool": .string(name), "status": status.map { .string($0.rawValue) } ?? .null],
                confidence: confidence, durationMs: durationMs, toolName: name, toolInput: input,
                toolOutput: output,
                toolStatus: status, toolError: error, botName: bot))
    }

    /// Records a bot-to-bot message, as the note's `add_bot_message`: `<bot>: <message>` in category
    /// `bot_conversation`, in coordinator mode when the session has a coordinator.
    @discardableResult
    public func botMessage(_ bot: String, _ message: String, responseTo: Int? = nil, mentions: [String] = [])
        throws(HandoffError) -> WorkLogEntry?
    {
        try record(
            WorkLogEntry(
                level: .info, category: "bot_conversation", message: "\(bot): \(message)", botName: bot,
                triggeredBy: bot, mentions: mentions, responseTo: responseTo,
                coordinatorMode: session.start.coordinator != nil))
    }

    /// Records an escalation, as the note's `add_escalation`; its artifact goes to the decider's inbox as
    /// soon as the entry is written.
    @discardableResult
    public func escalate(
        _ reason: String, bot: String? = nil, details: JSONObject = [:], mentions: [String] = []
    )
        throws(HandoffError) -> WorkLogEntry?
    {
        let bot = bot ?? session.start.bot
        return try record(
            WorkLogEntry(
                level: .coordination, category: "escalation", message: "🚨 Escalation: \(reason)",
                details: details,
                botName: bot, triggeredBy: bot, mentions: mentions, coordinatorMode: true, escalation: true))
    }

    /// Makes every entry recorded so far durable now.
    /// - Throws: The store's error when entries could not be written (they are kept for another try when the
    ///   store was only busy).
    public func flush() throws(HandoffError) {
        try log.writer.flush()
    }

    /// Stops recording without ending the session: what was recorded is made durable, and the session is left
    /// open for any process to end (`handoff log end`), as a stream without an end line leaves it.
    /// - Throws: The store's error when entries could not be written; the session is let go of all the same.
    public func detach() throws(HandoffError) {
        defer {
            log.writer.release(id)
            try? log.store.releaseWorkSessions([id], holder: log.holder)
        }
        try flush()
    }

    /// The `work-log-v1` artifact the session would hand on if it ended now (`to_agent_artifact()`).
    public func toAgentArtifact(finalOutput: String? = nil, nextActions: [String] = []) throws(HandoffError)
        -> JSONValue
    {
        try flush()
        return WorkLogArtifacts.agentArtifact(
            query: session.start.query, workflow: session.start.workflow,
            entries: try log.store.workEntries(ofSession: id), finalOutput: finalOutput,
            nextActions: nextActions,
            confidenceThreshold: log.configuration.confidenceThreshold)
    }

    /// Ends the session: writes what is queued, stores the raw record and the `work-log-v1` artifact that
    /// names it as parent, hands the work log to `consumers`, and queues the session's insights.
    /// - Parameters:
    ///   - summary: A summary for people, such as the note's overnight progress report.
    ///   - nextActions: Actions to recommend explicitly, besides those the log implies.
    @discardableResult
    /// - Parameter receipt: A claimed handoff the session worked on, finished as done with it (see
    ///   `WorkLog.end(session:finalOutput:summary:to:nextActions:force:receipt:)`).
    public func end(
        finalOutput: String? = nil, summary: String? = nil, to consumers: [String] = [],
        nextActions: [String] = [], receipt: Receipt? = nil
    ) throws(HandoffError) -> WorkSessionEnd {
        try flush()
        let result = try log.end(
            session: id, finalOutput: finalOutput, summary: summary, to: consumers, nextActions: nextActions,
            receipt: receipt)
        state.withLock { $0.ended = true }
        log.writer.release(id)
        return result
    }
}
