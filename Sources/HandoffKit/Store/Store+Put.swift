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
    /// Checks the names and the document's schema declaration without touching a store, so a caller can
    /// refuse a request before creating anything.
    /// - Returns: The schema the document declares.
    /// - Throws: `HandoffError`: `.usage` for a bad name, `.invalidInput` for a document that is not an artifact.
    @discardableResult
    public func check() throws(HandoffError) -> SchemaName {
        try Name.check(producer, as: "producer")
        for consumer in consumers { try Name.check(consumer, as: "consumer") }
        if let workflow { try Name.check(workflow, as: "workflow") }
        if let workspace { try Name.check(workspace, as: "workspace") }
        return try ArtifactDocument.declaredSchema(of: document, source: source)
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
        // Refuse unknown parents before writing anything.
        for parent in Set(prepared.flatMap(\.put.parents)) where try backend.artifact(parent) == nil {
            throw HandoffError(.notFound, "no parent artifact \(parent) in the store at \(location)")
        }
        let recorded = try backend.record(prepared, at: now())
        Failpoint.hit("index-committed")
        return recorded.map { record in
            PutResult(
                artifact: record.artifact, existed: record.existed, handoffs: record.created,
                pendingDuplicates: record.duplicates)
        }
    }

    /// Checks a request and computes its canonical bytes and id, writing nothing.
    func prepare(_ request: PutRequest) throws(HandoffError) -> PreparedPut {
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
        var consumers: [String] = []
        for consumer in request.consumers where !consumers.contains(consumer) { consumers.append(consumer) }
        let put = IndexedPut(
            id: ArtifactID(canonicalBytes: bytes), schema: schema.description, size: bytes.count,
            producer: request.producer, consumers: consumers, workflow: request.workflow,
            workspace: request.workspace, createdAt: request.createdAt, parents: request.parents,
            nextActions: NextActionExtractor.extract(
                from: request.document, places: schemas.nextActionPlaces(forSchema: schema.description)),
            validated: request.validate)
        return PreparedPut(bytes: bytes, put: put)
    }
}
