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
    /// The work validating one document may take, counted in subschemas evaluated plus `pattern` steps:
    /// past it, validation stops and reports the document as not checkable within the budget.
    ///
    /// A schema can make the work grow without bound (`allOf` or `$ref` fanning out at every level, a
    /// backtracking pattern applied to many strings); this bounds the time any one document can take. The
    /// default, 50 million, is a second or two in a release build, and over a hundred times what a work
    /// log of ten thousand entries needs.
    public var workBudget: Int

    public init(
        formatAssertion: Bool = false, regexBudget: Int = 1_000_000, maxErrors: Int = 100,
        maxDepth: Int = 5_000, workBudget: Int = ValidationOptions.defaultWorkBudget
    ) {
        self.formatAssertion = formatAssertion
        self.regexBudget = regexBudget
        self.maxErrors = maxErrors
        self.maxDepth = maxDepth
        self.workBudget = workBudget
    }

    /// The default `workBudget`.
    public static let defaultWorkBudget = 50_000_000
}
