#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Claims and leases: each operation is one IMMEDIATE transaction, so two processes can never both take
/// the same handoff, and a receipt is checked and used in the same transaction that changes the state.
extension SQLiteBackend {
    /// Takes the oldest claimable handoff of `consumer`: pending and available, or claimed under a lease
    /// that has expired. Handoffs already claimed `maxAttempts` times are dead-lettered on the way.
    func claim(
        consumer: String, schema: String?, workspace: String? = nil, handoff id: String? = nil,
        worker: String?,
        leaseMilliseconds: Int64,
        maxAttempts: Int, now: Timestamp
    ) throws(HandoffError) -> Claim? {
        try write { db in
            while true {
                guard
                    let candidate = try claimCandidate(
                        consumer: consumer, schema: schema, workspace: workspace, handoff: id, now: now,
                        in: db)
                else {
                    return nil
                }
                let seq: Int64 = candidate["seq"]
                let attempts: Int = candidate["attempts"]
                let previousWorker: String? = candidate["worker"]
                if candidate["state"] == "claimed" {
                    let expiredAt: Int64 = candidate["lease_expires_at"]
                    try addEvent(
                        seq, "expired", at: Timestamp(millisecondsSince1970: expiredAt),
                        worker: previousWorker,
                        attempt: attempts, note: nil, in: db)
                }
                if attempts >= maxAttempts {
                    let note = "dead-lettered after \(attempts) attempts"
                    try db.run(
                        sql: """
                            UPDATE handoff SET state = 'dead', lease_token = NULL, lease_expires_at = NULL,
                                note = ?, updated_at = ? WHERE seq = ?
                            """,
                        arguments: [note, now.millisecondsSince1970, seq])
                    try addEvent(seq, "dead", at: now, worker: nil, attempt: attempts, note: note, in: db)
                    continue
                }
                let id: String = candidate["id"]
                let receipt = Receipt.make(handoffID: id, attempt: attempts + 1)
                let expiry = now.adding(milliseconds: leaseMilliseconds)
                try db.run(
                    sql: """
                        UPDATE handoff SET state = 'claimed', attempts = attempts + 1, lease_token = ?,
                            lease_expires_at = ?, worker = ?, updated_at = ? WHERE seq = ?
                        """,
                    arguments: [
                        receipt.token, expiry.millisecondsSince1970, worker, now.millisecondsSince1970, seq,
                    ])
                try addEvent(
                    seq, "claimed", at: now, worker: worker, attempt: attempts + 1, leaseExpiresAt: expiry,
                    note: nil,
                    in: db)
                return Claim(handoff: try handoff(seq: seq, in: db), receipt: receipt)
            }
        }
    }

    /// The oldest of the first available pending handoff and the first expired lease: two index lookups on
    /// the partial indexes, whatever the store holds.
    private func claimCandidate(
        consumer: String, schema: String?, workspace: String?, handoff id: String?, now: Timestamp,
        in db: Database
    ) throws -> Row? {
        let (pendingQuery, expiredQuery) = Self.candidateQueries(
            schema: schema != nil, workspace: workspace != nil, handoff: id != nil)
        var arguments: StatementArguments = schema.map { [$0] } ?? []
        arguments += [consumer, now.millisecondsSince1970]
        if let workspace { arguments += [workspace] }
        if let id { arguments += [id] }
        let pending = try db.row(sql: pendingQuery, arguments: arguments)
        let expired = try db.row(sql: expiredQuery, arguments: arguments)
        switch (pending, expired) {
        case (nil, nil): return nil
        case (let row?, nil), (nil, let row?): return row
        case (let pending?, let expired?):
            let pendingCreated: Int64 = pending["created_at"]
            let expiredCreated: Int64 = expired["created_at"]
            return expiredCreated <= pendingCreated ? expired : pending
        }
    }

    /// The two claim lookups: the oldest available pending handoff, and the lease that expired first. Each is
    /// answered from a partial index holding only handoffs in that state.
    private static func candidateQueries(schema: Bool, workspace: Bool = false, handoff: Bool = false) -> (
        pending: String, expired: String
    ) {
        let join = schema ? "JOIN artifact a ON a.seq = h.artifact AND a.schema = ?" : ""
        let inWorkspace = (workspace ? " AND h.workspace = ?" : "") + (handoff ? " AND h.id = ?" : "")
        let columns = "h.seq, h.id, h.state, h.attempts, h.created_at, h.worker, h.lease_expires_at"
        return (
            """
            SELECT \(columns) FROM handoff h \(join)
            WHERE h.consumer = ? AND h.state = 'pending' AND h.available_at <= ?\(inWorkspace)
            ORDER BY h.created_at, h.seq LIMIT 1
            """,
            """
            SELECT \(columns) FROM handoff h \(join)
            WHERE h.consumer = ? AND h.state = 'claimed' AND h.lease_expires_at <= ?\(inWorkspace)
            ORDER BY h.lease_expires_at LIMIT 1
            """
        )
    }

    /// SQLite's plans for the claim lookups, for tests that check they use the partial indexes.
    func claimQueryPlans(consumer: String) throws(HandoffError) -> [[String]] {
        let (pending, expired) = Self.candidateQueries(schema: false)
        return try read { db in
            try [pending, expired].map { sql in
                try db.rows(sql: "EXPLAIN QUERY PLAN " + sql, arguments: [consumer, 0]).map {
                    $0["detail"]
                }
            }
        }
    }

    /// Finishes a claimed handoff.
    func ack(_ receipt: Receipt, outcome: Outcome, note: String?, now: Timestamp) throws(HandoffError)
        -> Handoff
    {
        try write { db in try handoff(seq: try finish(receipt, outcome, note: note, now: now, in: db), in: db)
        }
    }

    /// Finishes the handoff a receipt holds with `outcome`, and records the event: what every ack does, alone
    /// or in the transaction of what it hands on or of a session's end. Returns the handoff's row.
    func finish(_ receipt: Receipt, _ outcome: Outcome, note: String?, now: Timestamp, in db: Database) throws
        -> Int64
    {
        let seq = try holdingLease(receipt, in: db)
        try db.run(
            sql: """
                UPDATE handoff SET state = ?, lease_token = NULL, lease_expires_at = NULL, note = ?, updated_at = ?
                WHERE seq = ?
                """,
            arguments: [outcome.state.rawValue, note, now.millisecondsSince1970, seq])
        try addEvent(
            seq, outcome.rawValue, at: now, worker: nil, attempt: receipt.attempt, note: note, in: db)
        return seq
    }

    /// Finishes a claimed handoff as done and records what it hands on, in one transaction; the objects are
    /// made durable first, as for any put (if the receipt no longer holds, they are left for gc to collect).
    func ack(_ receipt: Receipt, handingOn puts: [PreparedPut], note: String?, now: Timestamp)
        throws(HandoffError) -> (handoff: Handoff, recorded: [RecordedPut])
    {
        var seen = Set<ArtifactID>()
        let objects = puts.filter { seen.insert($0.put.id).inserted }.map(\.object)
        return try recording(objects) { () throws(HandoffError) in
            Failpoint.hit("objects-durable")
            return try write { db in
                let seq = try finish(receipt, .done, note: note, now: now, in: db)
                let recorded = try puts.map { put in try record(put.put, at: now, in: db) }
                return (try handoff(seq: seq, in: db), recorded)
            }
        }
    }

    /// Gives a claimed handoff back to the inbox, claimable again after `delayMilliseconds`.
    func release(_ receipt: Receipt, delayMilliseconds: Int64, note: String?, now: Timestamp)
        throws(HandoffError)
        -> Handoff
    {
        try write { db in
            let seq = try holdingLease(receipt, in: db)
            try db.run(
                sql: """
                    UPDATE handoff SET state = 'pending', lease_token = NULL, lease_expires_at = NULL,
                        available_at = ?, updated_at = ? WHERE seq = ?
                    """,
                arguments: [now.millisecondsSince1970 + delayMilliseconds, now.millisecondsSince1970, seq])
            try addEvent(seq, "released", at: now, worker: nil, attempt: receipt.attempt, note: note, in: db)
            return try handoff(seq: seq, in: db)
        }
    }

    /// Gives back a claim that never reached its claimant: pending and available at once, with its attempt
    /// uncounted.
    func giveBack(_ receipt: Receipt, note: String, now: Timestamp) throws(HandoffError) -> Handoff {
        try write { db in
            let seq = try holdingLease(receipt, in: db)
            try db.run(
                sql: """
                    UPDATE handoff SET state = 'pending', attempts = attempts - 1, lease_token = NULL,
                        lease_expires_at = NULL, available_at = ?, updated_at = ? WHERE seq = ?
                    """,
                arguments: [now.millisecondsSince1970, now.millisecondsSince1970, seq])
            try addEvent(seq, "returned", at: now, worker: nil, attempt: receipt.attempt, note: note, in: db)
            return try handoff(seq: seq, in: db)
        }
    }

    /// Moves the end of a lease to `leaseMilliseconds` from now.
    func extend(_ receipt: Receipt, leaseMilliseconds: Int64, now: Timestamp) throws(HandoffError) -> Handoff
    {
        try write { db in
            let seq = try holdingLease(receipt, in: db)
            let expiry = now.adding(milliseconds: leaseMilliseconds)
            try db.run(
                sql: "UPDATE handoff SET lease_expires_at = ?, updated_at = ? WHERE seq = ?",
                arguments: [expiry.millisecondsSince1970, now.millisecondsSince1970, seq])
            try addEvent(
                seq, "extended", at: now, worker: nil, attempt: receipt.attempt, leaseExpiresAt: expiry,
                note: nil, in: db)
            return try handoff(seq: seq, in: db)
        }
    }

    /// Puts a dead, blocked or rejected handoff back in its consumer's inbox with a fresh attempt count.
    func retry(handoffID: String, note: String?, now: Timestamp) throws(HandoffError) -> Handoff {
        try write { db in
            guard
                let row = try db.row(
                    sql: "SELECT seq, state FROM handoff WHERE id = ?", arguments: [handoffID])
            else {
                throw HandoffError(.notFound, "no handoff \(quotedForMessage(handoffID)) in the store")
            }
            let state: String = row["state"]
            guard ["dead", "blocked", "rejected"].contains(state) else {
                throw HandoffError(
                    .conflict,
                    "handoff \(handoffID) is \(state); only dead, blocked or rejected handoffs can be retried"
                )
            }
            let seq: Int64 = row["seq"]
            if let onward = try db.value(
                String.self, sql: "SELECT id FROM handoff WHERE routed_from = ? ORDER BY seq LIMIT 1",
                arguments: [seq])
            {
                // Its artifact went on to another consumer; retrying this one would deliver it twice.
                throw HandoffError(
                    .conflict, "handoff \(handoffID) was routed on as handoff \(onward)",
                    hint: "retry that one instead")
            }
            try db.run(
                sql: """
                    UPDATE handoff SET state = 'pending', attempts = 0, available_at = ?, note = ?, updated_at = ?
                    WHERE seq = ?
                    """,
                arguments: [now.millisecondsSince1970, note, now.millisecondsSince1970, seq])
            try addEvent(seq, "retried", at: now, worker: nil, attempt: nil, note: note, in: db)
            return try handoff(seq: seq, in: db)
        }
    }

    /// Hands an artifact on to another consumer. When it comes from a handoff, that handoff's note says
    /// where it went, and if it was still pending or claimed it is finished as `routed`.
    func route(
        artifact: ArtifactID, from origin: String?, receipt: Receipt?, producer: String, to consumer: String,
        note: String?, now: Timestamp
    ) throws(HandoffError) -> Handoff {
        try write { db in
            guard
                let artifactRow = try db.row(
                    sql: "SELECT \(Self.artifactColumns) FROM artifact a WHERE a.id = ?",
                    arguments: [artifact.description])
            else {
                throw HandoffError(.notFound, "no artifact \(artifact) in the store")
            }
            let info = try Self.artifactInfo(artifactRow)
            var routedFrom: (seq: Int64, id: String)?
            var workflow = info.workflow
            var workspace = info.workspace
            if let origin {
                guard
                    let originRow = try db.row(
                        sql: """
                            SELECT seq, state, workflow, workspace, lease_token, lease_expires_at, worker
                            FROM handoff WHERE id = ?
                            """,
                        arguments: [origin])
                else {
                    throw HandoffError(.notFound, "no handoff \(quotedForMessage(origin)) in the store")
                }
                let originSeq: Int64 = originRow["seq"]
                routedFrom = (originSeq, origin)
                workflow = originRow["workflow"]
                workspace = originRow["workspace"]
                let destination = "routed to \(consumer) by \(producer)" + (note.map { ": \($0)" } ?? "")
                let state: String = originRow["state"]
                let leaseEnd: Int64? = originRow["lease_expires_at"]
                let token: String? = originRow["lease_token"]
                if state == "claimed", let leaseEnd, leaseEnd > now.millisecondsSince1970,
                    receipt?.token != token
                {
                    // Whoever holds the lease is working on it; only they (with their receipt) may pass it on.
                    let holder: String? = originRow["worker"]
                    throw HandoffError(
                        .conflict,
                        "handoff \(origin) is claimed\(holder.map { " by \($0)" } ?? "") until \(Timestamp(millisecondsSince1970: leaseEnd))",
                        hint: "route it with the claim's --receipt, or after the lease ends")
                }
                if state == "pending" || state == "claimed" {
                    // An active delivery moves: this one is finished as routed, and says where it went.
                    try db.run(
                        sql: """
                            UPDATE handoff SET state = 'routed', lease_token = NULL, lease_expires_at = NULL,
                                note = ?, updated_at = ? WHERE seq = ?
                            """,
                        arguments: [destination, now.millisecondsSince1970, originSeq])
                }
                // A finished one keeps its own note (why it was blocked, say); its history records the route.
                try addEvent(
                    originSeq, "routed", at: now, worker: nil, attempt: nil, note: destination, in: db)
            }
            return try insertHandoff(
                artifact: info, artifactSeq: artifactRow["seq"], producer: producer, consumer: consumer,
                workflow: workflow, workspace: workspace, createdAt: now, now: now, note: note,
                routedFrom: routedFrom,
                in: db)
        }
    }

    func events(ofHandoff id: String) throws(HandoffError) -> [HandoffEvent] {
        try read { db in
            try db.rows(
                sql: """
                    SELECT e.kind, e.at, e.worker, e.attempt, e.lease_expires_at, e.note FROM handoff_event e
                    JOIN handoff h ON h.seq = e.handoff WHERE h.id = ? ORDER BY e.seq
                    """,
                arguments: [id]
            ).map { row in
                let expiry: Int64? = row["lease_expires_at"]
                return HandoffEvent(
                    kind: row["kind"], at: Timestamp(millisecondsSince1970: row["at"]), worker: row["worker"],
                    attempt: row["attempt"],
                    leaseExpiresAt: expiry.map(Timestamp.init(millisecondsSince1970:)),
                    note: row["note"])
            }
        }
    }

    /// The handoff a receipt names, if its lease is still this receipt's; otherwise a conflict saying why not.
    private func holdingLease(_ receipt: Receipt, in db: Database) throws -> Int64 {
        guard
            let row = try db.row(
                sql: "SELECT seq, state, attempts, lease_token FROM handoff WHERE id = ?",
                arguments: [receipt.handoffID])
        else {
            throw HandoffError(.notFound, "no handoff \(receipt.handoffID) in the store")
        }
        let state: String = row["state"]
        let attempts: Int = row["attempts"]
        let token: String? = row["lease_token"]
        if state == "claimed", token == receipt.token, attempts == receipt.attempt {
            return row["seq"]
        }
        throw Receipt.conflict(receipt, state: state, attempts: attempts)
    }

    func addEvent(
        _ handoff: Int64, _ kind: String, at: Timestamp, worker: String?, attempt: Int?,
        leaseExpiresAt: Timestamp? = nil, note: String?, in db: Database
    ) throws {
        try db.run(
            sql: """
                INSERT INTO handoff_event (handoff, kind, at, worker, attempt, lease_expires_at, note)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                handoff, kind, at.millisecondsSince1970, worker, attempt,
                leaseExpiresAt?.millisecondsSince1970, note,
            ])
    }

    func handoff(seq: Int64, in db: Database) throws -> Handoff {
        guard
            let row = try db.row(
                sql:
                    "SELECT \(Self.handoffColumns) FROM handoff h JOIN artifact a ON a.seq = h.artifact WHERE h.seq = ?",
                arguments: [seq])
        else {
            throw HandoffError(.io, "index \(path): handoff \(seq) vanished")
        }
        return try Self.handoff(row)
    }

    /// SQLite has no notifications: a waiting claim asks, every 50 ms, whether any other connection committed
    /// since it last looked (`PRAGMA data_version`, read from the shared memory of the write-ahead log, no
    /// query of the tables), and claims again when one did.
    func listenForHandoffs(consumer: String) throws(HandoffError) {
        let version = try dataVersion()
        lastDataVersion.withLock { $0 = version }
    }

    func waitForHandoffs(consumer: String, seconds: Double) throws(HandoffError) -> Bool {
        let deadline = Timestamp.now().adding(milliseconds: Int64(max(0, seconds) * 1000))
        while true {
            let version = try dataVersion()
            let changed = lastDataVersion.withLock { last in
                defer { last = version }
                return last != version
            }
            if changed { return true }
            let left = deadline.millisecondsSince1970 - Timestamp.now().millisecondsSince1970
            if left <= 0 { return false }
            usleep(useconds_t(min(left, 50) * 1000))
        }
    }

    private func dataVersion() throws(HandoffError) -> Int64 {
        try read { db in try db.value(Int64.self, sql: "PRAGMA data_version") ?? 0 }
    }
}
