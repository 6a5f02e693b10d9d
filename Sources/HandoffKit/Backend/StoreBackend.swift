import HandoffJSON

/// How far long work has got: `done` of `total` (0 when not known yet).
public typealias WorkProgress = (_ done: Int, _ total: Int) -> Void

/// What a store keeps its artifacts' bytes and its index in: the operations the engine uses, and nothing
/// of how a backend does them. Everything above this (`Store`, the work log, the command line, MCP) talks to
/// a backend only through it, so no SQL and no backend's search syntax leaves the backends.
///
/// Two backends implement it: `SQLiteBackend`, objects as files beside an SQLite index (one machine), and
/// `PostgresBackend` in HandoffPostgres, objects and index in one PostgreSQL database (many hosts).
///
/// Every write is atomic and durable when it returns. Writes that store artifacts carry their canonical
/// bytes (`PreparedPut`): a backend makes the bytes durable no later than the rows that name them, and
/// checks bytes already stored under the same id (equal is a no-op, different a collision).
package protocol StoreBackend: AnyObject, Sendable {
    /// Where the store is, for messages: its folder, or its database's URL without a password.
    var location: String { get }
    /// Whether it was opened only to read: writes fail with `.io`.
    var isReadOnly: Bool { get }
    /// Whether opening it created it (what `handoff init` reports).
    var createdStore: Bool { get }

    /// The time records are stamped with when the store has no clock of its own configured: the host's
    /// for a store on this machine, the database's for a shared one.
    func currentTime() -> Timestamp

    // MARK: Artifacts

    /// Stores artifacts (bytes and rows) with their handoffs, in one transaction.
    func record(_ puts: [PreparedPut], at now: Timestamp) throws(HandoffError) -> [RecordedPut]
    func artifact(_ id: ArtifactID) throws(HandoffError) -> ArtifactInfo?
    /// Up to two artifacts whose ids start with the reference's digits: one means it is unique.
    func artifacts(matching reference: ArtifactReference) throws(HandoffError) -> [ArtifactID]
    func artifacts(_ filter: ArtifactFilter) throws(HandoffError) -> [ArtifactInfo]
    /// An artifact's canonical bytes, which the caller checks against its id.
    /// - Parameters:
    ///   - size: The size the index records, which the bytes must have.
    func objectBytes(_ id: ArtifactID, size: Int) throws(HandoffError) -> [UInt8]
    func parents(of id: ArtifactID) throws(HandoffError) -> [ArtifactInfo]
    func children(of id: ArtifactID) throws(HandoffError) -> [ArtifactInfo]
    func nextActions(of id: ArtifactID) throws(HandoffError) -> [NextAction]
    func stats() throws(HandoffError) -> IndexStats
    /// How many handoffs each consumer has in each state.
    func handoffCounts() throws(HandoffError) -> [ConsumerCount]
    /// How many bytes the index takes where it is kept.
    func indexBytes() throws(HandoffError) -> Int

    // MARK: Handoffs

    func handoffs(_ filter: HandoffFilter) throws(HandoffError) -> [Handoff]
    func handoffsWithNextActions(_ filter: HandoffFilter) throws(HandoffError) -> [(Handoff, [NextAction])]
    /// The handoffs `filter` selects written as `{"handoff":{…},"next_actions":[…]}` objects separated by
    /// commas, the bytes `JSONWriter` writes for them; see `Store.writeInboxJSON`.
    func writeHandoffsWithNextActions(
        _ filter: HandoffFilter, limit: Int, into text: inout JSONTextBuilder,
        flush: (inout JSONTextBuilder) -> Bool
    ) throws(HandoffError) -> (written: Int, more: Bool)
    func handoff(id: String) throws(HandoffError) -> Handoff?
    func events(ofHandoff id: String) throws(HandoffError) -> [HandoffEvent]
    /// A value that changes whenever the consumer's pending handoffs change.
    func inboxVersion(_ consumer: String) throws(HandoffError) -> String
    /// Starts hearing of handoffs that arrive for `consumer`, before the claim that may find none, so that
    /// none arriving between the two is missed.
    func listenForHandoffs(consumer: String) throws(HandoffError)
    /// Sleeps until a handoff may have arrived for `consumer` since `listenForHandoffs` or the last wake
    /// (true), or `seconds` passed (false). A wake may be spurious; the caller claims to find out.
    func waitForHandoffs(consumer: String, seconds: Double) throws(HandoffError) -> Bool

    /// Claims the oldest claimable handoff of `consumer` (only `handoff`, by its id, when given).
    func claim(
        consumer: String, schema: String?, workspace: String?, handoff: String?, worker: String?,
        leaseMilliseconds: Int64, maxAttempts: Int, now: Timestamp
    ) throws(HandoffError) -> Claim?
    /// Finishes a claimed handoff as done and records `puts` (artifacts derived from its artifact) with their
    /// handoffs, in one transaction: both, or neither when the receipt no longer holds.
    func ack(_ receipt: Receipt, handingOn puts: [PreparedPut], note: String?, now: Timestamp)
        throws(HandoffError) -> (handoff: Handoff, recorded: [RecordedPut])
    func ack(_ receipt: Receipt, outcome: Outcome, note: String?, now: Timestamp) throws(HandoffError)
        -> Handoff
    func release(_ receipt: Receipt, delayMilliseconds: Int64, note: String?, now: Timestamp)
        throws(HandoffError) -> Handoff
    func giveBack(_ receipt: Receipt, note: String, now: Timestamp) throws(HandoffError) -> Handoff
    func extend(_ receipt: Receipt, leaseMilliseconds: Int64, now: Timestamp) throws(HandoffError) -> Handoff
    func retry(handoffID: String, note: String?, now: Timestamp) throws(HandoffError) -> Handoff
    func route(
        artifact: ArtifactID, from origin: String?, receipt: Receipt?, producer: String, to consumer: String,
        note: String?, now: Timestamp
    ) throws(HandoffError) -> Handoff

    // MARK: Schemas and settings

    func schemaEntries() throws(HandoffError) -> [SchemaEntry]
    func schemaEntry(named name: String) throws(HandoffError) -> SchemaEntry?
    /// Registers a store-local schema, its document stored like an artifact's.
    /// - Returns: Whether the same schema was already registered.
    func addSchema(name: String, object: PreparedObject, at now: Timestamp) throws(HandoffError) -> Bool
    func setting(_ name: String) throws(HandoffError) -> String?
    func setSetting(_ name: String, to value: String?) throws(HandoffError)

    // MARK: Work sessions

    func createSession(
        id: String, start: WorkSessionStart, stepwise: Bool, at time: Timestamp, holder: SessionHolder?
    ) throws(HandoffError) -> WorkSessionInfo
    func importSession(id: String, start: WorkSessionStart, at time: Timestamp, entries: [WorkLogEntry])
        throws(HandoffError) -> Bool
    func session(id: String) throws(HandoffError) -> WorkSessionInfo?
    func session(producing artifact: ArtifactID) throws(HandoffError) -> WorkSessionInfo?
    func sessions(_ filter: WorkSessionFilter) throws(HandoffError) -> [WorkSessionInfo]
    func entries(ofSession id: String, bot: String?) throws(HandoffError) -> [WorkLogEntry]
    func append(
        _ batch: [(session: String, entries: [WorkLogEntry])], escalations: [EscalationPut],
        at now: Timestamp,
        holder: String?
    ) throws(HandoffError)
    func appendStep(
        _ entry: WorkLogEntry, session id: String, at now: Timestamp,
        escalation: (WorkSessionInfo, WorkLogEntry) throws(HandoffError) -> PreparedPut?
    ) throws(HandoffError) -> WorkLogEntry
    func renew(sessions ids: [String], holder: String, at now: Timestamp) throws(HandoffError) -> [String]
    func release(sessions ids: [String], holder: String) throws(HandoffError)
    func checkNotHeld(_ id: String, byOtherThan holder: String?, at now: Timestamp) throws(HandoffError)
    /// Ends a session, storing its record's parts, its work log and its insights in one transaction, and
    /// finishing the claimed handoff of `receipt` as done in it when one is given (`.conflict`, nothing
    /// changed, when it no longer holds); nil when more entries arrived since the caller built them
    /// (`expectedSteps`).
    func end(
        session id: String, expectedSteps: Int, at endedAt: Timestamp, finalOutput: String?, summary: String?,
        records: [(put: PreparedPut, firstStep: Int)], workLog: PreparedPut, insights: [InsightRecord],
        now: Timestamp, holder: String?, force: Bool, receipt: Receipt?
    ) throws(HandoffError) -> (session: WorkSessionInfo, workLog: RecordedPut)?
    /// Entries matching the words and phrases of `query`, best first.
    func search(
        _ query: SearchTerms, workspace: String?, bot: String?, reader: String?, limit: Int, offset: Int
    ) throws(HandoffError) -> [WorkLogSearchHit]
    func escalations(states: [Handoff.State]?, session: String?, limit: Int?, offset: Int)
        throws(HandoffError) -> [Escalation]
    func insights(state: Insight.State?, session: String?, limit: Int?, offset: Int) throws(HandoffError)
        -> [Insight]
    func insight(id: String) throws(HandoffError) -> Insight?
    func decide(insight id: String, approval: PreparedPut?, note: String?, at now: Timestamp)
        throws(HandoffError) -> Insight
    func knownBots() throws(HandoffError) -> [String]

    // MARK: Copying (`StoreCopy.swift`)

    /// Store-local schemas and settings, all of them.
    func copySchemas() throws(HandoffError) -> [CopiedSchema]
    func copySettings() throws(HandoffError) -> [(name: String, value: String)]
    /// Artifacts after `cursor` in the order they were stored, with their bytes: up to `limit` of them, and
    /// no more than `maxBytes` of bytes unless one alone is larger. Empty at the end.
    func copyArtifacts(after cursor: CopyCursor?, limit: Int, maxBytes: Int) throws(HandoffError) -> (
        [CopiedArtifact], next: CopyCursor?
    )
    /// Handoffs after `cursor` in the order they were created, up to `limit`, with their events.
    func copyHandoffs(after cursor: CopyCursor?, limit: Int) throws(HandoffError) -> (
        [CopiedHandoff], next: CopyCursor?
    )
    /// Work sessions after `cursor` in the order they started, up to `limit`, without their entries.
    func copySessions(after cursor: CopyCursor?, limit: Int) throws(HandoffError) -> (
        [CopiedSession], next: CopyCursor?
    )
    /// A session's entries after step `step`, up to `limit`, in step order.
    func copyEntries(ofSession id: String, afterStep step: Int, limit: Int) throws(HandoffError)
        -> [WorkLogEntry]

    /// Writes what another store holds, each part in one transaction; what this store already holds stays.
    func importCopiedSchemas(_ schemas: [CopiedSchema]) throws(HandoffError) -> CopyCounts
    func importCopiedSettings(_ settings: [(name: String, value: String)]) throws(HandoffError) -> CopyCounts
    /// Artifacts absent here are added, linked to those of their parents that are here (the others are
    /// returned, `unlinked`); an artifact already here with other bytes is a collision, and nothing of the
    /// part is written.
    func importCopiedArtifacts(_ artifacts: [CopiedArtifact]) throws(HandoffError) -> CopyCounts
    /// Links artifacts to parents copied after them.
    /// - Throws: `.io` naming a parent that is not here.
    func importCopiedLinks(_ links: [ArtifactLink]) throws(HandoffError)
    /// Handoffs absent here are added; one here that the source changed since (a later `updatedAt`) takes
    /// the source's state, and the events it lacks.
    func importCopiedHandoffs(_ handoffs: [CopiedHandoff]) throws(HandoffError) -> CopyCounts
    /// A session absent here is added; one here takes the source's state (ended, counts, artifacts, holder)
    /// where it differs. Its escalations and insights come with it.
    func importCopiedSession(_ session: CopiedSession) throws(HandoffError) -> CopyCounts
    /// Entries of a session already here, those of steps it lacks.
    func importCopiedEntries(_ entries: [WorkLogEntry], session id: String) throws(HandoffError) -> CopyCounts
    /// The last step of the session's entries here, 0 for none.
    func lastCopiedStep(ofSession id: String) throws(HandoffError) -> Int

    // MARK: Upkeep

    /// Removes work sessions past their retention and every artifact nothing live reaches (rows and
    /// bytes), as `Store.collectGarbage` describes.
    /// - Parameter progress: Called as objects are removed, with how many of how many.
    func collectGarbage(_ policy: GCPolicy, dryRun: Bool, now: Timestamp, progress: WorkProgress)
        throws(HandoffError) -> GCReport
    /// Re-hashes every object and cross-checks objects and index.
    /// - Parameters:
    ///   - largest: The most bytes an object the index does not know is read up to.
    ///   - progress: Called as objects are checked, with how many of how many.
    func verify(largest: Int, progress: WorkProgress) throws(HandoffError) -> VerifyReport
    /// An object `verify` found unindexed, to index it again, and when it was written if that is known.
    func unindexedObject(_ id: ArtifactID, maxSize: Int) throws(HandoffError) -> (
        bytes: [UInt8], writtenAt: Timestamp?
    )
    /// Lists the next actions of artifacts again from their rows where listings would show others.
    func relistNextActions() throws(HandoffError) -> [ArtifactID]
}

/// An artifact's canonical bytes and id, ready to store.
package struct PreparedObject: Sendable {
    package var bytes: [UInt8]
    package var id: ArtifactID

    package init(bytes: [UInt8], id: ArtifactID) {
        self.bytes = bytes
        self.id = id
    }
}

/// A checked request: its canonical bytes and what the index will record.
package struct PreparedPut: Sendable {
    package var bytes: [UInt8]
    package var put: IndexedPut

    package var object: PreparedObject { PreparedObject(bytes: bytes, id: put.id) }
}

/// An artifact as the index records it.
package struct IndexedPut: Sendable {
    package var id: ArtifactID
    package var schema: String
    package var size: Int
    package var producer: String
    package var consumers: [String]
    package var workflow: String?
    package var workspace: String?
    /// The original creation time, when importing; otherwise now.
    package var createdAt: Timestamp?
    package var parents: [ArtifactID] = []
    package var nextActions: [NextAction] = []
    /// Whether the document was checked against its schema.
    package var validated: Bool = false
}

/// What recording one artifact did.
package struct RecordedPut: Sendable {
    package var artifact: ArtifactInfo
    package var existed: Bool
    package var created: [Handoff]
    package var duplicates: [Handoff]

    package init(artifact: ArtifactInfo, existed: Bool, created: [Handoff], duplicates: [Handoff]) {
        self.artifact = artifact
        self.existed = existed
        self.created = created
        self.duplicates = duplicates
    }
}

/// Counts of what an index holds.
package struct IndexStats: Sendable {
    package var artifacts: Int
    package var artifactBytes: Int
    package var handoffsByState: [Handoff.State: Int]
    package var artifactsBySchema: [String: Int]
    package var producers: Int
    package var consumers: Int

    package init(
        artifacts: Int, artifactBytes: Int, handoffsByState: [Handoff.State: Int],
        artifactsBySchema: [String: Int], producers: Int, consumers: Int
    ) {
        self.artifacts = artifacts
        self.artifactBytes = artifactBytes
        self.handoffsByState = handoffsByState
        self.artifactsBySchema = artifactsBySchema
        self.producers = producers
        self.consumers = consumers
    }
}

/// A store-local schema as the index records it.
package struct SchemaEntry: Sendable {
    package var name: String
    package var id: ArtifactID
    package var size: Int
    package var addedAt: Timestamp

    package init(name: String, id: ArtifactID, size: Int, addedAt: Timestamp) {
        self.name = name
        self.id = id
        self.size = size
        self.addedAt = addedAt
    }
}

extension SchemaEntry {
    /// The refusal of other content under a registered schema's name, whichever backend keeps it.
    package static func changed(name: String, stored: String) -> HandoffError {
        HandoffError(
            .invalidInput,
            "schema \(name) is already registered with other content (\(stored)); a registered version never changes",
            hint: "publish the change as a new version, such as \(nextVersion(of: name))")
    }
}

extension SessionHolder {
    /// The refusal of an entry, one call at a time, to a session a stream records.
    package static func streamed(session id: String) -> HandoffError {
        HandoffError(
            .conflict,
            "work session \(quotedForMessage(id)) is being recorded by a stream (log record, MCP or the Swift recorder); its entries come only from there"
        )
    }

    /// The refusal to end a session another live recorder holds, naming it.
    package static func conflict(session id: String, holder: String, until: Timestamp) -> HandoffError {
        HandoffError(
            .conflict,
            "work session \(quotedForMessage(id)) is being recorded by \(holder) (its lease runs to \(until)); ending it here would lose what it has not written yet",
            hint:
                "let its recorder end it, or end it with --force once that recorder is gone (a lease lapses a minute after its recorder stops)"
        )
    }
}

/// An escalation artifact an entry raised, and the entry.
package struct EscalationPut: Sendable {
    package var put: PreparedPut
    package var session: String
    package var step: Int
}

/// An insight to queue when its session ends; approved at once (with its artifact) when `approval` is set.
package struct InsightRecord: Sendable {
    package var step: Int
    package var bot: String
    package var category: String
    package var confidence: Double?
    package var content: String
    package var appliesTo: [String]
    package var learntAt: Timestamp
    package var approval: PreparedPut?
}
