import HandoffJSON

/// The artifact schemas that ship with Handoff, built into the library from the repository's `Schemas/`
/// folder (their single source), so a program that has only the built `handoff` binary has them.
public enum BuiltInSchemas {
    /// `<name>-v<N>` of each built-in schema.
    public static var names: [String] { sources.keys.sorted() }

    /// The schema document of a built-in schema, such as `work-log-v1`.
    public static func document(named name: String) -> JSONValue? {
        guard let bytes = sources[name] else { return nil }
        // Parsed on demand, each once: a command that needs one schema does not parse them all.
        return parsed.withLock { cache in
            if let document = cache[name] { return document }
            guard let document = try? JSONParser.parse(bytes) else {
                preconditionFailure("a built-in schema is not valid JSON; the tests of Schemas/ catch this")
            }
            cache[name] = document
            return document
        }
    }

    /// The schema's file as it is in `Schemas/`.
    public static func bytes(named name: String) -> [UInt8]? {
        sources[name]
    }

    /// The `$id` every Handoff schema has: `urn:handoff:schema:<name>-v<N>`.
    public static func uri(named name: String) -> String { uriPrefix + name }

    /// What every Handoff schema's `$id` starts with.
    public static let uriPrefix = "urn:handoff:schema:"

    private static let sources: [String: [UInt8]] = [
        "escalation-v1": PackageResources.escalation_v1_schema_json,
        "handoff-request-v1": PackageResources.handoff_request_v1_schema_json,
        "insight-v1": PackageResources.insight_v1_schema_json,
        "security-scan-v1": PackageResources.security_scan_v1_schema_json,
        "tool-result-v1": PackageResources.tool_result_v1_schema_json,
        "work-log-entry-v1": PackageResources.work_log_entry_v1_schema_json,
        "work-log-v1": PackageResources.work_log_v1_schema_json,
        "work-session-v1": PackageResources.work_session_v1_schema_json,
    ]

    private static let parsed = Locked<[String: JSONValue]>([:])
}
