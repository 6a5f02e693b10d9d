import HandoffJSON
import HandoffSchema

/// A schema that artifacts can declare.
public struct SchemaInfo: Sendable, Hashable {
    /// `<name>-v<N>`, such as `work-log-v1`.
    public let name: String
    /// Whether it ships with Handoff rather than being added to one store.
    public let builtIn: Bool
    /// The schema's `title`, when it has one.
    public let title: String?
    /// The content address of the schema document's canonical bytes.
    public let id: ArtifactID
    public let size: Int
    /// When it was added to the store; nil for built-in schemas.
    public let addedAt: Timestamp?
}

/// The schemas artifacts are validated against: the built-in ones, a store's own, and any that loaders
/// supply (for `$ref`s into a schema repository). Compiled schemas are kept, so each is compiled once.
public final class SchemaCatalog: Sendable {
    private let local: LocalSchemas?
    private let registry: SchemaRegistry
    private let options: ValidationOptions
    private let compiled = Locked<[String: CompiledSchema]>([:])

    /// A catalog of the built-in schemas, asking `loaders` for any other URI a schema refers to.
    /// - Parameters:
    ///   - assertFormats: Whether `format` is checked (date-time, email, uri, …) or only an annotation.
    ///   - validationBudget: The work validating one document may take (see `ValidationOptions.workBudget`).
    public convenience init(
        loaders: [any SchemaLoader] = [], assertFormats: Bool = true,
        validationBudget: Int = ValidationOptions.defaultWorkBudget
    ) {
        self.init(
            local: nil, loaders: loaders, assertFormats: assertFormats, validationBudget: validationBudget)
    }

    init(
        local: LocalSchemas?, loaders: [any SchemaLoader] = [], assertFormats: Bool = true,
        validationBudget: Int = ValidationOptions.defaultWorkBudget
    ) {
        self.local = local
        registry = SchemaRegistry(loaders: [CatalogLoader(local: local)] + loaders)
        options = ValidationOptions(formatAssertion: assertFormats, workBudget: max(1, validationBudget))
    }

    /// Every schema the catalog knows, by name.
    public func list() throws(HandoffError) -> [SchemaInfo] {
        var infos: [SchemaInfo] = BuiltInSchemas.names.map { name in
            let document = BuiltInSchemas.document(named: name)!
            let canonical = CanonicalJSON.encode(document)
            return SchemaInfo(
                name: name, builtIn: true, title: document["title"]?.stringValue,
                id: ArtifactID(canonicalBytes: canonical), size: canonical.count, addedAt: nil)
        }
        infos += try local?.entries() ?? []
        return infos.sorted { $0.name < $1.name }
    }

    /// The document of the schema `name`.
    /// - Throws: `HandoffError` `.notFound` when the catalog has no such schema.
    public func document(named name: String) throws(HandoffError) -> JSONValue {
        if let document = BuiltInSchemas.document(named: name) { return document }
        if let document = try local?.document(named: name) { return document }
        throw HandoffError(
            .notFound, "unknown schema \(quotedForMessage(name))",
            hint: "`handoff schema ls` lists the known ones; `handoff schema add FILE` registers another")
    }

    /// The compiled schema `name`.
    /// - Throws: `HandoffError` `.invalidInput` for an unknown schema (an artifact declaring it cannot be checked).
    public func compiled(named name: String) throws(HandoffError) -> CompiledSchema {
        if let schema = compiled.withLock({ $0[name] }) { return schema }
        do {
            _ = try document(named: name)
        } catch  where error.code == .notFound {
            // Unknown to the catalog: an artifact declaring it is bad input. (A schema whose stored object is
            // missing or damaged is an I/O error, and stays one.)
            throw HandoffError(.invalidInput, error.message, hint: error.hint)
        }
        let schema: CompiledSchema
        do {
            schema = try CompiledSchema(
                uri: BuiltInSchemas.uri(named: name), registry: registry, options: options)
        } catch {
            throw HandoffError(
                .invalidInput, "schema \(name) cannot be used: \(error)",
                details: error.underlyingErrors.map(\.description),
                cause: error)
        }
        compiled.withLock { $0[name] = schema }
        return schema
    }

    /// Compiles a schema document that is not in the catalog, such as a file given to `validate --schema`.
    /// - Throws: `HandoffError` `.invalidInput` saying where the schema is wrong.
    public func compile(_ document: JSONValue, source: String) throws(HandoffError) -> CompiledSchema {
        do {
            return try CompiledSchema(document, uri: nil, registry: registry, options: options)
        } catch {
            throw HandoffError(
                .invalidInput, "\(source) is not a valid JSON Schema: \(error)",
                details: error.underlyingErrors.map(\.description), cause: error)
        }
    }

    /// Checks a document against the schema it declares in its `"schema"` field, or against `schema`.
    /// - Returns: The schema's name (or nil when `schema` was given) and the result.
    /// - Throws: `HandoffError` `.invalidInput` when the document declares no schema or an unknown one.
    public func validate(_ document: JSONValue, source: String) throws(HandoffError) -> (
        schema: String, result: ValidationResult
    ) {
        let name = try ArtifactDocument.declaredSchema(of: document, source: source).description
        return (name, try compiled(declared: name, source: source).validate(document))
    }

    /// Checks the JSON document in `bytes` against `fixed`, else the schema it declares: what parsing it and
    /// calling `validate(_:source:)` (or `fixed.schema.validate`) gives, parse errors included, without building
    /// a tree of the document. `validate --jsonl` runs every line through here.
    /// - Throws: `HandoffError` `.invalidInput` when the bytes are not an acceptable JSON document (the
    ///   message `ArtifactDocument.parse` gives), or the document declares no schema or an unknown one.
    public func validate(
        json bytes: [UInt8], source: String, limits: JSONParser.Limits = .init(),
        against fixed: (name: String, schema: CompiledSchema)? = nil
    ) throws(HandoffError) -> (schema: String, result: ValidationResult) {
        try ArtifactDocument.onTape(bytes, source: source, limits: limits) {
            root throws(HandoffError) -> (String, ValidationResult) in
            if let fixed { return (fixed.name, fixed.schema.validate(tape: root)) }
            let name = try ArtifactDocument.declaredSchema(of: root, source: source).description
            return (name, try compiled(declared: name, source: source).validate(tape: root))
        }
    }

    /// The compiled schema a document declares, or why there is none, naming the document.
    private func compiled(declared name: String, source: String) throws(HandoffError) -> CompiledSchema {
        do {
            return try compiled(named: name)
        } catch {
            throw HandoffError(
                .invalidInput, "\(source): \(error.message)", hint: error.hint, details: error.details)
        }
    }

    /// Refuses an artifact that is not valid against the schema it declares, as `put` does.
    /// - Throws: `HandoffError` `.invalidInput` naming the first error, with every error as details, or
    ///   saying the schema is unknown.
    public func check(_ document: JSONValue, declaring name: String, source: String) throws(HandoffError) {
        try refuse(
            try schema(toCheck: name, source: source).validate(document), declaring: name, source: source)
    }

    /// `check(_:declaring:source:)` for the JSON document in `bytes`, read without building a tree: the
    /// same refusals, in the same words, and those of `ArtifactDocument.parse` for bytes that are not JSON.
    public func check(json bytes: [UInt8], source: String, limits: JSONParser.Limits = .init())
        throws(HandoffError)
    {
        try ArtifactDocument.onTape(bytes, source: source, limits: limits) { root throws(HandoffError) in
            let name = try ArtifactDocument.declaredSchema(of: root, source: source).description
            try check(tape: root, declaring: name, source: source)
        }
    }

    /// `check(_:declaring:source:)` for a document on a tape: the same refusals, in the same words.
    package func check(tape root: TapeValue, declaring name: String, source: String) throws(HandoffError) {
        try refuse(
            try schema(toCheck: name, source: source).validate(tape: root), declaring: name, source: source)
    }

    /// The schema an artifact to check declares, or why there is none.
    private func schema(toCheck name: String, source: String) throws(HandoffError) -> CompiledSchema {
        do {
            return try compiled(named: name)
        } catch  where error.code == .invalidInput {
            throw HandoffError(
                .invalidInput, "\(source): \(error.message)",
                hint: "register the schema with `handoff schema add FILE`, or put it with --no-validate",
                details: error.details)
        }
    }

    /// Refuses an artifact `result` found invalid: the first error on the line, every one in the details.
    private func refuse(_ result: ValidationResult, declaring name: String, source: String)
        throws(HandoffError)
    {
        guard let first = result.errors.first else { return }
        throw HandoffError(
            .invalidInput, "\(source) is not a valid \(name) artifact: \(first)",
            details: result.errors.map(\.description))
    }

    /// Where an artifact of schema `name` keeps its next actions: the schema's `x-handoff-next-actions`, or
    /// the built-in schemas' places when it declares none.
    func nextActionPlaces(forSchema name: String) -> [String] {
        guard let document = try? document(named: name),
            case .array(let places) = document["x-handoff-next-actions"]
        else { return NextActionExtractor.defaultPlaces }
        return places.compactMap(\.stringValue)
    }

    /// Checks a schema document for registering it: its `$id` must be `urn:handoff:schema:<name>-v<N>`, it
    /// must compile, and it must not change a built-in schema.
    /// - Returns: The name its `$id` gives it.
    /// - Throws: `HandoffError` `.invalidInput` saying what is wrong and where.
    public func checkNewSchema(_ document: JSONValue, source: String) throws(HandoffError) -> String {
        guard case .string(let id) = document["$id"] else {
            throw HandoffError(
                .invalidInput,
                "\(source): a Handoff schema needs an \"$id\" of the form \(BuiltInSchemas.uriPrefix)<name>-v<N>",
                hint: "for example \"$id\": \"\(BuiltInSchemas.uriPrefix)code-review-v1\"")
        }
        guard id.hasPrefix(BuiltInSchemas.uriPrefix),
            let name = SchemaName(String(id.dropFirst(BuiltInSchemas.uriPrefix.count)))
        else {
            throw HandoffError(
                .invalidInput,
                "\(source): the \"$id\" \(quotedForMessage(id)) is not of the form \(BuiltInSchemas.uriPrefix)<name>-v<N>"
            )
        }
        if let builtIn = BuiltInSchemas.document(named: name.description), builtIn != document {
            throw HandoffError(
                .invalidInput,
                "\(source): \(name) is a built-in schema, and a released version never changes",
                hint: "publish the change as a new version, such as \(nextVersion(of: name.description))")
        }
        _ = try compile(document, source: source)
        return name.description
    }
}

/// A store's own schemas, as the catalog reads them.
struct LocalSchemas: Sendable {
    let backend: any StoreBackend

    func entries() throws(HandoffError) -> [SchemaInfo] {
        try backend.schemaEntries().map { entry throws(HandoffError) in
            let document = try document(at: entry.id, size: entry.size)
            return SchemaInfo(
                name: entry.name, builtIn: false, title: document["title"]?.stringValue, id: entry.id,
                size: entry.size,
                addedAt: entry.addedAt)
        }
    }

    func document(named name: String) throws(HandoffError) -> JSONValue? {
        guard let entry = try backend.schemaEntry(named: name) else { return nil }
        return try document(at: entry.id, size: entry.size)
    }

    private func document(at id: ArtifactID, size: Int) throws(HandoffError) -> JSONValue {
        let bytes: [UInt8]
        do throws(HandoffError) {
            bytes = try backend.objectBytes(id, size: size)
            let actual = ArtifactID(canonicalBytes: bytes)
            guard actual == id else {
                throw HandoffError(.io, "object \(id) is damaged: its bytes hash to \(actual)")
            }
        } catch {
            throw HandoffError(
                .io, "a registered schema's object cannot be read: \(error.message)",
                hint: "run `handoff verify`")
        }
        do {
            return try JSONParser.parse(
                bytes, limits: JSONParser.Limits(maxDepth: JSONParser.Limits.depthCeiling, maxBytes: .max))
        } catch {
            throw HandoffError(.io, "schema object \(id) is not JSON: \(error)")
        }
    }
}

/// Serves `urn:handoff:schema:<name>` to the registry from the built-in schemas and the store's own.
private struct CatalogLoader: SchemaLoader {
    let local: LocalSchemas?

    func loadSchema(at uri: String) throws -> JSONValue? {
        guard uri.hasPrefix(BuiltInSchemas.uriPrefix) else { return nil }
        let name = String(uri.dropFirst(BuiltInSchemas.uriPrefix.count))
        if let document = BuiltInSchemas.document(named: name) { return document }
        return try local?.document(named: name)
    }

    /// The built-in schemas are checked against the metaschema by the tests of every build, and the store's
    /// own when they are added (and they are content-addressed since): checking them again in every process
    /// would be most of the cost of a put.
    func servesCheckedSchema(at uri: String) -> Bool {
        uri.hasPrefix(BuiltInSchemas.uriPrefix)
    }
}
