import HandoffJSON
import HandoffSchema

extension Store {
    /// Registers a schema in this store: artifacts may then declare it. Its `$id` names it
    /// (`urn:handoff:schema:<name>-v<N>`), and its document is stored content-addressed like an artifact.
    ///
    /// A registered version is immutable: the same content again is a no-op, other content under the same
    /// name (a built-in one included) is refused.
    /// - Returns: The schema and whether it was already registered.
    /// - Throws: `HandoffError` `.invalidInput` for an invalid schema, a bad `$id`, or a changed version.
    @discardableResult
    public func addSchema(_ document: JSONValue, source: String) throws(HandoffError) -> (
        schema: SchemaInfo, existed: Bool
    ) {
        let name = try schemas.checkNewSchema(document, source: source)
        let bytes = CanonicalJSON.encode(document)
        let id = ArtifactID(canonicalBytes: bytes)
        if BuiltInSchemas.document(named: name) != nil {
            // The same content as the built-in one (anything else was refused above): nothing to add.
            return (try schemas.list().first { $0.name == name }!, true)
        }
        let existed = try backend.addSchema(
            name: name, object: PreparedObject(bytes: bytes, id: id), at: now())
        guard let info = try schemas.list().first(where: { $0.name == name }) else {
            throw HandoffError(.io, "schema \(name) vanished after it was added")
        }
        return (info, existed)
    }
}
