import HandoffJSON

/// The official JSON Schema 2020-12 metaschemas, compiled into the module so that `$schema` and references
/// to them work offline.
enum BuiltInMetaschemas {
    /// The 2020-12 metaschema, which a schema without `$schema` is checked against.
    static let uri = "https://json-schema.org/draft/2020-12/schema"

    static let documents: [SchemaDocument] = [
        PackageResources.schema_json, PackageResources.core_json, PackageResources.applicator_json,
        PackageResources.unevaluated_json, PackageResources.validation_json, PackageResources.meta_data_json,
        PackageResources.format_annotation_json, PackageResources.format_assertion_json,
        PackageResources.content_json,
    ].map { bytes in
        let root = try! JSONParser.parse(bytes)
        return SchemaDocument(root: root, uri: root["$id"]?.stringValue ?? "")
    }

    static let resources: [String: ResourceReference] = {
        var resources: [String: ResourceReference] = [:]
        for document in documents {
            for (index, resource) in document.resources.enumerated() {
                resources[resource.uri] = ResourceReference(document: document, index: index)
            }
        }
        return resources
    }()

    private static let identities = Set(documents.map(ObjectIdentifier.init))

    /// Whether `uri` could name one of them: they all live under json-schema.org.
    static func mayHold(_ uri: String) -> Bool { uri.hasPrefix("https://json-schema.org/") }

    static func isBuiltIn(_ document: SchemaDocument) -> Bool {
        identities.contains(ObjectIdentifier(document))
    }

    /// The 2020-12 metaschema, compiled once per process.
    static let program: Program = {
        var compiler = Compiler(registry: SchemaRegistry(), local: [], options: ValidationOptions())
        return try! compiler.compile(resources[uri]!)
    }()
}
