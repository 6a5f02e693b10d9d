import HandoffJSON

/// Turns schema documents into a `Program`.
///
/// Subschemas are compiled from a work list, not by recursion, so a schema nested as deep as the parser
/// allows cannot exhaust the stack. Each place in a document becomes one node, however many references
/// lead to it, so reference cycles become cycles of node indices.
struct Compiler {
    let registry: SchemaRegistry
    let options: ValidationOptions
    /// Resources of the documents being compiled that are not in the registry, by URI.
    private var local: [String: ResourceReference] = [:]
    private let localDocuments: Set<ObjectIdentifier>
    /// The document whose places errors name by a bare JSON Pointer.
    private let mainDocument: SchemaDocument?

    private var nodes: [Node] = []
    /// Where each node comes from, named only when an error message needs it.
    private var nodeSources: [(document: SchemaDocument, pointer: [String])] = []
    private var memo: [NodeKey: Int] = [:]
    private var pending: [(index: Int, document: SchemaDocument, pointer: [String])] = []
    private var resources: [ResourceInfo] = []
    private var resourceIndices: [ResourceKey: Int] = [:]
    private var paths: [String] = []
    private var pathIndices: [String: Int] = [:]
    private var tracksDynamicScope = false
    private var vocabularyCache: [String: Vocabularies] = [:]
    private var validatedHere: Set<ObjectIdentifier> = []
    /// Metaschemas being compiled to check other documents, outermost first: a metaschema whose own
    /// `$schema` leads back into this chain would otherwise be compiled forever.
    private var metaschemaChain: [String] = []

    private struct NodeKey: Hashable {
        let document: ObjectIdentifier
        let pointer: String
    }

    private struct ResourceKey: Hashable {
        let document: ObjectIdentifier
        let index: Int
    }

    init(registry: SchemaRegistry, local documents: [SchemaDocument], options: ValidationOptions) {
        self.registry = registry
        self.options = options
        self.mainDocument = documents.first
        self.localDocuments = Set(documents.map(ObjectIdentifier.init))
        for document in documents {
            for (index, resource) in document.resources.enumerated() where local[resource.uri] == nil {
                local[resource.uri] = ResourceReference(document: document, index: index)
            }
            if local[document.uri] == nil {
                local[document.uri] = ResourceReference(document: document, index: 0)
            }
        }
    }

    /// Compiles the schema resource `root` and everything it references.
    mutating func compile(_ root: ResourceReference) throws(SchemaError) -> Program {
        try compile(document: root.document, pointer: root.resource.pointer)
    }

    /// Compiles the subschema at `pointer` in `document` and everything it references.
    mutating func compile(document: SchemaDocument, pointer: [String]) throws(SchemaError) -> Program {
        try ensureValid(document)
        guard document.value(at: pointer) != nil else {
            throw SchemaError(
                code: .unresolvableReference, message: "no subschema at \(pointerText(pointer))",
                location: location(document, pointer))
        }
        let root = node(document, pointer)
        while let next = pending.popLast() {
            nodes[next.index] = try build(next.document, next.pointer)
        }
        try checkForCycles()
        return Program(
            nodes: nodes, root: root, resources: resources, paths: paths,
            tracksDynamicScope: tracksDynamicScope,
            options: options)
    }

    // MARK: Documents

    /// The resource at `uri` (without fragment) among the documents being compiled, the registry's, and
    /// what its loaders find.
    private func lookup(_ uri: String) throws(SchemaError) -> ResourceReference? {
        if let found = local[uri] { return found }
        return try registry.resource(at: uri)
    }

    /// Checks a document against its metaschema, once.
    mutating func ensureValid(_ document: SchemaDocument) throws(SchemaError) {
        let identity = ObjectIdentifier(document)
        guard !validatedHere.contains(identity), !registry.isValidated(document) else { return }
        validatedHere.insert(identity)
        let declared = document.resources[0].metaschema
        let metaschemaURI = declared.map { splitFragment($0).base } ?? BuiltInMetaschemas.uri
        let program = try metaschemaProgram(metaschemaURI, for: document)
        var validator = Validator<JSONValue>(program: program, collecting: true)
        let valid = validator.validate(document.root)
        if validator.depthExceeded {
            throw SchemaError(
                code: .tooDeep,
                message: "the schema nests subschemas too deeply to be checked against its metaschema",
                location: location(document, []))
        }
        if !valid {
            let errors = validator.errors
            // The deepest place names the problem most precisely; a combinator's own error says least.
            func rank(_ error: ValidationError) -> Int {
                let general = ["anyOf", "oneOf", "allOf", "not", "false"].contains(error.keyword)
                return depth(of: error.instanceLocation) * 2 + (general ? 0 : 1)
            }
            var best: ValidationError?
            for error in errors where best.map({ rank(error) > rank($0) }) ?? true { best = error }
            let place = best?.instanceLocation ?? ""
            let tokens = (try? JSONPointer(place).tokens) ?? []
            throw SchemaError(
                code: .invalidSchema, message: best?.message ?? "does not match its metaschema",
                location: location(document, tokens), underlyingErrors: errors)
        }
        if !localDocuments.contains(identity) { registry.markValidated(document) }
    }

    private func depth(of pointer: String) -> Int {
        pointer.utf8.reduce(0) { $1 == UInt8(ascii: "/") ? $0 + 1 : $0 }
    }

    private mutating func metaschemaProgram(_ uri: String, for document: SchemaDocument) throws(SchemaError)
        -> Program
    {
        if uri == BuiltInMetaschemas.uri { return BuiltInMetaschemas.program }
        if let cached = registry.cachedMetaschemaProgram(uri) { return cached }
        guard let metaschema = try lookup(uri) else {
            throw SchemaError(
                code: .unknownMetaschema, message: "unknown metaschema \"\(uri)\"",
                location: location(document, ["$schema"]))
        }
        // A metaschema that describes itself is checked against the 2020-12 one.
        if metaschema.document === document { return BuiltInMetaschemas.program }
        guard !metaschemaChain.contains(uri) else {
            throw SchemaError(
                code: .referenceCycle,
                message: "metaschemas describe each other in a cycle: "
                    + (metaschemaChain + [uri]).joined(separator: " -> "),
                location: location(document, ["$schema"]))
        }
        var compiler = Compiler(
            registry: registry, local: localDocuments.isEmpty ? [] : Array(uniqueDocuments()),
            options: ValidationOptions())
        compiler.metaschemaChain = metaschemaChain + [uri]
        let program = try compiler.compile(metaschema)
        if !localDocuments.contains(ObjectIdentifier(metaschema.document)) {
            registry.cacheMetaschemaProgram(program, for: uri)
        }
        return program
    }

    private func uniqueDocuments() -> [SchemaDocument] {
        var seen: Set<ObjectIdentifier> = []
        var documents: [SchemaDocument] = []
        if let mainDocument {
            seen.insert(ObjectIdentifier(mainDocument))
            documents.append(mainDocument)
        }
        for reference in local.values where seen.insert(ObjectIdentifier(reference.document)).inserted {
            documents.append(reference.document)
        }
        return documents
    }

    private mutating func vocabularies(for resource: SchemaDocument.Resource, in document: SchemaDocument)
        throws(SchemaError) -> Vocabularies
    {
        guard let declared = resource.metaschema else { return .standard }
        // By the URI as written, which every subschema of a resource shares, so that it is split once.
        if let cached = vocabularyCache[declared] { return cached }
        let uri = splitFragment(declared).base
        if uri == BuiltInMetaschemas.uri {
            vocabularyCache[declared] = .standard
            return .standard
        }
        guard let metaschema = try lookup(uri) else {
            throw SchemaError(
                code: .unknownMetaschema, message: "unknown metaschema \"\(uri)\"",
                location: location(document, resource.pointer + ["$schema"]))
        }
        let vocabularies =
            try Vocabularies.declared(
                by: metaschema.value ?? .null, location: location(document, resource.pointer + ["$schema"]))
            ?? .standard
        vocabularyCache[declared] = vocabularies
        return vocabularies
    }

    /// How errors name a place: a bare pointer in the main document, an absolute URI elsewhere.
    private func location(_ document: SchemaDocument, _ pointer: some Collection<String>) -> String {
        let text = pointerText(pointer)
        if document === mainDocument { return text }
        let uri = document.uri.isEmpty ? document.resources[0].uri : document.uri
        return uri + "#" + fragmentEncoded(text)
    }

    // MARK: Nodes

    /// The index of the node for the subschema at `pointer`, queued for building if it is new.
    private mutating func node(_ document: SchemaDocument, _ pointer: [String]) -> Int {
        let key = NodeKey(document: ObjectIdentifier(document), pointer: pointerText(pointer))
        if let index = memo[key] { return index }
        let index = nodes.count
        nodes.append(.placeholder)
        nodeSources.append((document, pointer))
        memo[key] = index
        pending.append((index, document, pointer))
        return index
    }

    private mutating func programResource(_ document: SchemaDocument, _ index: Int) -> Int {
        let key = ResourceKey(document: ObjectIdentifier(document), index: index)
        if let found = resourceIndices[key] { return found }
        let resource = document.resources[index]
        let programIndex = resources.count
        resourceIndices[key] = programIndex
        resources.append(ResourceInfo(uri: resource.uri, dynamicAnchors: [:]))
        for (name, pointer) in resource.dynamicAnchors {
            resources[programIndex].dynamicAnchors[name] = node(document, pointer)
        }
        return programIndex
    }

    private mutating func build(_ document: SchemaDocument, _ pointer: [String]) throws(SchemaError) -> Node {
        let resourceIndex = document.resource(containing: pointer)
        let resource = document.resources[resourceIndex]
        let programResource = programResource(document, resourceIndex)
        let relative = pointerText(pointer.dropFirst(resource.pointer.count))
        switch document.value(at: pointer) {
        case .bool(true):
            return Node(kind: .alwaysValid, keywords: [], resource: programResource, pointer: relative)
        case .bool(false):
            return Node(kind: .alwaysInvalid, keywords: [], resource: programResource, pointer: relative)
        case .object(let object):
            let vocabularies = try vocabularies(for: resource, in: document)
            let context = KeywordContext(
                document: document, pointer: pointer, object: object, vocabularies: vocabularies,
                baseURI: resource.uri)
            let keywords = try keywords(context)
            return Node(
                kind: keywords.isEmpty ? .alwaysValid : .keywords, keywords: keywords,
                resource: programResource,
                pointer: relative)
        case let other:
            throw SchemaError(
                code: .invalidSchema,
                message: "expected a schema (an object or a boolean), found \(other?.typeName ?? "nothing")",
                location: location(document, pointer))
        }
    }

    // MARK: Cycles

    /// Rejects references that lead back to the same subschema without descending into the instance,
    /// which would make validation loop forever.
    private func checkForCycles() throws(SchemaError) {
        var state = [UInt8](repeating: 0, count: nodes.count)  // 0 new, 1 on the path, 2 done
        for start in nodes.indices where state[start] == 0 {
            var path: [(node: Int, edges: [Int], next: Int)] = [(start, inPlaceTargets(start), 0)]
            state[start] = 1
            while !path.isEmpty {
                let top = path.count - 1
                guard path[top].next < path[top].edges.count else {
                    state[path[top].node] = 2
                    path.removeLast()
                    continue
                }
                let target = path[top].edges[path[top].next]
                path[top].next += 1
                switch state[target] {
                case 0:
                    state[target] = 1
                    path.append((target, inPlaceTargets(target), 0))
                case 1:
                    let loop = path.drop { $0.node != target }.map { nodeLocation($0.node) }
                    let shown = (loop + [nodeLocation(target)]).map { $0.isEmpty ? "#" : $0 }
                    throw SchemaError(
                        code: .referenceCycle,
                        message:
                            "references go round without descending into the instance: "
                            + shown.joined(separator: " -> "),
                        location: nodeLocation(target))
                default:
                    break
                }
            }
        }
    }

    private func nodeLocation(_ index: Int) -> String {
        location(nodeSources[index].document, nodeSources[index].pointer)
    }

    /// Nodes applied to the same instance value as `index`.
    private func inPlaceTargets(_ index: Int) -> [Int] {
        var targets: [Int] = []
        for keyword in nodes[index].keywords {
            switch keyword {
            case .ref(let edge): targets.append(edge.node)
            case .dynamicRef(let reference) where reference.anchor == nil: targets.append(reference.edge.node)
            case .allOf(let edges), .anyOf(let edges), .oneOf(let edges): targets += edges.map(\.node)
            case .not(let edge): targets.append(edge.node)
            case .conditional(let condition, let then, let otherwise):
                targets.append(condition.node)
                if let then { targets.append(then.node) }
                if let otherwise { targets.append(otherwise.node) }
            case .dependentSchemas(let dependents): targets += dependents.map(\.edge.node)
            default: break
            }
        }
        return targets
    }

    // MARK: Used by the keyword compilers

    mutating func edge(_ document: SchemaDocument, _ pointer: [String], path: [String]) -> Edge {
        Edge(node: node(document, pointer + path), path: pathIndex(pointerText(path)))
    }

    /// The index of a keyword path in the program's table, added if new.
    mutating func pathIndex(_ text: String) -> Int {
        if let index = pathIndices[text] { return index }
        paths.append(text)
        pathIndices[text] = paths.count - 1
        return paths.count - 1
    }

    mutating func noteDynamicScope() { tracksDynamicScope = true }

    func errorLocation(_ document: SchemaDocument, _ pointer: [String]) -> String {
        location(document, pointer)
    }

    /// Resolves a `$ref` or `$dynamicRef` value found at `pointer`.
    mutating func resolve(
        _ reference: String, keyword: String, in document: SchemaDocument, at pointer: [String],
        baseURI: String
    ) throws(SchemaError) -> (target: ResourceReference, pointer: [String], anchor: String?) {
        let (uri, fragment) = splitFragment(resolveURI(reference, against: baseURI))
        // Named only when it is thrown: naming the place costs more than resolving most references.
        var failure: SchemaError {
            SchemaError(
                code: .unresolvableReference, message: "cannot resolve \(keyword) \"\(reference)\"",
                location: location(document, pointer))
        }
        guard let target = try lookup(uri) else { throw failure }
        if target.document !== document { try ensureValid(target.document) }
        let resolved: [String]
        var anchor: String?
        if fragment.isEmpty {
            resolved = target.resource.pointer
        } else if fragment.hasPrefix("/") {
            guard let tokens = try? JSONPointer(fragment).tokens else { throw failure }
            resolved = target.resource.pointer + tokens
        } else if let place = target.resource.anchors[fragment] {
            resolved = place
            anchor = fragment
        } else {
            throw failure
        }
        guard target.document.value(at: resolved) != nil else { throw failure }
        return (target, resolved, anchor)
    }
}
