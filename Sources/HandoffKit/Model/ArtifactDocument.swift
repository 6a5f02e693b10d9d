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

    /// Calls `body` with the JSON document in `bytes` parsed onto a tape (a flat form, no tree), or throws
    /// what `parse` throws for bytes it refuses.
    package static func onTape<Result>(
        _ bytes: [UInt8], source: String, limits: JSONParser.Limits = .init(),
        _ body: (TapeValue) throws(HandoffError) -> Result
    ) throws(HandoffError) -> Result {
        let parsed = bytes.withUnsafeBytes { buffer in
            Swift.Result { () throws(JSONParseError) in
                try JSONParser.withTape(buffer, limits: limits) { root in
                    Swift.Result { () throws(HandoffError) in try body(root) }
                }
            }
        }
        switch parsed {
        case .success(let outcome): return try outcome.get()
        case .failure(let error): throw HandoffError(.invalidInput, "\(source): \(error)", cause: error)
        }
    }

    /// The schema a document on a tape declares, as `declaredSchema(of:source:)` finds it in a tree, with the
    /// same refusals.
    package static func declaredSchema(of root: TapeValue, source: String) throws(HandoffError) -> SchemaName
    {
        if root.kind == .object,
            let position = "schema".utf8.withContiguousStorageIfAvailable({ root.position(ofKey: $0) })
                ?? nil,
            case let member = root.value(position), member.kind == .string,
            let name = SchemaName(member.textValue)
        {
            return name
        }
        // Not an object, or no proper name: the tree's check says which, in the same words.
        return try declaredSchema(of: root.jsonValue, source: source)
    }

    /// Whether canonical bytes may hold a noncharacter (U+FDD0…U+FDEF, or U+xFFFE and U+xFFFF of any plane),
    /// which `checkStorable` refuses: its UTF-8 is looked for directly, as canonical text writes every
    /// character of a string as itself.
    package static func mayHoldNoncharacter(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            let count = buffer.count
            while index < count {
                // Eight bytes at a step while none has its top bit set: JSON text is mostly ASCII.
                if index + 8 <= count,
                    UnsafeRawPointer(buffer.baseAddress! + index).loadUnaligned(as: UInt64.self)
                        & 0x8080_8080_8080_8080 == 0
                {
                    index += 8
                    continue
                }
                let byte = buffer[index]
                if byte < 0xEF {
                    index += 1
                    continue
                }
                if byte == 0xEF, index + 2 < count {
                    let second = buffer[index + 1]
                    let third = buffer[index + 2]
                    if second == 0xB7, (0x90...0xAF).contains(third) { return true }
                    if second == 0xBF, third >= 0xBE { return true }
                } else if byte >= 0xF0, index + 3 < count {
                    if buffer[index + 1] & 0x0F == 0x0F, buffer[index + 2] == 0xBF, buffer[index + 3] >= 0xBE
                    {
                        return true
                    }
                }
                index += 1
            }
            return false
        }
    }

    private static func article(_ typeName: String) -> String {
        typeName == "array" || typeName == "object" ? "an \(typeName)" : "a \(typeName)"
    }
}
