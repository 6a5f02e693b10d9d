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
