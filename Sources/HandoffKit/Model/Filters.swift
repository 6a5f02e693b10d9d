/// Which artifacts to list. Unset fields match everything.
public struct ArtifactFilter: Sendable, Hashable {
    /// An exact schema, such as `work-log-v1`.
    public var schema: String?
    /// The producer that first stored the artifact.
    public var producer: String?
    /// A consumer the artifact was handed to.
    public var consumer: String?
    public var workflow: String?
    public var workspace: String?
    /// Stored at or after this moment.
    public var since: Timestamp?
    /// Stored before this moment.
    public var until: Timestamp?
    /// At most this many, newest first.
    public var limit: Int?
    /// Skip this many first.
    public var offset: Int

    public init(
        schema: String? = nil, producer: String? = nil, consumer: String? = nil, workflow: String? = nil,
        workspace: String? = nil, since: Timestamp? = nil, until: Timestamp? = nil, limit: Int? = nil,
        offset: Int = 0
    ) {
        self.offset = offset
        self.schema = schema
        self.producer = producer
        self.consumer = consumer
        self.workflow = workflow
        self.workspace = workspace
        self.since = since
        self.until = until
        self.limit = limit
    }
}

/// Which handoffs to list. Unset fields match everything.
public struct HandoffFilter: Sendable, Hashable {
    public var consumer: String?
    public var producer: String?
    public var states: [Handoff.State]?
    /// The artifact's schema.
    public var schema: String?
    public var workflow: String?
    public var workspace: String?
    /// Handoffs of this artifact only.
    public var artifact: ArtifactID?
    /// Handoffs whose artifact recommends this next action.
    public var action: String?
    /// Created at or after this moment.
    public var since: Timestamp?
    /// Created before this moment.
    public var until: Timestamp?
    /// At most this many.
    public var limit: Int?
    /// Skip this many first.
    public var offset: Int
    /// Only those listed after this handoff (by its id) in the listing's order: a page that starts where the
    /// last one ended, found by a seek on the index however deep it is, where an offset steps over every
    /// handoff before it. A handoff that is not there selects none.
    public var after: String?
    /// Oldest first (the inbox order) unless set.
    public var newestFirst: Bool

    public init(
        consumer: String? = nil, producer: String? = nil, states: [Handoff.State]? = nil,
        schema: String? = nil,
        workflow: String? = nil, workspace: String? = nil, artifact: ArtifactID? = nil, action: String? = nil,
        since: Timestamp? = nil, until: Timestamp? = nil, limit: Int? = nil, offset: Int = 0,
        newestFirst: Bool = false
    ) {
        self.offset = offset
        self.consumer = consumer
        self.producer = producer
        self.states = states
        self.schema = schema
        self.workflow = workflow
        self.workspace = workspace
        self.artifact = artifact
        self.action = action
        self.since = since
        self.until = until
        self.limit = limit
        self.newestFirst = newestFirst
    }
}
