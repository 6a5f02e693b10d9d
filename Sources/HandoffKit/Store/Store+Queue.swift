import HandoffJSON

extension Store {
    /// The default lease: long enough for a bot to do a step, short enough that a crashed bot's work is
    /// picked up again soon.
    public static let defaultLeaseSeconds = 300.0

    /// The longest lease or release delay, a year.
    public static let maximumSeconds = 31_536_000.0

    /// How many claims a handoff gets before it is dead-lettered.
    public static let defaultMaxAttempts = 5

    /// How an ack finishes a handoff unless it says otherwise.
    public static let defaultOutcome = Outcome.done

    /// Handoffs waiting for `consumer`, oldest first: pending ones unless `filter.states` says otherwise.
    public func inbox(_ consumer: String, filter: HandoffFilter = .init()) throws(HandoffError) -> [Handoff] {
        try Name.check(consumer, as: "consumer")
        var filter = filter
        filter.consumer = consumer
        if filter.states == nil { filter.states = [.pending] }
        filter.newestFirst = false
        return try backend.handoffs(filter)
    }

    /// `inbox` with each handoff's next actions, read in one query.
    public func inboxWithNextActions(_ consumer: String, filter: HandoffFilter = .init()) throws(HandoffError)
        -> [(handoff: Handoff, nextActions: [NextAction])]
    {
        try backend.handoffsWithNextActions(inboxFilter(consumer, filter)).map {
            (handoff: $0.0, nextActions: $0.1)
        }
    }

    /// `inboxWithNextActions` written straight to JSON text as it is read: each handoff as
    /// `{"handoff":{…},"next_actions":[…]}`, separated by commas, the bytes `JSONWriter` writes for their
    /// `json` forms. For listings of thousands, which need no `Handoff` values.
    ///
    /// - Parameters:
    ///   - limit: Writes at most this many; `filter.limit` should allow one more, to tell whether there are.
    ///   - flush: Called after each handoff, to write out what `text` holds when it wants to; returning false
    ///     stops the listing there (its reader went away, say), with no more rows read.
    /// - Returns: How many were written, and whether the filter selected more (false when `flush` stopped it).
    package func writeInboxJSON(
        _ consumer: String, filter: HandoffFilter = .init(), limit: Int, into text: inout JSONTextBuilder,
        flush: (inout JSONTextBuilder) -> Bool = { _ in true }
    ) throws(HandoffError) -> (written: Int, more: Bool) {
        try backend.writeHandoffsWithNextActions(
            inboxFilter(consumer, filter), limit: limit, into: &text, flush: flush)
    }

    private func inboxFilter(_ consumer: String, _ filter: HandoffFilter) throws(HandoffError)
        -> HandoffFilter
    {
        try Name.check(consumer, as: "consumer")
        var filter = filter
        filter.consumer = consumer
        if filter.states == nil { filter.states = [.pending] }
        filter.newestFirst = false
        return filter
    }

    /// Takes the oldest handoff waiting for `consumer` (pending, or claimed under a lease that has expired)
    /// and holds it under a lease; nobody else can claim it until the lease ends.
    ///
    /// A handoff already claimed `maxAttempts` times is dead-lettered instead, and the next one is taken.
    /// - Returns: The claim with its receipt, or nil when there is nothing to claim.
    /// - Parameters:
    ///   - schema: Only artifacts of this schema.
    ///   - workspace: Only handoffs in this workspace.
    ///   - handoff: Only this handoff, by its id: how a person takes the one escalation they chose.
    public func claim(
        for consumer: String, leaseSeconds: Double = Store.defaultLeaseSeconds, worker: String? = nil,
        schema: String? = nil, workspace: String? = nil, handoff: String? = nil,
        maxAttempts: Int = Store.defaultMaxAttempts
    ) throws(HandoffError) -> Claim? {
        try Name.check(consumer, as: "consumer")
        if let worker { try Name.check(worker, as: "worker") }
        if let workspace { try Name.check(workspace, as: "workspace") }
        return try backend.claim(
            consumer: consumer, schema: schema, workspace: workspace, handoff: handoff, worker: worker,
            leaseMilliseconds: try milliseconds(leaseSeconds, "lease"),
            maxAttempts: max(1, maxAttempts), now: now())
    }

    /// Claims the next handoff for `consumer` as `claim(for:…)` does, waiting up to `seconds` for one when
    /// there is none: a handoff put for it on any host wakes the wait at once (PostgreSQL's notifications;
    /// on SQLite, a look every 50 ms at whether anything was committed). Returns nil when the time passed.
    public func claim(
        for consumer: String, waitingUpTo seconds: Double, leaseSeconds: Double = Store.defaultLeaseSeconds,
        worker: String? = nil, schema: String? = nil, workspace: String? = nil,
        maxAttempts: Int = Store.defaultMaxAttempts
    ) throws(HandoffError) -> Claim? {
        try Name.check(consumer, as: "consumer")
        guard seconds.isFinite, seconds >= 0 else {
            throw HandoffError(.usage, "the wait must be 0 seconds or more, not \(seconds)")
        }
        try backend.listenForHandoffs(consumer: consumer)
        let deadline = Timestamp.now().adding(milliseconds: Int64(seconds * 1000))
        while true {
            if let claim = try claim(
                for: consumer, leaseSeconds: leaseSeconds, worker: worker, schema: schema,
                workspace: workspace,
                maxAttempts: maxAttempts)
            {
                return claim
            }
            let left = Double(deadline.millisecondsSince1970 - Timestamp.now().millisecondsSince1970) / 1000
            guard left > 0 else { return nil }
            // Nothing announces a handoff that becomes available by time (a release's delay, a lease that
            // ends): a look at least every second finds those.
            _ = try backend.waitForHandoffs(consumer: consumer, seconds: min(left, 1))
        }
    }

    /// Starts hearing of handoffs that arrive for `consumer`, for `waitForHandoffs(for:seconds:)`: call it
    /// before the claim that may find none, so that a handoff arriving in between is not missed.
    public func listenForHandoffs(for consumer: String) throws(HandoffError) {
        try Name.check(consumer, as: "consumer")
        try backend.listenForHandoffs(consumer: consumer)
    }

    /// Sleeps until a handoff may have arrived for `consumer` (true; claim to find out) or `seconds` passed
    /// (false). What a worker waits on between claims of an empty inbox.
    public func waitForHandoffs(for consumer: String, seconds: Double) throws(HandoffError) -> Bool {
        try backend.waitForHandoffs(consumer: consumer, seconds: max(0, seconds))
    }

    /// Finishes a claimed handoff.
    /// - Throws: `HandoffError` `.conflict` when the receipt no longer holds (the lease expired and the handoff
    ///   was claimed again, or it was already acked or released); nothing is changed then.
    @discardableResult
    public func ack(_ receipt: Receipt, outcome: Outcome = .done, note: String? = nil) throws(HandoffError)
        -> Handoff
    {
        try backend.ack(receipt, outcome: outcome, note: note, now: now())
    }

    /// Finishes a claimed handoff as done and hands on what came of it, in one transaction: each request is
    /// stored with the claimed artifact among its parents, and its handoffs created, only together with the
    /// ack. A step written this way (claim, work, `ack(_:handingOn:)`) happens exactly once: a worker killed
    /// at any point has either handed on nothing, and the handoff is claimed again when its lease ends, or
    /// everything, with the handoff done.
    /// - Throws: `HandoffError` `.conflict` when the receipt no longer holds (nothing is stored or handed on),
    ///   or what `put` throws for a request it refuses (nothing is acked).
    @discardableResult
    public func ack(_ receipt: Receipt, handingOn requests: [PutRequest], note: String? = nil)
        throws(HandoffError) -> (handoff: Handoff, handedOn: [PutResult])
    {
        let claimed = try handoff(id: receipt.handoffID)
        var prepared: [PreparedPut] = []
        for var request in requests {
            if !request.parents.contains(claimed.artifactID) {
                request.parents.insert(claimed.artifactID, at: 0)
            }
            prepared.append(try prepare(request))
        }
        try checkParents(prepared)
        // The step is one event in the handoff's history: what it handed on, and to whom, says so.
        let handedOn = prepared.map { put in
            "\(put.put.id.short)\(put.put.consumers.isEmpty ? "" : " to " + put.put.consumers.joined(separator: ", "))"
        }
        let said =
            prepared.isEmpty
            ? note
            : [note, "handed on " + handedOn.joined(separator: "; ")].compactMap { $0 }.joined(
                separator: "; ")
        let (handoff, recorded) = try backend.ack(receipt, handingOn: prepared, note: said, now: now())
        Failpoint.hit("index-committed")
        return (handoff, recorded.map(PutResult.init(recorded:)))
    }

    /// Gives a claimed handoff back to the inbox, claimable again after `delaySeconds`.
    /// - Throws: `HandoffError` `.conflict` when the receipt no longer holds.
    @discardableResult
    public func release(_ receipt: Receipt, delaySeconds: Double = 0, note: String? = nil)
        throws(HandoffError) -> Handoff
    {
        try backend.release(
            receipt, delayMilliseconds: try milliseconds(delaySeconds, "delay", allowZero: true), note: note,
            now: now())
    }

    /// Gives back a claim whose answer never reached its claimant (the output it was to be printed on, or the
    /// MCP host it was to be sent to, had gone): the handoff is pending again at once, and the claim does not
    /// count as an attempt, so answers lost on the way never dead-letter a handoff nobody saw. Its history
    /// records the claim and the return (`returned`, with `reason`).
    /// - Throws: `HandoffError` `.conflict` when the receipt no longer holds.
    @discardableResult
    public func giveBack(_ receipt: Receipt, reason: String) throws(HandoffError) -> Handoff {
        try backend.giveBack(receipt, note: reason, now: now())
    }

    /// Keeps a lease alive: it now ends `leaseSeconds` from now.
    /// - Throws: `HandoffError` `.conflict` when the receipt no longer holds.
    @discardableResult
    public func extend(_ receipt: Receipt, leaseSeconds: Double) throws(HandoffError) -> Handoff {
        try backend.extend(
            receipt, leaseMilliseconds: try milliseconds(leaseSeconds, "lease"), now: now())
    }

    /// Puts a dead, blocked or rejected handoff back in its consumer's inbox, with its attempts counted anew.
    /// - Throws: `HandoffError` `.conflict` when the handoff is in another state.
    @discardableResult
    public func retry(handoffID: String, note: String? = nil) throws(HandoffError) -> Handoff {
        try backend.retry(handoffID: handoffID, note: note, now: now())
    }

    /// Hands an artifact on to another consumer.
    ///
    /// Given a handoff, its artifact goes on from its consumer (unless `producer` names someone else), the
    /// new handoff records where it came from, and the original's note says where it went; if the original
    /// was still pending or claimed it is finished as `routed` (a finished one keeps its note, and the route
    /// is in its history). A handoff claimed under a live lease can be routed only with the claim's receipt.
    /// - Parameters:
    ///   - handoffID: The handoff to route on, or nil to route the artifact `artifact` afresh.
    ///   - producer: Who hands it on; required when routing an artifact rather than a handoff.
    @discardableResult
    public func route(
        handoffID: String? = nil, artifact: ArtifactID? = nil, to consumer: String,
        from producer: String? = nil,
        note: String? = nil, receipt: Receipt? = nil
    ) throws(HandoffError) -> Handoff {
        try Name.check(consumer, as: "consumer")
        if let producer { try Name.check(producer, as: "producer") }
        let origin = try handoffID.map { id throws(HandoffError) in try handoff(id: id) }
        guard let artifact = artifact ?? origin?.artifactID else {
            throw HandoffError(.usage, "route needs a handoff or an artifact")
        }
        guard let producer = producer ?? origin?.consumer else {
            throw HandoffError(
                .usage, "routing an artifact needs the bot that hands it on",
                hint: "give --from, or route one of its handoffs")
        }
        return try backend.route(
            artifact: artifact, from: origin?.id, receipt: receipt, producer: producer, to: consumer,
            note: note,
            now: now())
    }

    /// What happened to a handoff after it was created, in order.
    public func events(ofHandoff id: String) throws(HandoffError) -> [HandoffEvent] {
        _ = try handoff(id: id)
        return try backend.events(ofHandoff: id)
    }

    /// A value that changes whenever `consumer`'s pending handoffs change (one arrives, or one is claimed,
    /// released or routed away), from whichever process: what inbox subscriptions poll.
    package func inboxVersion(_ consumer: String) throws(HandoffError) -> String {
        try backend.inboxVersion(consumer)
    }

    /// The artifact's next actions and where each came from.
    public func nextActions(of id: ArtifactID) throws(HandoffError) -> [NextAction] {
        _ = try artifact(id)
        return try backend.nextActions(of: id)
    }

    /// The artifacts `id` was derived from.
    public func parents(of id: ArtifactID) throws(HandoffError) -> [ArtifactInfo] {
        try backend.parents(of: id)
    }

    /// The artifacts derived from `id`.
    public func children(of id: ArtifactID) throws(HandoffError) -> [ArtifactInfo] {
        try backend.children(of: id)
    }

    private func milliseconds(_ seconds: Double, _ what: String, allowZero: Bool = false) throws(HandoffError)
        -> Int64
    {
        let milliseconds = seconds.isFinite ? (seconds * 1000).rounded() : -1
        // A lease must last at least a millisecond once rounded, or it would have expired as it began.
        guard allowZero ? milliseconds >= 0 : milliseconds >= 1, seconds <= Self.maximumSeconds else {
            throw HandoffError(
                .usage,
                "the \(what) must be \(allowZero ? "0" : "0.001") to \(Int(Self.maximumSeconds)) seconds (a year), not \(seconds)"
            )
        }
        return Int64(milliseconds)
    }
}
