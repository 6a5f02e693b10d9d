import HandoffJSON

/// The 2020-12 vocabularies a schema resource uses, from its metaschema's `$vocabulary`.
struct Vocabularies: Sendable, Equatable {
    var applicator = true
    var unevaluated = true
    var validation = true
    var formatAssertion = false

    /// What the 2020-12 metaschema declares (format as an annotation).
    static let standard = Vocabularies()

    static let prefix = "https://json-schema.org/draft/2020-12/vocab/"

    /// The vocabularies a metaschema declares, or `nil` when it has no `$vocabulary` (the standard set
    /// then applies).
    /// - Throws: `unsupportedVocabulary` when it requires one this implementation does not know.
    static func declared(by metaschema: JSONValue, location: String) throws(SchemaError) -> Vocabularies? {
        guard case .object(let declared) = metaschema["$vocabulary"] ?? .null else { return nil }
        var result = Vocabularies(applicator: false, unevaluated: false, validation: false)
        for (uri, required) in declared {
            switch uri {
            case prefix + "core", prefix + "meta-data", prefix + "content", prefix + "format-annotation":
                break
            case prefix + "applicator": result.applicator = true
            case prefix + "unevaluated": result.unevaluated = true
            case prefix + "validation": result.validation = true
            case prefix + "format-assertion": result.formatAssertion = true
            default:
                if required == .bool(true) {
                    throw SchemaError(
                        code: .unsupportedVocabulary,
                        message: "the metaschema requires the unknown vocabulary \"\(uri)\"",
                        location: location)
                }
            }
        }
        return result
    }
}
