import HandoffJSON
import HandoffKit

/// Claims and leases, across hosts: a claim takes a handoff with `FOR UPDATE SKIP LOCKED`, so that workers
/// never wait for each other nor take the same handoff, and every other operation locks the handoff's row
/// before it checks the receipt, in the transaction that changes it.
extension PostgresBackend {
    func claim(
        consumer: String, schema: String?, workspace: String?, handoff id: String?, worker: String?,
        leaseMilliseconds: Int64, maxAttempts: Int, now: Timestamp
    ) throws(HandoffError) -> Claim? {
        // Drawn before the transaction, so that a claim whose commit was cut off can be recognised by it.
        let token = Receipt.newToken()
        return try write(
            { connection in
                while true {
                    guard
                        let candidate = try claimCandidate(
                            consumer: consumer, schema: schema, workspace: workspace, handoff: id, now: now,
                            in: connection)
                    else { return nil }
                    if candidate.state == "claimed", let expiredAt = candidate.leaseExpiresAt {
                        try addEvent(
                            candidate.seq, "expired", at: Timestamp(millisecondsSince1970: expiredAt),
                            worker: candidate.worker, attempt: candidate.attempts, note: nil, in: connection)
                    }
                    if candidate.attempts >= maxAttempts {
                        let note = "dead-lettered after \(candidate.attempts) attempts"
                        try connection.execute(
                            """
                            UPDATE handoff SET state = 'dead', lease_token = NULL, lease_expires_at = NULL,
                                note = $1, updated_at = $2 WHERE seq = $3
                            """, [note.pgValue, now.millisecondsSince1970.pgValue, candidate.seq.pgValue])
                        try addEvent(
                            candidate.seq, "dead", at: now, worker: nil, attempt: candidate.attempts,
                            note: note,
                            in: connection)
                        continue
                    }
                    let receipt = Receipt(
                        handoffID: candidate.id, attempt: candidate.attempts + 1, token: token)
                    let expiry = now.adding(milliseconds: leaseMilliseconds)
                    guard
                        let claimed = try change(
                            where: ("seq = $1", [candidate.seq.pgValue]),
                            set: """
                                state = 'claimed', attempts = attempts + 1, lease_token = $7, lease_expires_at = $8,
                                    worker = $9, updated_at = $10
                                """,
                            arguments: [
                                token.pgValue, expiry.millisecondsSince1970.pgValue, worker.pgValue,
                                now.millisecondsSince1970.pgValue,
                            ], event: "claimed", at: now, worker: worker, attempt: nil,
                            leaseExpiresAt: expiry,
                            note: nil, in: connection)
                    else {
                        throw HandoffError(
                            .io, "\(location): handoff \(candidate.id) vanished while it was claimed")
                    }
                    return Claim(handoff: claimed, receipt: receipt)
                }
            },
            verify: { connection in
                let held = try connection.execute(
                    "SELECT seq, id, attempts FROM handoff WHERE consumer = $1 AND lease_token = $2",
                    [consumer.pgValue, token.pgValue])
                guard let seq = held.int(0, 0) else { return nil }
                let receipt = Receipt(
                    handoffID: held.string(0, 1) ?? "", attempt: Int(held.int(0, 2) ?? 0), token: token)
                return Claim(handoff: try self.handoff(seq: seq, in: connection), receipt: receipt)
            })
    }

    /// Runs a receipt operation that writes a `kind` event at `now`; a commit cut off is settled by looking
    /// for that event.
    private func write(
        _ kind: String, of receipt: Receipt, at now: Timestamp, _ body: (PGConnection) throws -> Handoff
    ) throws(HandoffError) -> Handoff {
        try write(
            body, verify: { connection in try self.recorded(kind, of: receipt, at: now, in: connection) })
    }

    /// The handoff a receipt operation changed, if the event it writes (`kind`, at `now`, for the receipt's
    /// attempt) is there: how an operation whose commit was cut off is known to have taken effect.
    private func recorded(
        _ kind: String, of receipt: Receipt, at now: Timestamp, in connection: PGConnection
    ) throws -> Handoff? {
        let found = try connection.execute(
            """
            SELECT h.seq FROM handoff_event e JOIN handoff h ON h.seq = e.handoff
            WHERE h.id = $1 AND e.kind = $2 AND e.at = $3 AND e.attempt = $4
            """,
            [
                receipt.handoffID.pgValue, kind.pgValue, now.millisecondsSince1970.pgValue,
                receipt.attempt.pgValue,
            ])
        guard let seq = found.int(0, 0) else { return nil }
        return try handoff(seq: seq, in: connection)
    }

    private struct Candidate {
        var seq: Int64
        var id: String
        var state: String
        var attempts: Int
        var createdAt: Int64
        var worker: String?
        var leaseExpiresAt: Int64?
    }

    /// The oldest of the first available pending handoff and the first expired lease, each locked and
    /// skipped over by other claimers while this transaction runs; both looked for in one statement.
    private func claimCandidate(
        consumer: String, schema: String?, workspace: String?, handoff id: String?, now: Timestamp,
        in connection: PGConnection
    ) throws -> Candidate? {
        var arguments: [PGValue?] = [consumer.pgValue, now.millisecondsSince1970.pgValue]
        var join = ""
        var filter = ""
        if let schema {
            arguments.append(schema.pgValue)
            join = " JOIN artifact a ON a.seq = h.artifact AND a.schema = $\(arguments.count)"
        }
        if let workspace {
            arguments.append(workspace.pgValue)
            filter = " AND h.workspace = $\(arguments.count)"
        }
        if let id {
            arguments.append(id.pgValue)
            filter += " AND h.id = $\(arguments.count)"
        }
        let columns = "h.seq, h.id, h.state, h.attempts, h.created_at, h.worker, h.lease_expires_at"
        let rows = try connection.execute(
            """
            WITH pending AS (
                SELECT \(columns) FROM handoff h\(join)
                WHERE h.consumer = $1 AND h.state = 'pending' AND h.available_at <= $2\(filter)
                ORDER BY h.created_at, h.seq LIMIT 1 FOR UPDATE OF h SKIP LOCKED
            ), expired AS (
                SELECT \(columns) FROM handoff h\(join)
                WHERE h.consumer = $1 AND h.state = 'claimed' AND h.lease_expires_at <= $2\(filter)
                ORDER BY h.lease_expires_at LIMIT 1 FOR UPDATE OF h SKIP LOCKED
            )
            SELECT * FROM expired UNION ALL SELECT * FROM pending
            """, arguments)
        let found = (0..<rows.rowCount).map { row in
            Candidate(
                seq: rows.int(row, 0) ?? 0, id: rows.string(row, 1) ?? "", state: rows.string(row, 2) ?? "",
                attempts: Int(rows.int(row, 3) ?? 0), createdAt: rows.int(row, 4) ?? 0,
                worker: rows.string(row, 5), leaseExpiresAt: rows.int(row, 6))
        }
        // An expired lease goes first when its handoff is no younger than the pending one, as on SQLite.
        let expired = found.first { $0.state == "claimed" }
        let pending = found.first { $0.state == "pending" }
        switch (pending, expired) {
        case (nil, nil): return nil
        case (let row?, nil), (nil, let row?): return row
        case (let pending?, let expired?): return expired.createdAt <= pending.createdAt ? expired : pending
        }
    }

    func ack(_ receipt: Receipt, outcome: Outcome, note: String?, now: Timestamp) throws(HandoffError)
        -> Handoff
    {
        try write(outcome.rawValue, of: receipt, at: now) { connection in
            try finish(receipt, outcome, note: note, now: now, in: connection)
        }
    }

    /// Finishes the handoff a receipt holds with `outcome`, and records the event: what every ack does, alone
    /// or in the transaction of what it hands on or of a session's end.
    func finish(
        _ receipt: Receipt, _ outcome: Outcome, note: String?, now: Timestamp, in connection: PGConnection
    )
        throws -> Handoff
    {
        try changeHeld(
            receipt,
            set: "state = $7, lease_token = NULL, lease_expires_at = NULL, note = $8, updated_at = $9",
            arguments: [outcome.state.rawValue.pgValue, note.pgValue, now.millisecondsSince1970.pgValue],
            event: outcome.rawValue, at: now, note: note, in: connection)
    }

    /// Finishes a claimed handoff as done and records what it hands on, objects and all, in one transaction.
    /// A commit cut off is settled by the ack's event: when it is there, so is everything else.
    func ack(_ receipt: Receipt, handingOn puts: [PreparedPut], note: String?, now: Timestamp)
        throws(HandoffError) -> (handoff: Handoff, recorded: [RecordedPut])
    {
        let ids = puts.map { put in put.put.consumers.map { _ in HandoffID.make(at: now) } }
        return try write(
            { connection in
                try excludeCollection(connection)
                let handoff = try finish(receipt, .done, note: note, now: now, in: connection)
                let recorded = try zip(puts, ids).map { put, ids in
                    try record(put, at: now, handoffIDs: ids, in: connection)
                }
                return (handoff, recorded)
            },
            verify: { connection in
                guard
                    let handoff = try self.recorded(
                        Outcome.done.rawValue, of: receipt, at: now, in: connection),
                    let recorded = try self.recorded(
                        puts, handoffIDs: ids, at: now, known: true, in: connection)
                else { return nil }
                return (handoff, recorded)
            })
    }

    func release(_ receipt: Receipt, delayMilliseconds: Int64, note: String?, now: Timestamp)
        throws(HandoffError) -> Handoff
    {
        try write("released", of: receipt, at: now) { connection in
            try changeHeld(
                receipt,
                set:
                    "state = 'pending', lease_token = NULL, lease_expires_at = NULL, available_at = $7, updated_at = $8",
                arguments: [
                    (now.millisecondsSince1970 + delayMilliseconds).pgValue,
                    now.millisecondsSince1970.pgValue,
                ], event: "released", at: now, note: note, announce: true, in: connection)
        }
    }

    func giveBack(_ receipt: Receipt, note: String, now: Timestamp) throws(HandoffError) -> Handoff {
        try write("returned", of: receipt, at: now) { connection in
            try changeHeld(
                receipt,
                set: """
                    state = 'pending', attempts = attempts - 1, lease_token = NULL, lease_expires_at = NULL,
                        available_at = $7, updated_at = $7
                    """, arguments: [now.millisecondsSince1970.pgValue], event: "returned", at: now,
                note: note,
                announce: true, in: connection)
        }
    }

    func extend(_ receipt: Receipt, leaseMilliseconds: Int64, now: Timestamp) throws(HandoffError) -> Handoff
    {
        try write("extended", of: receipt, at: now) { connection in
            let expiry = now.adding(milliseconds: leaseMilliseconds)
            return try changeHeld(
                receipt, set: "lease_expires_at = $7, updated_at = $8",
                arguments: [expiry.millisecondsSince1970.pgValue, now.millisecondsSince1970.pgValue],
                event: "extended", at: now, leaseExpiresAt: expiry, note: nil, in: connection)
        }
    }

    func retry(handoffID: String, note: String?, now: Timestamp) throws(HandoffError) -> Handoff {
        try write { connection in
            let rows = try connection.execute(
                "SELECT seq, state FROM handoff WHERE id = $1 FOR UPDATE", [handoffID.pgValue])
            guard rows.rowCount == 1, let seq = rows.int(0, 0) else {
                throw HandoffError(.notFound, "no handoff \(quotedForMessage(handoffID)) in the store")
            }
            let state = rows.string(0, 1) ?? ""
            guard ["dead", "blocked", "rejected"].contains(state) else {
                throw HandoffError(
                    .conflict,
                    "handoff \(handoffID) is \(state); only dead, blocked or rejected handoffs can be retried"
                )
            }
            let onward = try connection.execute(
                "SELECT id FROM handoff WHERE routed_from = $1 ORDER BY seq LIMIT 1", [seq.pgValue])
            if let onward = onward.string(0, 0) {
                throw HandoffError(
                    .conflict, "handoff \(handoffID) was routed on as handoff \(onward)",
                    hint: "retry that one instead")
            }
            try connection.execute(
                """
                UPDATE handoff SET state = 'pending', attempts = 0, available_at = $1, note = $2, updated_at = $1
                WHERE seq = $3
                """, [now.millisecondsSince1970.pgValue, note.pgValue, seq.pgValue])
            try addEvent(seq, "retried", at: now, worker: nil, attempt: nil, note: note, in: connection)
            let retried = try handoff(seq: seq, in: connection)
            try announce(retried.consumer, in: connection)
            return retried
        }
    }

    func route(
        artifact: ArtifactID, from origin: String?, receipt: Receipt?, producer: String, to consumer: String,
        note: String?, now: Timestamp
    ) throws(HandoffError) -> Handoff {
        try write { connection in
            try excludeCollection(connection)
            let artifactRow = try connection.execute(
                "SELECT \(Self.artifactColumns) FROM artifact a WHERE a.id = $1",
                [artifact.description.pgValue])
            guard artifactRow.rowCount == 1, let artifactSeq = artifactRow.int(0, 0) else {
                throw HandoffError(.notFound, "no artifact \(artifact) in the store")
            }
            let info = try Self.artifactInfo(artifactRow, 0)
            var routedFrom: (seq: Int64, id: String)?
            var workflow = info.workflow
            var workspace = info.workspace
            if let origin {
                let originRow = try connection.execute(
                    """
                    SELECT seq, state, workflow, workspace, lease_token, lease_expires_at, worker
                    FROM handoff WHERE id = $1 FOR UPDATE
                    """, [origin.pgValue])
                guard originRow.rowCount == 1, let originSeq = originRow.int(0, 0) else {
                    throw HandoffError(.notFound, "no handoff \(quotedForMessage(origin)) in the store")
                }
                routedFrom = (originSeq, origin)
                workflow = originRow.string(0, 2)
                workspace = originRow.string(0, 3)
                let destination = "routed to \(consumer) by \(producer)" + (note.map { ": \($0)" } ?? "")
                let state = originRow.string(0, 1) ?? ""
                if state == "claimed", let leaseEnd = originRow.int(0, 5),
                    leaseEnd > now.millisecondsSince1970,
                    receipt?.token != originRow.string(0, 4)
                {
                    let holder = originRow.string(0, 6)
                    throw HandoffError(
                        .conflict,
                        "handoff \(origin) is claimed\(holder.map { " by \($0)" } ?? "") until \(Timestamp(millisecondsSince1970: leaseEnd))",
                        hint: "route it with the claim's --receipt, or after the lease ends")
                }
                if state == "pending" || state == "claimed" {
                    try connection.execute(
                        """
                        UPDATE handoff SET state = 'routed', lease_token = NULL, lease_expires_at = NULL,
                            note = $1, updated_at = $2 WHERE seq = $3
                        """, [destination.pgValue, now.millisecondsSince1970.pgValue, originSeq.pgValue])
                }
                try addEvent(
                    originSeq, "routed", at: now, worker: nil, attempt: nil, note: destination, in: connection
                )
            }
            return try insertHandoff(
                artifact: info, artifactSeq: artifactSeq, producer: producer, consumer: consumer,
                workflow: workflow, workspace: workspace, createdAt: now, now: now, note: note,
                routedFrom: routedFrom, in: connection)
        }
    }

    /// Changes one handoff, records what happened to it and returns it as it is now, in one statement (one
    /// round trip): `set` (its parameters numbered from `$7`, given in `arguments`) on the row `match`
    /// picks (its parameters numbered from `$1` in the clause, renumbered after `arguments`), then an event
    /// of `kind`. Nil when no row matched.
    ///
    /// - Parameter announce: Whether to tell those waiting on its consumer that it may be claimed.
    private func change(
        where match: (clause: String, arguments: [PGValue?]), set: String, arguments: [PGValue?],
        event kind: String, at now: Timestamp, worker: String? = nil, attempt: Int?,
        leaseExpiresAt: Timestamp? = nil, note: String?, announce: Bool = false, in connection: PGConnection
    ) throws -> Handoff? {
        let clause = match.clause.renumberingPlaceholders(by: 6 + arguments.count)
        let rows = try connection.execute(
            """
            WITH h AS (UPDATE handoff SET \(set) WHERE \(clause) RETURNING *),
            e AS (
                INSERT INTO handoff_event (handoff, kind, at, worker, attempt, lease_expires_at, note)
                SELECT seq, $1, $2, $3, coalesce($4::integer, h.attempts), $5, $6 FROM h
            )
            SELECT \(Self.handoffColumns) FROM h JOIN artifact a ON a.seq = h.artifact
            """,
            [
                kind.pgValue, now.millisecondsSince1970.pgValue, worker.pgValue, attempt.pgValue,
                leaseExpiresAt?.millisecondsSince1970.pgValue, note.pgValue,
            ] + arguments + match.arguments)
        guard rows.rowCount == 1 else { return nil }
        let changed = try Self.handoff(rows, 0)
        if announce { try self.announce(changed.consumer, in: connection) }
        return changed
    }

    /// A receipt operation: `set` on the handoff the receipt holds, with its event; or, when the receipt no
    /// longer holds it, the conflict saying why (nothing changed).
    private func changeHeld(
        _ receipt: Receipt, set: String, arguments: [PGValue?], event kind: String, at now: Timestamp,
        leaseExpiresAt: Timestamp? = nil, note: String?, announce: Bool = false, in connection: PGConnection
    ) throws -> Handoff {
        if let changed = try change(
            where: (
                "id = $1 AND state = 'claimed' AND lease_token = $2 AND attempts = $3",
                [receipt.handoffID.pgValue, receipt.token.pgValue, receipt.attempt.pgValue]
            ), set: set, arguments: arguments, event: kind, at: now, attempt: receipt.attempt,
            leaseExpiresAt: leaseExpiresAt, note: note, announce: announce, in: connection)
        {
            return changed
        }
        let rows = try connection.execute(
            "SELECT state, attempts FROM handoff WHERE id = $1", [receipt.handoffID.pgValue])
        guard rows.rowCount == 1 else {
            throw HandoffError(.notFound, "no handoff \(receipt.handoffID) in the store")
        }
        throw Receipt.conflict(receipt, state: rows.string(0, 0) ?? "", attempts: Int(rows.int(0, 1) ?? 0))
    }

    func addEvent(
        _ handoff: Int64, _ kind: String, at: Timestamp, worker: String?, attempt: Int?,
        leaseExpiresAt: Timestamp? = nil, note: String?, in connection: PGConnection
    ) throws {
        try connection.execute(
            """
            INSERT INTO handoff_event (handoff, kind, at, worker, attempt, lease_expires_at, note)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """,
            [
                handoff.pgValue, kind.pgValue, at.millisecondsSince1970.pgValue, worker.pgValue,
                attempt.pgValue, leaseExpiresAt?.millisecondsSince1970.pgValue, note.pgValue,
            ])
    }
}
