import HandoffJSON

/// A JSON Schema (draft 2020-12) compiled once and ready to validate any number of documents, from any
/// number of threads at once.
///
/// Compiling checks the schema against its metaschema, resolves every `$ref` to the subschema it names,
/// compiles the regular expressions and builds the property tables; validating then only walks the
/// compiled form.
///
/// ```swift
/// let schema = try CompiledSchema(JSONParser.parse(schemaBytes))
/// let result = schema.validate(document)
/// for error in result.errors { print(error) }  // /decisions/3/confidence: 1.7 is greater than the maximum 1
/// ```
public struct CompiledSchema: Sendable {
    let program: Program

    /// The absolute URI of the schema's root: its `$id`, or `uri` when it has none.
    public let uri: String

    /// Compiles a schema document.
    ///
    /// - Parameters:
    ///   - document: the schema.
    ///   - uri: the URI the schema's relative `$id` and references resolve against, when it has no absolute
    ///     `$id` of its own.
    ///   - registry: where references to other schemas and `$schema` metaschemas are looked up. The
    ///     document is not added to it.
    ///   - options: what validation checks beyond the schema itself.
    /// - Throws: `SchemaError` when the schema is invalid against its metaschema, a reference cannot be
    ///   resolved, a regular expression does not compile, or references go round in a cycle.
    public init(
        _ document: JSONValue, uri: String? = nil, registry: SchemaRegistry = SchemaRegistry(),
        options: ValidationOptions = .init()
    ) throws(SchemaError) {
        let parsed = SchemaDocument(root: document, uri: uri.map { splitFragment($0).base } ?? "")
        var compiler = Compiler(registry: registry, local: [parsed], options: options)
        program = try compiler.compile(ResourceReference(document: parsed, index: 0))
        self.uri = parsed.resources[0].uri
    }

    /// Compiles the schema at `uri` (a registered or loadable schema, optionally with a fragment naming a
    /// subschema: `urn:handoff:schema:work-log-v1#/$defs/decision`).
    /// - Throws: `SchemaError` when there is no schema at `uri`, or as `init(_:uri:registry:options:)`.
    public init(uri: String, registry: SchemaRegistry, options: ValidationOptions = .init())
        throws(SchemaError)
    {
        let (base, fragment) = splitFragment(uri)
        guard let resource = try registry.resource(at: base) else {
            throw SchemaError(
                code: .unresolvableReference, message: "no schema is known as \(base)", location: uri)
        }
        var pointer = resource.resource.pointer
        if !fragment.isEmpty {
            if fragment.hasPrefix("/"), let tokens = try? JSONPointer(fragment).tokens {
                pointer += tokens
            } else if let place = resource.resource.anchors[fragment] {
                pointer = place
            } else {
                throw SchemaError(
                    code: .unresolvableReference, message: "no subschema at \(uri)", location: uri)
            }
        }
        var compiler = Compiler(registry: registry, local: [], options: options)
        program = try compiler.compile(document: resource.document, pointer: pointer)
        self.uri = uri
    }

    /// The options the schema was compiled with.
    public var options: ValidationOptions { program.options }

    /// Whether `instance` is valid. Stops at the first problem and builds no messages: the fast path for
    /// callers that only need a yes or no.
    public func isValid(_ instance: JSONValue) -> Bool {
        var validator = Validator<JSONValue>(program: program, collecting: false)
        return validator.validate(instance)
    }

    /// Validates `instance` and says why it is invalid.
    ///
    /// A valid document costs no more than `isValid`: errors are only collected, on a second pass, when
    /// the first finds the document invalid.
    public func validate(_ instance: JSONValue) -> ValidationResult { validate(value: instance) }

    /// Whether the JSON document in `bytes` is valid: parsed as strictly as `JSONParser.parse` does, into a
    /// flat form that validates several times faster than a `JSONValue` tree.
    /// - Throws: `JSONParseError` when the bytes are not an acceptable JSON document.
    public func isValid(json bytes: UnsafeRawBufferPointer, limits: JSONParser.Limits = .init())
        throws(JSONParseError) -> Bool
    {
        try JSONParser.withTape(bytes, limits: limits) { root in
            var validator = Validator<TapeValue>(program: program, collecting: false)
            return validator.validate(root)
        }
    }

    /// Validates the JSON document in `bytes` and says why it is invalid: the same result as parsing it
    /// and calling `validate(_:)`, in a fraction of the time.
    /// - Throws: `JSONParseError` when the bytes are not an acceptable JSON document.
    public func validate(json bytes: UnsafeRawBufferPointer, limits: JSONParser.Limits = .init())
        throws(JSONParseError) -> ValidationResult
    {
        try JSONParser.withTape(bytes, limits: limits) { root in validate(value: root) }
    }

    /// Validates a document parsed onto a tape (inside `JSONParser.withTape`), as `validate(json:)` does.
    package func validate(tape root: TapeValue) -> ValidationResult { validate(value: root) }

    private func validate<Value: Instance>(value instance: Value) -> ValidationResult {
        var first = Validator<Value>(program: program, collecting: false)
        if first.validate(instance) { return ValidationResult(isValid: true, errors: []) }
        var validator = Validator<Value>(program: program, collecting: true)
        // A document that ran out of budget once would only run out again: the second pass starts with
        // none left, and reports just that.
        if first.workExceeded { validator.work = program.options.workBudget }
        _ = validator.validate(instance)
        return ValidationResult(isValid: false, errors: validator.errors)
    }
}
