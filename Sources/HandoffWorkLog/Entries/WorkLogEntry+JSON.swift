import HandoffJSON
import HandoffKit

extension WorkLogEntry {
    /// Checks what the work-log schemas require of an entry, so that whatever a bot records can be stored
    /// and handed on as a valid `work-session-v1` and `work-log-v1`.
    /// - Throws: `HandoffError` `.invalidInput` naming the field and what is wrong with it.
    public func check() throws(HandoffError) {
        try Self.checkName(category, "category")
        if let confidence, !(confidence.isFinite && (0...1).contains(confidence)) {
            throw Self.invalid("confidence", "must be a number from 0 to 1, not \(confidence)")
        }
        if let durationMs, durationMs < 0 {
            throw Self.invalid("duration_ms", "must not be negative, not \(durationMs)")
        }
        if let responseTo, responseTo < 1 {
            throw Self.invalid("response_to", "must be a step number (1 or more), not \(responseTo)")
        }
        if let toolName { try Self.checkName(toolName, "tool_name") }
        if let botName { try Self.checkName(botName, "bot_name") }
        if let botRole { try Self.checkName(botRole, "bot_role") }
        if let triggeredBy { try Self.checkName(triggeredBy, "triggered_by") }
        if let insightCategory { try Self.checkName(insightCategory, "insight_category") }
        for mention in mentions { try Self.checkName(mention, "mentions") }
        if case .object(let output) = toolOutput, let actions = output["next_actions"] {
            guard case .array(let names) = actions else {
                throw Self.invalid("tool_output.next_actions", "must be a list of action names")
            }
            for name in names {
                guard case .string(let action) = name, Self.isActionName(action) else {
                    throw Self.invalid(
                        "tool_output.next_actions",
                        "has \(name), which is not an action name (lower snake_case, such as \"manual_review\", at most 64 characters)"
                    )
                }
            }
        }
        // The entry travels inside a session record, three levels below its root, and must read back.
        let depth = JSONParser.Limits().maxDepth - 4
        for (field, value) in [
            ("message", JSONValue.string(message)), ("details", .object(details)),
            ("tool_input", toolInput.map(JSONValue.object)), ("tool_output", toolOutput),
            ("tool_error", toolError.map(JSONValue.string)),
        ] {
            guard let value else { continue }
            if value.nestingExceeds(depth) {
                throw Self.invalid(field, "is nested deeper than the limit of \(depth) levels")
            }
            if let problem = value.firstInterchangeProblem() {
                let place = problem.pointer.description
                throw HandoffError(.invalidInput, "\(field)\(place): \(problem.message)")
            }
        }
    }

    /// Whether `text` is an action name as `work-log-v1` takes them: lower snake_case, at most 64 characters.
    static func isActionName(_ text: String) -> Bool {
        let bytes = text.utf8
        guard let first = bytes.first, (0x61...0x7A).contains(first), bytes.count <= 64 else { return false }
        return bytes.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    private static func checkName(_ value: String, _ field: String) throws(HandoffError) {
        do {
            try Store.checkName(value, as: field)
        } catch {
            throw HandoffError(.invalidInput, "\(field): \(error.message)", hint: error.hint)
        }
    }

    private static func invalid(_ field: String, _ problem: String) -> HandoffError {
        HandoffError(.invalidInput, "\(field) \(problem)")
    }

    // MARK: JSON

    /// Reads an entry from its `work-log-entry-v1` form (after the schema has checked it), filling in what the
    /// notes' helpers do: a tool entry is at level `tool` in category `tool_execution`, saying `Executed <tool>`.
    /// - Throws: `HandoffError` `.invalidInput` when the entry names another workspace or participants than
    ///   the session's, or fails `check()`.
    public init(json object: JSONObject, session: WorkSessionStart) throws(HandoffError) {
        func string(_ key: String) -> String? { object[key]?.stringValue }
        func flag(_ key: String) -> Bool { object[key]?.boolValue ?? false }
        let toolName = string("tool_name")
        let level: LogLevel
        if let name = string("level") {
            guard let parsed = LogLevel(rawValue: name) else {
                throw Self.invalid(
                    "level", "must be one of \(LogLevel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            level = parsed
        } else {
            level = .tool
        }
        guard let message = string("message") ?? toolName.map({ "Executed \($0)" }) else {
            throw Self.invalid("message", "is required for an entry that names no tool_name")
        }
        self.init(
            level: level, category: string("category") ?? (toolName == nil ? "general" : "tool_execution"),
            message: message, details: object["details"]?.objectValue ?? [:],
            confidence: object["confidence"]?.numberValue,
            durationMs: object["duration_ms"]?.numberValue.flatMap { Int(exactly: $0) }, toolName: toolName,
            toolInput: object["tool_input"]?.objectValue,
            toolOutput: object["tool_output"].flatMap { $0.isNull ? nil : $0 },
            toolStatus: string("tool_status").flatMap(ToolStatus.init(rawValue:)),
            toolError: string("tool_error"),
            botName: string("bot_name"), botRole: string("bot_role"), triggeredBy: string("triggered_by"),
            mentions: object["mentions"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            responseTo: object["response_to"]?.numberValue.flatMap { Int(exactly: $0) },
            coordinatorMode: flag("coordinator_mode"), escalation: flag("escalation"),
            shareableInsight: flag("shareable_insight"), insightCategory: string("insight_category"))
        if let workspace = string("workspace_id"), workspace != session.workspace {
            throw Self.invalid(
                "workspace_id",
                "\(quotedForMessage(workspace)) is not this session's workspace \(quotedForMessage(session.workspace))"
            )
        }
        if let type = string("workspace_type"), type != session.workspaceType.rawValue {
            throw Self.invalid(
                "workspace_type",
                "\"\(type)\" is not this session's workspace type \"\(session.workspaceType)\"")
        }
        if let participants = object["participants"]?.arrayValue?.compactMap(\.stringValue),
            participants != session.participants
        {
            throw Self.invalid("participants", "are not this session's participants")
        }
        try check()
    }

    /// The entry with every field, as a `work-session-v1` record holds it.
    public var recordJSON: JSONValue {
        func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        // Every record entry has the same keys: built in their canonical order, not inserted one by one.
        let values: [JSONValue] = [
            .string(botName ?? ""), optional(botRole), .string(category),
            confidence.map(JSONValue.number) ?? .null,
            .bool(coordinatorMode), .object(details), durationMs.map { .number(Double($0)) } ?? .null,
            .bool(escalation), optional(insightCategory), .string(level.rawValue),
            .array(mentions.map(JSONValue.string)), .string(message),
            responseTo.map { .number(Double($0)) } ?? .null, .bool(shareableInsight), .number(Double(step)),
            .string((timestamp ?? Timestamp(millisecondsSince1970: 0)).description), optional(toolError),
            toolInput.map(JSONValue.object) ?? .null, optional(toolName), toolOutput ?? .null,
            optional(toolStatus?.rawValue), .string(triggeredBy ?? "user"),
        ]
        return .object(JSONObject(sortedUniqueKeys: Self.recordKeys, values: values))
    }

    /// The keys of a record entry, in canonical (UTF-16) order, matching `recordJSON`'s values.
    static let recordKeys = [
        "bot_name", "bot_role", "category", "confidence", "coordinator_mode", "details", "duration_ms",
        "escalation",
        "insight_category", "level", "mentions", "message", "response_to", "shareable_insight", "step",
        "timestamp",
        "tool_error", "tool_input", "tool_name", "tool_output", "tool_status", "triggered_by",
    ]

    /// Reads an entry back from a `work-session-v1` record.
    init(record value: JSONValue) throws(HandoffError) {
        guard case .object(let object) = value, let step = object["step"]?.intValue,
            let time = object["timestamp"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        else {
            throw HandoffError(.invalidInput, "a work-session-v1 entry lacks its step or timestamp")
        }
        try self.init(json: object, session: WorkSessionStart(query: "", bot: "record"))
        self.step = step
        timestamp = time
    }

    /// The entry with its secrets masked: message, details, tool input, output and error (its names are
    /// checked instead, and refused when they hold one).
    package func masked(by masker: SecretMasker = .standard) -> WorkLogEntry {
        var entry = self
        entry.message = masker.mask(message)
        entry.details = masker.mask(details)
        entry.toolInput = toolInput.map(masker.mask)
        entry.toolOutput = toolOutput.map(masker.mask)
        entry.toolError = toolError.map(masker.mask)
        return entry
    }
}
