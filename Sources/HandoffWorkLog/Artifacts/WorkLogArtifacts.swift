import HandoffJSON
import HandoffKit

/// The artifacts a work log makes: the `work-log-v1` the next bot reads (`toAgentArtifact()`), the raw
/// `work-session-v1` record it points to, and the `escalation-v1` a step raises.
public enum WorkLogArtifacts {
    /// The multi-agent note's `to_agent_artifact()`: every tool entry as a decision, totals over every
    /// entry, and the recommendations of `_extract_next_actions()`.
    ///
    /// - Parameters:
    ///   - nextActions: Actions the producer adds explicitly (`artifact["next_actions"] = [...]` in the note);
    ///     omitted when empty.
    ///   - confidenceThreshold: Confidence below this recommends `verify_low_confidence_decisions`.
    ///   - limit: The most canonical bytes the artifact may have: when every decision would not fit, the
    ///     latest that do are kept (`summary.tool_calls` still counts them all, and each keeps its `step`; the
    ///     session's raw record holds every one).
    public static func agentArtifact(
        query: String, workflow: String?, entries: [WorkLogEntry], finalOutput: String?,
        nextActions: [String] = [], confidenceThreshold: Double = 0.7, limit: Int = .max
    ) -> JSONValue {
        var decisions: [JSONValue] = entries.filter(\.isToolEntry).map { entry in
            [
                "step": .number(Double(entry.step)), "category": .string(entry.category),
                "tool": entry.toolName.map(JSONValue.string) ?? .null,
                "input": entry.toolInput.map(JSONValue.object) ?? .null, "output": entry.toolOutput ?? .null,
                "status": entry.toolStatus.map { .string($0.rawValue) } ?? .null,
                "confidence": entry.confidence.map(JSONValue.number) ?? .null,
                "duration_ms": entry.durationMs.map { .number(Double($0)) } ?? .null,
                "error": entry.toolError.map(JSONValue.string) ?? .null,
            ]
        }
        var artifact: JSONObject = [
            "schema": "work-log-v1", "workflow_id": workflow.map(JSONValue.string) ?? .null,
            "query": .string(query), "decisions": .array(decisions),
            "summary": [
                "total_steps": .number(Double(entries.count)), "tool_calls": .number(Double(decisions.count)),
                // As the note's to_agent_artifact counts them: entries at level error (a failed tool run is
                // among the decisions, with its error), not WorkLogEntry.isError as explain and session counts.
                "errors": .number(Double(entries.count { $0.level == .error })),
                "total_duration_ms": .number(Double(entries.reduce(0) { $0 + ($1.durationMs ?? 0) })),
                "final_output": finalOutput.map {
                    .string(String(String.UnicodeScalarView($0.unicodeScalars.prefix(500))))
                }
                    ?? .null,
            ],
            "recommendations": .array(
                recommendations(entries, confidenceThreshold: confidenceThreshold).map(JSONValue.string)),
        ]
        if !nextActions.isEmpty {
            artifact["next_actions"] = .array(unique(nextActions).map(JSONValue.string))
        }
        guard limit < .max, !decisions.isEmpty else { return .object(artifact) }
        // Measured piece by piece, so that a session of any length is measured in one pass.
        artifact["decisions"] = []
        var size = CanonicalJSON.encode(.object(artifact)).count
        let sizes = decisions.map { CanonicalJSON.encode($0).count + 1 }
        guard size + sizes.reduce(0, +) - 1 > limit else {
            artifact["decisions"] = .array(decisions)
            return .object(artifact)
        }
        var kept = 0
        while kept < decisions.count, size + sizes[decisions.count - kept - 1] - (kept == 0 ? 1 : 0) <= limit
        {
            size += sizes[decisions.count - kept - 1] - (kept == 0 ? 1 : 0)
            kept += 1
        }
        decisions.removeFirst(decisions.count - kept)
        artifact["decisions"] = .array(decisions)
        return .object(artifact)
    }

    /// `_extract_next_actions()`: every tool output's `next_actions` in step order, then `review_errors` if
    /// any entry is an error, then `verify_low_confidence_decisions` if any entry's confidence is below the
    /// threshold; each action once. (The note's Python skips a confidence of exactly 0 because 0 is falsy;
    /// a confidence of 0 is as low as it gets, so it counts here.)
    public static func recommendations(_ entries: [WorkLogEntry], confidenceThreshold: Double = 0.7)
        -> [String]
    {
        var actions: [String] = []
        for entry in entries {
            if case .object(let output) = entry.toolOutput, case .array(let names) = output["next_actions"] {
                actions += names.compactMap(\.stringValue)
            }
        }
        if entries.contains(where: { $0.level == .error }) { actions.append("review_errors") }
        if entries.contains(where: { ($0.confidence ?? 1) < confidenceThreshold }) {
            actions.append("verify_low_confidence_decisions")
        }
        return unique(actions)
    }

    /// The raw record of an ended session: its metadata and every entry.
    public static func sessionRecord(
        _ session: WorkSessionInfo, entries: [WorkLogEntry], endedAt: Timestamp, finalOutput: String?,
        summary: String?
    ) -> JSONValue {
        sessionRecord(
            session, records: entries.map(\.recordJSON), endedAt: endedAt, finalOutput: finalOutput,
            summary: summary)
    }

    /// The raw record of an ended session in parts, each a `work-session-v1` of at most `limit` canonical
    /// bytes holding the next entries in step order, so that a session of any length can end: one part when
    /// it fits, as it always did.
    /// - Throws: `.invalidInput` when one entry alone, with the record's own fields, is over the limit.
    public static func sessionRecordParts(
        _ session: WorkSessionInfo, entries: [WorkLogEntry], endedAt: Timestamp, finalOutput: String?,
        summary: String?, limit: Int
    ) throws(HandoffError) -> [(document: JSONValue, firstStep: Int)] {
        let records = entries.map(\.recordJSON)
        let envelope = CanonicalJSON.encode(
            sessionRecord(session, records: [], endedAt: endedAt, finalOutput: finalOutput, summary: summary)
        ).count
        let sizes = records.map { CanonicalJSON.encode($0).count }
        func document(_ range: Range<Int>) -> (document: JSONValue, firstStep: Int) {
            (
                sessionRecord(
                    session, records: Array(records[range]), endedAt: endedAt, finalOutput: finalOutput,
                    summary: summary),
                range.isEmpty ? 1 : entries[range.lowerBound].step
            )
        }
        if envelope + sizes.reduce(0, +) + max(0, records.count - 1) <= limit {
            return [document(0..<records.count)]
        }
        var parts: [(document: JSONValue, firstStep: Int)] = []
        var start = 0
        var size = envelope
        for index in records.indices {
            let added = sizes[index] + (index > start ? 1 : 0)
            if size + added > limit {
                guard index > start, envelope + sizes[index] <= limit else {
                    throw HandoffError(
                        .invalidInput,
                        "step \(entries[index].step) of work session \(session.id) is \(sizes[index]) bytes in canonical form, which with the record's own \(envelope) is more than the limit of \(limit)"
                    )
                }
                parts.append(document(start..<index))
                start = index
                size = envelope + sizes[index]
            } else {
                size += added
            }
        }
        parts.append(document(start..<records.count))
        return parts
    }

    private static func sessionRecord(
        _ session: WorkSessionInfo, records: [JSONValue], endedAt: Timestamp, finalOutput: String?,
        summary: String?
    ) -> JSONValue {
        let start = session.start
        return [
            "schema": "work-session-v1", "session_id": .string(session.id),
            "workspace_id": .string(start.workspace), "workspace_type": .string(start.workspaceType.rawValue),
            "query": .string(start.query), "bot": .string(start.bot),
            "participants": .array(start.participants.map(JSONValue.string)),
            "coordinator": start.coordinator.map(JSONValue.string) ?? .null,
            "workflow_id": start.workflow.map(JSONValue.string) ?? .null,
            "start_time": .string(session.startedAt.description), "end_time": .string(endedAt.description),
            "final_output": finalOutput.map(JSONValue.string) ?? .null,
            "summary": summary.map(JSONValue.string) ?? .null,
            "entries": .array(records),
        ]
    }

    /// The escalation an entry raises, for the decider's inbox.
    static func escalation(_ entry: WorkLogEntry, session: WorkSessionInfo, decider: String) -> JSONValue {
        [
            "schema": "escalation-v1", "session_id": .string(session.id),
            "workspace_id": .string(session.start.workspace),
            "workspace_type": .string(session.start.workspaceType.rawValue),
            "query": .string(session.start.query),
            "step": .number(Double(entry.step)), "raised_by": .string(entry.botName ?? session.start.bot),
            "raised_at": .string((entry.timestamp ?? session.startedAt).description),
            "message": .string(entry.message), "details": .object(entry.details),
            "mentions": .array(entry.mentions.map(JSONValue.string)), "decider": .string(decider),
            "next_actions": ["decide"],
        ]
    }

    private static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}
