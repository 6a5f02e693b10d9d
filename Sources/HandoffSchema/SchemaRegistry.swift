import HandoffJSON

/// Finds schema documents the registry does not hold, by URI: from files, a bundle, a database. Never
/// called for the built-in 2020-12 metaschemas.
///
/// ```swift
/// struct Remotes: SchemaLoader {
///     func loadSchema(at uri: String) throws -> JSONValue? {
///         guard uri.hasPrefix("http://localhost:1234/") else { return nil }
///         return try JSONParser.parse(readFile(remotes + uri.dropFirst(22)))
///     }
/// }
/// ```
public protocol SchemaLoader: Sendable {
    /// The document at `uri` (absolute, without fragment), or `nil` when this loader has none there.
    /// - Throws: when it has one but cannot read it; compiling then fails with `loaderFailed`.
    func loadSchema(at uri: String) throws -> JSONValue?

    /// Whether the document this loader serves at `uri` is known to be valid against its metaschema (it was
    /// checked when it was built or stored), so compiling need not check it again. False unless a loader
    /// says otherwise.
    func servesCheckedSchema(at uri: String) -> Bool
}

extension SchemaLoader {
    public func servesCheckedSchema(at uri: String) -> Bool { false }
}

/// Schema documents by URI: each document's `$id`, the `$id`s of the resources embedded in it, and the
/// URI it was registered under. The official 2020-12 metaschemas are always there.
///
/// Documents a `SchemaLoader` supplies are kept, so each URI is loaded once. Safe to share between
/// threads.
///
/// ```swift
/// let registry = SchemaRegistry()
/// try registry.register(workLogSchema)  // its $id is urn:handoff:schema:work-log-v1
/// let schema = try CompiledSchema(uri: "urn:handoff:schema:work-log-v1", registry: registry)
/// ```
public final class SchemaRegistry: Sendable {
    struct State {
        var documents: [SchemaDocument] = []
        var resources: [String: ResourceReference] = [:]
        /// Documents known to be valid against their metaschema.
        var validated: Set<ObjectIdentifier> = []
        var metaschemaPrograms: [String: Program] = [:]
    }

    private let loaders: [any SchemaLoader]
    private let state = Locked(State())

    /// A registry holding the built-in metaschemas, which asks `loaders` in order for other URIs.
    public init(loaders: [any SchemaLoader] = []) {
        self.loaders = loaders
    }

    /// Adds a schema document after checking it against its metaschema. Its references are resolved
    /// when a schema that uses it is compiled.
    ///
    /// - Parameters:
    ///   - document: the schema; its `$id` (resolved against `uri`) names it.
    ///   - uri: the URI it is known by when it has no `$id`, or the one its relative `$id` resolves against.
    /// - Throws: `SchemaError` when it has no URI, is invalid, or another document already has its URI.
    public func register(_ document: JSONValue, uri: String? = nil) throws(SchemaError) {
        let parsed = SchemaDocument(root: document, uri: uri.map { splitFragment($0).base } ?? "")
        guard !parsed.resources[0].uri.isEmpty else {
            throw SchemaError(
                code: .missingURI, message: "a registered schema needs an $id or a URI to be known by",
                location: "")
        }
        var compiler = Compiler(registry: self, local: [parsed], options: ValidationOptions())
        try compiler.ensureValid(parsed)
        try insert(parsed, validated: true)
    }

    /// The absolute URIs of the schema resources registered or loaded so far, built-in ones included.
    public var uris: [String] {
        let own = state.withLock { Array($0.resources.keys) }
        return Array(Set(own).union(BuiltInMetaschemas.resources.keys)).sorted()
    }

    /// The resource registered at `uri` (without fragment), asking the loaders when there is none.
    func resource(at uri: String) throws(SchemaError) -> ResourceReference? {
        if let found = state.withLock({ $0.resources[uri] }) { return found }
        // Only a json-schema.org URI can be a built-in metaschema; other lookups need not parse them.
        if BuiltInMetaschemas.mayHold(uri), let found = BuiltInMetaschemas.resources[uri] { return found }
        for loader in loaders {
            let loaded: JSONValue?
            do {
                loaded = try loader.loadSchema(at: uri)
            } catch {
                throw SchemaError(
                    code: .loaderFailed, message: "loading \(uri) failed: \(error)", location: uri,
                    cause: error)
            }
            guard let loaded else { continue }
            let document = SchemaDocument(root: loaded, uri: uri)
            try insert(document, validated: loader.servesCheckedSchema(at: uri))
            return state.withLock { $0.resources[uri] }
        }
        return nil
    }

    func isValidated(_ document: SchemaDocument) -> Bool {
        state.withLock { $0.validated.contains(ObjectIdentifier(document)) }
            || BuiltInMetaschemas.isBuiltIn(document)
    }

    func markValidated(_ document: SchemaDocument) {
        state.withLock { _ = $0.validated.insert(ObjectIdentifier(document)) }
    }

    func cachedMetaschemaProgram(_ uri: String) -> Program? {
        state.withLock { $0.metaschemaPrograms[uri] }
    }

    func cacheMetaschemaProgram(_ program: Program, for uri: String) {
        state.withLock { $0.metaschemaPrograms[uri] = program }
    }

    private func insert(_ document: SchemaDocument, validated: Bool) throws(SchemaError) {
        try state.withLock { (state: inout State) throws(SchemaError) in
            var claimed: [String: ResourceReference] = [:]
            for (index, resource) in document.resources.enumerated() where !resource.uri.isEmpty {
                claimed[resource.uri] = ResourceReference(document: document, index: index)
            }
            if !document.uri.isEmpty, claimed[document.uri] == nil {
                claimed[document.uri] = ResourceReference(document: document, index: 0)
            }
            for (uri, reference) in claimed {
                let existing =
                    state.resources[uri]
                    ?? (BuiltInMetaschemas.mayHold(uri) ? BuiltInMetaschemas.resources[uri] : nil)
                if let existing, existing.value != reference.value {
                    throw SchemaError(
                        code: .duplicateURI, message: "another schema is already registered as \(uri)",
                        location: uri)
                }
            }
            for (uri, reference) in claimed where state.resources[uri] == nil {
                state.resources[uri] = reference
            }
            state.documents.append(document)
            if validated { state.validated.insert(ObjectIdentifier(document)) }
        }
    }
}

/// A schema resource inside a document.
struct ResourceReference: Sendable {
    let document: SchemaDocument
    let index: Int

    var resource: SchemaDocument.Resource { document.resources[index] }
    var value: JSONValue? { document.value(at: resource.pointer) }
}
