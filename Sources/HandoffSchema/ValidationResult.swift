/// How a document is validated; fixed when the schema is compiled.
public struct ValidationOptions: Sendable, Equatable {
    /// Check `format` values (`date-time`, `email`, `uri`, ...) instead of treating them as annotations.
    ///
    /// A schema whose metaschema uses the format-assertion vocabulary checks them whatever this says.
    public var formatAssertion: Bool
    /// Steps one `pattern` match may take before the value is reported as not checkable; ordinary patterns
    /// take 3–8 steps per character of input.
    public var regexBudget: Int
    /// Errors collected at most by `validate`; validation stops looking once it has this many.
    public var maxErrors: Int
    /// Deepest nesting of subschema evaluations followed before validation gives up with an error.
    ///
    /// A recursive schema evaluates one or two subschemas per level of the document, so the default
    /// covers the deepest document the parser accepts (2,048 levels). Validation that goes deeper than a
    /// few dozen levels continues on a thread with a stack sized for this depth.
    public var maxDepth: Int

    public init(
        formatAssertion: Bool = false, regexBudget: Int = 1_000_000, maxErrors: Int = 100,
        maxDepth: Int = 5_000
    ) {
        self.formatAssertion = formatAssertion
        self.regexBudget = regexBudget
        self.maxErrors = maxErrors
        self.maxDepth = maxDepth
    }
}

/// The outcome of validating one document.
public struct ValidationResult: Sendable, Equatable {
    /// Whether the document is valid against the schema.
    public var isValid: Bool
    /// Why it is not, most specific first within each place; empty when valid. At most
    /// `ValidationOptions.maxErrors`.
    public var errors: [ValidationError]

    public init(isValid: Bool, errors: [ValidationError]) {
        self.isValid = isValid
        self.errors = errors
    }
}

/// One reason a document is invalid, in the shape of JSON Schema's "basic" output unit.
///
/// `description` reads `/decisions/3/confidence: 1.7 is greater than the maximum 1`.
public struct ValidationError: Sendable, Hashable, CustomStringConvertible {
    /// JSON Pointer to the value that failed, `""` for the whole document.
    public var instanceLocation: String
    /// JSON Pointer to the keyword along the path evaluation took through the schema, `$ref` hops
    /// included: `/properties/decisions/items/$ref/properties/confidence/maximum`.
    public var keywordLocation: String
    /// The keyword's absolute location: its schema resource's URI and a JSON Pointer fragment, e.g.
    /// `urn:handoff:schema:work-log-v1#/$defs/decision/properties/confidence/maximum`.
    public var absoluteKeywordLocation: String
    /// The keyword that failed, such as `maximum`, `required` or `anyOf`.
    public var keyword: String
    /// What is wrong, for a person: `1.7 is greater than the maximum 1`.
    public var message: String

    public init(
        instanceLocation: String, keywordLocation: String, absoluteKeywordLocation: String, keyword: String,
        message: String
    ) {
        self.instanceLocation = instanceLocation
        self.keywordLocation = keywordLocation
        self.absoluteKeywordLocation = absoluteKeywordLocation
        self.keyword = keyword
        self.message = message
    }

    public var description: String {
        "\(instanceLocation.isEmpty ? "(root)" : instanceLocation): \(message)"
    }
}
