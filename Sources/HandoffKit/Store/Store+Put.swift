import HandoffJSON

/// One artifact to store, with the handoffs to create for it.
public struct PutRequest: Sendable {
    public var document: JSONValue
    public var producer: String
    /// One handoff is created per consumer; none makes a plain stored artifact.
    public var consumers: [String]
    public var workflow: String?
    public var workspace: String?
    /// Artifacts this one was derived from; they must be in the store.
    public var parents: [ArtifactID]
    /// When the artifact and its handoffs were created, for imports that keep original times; nil means now.
    public var createdAt: Timestamp?
    /// How to name the document in an error, such as its file name.
    public var source: String
    /// Whether to check the document against its schema; skipping it is recorded on the artifact.
    public var validate: Bool
    /// The document's JSON text, for a request made with `init(json:…)`; `document` is then null.
    public private(set) var json: [UInt8]?
    /// Whether `json` is already the document's canonical form (`init(canonicalJSON:…)`).
    fileprivate(set) var jsonIsCanonical = false

    public init(
        document: JSONValue, producer: String, consumers: [String] = [], workflow: String? = nil,
        workspace: String? = nil, parents: [ArtifactID] = [], createdAt: Timestamp? = nil,
        source: String = "the artifact", validate: Bool = true
    ) {
        self.document = document
        self.producer = producer
        self.consumers = consumers
        self.workflow = workflow
        self.workspace = workspace
        self.parents = parents
        self.createdAt = createdAt
        self.source = source
        self.validate = validate
    }
}

extension PutRequest {
    /// A request for the JSON document in `json`, as read from a file or a pipe. `put` reads it without
    /// building a tree of it — its canonical bytes straight from the text, its schema, validation and next
    /// actions from a flat parse — and answers exactly as for the parsed document (the same id, the same
    /// refusals), several times faster for a large one.
    public init(
        json: [UInt8], producer: String, consumers: [String] = [], workflow: String? = nil,
        workspace: String? = nil, parents: [ArtifactID] = [], createdAt: Timestamp? = nil,
        source: String = "the artifact", validate: Bool = true
    ) {
        self.init(
            document: .null, producer: producer, consumers: consumers, workflow: workflow,
            workspace: workspace,
            parents: parents, createdAt: createdAt, source: source, validate: validate)
        self.json = json
    }

    /// A request for a document whose canonical bytes the caller already made with `CanonicalJSON` (as
    /// `handoff put` does, once, for its checks and the put): they are taken as they are.
    package init(
        canonicalJSON: [UInt8], producer: String, consumers: [String] = [], workflow: String? = nil,
        workspace: String? = nil, source: String, validate: Bool
    ) {
        self.init(
            json: canonicalJSON, producer: producer, consumers: consumers, workflow: workflow,
            workspace: workspace,
            source: source, validate: validate)
        jsonIsCanonical = true
    }

    /// Checks the names and the document's schema declaration without touching a store, so a caller can
    /// refuse a request before creating anything.
    /// - Returns: The schema the document declares.
    /// - Throws: `HandoffError`: `.usage` for a bad name, `.invalidInput` for a document that is not an artifact
    ///   (or, for a request of JSON text, not JSON).
    /// - Parameter limits: The bounds JSON text is read within.
    @discardableResult
    public func check(limits: JSONParser.Limits = .init()) throws(HandoffError) -> SchemaName {
        try checkNames()
        guard let json else { return try ArtifactDocument.declaredSchema(of: document, source: source) }
        if jsonIsCanonical, let skeleton = NextActionExtractor.schemaSkeleton(ofCanonical: json) {
            return try ArtifactDocument.declaredSchema(of: skeleton, source: source)
        }
        return try ArtifactDocument.onTape(json, source: source, limits: limits) {
            root throws(HandoffError) in
            try ArtifactDocument.declaredSchema(of: root, source: source)
        }
    }

    /// Checks the names alone: the producer, consumers, workflow and workspace.
    package func checkNames() throws(HandoffError) {
        try Name.check(producer, as: "producer")
        for consumer in consumers { try Name.check(consumer, as: "consumer") }
        if let workflow { try Name.check(workflow, as: "workflow") }
        if let workspace { try Name.check(workspace, as: "workspace") }
    }

    /// The same request with its JSON text parsed into `document`.
    func parsed(limits: JSONParser.Limits) throws(HandoffError) -> PutRequest {
        guard let json else { return self }
        var request = PutRequest(
            document: try ArtifactDocument.parse(json, source: source, limits: limits), producer: producer,
            consumers: consumers, workflow: workflow, workspace: workspace, parents: parents,
            createdAt: createdAt,
            source: source, validate: validate)
        request.json = nil
        return request
    }
}

/// What a put did.
public struct PutResult: Sendable {
    /// The stored artifact as the index records it (its first producer and time, if it already existed).
    public let artifact: ArtifactInfo
    /// Whether the same content was stored before; its bytes were then not written again.
    public let existed: Bool
    /// The handoffs this put created.
    public let handoffs: [Handoff]
    /// Deliveries that were already pending (same artifact, producer, consumer and workflow), so no second
    /// handoff was created for them.
    public let pendingDuplicates: [Handoff]

    public var id: ArtifactID { artifact.id }
}

extension PutResult {
    init(recorded record: RecordedPut) {
        self.init(
            artifact: record.artifact, existed: record.existed, handoffs: record.created,
            pendingDuplicates: record.duplicates)
    }
}

extension Store {
    /// Stores a document and hands it to each consumer.
    ///
    /// The document must be an object with a top-level `"schema"` of the form `<name>-v<N>`. Its canonical
    /// bytes are written and flushed before the index records it, so a put that returns survives a crash,
    /// and a crash before it returns leaves no index entry without its object.
    /// - Returns: The artifact's id and the handoffs created.
    /// - Throws: `HandoffError`: `.invalidInput` for a document that is not an artifact or is invalid against
    ///   its schema (unless `validate` is false, which the artifact then records), `.usage` for a bad name,
    ///   `.notFound` for an unknown parent, `.busy`, `.io`.
    @discardableResult
    public func put(
        _ document: JSONValue, from producer: String, to consumers: [String] = [], workflow: String? = nil,
        workspace: String? = nil, parents: [ArtifactID] = [], validate: Bool = true
    ) throws(HandoffError) -> PutResult {
        try put([
            PutRequest(
                document: document, producer: producer, consumers: consumers, workflow: workflow,
                workspace: workspace, parents: parents, validate: validate)
        ])[0]
    }

    /// Stores many documents with one index transaction: all are recorded, or none.
    ///
    /// Nothing is written when any request is invalid.
    @discardableResult
    public func put(_ requests: [PutRequest]) throws(HandoffError) -> [PutResult] {
        var prepared: [PreparedPut] = []
        prepared.reserveCapacity(requests.count)
        for request in requests {
            prepared.append(try prepare(request))
        }
        return try commit(prepared)
    }

    /// Writes prepared artifacts' objects, then records them all in one index transaction.
    func commit(_ prepared: [PreparedPut]) throws(HandoffError) -> [PutResult] {
        try checkParents(prepared)
        let recorded = try backend.record(prepared, at: now())
        Failpoint.hit("index-committed")
        return recorded.map(PutResult.init(recorded:))
    }

    /// Refuses unknown parents before anything is written.
    func checkParents(_ prepared: [PreparedPut]) throws(HandoffError) {
        for parent in Set(prepared.flatMap(\.put.parents)) where try backend.artifact(parent) == nil {
            throw HandoffError(.notFound, "no parent artifact \(parent) in the store at \(location)")
        }
    }

    /// Checks a request and computes its canonical bytes and id, writing nothing.
    func prepare(_ request: PutRequest) throws(HandoffError) -> PreparedPut {
        if let json = request.json { return try prepare(json: json, request) }
        let schema = try request.check()
        try ArtifactDocument.checkStorable(
            request.document, source: request.source, limits: configuration.limits)
        if request.validate {
            try schemas.check(request.document, declaring: schema.description, source: request.source)
        }
        let bytes = CanonicalJSON.encode(request.document)
        guard bytes.count <= configuration.limits.maxBytes else {
            throw HandoffError(
                .invalidInput,
                "\(request.source) is \(bytes.count) bytes in canonical form, more than the limit of \(configuration.limits.maxBytes)"
            )
        }
        return prepared(
            bytes, request, schema: schema.description,
            nextActions: NextActionExtractor.extract(
                from: request.document, places: schemas.nextActionPlaces(forSchema: schema.description)))
    }

    /// `prepare` for a request of JSON text: the canonical bytes are written straight from the text, and the
    /// schema, the validation and the next actions are read from a flat parse of them (a tape), so no tree
    /// of the document is built. Anything out of the ordinary (text the fast canonical writer leaves to the
    /// parser, a noncharacter to name by its place) goes the tree's way, whose errors are the reference.
    private func prepare(json: [UInt8], _ request: PutRequest) throws(HandoffError) -> PreparedPut {
        try request.checkNames()
        let limits = configuration.limits
        let bytes: [UInt8]
        if request.jsonIsCanonical {
            bytes = json
        } else {
            do {
                bytes = try CanonicalJSON.canonicalize(json, limits: limits)
            } catch {
                throw HandoffError(.invalidInput, "\(request.source): \(error)", cause: error)
            }
        }
        if ArtifactDocument.mayHoldNoncharacter(bytes) || bytes.count > limits.maxBytes {
            return try prepare(request.parsed(limits: limits))
        }
        let source = request.source
        // Unchecked, only the schema's name and the next actions' places are read: stepped to in the text.
        if !request.validate, let (schema, nextActions) = try skimmed(bytes, source: source) {
            return prepared(bytes, request, schema: schema, nextActions: nextActions)
        }
        let (schema, nextActions) = try ArtifactDocument.onTape(bytes, source: source, limits: limits) {
            root throws(HandoffError) -> (String, [NextAction]) in
            let schema = try ArtifactDocument.declaredSchema(of: root, source: source).description
            if request.validate { try schemas.check(tape: root, declaring: schema, source: source) }
            let places = schemas.nextActionPlaces(forSchema: schema)
            return (
                schema,
                NextActionExtractor.extract(
                    from: NextActionExtractor.skeleton(of: root, places: places), places: places)
            )
        }
        return prepared(bytes, request, schema: schema, nextActions: nextActions)
    }

    /// The schema and next actions of canonical text, read without parsing what they do not need; nil when
    /// the text must be read the thorough way.
    private func skimmed(_ bytes: [UInt8], source: String) throws(HandoffError) -> (String, [NextAction])? {
        // One pass finds the top-level members; the schema and the places are read from there.
        guard let root = NextActionExtractor.rootMembers(ofCanonical: bytes),
            let skeleton = root.schemaSkeleton
        else { return nil }
        let schema = try ArtifactDocument.declaredSchema(of: skeleton, source: source).description
        let places = schemas.nextActionPlaces(forSchema: schema)
        guard let pruned = root.skeleton(places: places) else { return nil }
        return (schema, NextActionExtractor.extract(from: pruned, places: places))
    }

    /// A checked request, with its canonical bytes and what was read from them.
    private func prepared(_ bytes: [UInt8], _ request: PutRequest, schema: String, nextActions: [NextAction])
        -> PreparedPut
    {
        var consumers: [String] = []
        for consumer in request.consumers where !consumers.contains(consumer) { consumers.append(consumer) }
        let put = IndexedPut(
            id: ArtifactID(canonicalBytes: bytes), schema: schema, size: bytes.count,
            producer: request.producer,
            consumers: consumers, workflow: request.workflow, workspace: request.workspace,
            createdAt: request.createdAt, parents: request.parents, nextActions: nextActions,
            validated: request.validate)
        return PreparedPut(bytes: bytes, put: put)
    }
}
