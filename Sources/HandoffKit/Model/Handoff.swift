/// One delivery of an artifact from a producer to a consumer.
///
/// An artifact can have many handoffs (fan-out, re-routing); each has its own state.
public struct Handoff: Sendable, Hashable, Identifiable {
    /// Where a handoff is in its life.
    public enum State: String, Sendable, CaseIterable, CustomStringConvertible {
        /// Waiting in the consumer's inbox.
        case pending
        /// Taken by a consumer under a lease.
        case claimed
        /// Finished: the consumer did the work.
        case done
        /// Finished: the consumer could not proceed.
        case blocked
        /// Finished: the consumer refused the artifact.
        case rejected
        /// Given up after too many attempts.
        case dead
        /// Handed on to another consumer with `route`; the note says where.
        case routed

        public var description: String { rawValue }
    }

    /// A time-ordered id (a ULID), such as `01JD3XQ2K8B6W5N2M7T4R9C1ZP`.
    public let id: String
    public let artifactID: ArtifactID
    /// The artifact's schema, for filtering without reading the document.
    public let schema: String
    public let producer: String
    public let consumer: String
    public let workflow: String?
    public let workspace: String?
    public let state: State
    /// How many times it has been claimed.
    public let attempts: Int
    public let createdAt: Timestamp
    public let updatedAt: Timestamp
    /// Not claimable before this moment.
    public let availableAt: Timestamp
    /// When the current lease ends, while claimed.
    public let leaseExpiresAt: Timestamp?
    /// Who holds or last held the lease.
    public let worker: String?
    /// The consumer's note on finishing, or why it was moved.
    public let note: String?
    /// The handoff this one was routed on from, if any.
    public let routedFrom: String?

    public init(
        id: String, artifactID: ArtifactID, schema: String, producer: String, consumer: String,
        workflow: String?,
        workspace: String?, state: State, attempts: Int, createdAt: Timestamp, updatedAt: Timestamp,
        availableAt: Timestamp, leaseExpiresAt: Timestamp?, worker: String?, note: String?,
        routedFrom: String? = nil
    ) {
        self.id = id
        self.artifactID = artifactID
        self.schema = schema
        self.producer = producer
        self.consumer = consumer
        self.workflow = workflow
        self.workspace = workspace
        self.state = state
        self.attempts = attempts
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.availableAt = availableAt
        self.leaseExpiresAt = leaseExpiresAt
        self.worker = worker
        self.note = note
        self.routedFrom = routedFrom
    }

    /// Whether the handoff is finished: nothing more happens to it unless it is retried.
    public var isFinished: Bool {
        switch state {
        case .pending, .claimed: false
        case .done, .blocked, .rejected, .dead, .routed: true
        }
    }
}

/// Names of bots, workflows and workspaces: 1 to 128 characters of letters, digits and `_ . - : @ # / +`,
/// so that they read well in a shell and in a log, and cannot smuggle control characters into either.
enum Name {
    static func check(_ value: String, as role: String) throws(HandoffError) {
        let utf8 = value.utf8
        let allowed: (UInt8) -> Bool = { byte in
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
            case UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"),
                UInt8(ascii: "@"),
                UInt8(ascii: "#"), UInt8(ascii: "/"), UInt8(ascii: "+"):
                true
            default: false
            }
        }
        guard !utf8.isEmpty else { throw HandoffError(.usage, "the \(role) name is empty") }
        guard utf8.count <= 128, utf8.allSatisfy(allowed) else {
            throw HandoffError(
                .usage, "invalid \(role) name \(quotedForMessage(value))",
                hint: "use 1 to 128 letters, digits and _ . - : @ # / +")
        }
        // Names are stored and shown as they are; masking one would merge identities, so one that holds a
        // credential is refused, without repeating it.
        if let kind = SecretMasker.credential(inName: value) {
            throw HandoffError(
                .invalidInput,
                "the \(role) name \(quotedForMessage(SecretMasker.mask(value))) looks like a credential (\(kind)); names are stored as they are, so nothing was stored",
                hint: "name it by what it is, not with a secret")
        }
    }
}
