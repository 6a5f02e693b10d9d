/// Why a schema could not be registered or compiled, and where in it.
///
/// `description` names the place: `schema at /properties/n/minimum: expected number, found string`, or
/// `cannot resolve $ref "#/$defs/nope" at /properties/a`.
public struct SchemaError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem it is; stable, for callers that branch on it.
    public enum Code: String, Sendable {
        /// The schema does not validate against its metaschema.
        case invalidSchema
        /// A `$ref` or `$dynamicRef` names a schema or a place that does not exist.
        case unresolvableReference
        /// A `pattern` or `patternProperties` key is not an ECMA-262 regular expression.
        case invalidRegex
        /// `$schema` names a metaschema that is neither built in, registered, nor loadable.
        case unknownMetaschema
        /// The metaschema requires a vocabulary this implementation does not know.
        case unsupportedVocabulary
        /// References lead back to the same schema without descending into the instance.
        case referenceCycle
        /// Two different documents claim the same URI.
        case duplicateURI
        /// A schema was registered without an `$id` or a URI to know it by.
        case missingURI
        /// A `SchemaLoader` threw.
        case loaderFailed
        /// The schema is nested deeper than a validator can follow.
        case tooDeep
    }

    public let code: Code
    /// What is wrong, without the place.
    public let message: String
    /// Where in the schema: a JSON Pointer into the document being compiled, or an absolute URI with a
    /// pointer fragment for a document it references.
    public let location: String
    /// For `invalidSchema`: every place where the schema breaks its metaschema.
    public let underlyingErrors: [ValidationError]
    /// What a loader threw, for `loaderFailed`.
    public let cause: (any Error & Sendable)?

    public init(
        code: Code, message: String, location: String, underlyingErrors: [ValidationError] = [],
        cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.location = location
        self.underlyingErrors = underlyingErrors
        self.cause = cause
    }

    public var description: String {
        let place = location.isEmpty ? "the root" : location
        switch code {
        case .unresolvableReference: return "\(message) at \(place)"
        default: return "schema at \(place): \(message)"
        }
    }
}
