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
