import HandoffJSON

/// Reading a document from bytes and checking that it is an artifact, with errors that name the input.
public enum ArtifactDocument {
    /// Parses `bytes` strictly.
    /// - Parameter source: How to name the input in an error, such as `scan.json` or `standard input`.
    /// - Throws: `HandoffError` `.invalidInput`: "`scan.json` line 4, column 3: duplicate key "step"".
    public static func parse(_ bytes: [UInt8], source: String, limits: JSONParser.Limits = .init())
        throws(HandoffError) -> JSONValue
    {
        do {
            return try JSONParser.parse(bytes, limits: limits)
        } catch {
            throw HandoffError(.invalidInput, "\(source): \(error)", cause: error)
        }
    }

    /// The schema a document declares in its top-level `"schema"` field.
    /// - Throws: `HandoffError` `.invalidInput` when the document is not an object, has no `"schema"`, or
    ///   declares one not of the form `<name>-v<N>`.
    public static func declaredSchema(of document: JSONValue, source: String) throws(HandoffError)
        -> SchemaName
    {
        guard case .object(let object) = document else {
            throw HandoffError(
                .invalidInput,
                "\(source): an artifact must be a JSON object, not \(article(document.typeName))",
                hint: "wrap it: {\"schema\": \"<name>-v1\", ...}")
        }
        guard let declared = object["schema"] else {
            throw HandoffError(
                .invalidInput, "\(source): the artifact has no top-level \"schema\" field",
                hint: "add one naming its schema and major version, such as \"schema\": \"tool-result-v1\"")
        }
        guard case .string(let text) = declared else {
            throw HandoffError(
                .invalidInput,
                "\(source): the \"schema\" field must be a string, not \(article(declared.typeName))",
                hint: "such as \"schema\": \"tool-result-v1\"")
        }
        guard let schema = SchemaName(text) else {
            throw HandoffError(
                .invalidInput,
                "\(source): the \"schema\" field \(quotedForMessage(text)) is not of the form <name>-v<N>",
                hint:
                    "lowercase letters, digits and hyphens, then -v and the major version, such as \"tool-result-v1\""
            )
        }
        return schema
    }

    /// Refuses a document built in code that the strict parser would not read back: nested deeper than the
    /// limit (checked first, without deep recursion), or holding a NaN, an infinity or a noncharacter.
    /// Parsed documents always pass.
    public static func checkStorable(
        _ document: JSONValue, source: String, limits: JSONParser.Limits = .init()
    )
        throws(HandoffError)
    {
        if document.nestingExceeds(limits.maxDepth) {
            throw HandoffError(
                .invalidInput, "\(source) is nested deeper than the limit of \(limits.maxDepth) levels")
        }
        if let problem = document.firstInterchangeProblem() {
            let place = problem.pointer.description.isEmpty ? "/" : problem.pointer.description
            throw HandoffError(.invalidInput, "\(source) at \(place): \(problem.message)")
        }
    }

    private static func article(_ typeName: String) -> String {
        typeName == "array" || typeName == "object" ? "an \(typeName)" : "a \(typeName)"
    }
}
