import HandoffJSON
import HandoffKit

/// A session with everything `explain` shows of it: its entries, the escalations it raised and the
/// insights it queued.
public struct ExplainedSession: Sendable {
    public let info: WorkSessionInfo
    public let entries: [WorkLogEntry]
    public let escalations: [Escalation]
    public let insights: [Insight]
    /// Where it was read from: the index, or a `work-session-v1` record (when the index no longer holds the
    /// session, such as in another store or after `gc`).
    public let fromRecord: ArtifactID?
    /// The artifacts the session worked on: those its work log was derived from besides its record, as
    /// `log end --receipt` makes them (the claimed handoff's artifact, finished with the session).
    public var workedOn: [ArtifactID] = []
}

/// Which session to explain.
public enum ExplainTarget: Sendable {
    /// The most recently started session matching the filter.
    case latest(WorkSessionFilter)
    case session(String)
    /// A `work-log-v1`, `work-session-v1`, `escalation-v1` or `insight-v1` artifact: the session behind it.
    case artifact(ArtifactID)
}

extension ExplainTarget {
    /// What `explain` is asked about, read one way for the command line and MCP alike: `session` by its id;
    /// else `id`, a session's own id (session ids and handoff ids look alike), an artifact id or prefix, or a
    /// handoff id (its artifact); else the latest session in `workspace`, of `bot`.
    /// - Throws: `HandoffError` when `id` names nothing, as resolving it does.
    public static func named(
        session: String?, id: String?, workspace: String?, bot: String?, in workLog: WorkLog
    ) throws(HandoffError) -> ExplainTarget {
        if let session { return .session(session) }
        guard let id else { return .latest(WorkSessionFilter(workspace: workspace, bot: bot)) }
        if Store.isHandoffID(id) {
            if (try? workLog.session(id)) != nil { return .session(id) }
            return .artifact(try workLog.store.handoff(id: id).artifactID)
        }
        return .artifact(try workLog.store.resolve(id))
    }
}

extension WorkLog {
    /// The session a target names, with its entries (only `bot`'s when given).
    /// - Throws: `HandoffError` `.notFound` when there is no such session (or none at all), `.usage` for an
    ///   artifact that no session produced.
    public func explain(_ target: ExplainTarget, bot: String? = nil) throws(HandoffError) -> ExplainedSession
    {
        switch target {
        case .latest(let filter):
            var filter = filter
            filter.limit = 1
            guard let latest = try store.workSessions(filter).first else {
                throw HandoffError(
                    .notFound, "no work session in the store at \(store.path)\(Self.describe(filter))",
                    hint: "record one with `handoff log record`, or run `handoff demo`")
            }
            return try explained(latest, bot: bot)
        case .session(let id):
            return try explained(try store.workSession(id), bot: bot)
        case .artifact(let id):
            return try explainArtifact(id, bot: bot)
        }
    }

    private func explained(_ info: WorkSessionInfo, bot: String?) throws(HandoffError) -> ExplainedSession {
        var explained = ExplainedSession(
            info: info, entries: try store.workEntries(ofSession: info.id, bot: bot),
            escalations: try store.escalations(states: nil, session: info.id, limit: nil),
            insights: try store.insights(state: nil, session: info.id, limit: nil), fromRecord: nil)
        if let workLog = info.workLogArtifact {
            explained.workedOn = try store.parents(of: workLog).filter { $0.schema != "work-session-v1" }.map(
                \.id)
        }
        return explained
    }

    private func explainArtifact(_ id: ArtifactID, bot: String?) throws(HandoffError) -> ExplainedSession {
        if let session = try store.workSession(producing: id) { return try explained(session, bot: bot) }
        let artifact = try store.artifact(id)
        switch artifact.schema {
        case "work-session-v1":
            return try fromRecord(id, bot: bot)
        case "work-log-v1":
            // A work log from elsewhere (imported, or whose session was collected): its parent is the record.
            guard let record = try store.parents(of: id).first(where: { $0.schema == "work-session-v1" })
            else {
                throw HandoffError(
                    .notFound, "work log \(id) names no work-session-v1 record in this store",
                    hint:
                        "it was stored without its session; `handoff chain \(id.description.prefix(15))` shows its lineage"
                )
            }
            return try fromRecord(record.id, bot: bot)
        case "escalation-v1", "insight-v1":
            guard let session = try store.document(id)["session_id"]?.stringValue else {
                throw HandoffError(.io, "artifact \(id) names no session")
            }
            if let info = try? store.workSession(session) { return try explained(info, bot: bot) }
            guard let record = try store.parents(of: id).first(where: { $0.schema == "work-session-v1" })
            else {
                throw HandoffError(
                    .notFound, "work session \(quotedForMessage(session)) is no longer in the store")
            }
            return try fromRecord(record.id, bot: bot)
        default:
            throw HandoffError(
                .usage, "artifact \(id) is a \(artifact.schema), not a work log",
                hint:
                    "explain takes a work-log-v1, work-session-v1, escalation-v1 or insight-v1 artifact, or --session"
            )
        }
    }

    /// The parts of the raw record `id` is one of, in step order: each part is the parent of the next.
    private func recordParts(around id: ArtifactID) throws(HandoffError) -> [ArtifactID] {
        var first = id
        var seen: Set<ArtifactID> = [id]
        while let previous = try store.parents(of: first).first(where: { $0.schema == "work-session-v1" }),
            seen.insert(previous.id).inserted
        {
            first = previous.id
        }
        var parts = [first]
        seen = [first]
        while let next = try store.children(of: parts.last!).first(where: { $0.schema == "work-session-v1" }),
            seen.insert(next.id).inserted
        {
            parts.append(next.id)
        }
        return parts
    }

    /// A session read back from its raw record, whole: every part of it.
    private func fromRecord(_ id: ArtifactID, bot: String?) throws(HandoffError) -> ExplainedSession {
        let parts = try recordParts(around: id)
        let document = try store.document(parts[0])
        func string(_ key: String) -> String? { document[key]?.stringValue }
        guard let sessionID = string("session_id"), let workspace = string("workspace_id"),
            let type = string("workspace_type").flatMap(WorkspaceType.init(rawValue:)),
            let query = string("query"),
            let recordingBot = string("bot"),
            let started = string("start_time").flatMap(Timestamp.init(rfc3339:)),
            let ended = string("end_time").flatMap(Timestamp.init(rfc3339:)),
            var entryValues = document["entries"]?.arrayValue
        else {
            throw HandoffError(.io, "artifact \(parts[0]) is not a readable work-session-v1 record")
        }
        for part in parts.dropFirst() {
            let more = try store.document(part)
            guard more["session_id"]?.stringValue == sessionID, let values = more["entries"]?.arrayValue
            else {
                throw HandoffError(
                    .io,
                    "artifact \(part) follows the record of work session \(sessionID) but is not a part of it"
                )
            }
            entryValues += values
        }
        let all = try entryValues.map { value throws(HandoffError) in try WorkLogEntry(record: value) }
        var bots: [String] = [recordingBot]
        for entry in all {
            if let name = entry.botName, !bots.contains(name) { bots.append(name) }
        }
        let info = WorkSessionInfo(
            id: sessionID,
            start: WorkSessionStart(
                workspace: workspace, workspaceType: type, query: query, bot: recordingBot,
                participants: document["participants"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                coordinator: string("coordinator"), workflow: string("workflow_id")),
            startedAt: started, endedAt: ended, lastEntryAt: all.last?.timestamp, steps: all.count,
            errors: all.count(where: \.isError), escalations: all.count(where: \.escalation), bots: bots,
            finalOutput: string("final_output"), summary: string("summary"), sessionArtifact: parts[0],
            workLogArtifact: try store.children(of: parts[0]).first { $0.schema == "work-log-v1" }?.id,
            stepwise: false)
        return ExplainedSession(
            info: info, entries: bot.map { name in all.filter { $0.botName == name } } ?? all,
            escalations: [],
            insights: [], fromRecord: parts[0])
    }

    private static func describe(_ filter: WorkSessionFilter) -> String {
        var parts: [String] = []
        if let workspace = filter.workspace { parts.append("in workspace \(workspace)") }
        if let bot = filter.bot { parts.append("with bot \(bot)") }
        if let type = filter.workspaceType { parts.append("of type \(type)") }
        return parts.isEmpty ? "" : " " + parts.joined(separator: " ")
    }
}
