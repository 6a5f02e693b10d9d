import Foundation
import HandoffJSON
import HandoffKit
import HandoffSchema

/// What checking a document as an artifact found: the schema it was checked against and every error,
/// each as `instanceLocation: message`.
public struct ArtifactCheck: Sendable, CustomStringConvertible {
    /// The schema checked against, or nil when the document could not be checked at all.
    public let schema: String?
    /// Each problem found, such as `/decisions/3/confidence: 1.7 is greater than the maximum 1`.
    public let errors: [String]
    /// The validator's errors in the JSON Schema "basic" shape, when the document could be checked.
    public let validationErrors: [HandoffSchema.ValidationError]

    public var isValid: Bool { schema != nil && errors.isEmpty }

    public var description: String {
        if isValid { return "a valid \(schema!) artifact" }
        let heading = schema.map { "not a valid \($0) artifact" } ?? "not an artifact that can be checked"
        return heading + ":\n" + errors.map { "  " + $0 }.joined(separator: "\n")
    }

    /// Checks `document` against `schema`, or against the schema its `"schema"` field declares.
    ///
    /// - Parameter catalog: Where schemas are found; the built-in ones by default. A store's catalog
    ///   (`store.schemas`) knows its own schemas too.
    public static func of(_ document: JSONValue, schema: String? = nil, catalog: SchemaCatalog = .builtIn)
        -> ArtifactCheck
    {
        do {
            let declared = try ArtifactDocument.declaredSchema(of: document, source: "the document")
                .description
            // What put refuses before it validates, a check refuses too.
            try ArtifactDocument.checkStorable(document, source: "the document")
            let name = schema ?? declared
            if name != declared {
                return ArtifactCheck(
                    schema: name, errors: ["/schema: declares \(declared), expected \(name)"],
                    validationErrors: [])
            }
            let result = try catalog.compiled(named: name).validate(document)
            return ArtifactCheck(
                schema: name, errors: result.errors.map(\.description), validationErrors: result.errors)
        } catch {
            return ArtifactCheck(schema: nil, errors: [error.message], validationErrors: [])
        }
    }

    /// Checks a value as the JSON `encoder` makes of it.
    public static func of(
        _ value: some Encodable, schema: String? = nil, catalog: SchemaCatalog = .builtIn,
        encoder: JSONEncoder = JSONEncoder()
    ) -> ArtifactCheck {
        do {
            let data = try encoder.encode(value)
            return of(try JSONParser.parse(Array(data)), schema: schema, catalog: catalog)
        } catch {
            return ArtifactCheck(
                schema: nil, errors: ["cannot encode the value as JSON: \(error)"], validationErrors: [])
        }
    }

    /// Checks the document in a file.
    public static func of(file path: String, schema: String? = nil, catalog: SchemaCatalog = .builtIn)
        -> ArtifactCheck
    {
        do {
            let bytes = try FileIO.readFile(path)
            return of(try ArtifactDocument.parse(bytes, source: path), schema: schema, catalog: catalog)
        } catch {
            return ArtifactCheck(schema: nil, errors: [error.message], validationErrors: [])
        }
    }
}

extension SchemaCatalog {
    /// The built-in schemas, compiled once for the whole test run.
    public static let builtIn = SchemaCatalog()
}
