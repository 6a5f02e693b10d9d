/// What `handoff copy` moves from one store to another, named by what names things in every store (artifact,
/// handoff, session and insight ids), never by a backend's row numbers. A backend reads its store into these
/// a part at a time (`StoreBackend.copyArtifacts(after:…)` and the rest) and writes parts read from another
/// (`importCopied…`), keeping what it already holds: a copy into a store that has it all changes nothing.

/// A store-local schema.
package struct CopiedSchema: Sendable {
    package var name: String
    package var bytes: [UInt8]
    package var id: ArtifactID
    package var createdAt: Timestamp

    package init(name: String, bytes: [UInt8], id: ArtifactID, createdAt: Timestamp) {
        self.name = name
        self.bytes = bytes
        self.id = id
        self.createdAt = createdAt
    }
}

/// An artifact with its bytes, its next actions (in the order recorded) and its parents.
package struct CopiedArtifact: Sendable {
    package var info: ArtifactInfo
    package var bytes: [UInt8]
    package var nextActions: [NextAction]
    package var parents: [ArtifactID]

    package init(info: ArtifactInfo, bytes: [UInt8], nextActions: [NextAction], parents: [ArtifactID]) {
        self.info = info
        self.bytes = bytes
        self.nextActions = nextActions
        self.parents = parents
    }
}

/// A handoff as it stands, with its lease's token (so that a receipt printed by the source still holds)
/// and everything that happened to it.
package struct CopiedHandoff: Sendable {
    package var handoff: Handoff
    package var leaseToken: String?
    package var events: [HandoffEvent]

    package init(handoff: Handoff, leaseToken: String?, events: [HandoffEvent]) {
        self.handoff = handoff
        self.leaseToken = leaseToken
        self.events = events
    }
}

/// A work session without its entries (they follow a part at a time), with who holds it, the step at which
/// each bot first recorded, its escalations and its insights.
package struct CopiedSession: Sendable {
    package var info: WorkSessionInfo
    /// Who holds it (a recorder's description), its token, and until when.
    package var holder: String?
    package var holderToken: String?
    package var heldUntil: Timestamp?
    package var firstSteps: [(bot: String, step: Int)]
    package var escalations: [(artifact: ArtifactID, step: Int)]
    package var insights: [Insight]

    package init(
        info: WorkSessionInfo, holder: String?, holderToken: String?, heldUntil: Timestamp?,
        firstSteps: [(bot: String, step: Int)], escalations: [(artifact: ArtifactID, step: Int)],
        insights: [Insight]
    ) {
        self.info = info
        self.holder = holder
        self.holderToken = holderToken
        self.heldUntil = heldUntil
        self.firstSteps = firstSteps
        self.escalations = escalations
        self.insights = insights
    }
}

/// An artifact derived from another.
package struct ArtifactLink: Sendable, Hashable {
    package var child: ArtifactID
    package var parent: ArtifactID

    package init(child: ArtifactID, parent: ArtifactID) {
        self.child = child
        self.parent = parent
    }
}

/// Where a copy's reading of one kind of record got to: the last row read, in the order of the store it is
/// read from (its meaning is that backend's own).
package typealias CopyCursor = Int64

/// What one write of a copy changed in the store copied into.
package struct CopyCounts: Sendable, Equatable {
    package var added = 0
    package var updated = 0
    /// Bytes of the objects added.
    package var bytes = 0
    /// Parent links of artifacts added whose parents are not here yet: an escalation is stored during its
    /// session and linked under the session's record when it ends, so a parent may come after its child.
    package var unlinked: [ArtifactLink] = []

    package init() {}
}
