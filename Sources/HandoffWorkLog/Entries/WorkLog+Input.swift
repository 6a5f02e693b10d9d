import HandoffJSON
import HandoffKit

/// How a session ends, as a line `{"end": {…}}` of `handoff log record` gives it.
public struct WorkSessionEnding: Sendable, Equatable {
    public var finalOutput: String?
    public var summary: String?
    public var nextActions: [String]

    public init(finalOutput: String? = nil, summary: String? = nil, nextActions: [String] = []) {
        self.finalOutput = finalOutput
        self.summary = summary
        self.nextActions = nextActions
    }
}

extension WorkLog {
    /// An entry from its `work-log-entry-v1` JSON form (a line of `log record`, the MCP `log_entry` tool),
    /// checked against the published schema.
    /// - Throws: `HandoffError` `.invalidInput` whose message names the first problem and where it is
    ///   (`/confidence: 1.7 is greater than the maximum 1`), with every problem in `details`.
    public func entry(fromJSON value: JSONValue, for session: WorkSessionStart) throws(HandoffError)
        -> WorkLogEntry
    {
        let result = try store.schemas.compiled(named: "work-log-entry-v1").validate(value)
        guard result.isValid, case .object(let object) = value else {
            let problems = result.errors.map(\.description)
            // The first problem is the message; the details hold them all.
            throw HandoffError(
                .invalidInput, problems.first ?? "an entry must be a JSON object", details: problems)
        }
        return try WorkLogEntry(json: object, session: session)
    }

    /// The ending a `{"end": {…}}` line gives, when `value` is one; nil for anything else (an entry).
    /// - Throws: `HandoffError` `.invalidInput` for an end line with unknown or mistyped members.
    public static func ending(fromJSON value: JSONValue) throws(HandoffError) -> WorkSessionEnding? {
        guard case .object(let line) = value, line.count == 1, let end = line["end"] else { return nil }
        guard case .object(let object) = end else {
            throw HandoffError(.invalidInput, "/end must be an object: {\"final_output\": …, \"summary\": …}")
        }
        let known = ["final_output", "summary", "next_actions"]
        for key in object.keys where !known.contains(key) {
            throw HandoffError(
                .invalidInput, "/end has no member \(quotedForMessage(key))",
                hint: "an end line takes \(known.joined(separator: ", "))")
        }
        var ending = WorkSessionEnding()
        for key in ["final_output", "summary"] {
            guard let member = object[key], !member.isNull else { continue }
            guard case .string(let text) = member else {
                throw HandoffError(
                    .invalidInput, "/end/\(key) must be a string or null, not \(member.typeName)")
            }
            if key == "final_output" { ending.finalOutput = text } else { ending.summary = text }
        }
        if let member = object["next_actions"], !member.isNull {
            guard case .array(let names) = member else {
                throw HandoffError(.invalidInput, "/end/next_actions must be a list of action names")
            }
            for name in names {
                guard case .string(let action) = name, WorkLogEntry.isActionName(action) else {
                    throw HandoffError(
                        .invalidInput,
                        "/end/next_actions has \(name), which is not an action name (lower snake_case, such as \"manual_review\")"
                    )
                }
                ending.nextActions.append(action)
            }
        }
        return ending
    }
}
