import HandoffJSON
import HandoffKit

/// Artifacts and their bytes, handoffs as listed, lineage.
extension PostgresBackend {
    // MARK: Writing

    /// Keeps `gc` out while this transaction makes new references to artifacts: writers share the lock, a
    /// collection takes it alone.
    func excludeCollection(_ connection: PGConnection) throws {
        try connection.execute(
            "SELECT pg_advisory_xact_lock_shared(hashtextextended('handoff-gc:' || $1, 0))",
            [schemaName.pgValue])
    }

    func record(_ puts: [PreparedPut], at now: Timestamp) throws(HandoffError) -> [RecordedPut] {
        // The new handoffs' ids are drawn first, so that a put whose commit was cut off is known by them.
        let ids = puts.map { put in put.put.consumers.map { _ in HandoffID.make(at: now) } }
        return try write(
            { connection in
                try excludeCollection(connection)
                return try zip(puts, ids).map { put, ids in
                    try record(put, at: now, handoffIDs: ids, in: connection)
                }
            },
            verify: { connection in try self.recorded(puts, handoffIDs: ids, at: now, in: connection) })
    }

    /// What a put whose commit was cut off recorded, if it took effect: when any of the handoffs it would
    /// have created is there. When none is (it created none, each delivery still pending from before), it
    /// is tried again, which finds them pending again.
    /// - Parameter known: Whether the transaction is known to have committed (by another of its writes):
    ///   then what it recorded is returned even when it created no handoff.
    func recorded(
        _ puts: [PreparedPut], handoffIDs: [[String]], at now: Timestamp, known: Bool = false,
        in connection: PGConnection
    ) throws -> [RecordedPut]? {
        var recorded: [RecordedPut] = []
        var tookEffect = false
        for (prepared, ids) in zip(puts, handoffIDs) {
            let put = prepared.put
            let row = try connection.execute(
                "SELECT \(Self.artifactColumns) FROM artifact a WHERE a.id = $1", [put.id.description.pgValue]
            )
            guard row.rowCount == 1 else { return nil }
            let artifact = try Self.artifactInfo(row, 0)
            let created = try connection.execute(
                """
                SELECT \(Self.handoffColumns) FROM handoff h JOIN artifact a ON a.seq = h.artifact
                WHERE h.id = ANY($1::text[]) ORDER BY h.seq
                """, [("{" + ids.joined(separator: ",") + "}").pgValue])
            let handoffs = try (0..<created.rowCount).map { row throws(HandoffError) in
                try Self.handoff(created, row)
            }
            tookEffect = tookEffect || !handoffs.isEmpty
            var duplicates: [Handoff] = []
            for consumer in put.consumers where !handoffs.contains(where: { $0.consumer == consumer }) {
                let pending = try connection.execute(
                    """
                    SELECT \(Self.handoffColumns) FROM handoff h JOIN artifact a ON a.seq = h.artifact
                    WHERE a.id = $1 AND h.consumer = $2 AND h.producer = $3
                        AND h.workflow IS NOT DISTINCT FROM $4 AND h.state = 'pending'
                    ORDER BY h.seq LIMIT 1
                    """,
                    [
                        put.id.description.pgValue, consumer.pgValue, put.producer.pgValue,
                        put.workflow.pgValue,
                    ])
                if pending.rowCount == 1 { duplicates.append(try Self.handoff(pending, 0)) }
            }
            recorded.append(
                RecordedPut(
                    artifact: artifact, existed: artifact.createdAt != (put.createdAt ?? now),
                    created: handoffs,
                    duplicates: duplicates))
        }
        return tookEffect || known ? recorded : nil
    }

    /// Stores an artifact's bytes, unless the same are there: other bytes under its id are a collision,
    /// reported and never overwritten; damaged ones (whose bytes no longer hash to their id) are replaced.
    func writeObject(_ object: PreparedObject, at now: Timestamp, in connection: PGConnection) throws {
        let inserted = try connection.execute(
            "INSERT INTO object (id, bytes, written_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
            [object.id.description.pgValue, .bytes(object.bytes), now.millisecondsSince1970.pgValue])
        guard inserted.affectedRows == 0 else { return }
        let same = try connection.execute(
            "SELECT bytes = $2 FROM object WHERE id = $1",
            [object.id.description.pgValue, .bytes(object.bytes)])
        guard same.bool(0, 0) != true else { return }
        let stored =
            try connection.execute(
                "SELECT bytes FROM object WHERE id = $1", [object.id.description.pgValue], binaryResult: true
            ).bytes(0, 0) ?? []
        if ArtifactID(canonicalBytes: stored) == object.id {
            throw HandoffError(
                .io,
                "hash collision: \(object.id) is stored with other bytes that hash to the same id; nothing was overwritten",
                hint:
                    "keep both documents; report this, since XXH3-128 collisions should not happen by chance")
        }
        try connection.execute(
            "UPDATE object SET bytes = $2, written_at = $3 WHERE id = $1",
            [object.id.description.pgValue, .bytes(object.bytes), now.millisecondsSince1970.pgValue])
    }

    /// Records one artifact (its bytes, its row, its next actions and parents) and its handoffs.
    /// - Parameter handoffIDs: The ids of the handoffs it creates, one per consumer; drawn here when nil.
    func record(
        _ prepared: PreparedPut, at now: Timestamp, handoffIDs: [String]? = nil, in connection: PGConnection
    ) throws -> RecordedPut {
        let put = prepared.put
        try writeObject(prepared.object, at: now, in: connection)
        let createdAt = put.createdAt ?? now
        // A repeated (source, action) is listed once, as the index keeps it.
        var seen: [(String, String)] = []
        let actions = put.nextActions.filter { action in
            guard !seen.contains(where: { $0 == (action.source, action.action) }) else { return false }
            seen.append((action.source, action.action))
            return true
        }
        let rendered = String(decoding: JSONWriter.encode(.array(actions.map(\.json))), as: UTF8.self)
        let insert = try connection.execute(
            """
            INSERT INTO artifact (id, schema, size, created_at, producer, workflow, workspace, validated,
                next_actions_json)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING
            RETURNING \(Self.artifactColumns.replacing("a.", with: ""))
            """,
            [
                put.id.description.pgValue, put.schema.pgValue, put.size.pgValue,
                createdAt.millisecondsSince1970.pgValue, put.producer.pgValue, put.workflow.pgValue,
                put.workspace.pgValue, put.validated.pgValue, rendered.pgValue,
            ])
        let existed = insert.rowCount == 0
        // A new artifact's row came back with the insert; an existing one is read.
        let row =
            existed
            ? try connection.execute(
                "SELECT \(Self.artifactColumns) FROM artifact a WHERE a.id = $1", [put.id.description.pgValue]
            )
            : insert
        guard row.rowCount == 1, let artifactSeq = row.int(0, 0) else {
            throw HandoffError(.io, "\(location): the artifact \(put.id) vanished while being recorded")
        }
        var artifact = try Self.artifactInfo(row, 0)
        if existed {
            // The same content checked now counts as checked, whoever stored it first without checking.
            if put.validated && !artifact.validated {
                let updated = try connection.execute(
                    "UPDATE artifact a SET validated = true WHERE seq = $1 RETURNING \(Self.artifactColumns)",
                    [artifactSeq.pgValue])
                artifact = try Self.artifactInfo(updated, 0)
            }
        } else {
            for action in actions {
                try connection.execute(
                    """
                    INSERT INTO next_action (artifact, action, source, inferred) VALUES ($1, $2, $3, $4)
                    ON CONFLICT DO NOTHING
                    """,
                    [
                        artifactSeq.pgValue, action.action.pgValue, action.source.pgValue,
                        action.inferred.pgValue,
                    ])
            }
        }
        for parent in put.parents {
            let parentRow = try connection.execute(
                "SELECT seq FROM artifact WHERE id = $1", [parent.description.pgValue])
            guard let parentSeq = parentRow.int(0, 0) else {
                throw HandoffError(.notFound, "no parent artifact \(parent) in the store")
            }
            guard parentSeq != artifactSeq else {
                throw HandoffError(.usage, "artifact \(put.id) cannot be its own parent")
            }
            try connection.execute(
                "INSERT INTO artifact_parent (child, parent) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                [artifactSeq.pgValue, parentSeq.pgValue])
        }
        var created: [Handoff] = []
        var duplicates: [Handoff] = []
        for (index, consumer) in put.consumers.enumerated() {
            // The same delivery while an earlier one still waits is a retry, not a new handoff; the lock keeps
            // two puts of it at once from both finding none.
            try connection.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                ["delivery:\(put.id):\(consumer):\(put.producer):\(put.workflow ?? "")".pgValue])
            let pending = try connection.execute(
                """
                SELECT \(Self.handoffColumns) FROM handoff h JOIN artifact a ON a.seq = h.artifact
                WHERE h.artifact = $1 AND h.consumer = $2 AND h.producer = $3
                    AND h.workflow IS NOT DISTINCT FROM $4 AND h.state = 'pending'
                ORDER BY h.seq LIMIT 1
                """,
                [artifactSeq.pgValue, consumer.pgValue, put.producer.pgValue, put.workflow.pgValue])
            if pending.rowCount == 1 {
                duplicates.append(try Self.handoff(pending, 0))
                continue
            }
            created.append(
                try insertHandoff(
                    artifact: artifact, artifactSeq: artifactSeq, producer: put.producer, consumer: consumer,
                    workflow: put.workflow, workspace: put.workspace, createdAt: createdAt, now: now,
                    id: handoffIDs?[index], in: connection))
        }
        return RecordedPut(artifact: artifact, existed: existed, created: created, duplicates: duplicates)
    }

    func insertHandoff(
        artifact: ArtifactInfo, artifactSeq: Int64, producer: String, consumer: String, workflow: String?,
        workspace: String?, createdAt: Timestamp, now: Timestamp, note: String? = nil,
        routedFrom: (seq: Int64, id: String)? = nil, id: String? = nil, in connection: PGConnection
    ) throws -> Handoff {
        let id = id ?? HandoffID.make(at: now)
        // An imported handoff keeps its original time, but is claimable now even if that time lies ahead.
        let availableAt = min(createdAt, now)
        // Inserted and announced (see `announce`) in one round trip.
        try connection.execute(
            """
            WITH inserted AS (
                INSERT INTO handoff (id, artifact, producer, consumer, workflow, workspace, state, attempts,
                    created_at, updated_at, available_at, note, routed_from)
                VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8, $9, $10, $11)
                RETURNING seq
            )
            SELECT pg_notify($12, '') FROM inserted
            """,
            [
                id.pgValue, artifactSeq.pgValue, producer.pgValue, consumer.pgValue, workflow.pgValue,
                workspace.pgValue, createdAt.millisecondsSince1970.pgValue, now.millisecondsSince1970.pgValue,
                availableAt.millisecondsSince1970.pgValue, note.pgValue, routedFrom?.seq.pgValue,
                Self.channel(for: consumer).pgValue,
            ])
        return Handoff(
            id: id, artifactID: artifact.id, schema: artifact.schema, producer: producer, consumer: consumer,
            workflow: workflow, workspace: workspace, state: .pending, attempts: 0, createdAt: createdAt,
            updatedAt: now, availableAt: availableAt, leaseExpiresAt: nil, worker: nil, note: note,
            routedFrom: routedFrom?.id)
    }

    /// Tells whoever waits for `consumer`'s handoffs (`claim --wait`, `work`, on any host) that one may be
    /// there: delivered when this transaction commits.
    func announce(_ consumer: String, in connection: PGConnection) throws {
        try connection.execute("SELECT pg_notify($1, '')", [Self.channel(for: consumer).pgValue])
    }

    // MARK: Reading

    func artifact(_ id: ArtifactID) throws(HandoffError) -> ArtifactInfo? {
        try readStatement { connection in
            let rows = try connection.execute(
                "SELECT \(Self.artifactColumns) FROM artifact a WHERE a.id = $1", [id.description.pgValue])
            return rows.rowCount == 0 ? nil : try Self.artifactInfo(rows, 0)
        }
    }

    func artifacts(matching reference: ArtifactReference) throws(HandoffError) -> [ArtifactID] {
        let low = reference.description
        let high = low + "g"
        return try readStatement { connection in
            let rows = try connection.execute(
                "SELECT id FROM artifact WHERE id >= $1 AND id < $2 ORDER BY id LIMIT 2",
                [low.pgValue, high.pgValue])
            return try (0..<rows.rowCount).map { row throws(HandoffError) in
                try ArtifactID(stored: rows.string(row, 0) ?? "")
            }
        }
    }

    func artifacts(_ filter: ArtifactFilter) throws(HandoffError) -> [ArtifactInfo] {
        var conditions = PGConditions()
        conditions.add("a.schema = ?", filter.schema)
        conditions.add("a.producer = ?", filter.producer)
        conditions.add(
            "EXISTS (SELECT 1 FROM handoff h WHERE h.artifact = a.seq AND h.consumer = ?)", filter.consumer)
        conditions.add("a.workflow = ?", filter.workflow)
        conditions.add("a.workspace = ?", filter.workspace)
        conditions.add("a.created_at >= ?", filter.since?.millisecondsSince1970)
        conditions.add("a.created_at < ?", filter.until?.millisecondsSince1970)
        var sql =
            "SELECT \(Self.artifactColumns) FROM artifact a" + conditions.sql
            + " ORDER BY a.created_at DESC, a.seq DESC"
        if let limit = filter.limit {
            sql +=
                " LIMIT \(conditions.placeholder(limit.pgValue)) OFFSET \(conditions.placeholder(filter.offset.pgValue))"
        }
        return try readStatement { connection in
            let rows = try connection.execute(sql, conditions.arguments)
            return try (0..<rows.rowCount).map { row throws(HandoffError) in try Self.artifactInfo(rows, row)
            }
        }
    }

    func objectBytes(_ id: ArtifactID, size: Int) throws(HandoffError) -> [UInt8] {
        try readStatement { connection in
            let rows = try connection.execute(
                "SELECT bytes FROM object WHERE id = $1", [id.description.pgValue], binaryResult: true)
            guard let bytes = rows.bytes(0, 0) else {
                throw HandoffError(
                    .io, "the object of \(id) is missing from \(location)", hint: "run `handoff verify`")
            }
            guard bytes.count == size else {
                throw HandoffError(
                    .io, "object \(id) is damaged: it has \(bytes.count) bytes, the index records \(size)",
                    hint: "run `handoff verify`")
            }
            return bytes
        }
    }

    func parents(of id: ArtifactID) throws(HandoffError) -> [ArtifactInfo] {
        try related(to: id, through: "p.child = c.seq JOIN artifact a ON a.seq = p.parent")
    }

    func children(of id: ArtifactID) throws(HandoffError) -> [ArtifactInfo] {
        try related(to: id, through: "p.parent = c.seq JOIN artifact a ON a.seq = p.child")
    }

    /// Artifacts joined to `id` through `artifact_parent`, oldest first.
    private func related(to id: ArtifactID, through join: String) throws(HandoffError) -> [ArtifactInfo] {
        try readStatement { connection in
            let rows = try connection.execute(
                """
                SELECT \(Self.artifactColumns) FROM artifact c JOIN artifact_parent p ON \(join)
                WHERE c.id = $1 ORDER BY a.created_at, a.seq
                """, [id.description.pgValue])
            return try (0..<rows.rowCount).map { row throws(HandoffError) in try Self.artifactInfo(rows, row)
            }
        }
    }

    func nextActions(of id: ArtifactID) throws(HandoffError) -> [NextAction] {
        try readStatement { connection in
            let rows = try connection.execute(
                """
                SELECT n.action, n.source, n.inferred FROM next_action n JOIN artifact a ON a.seq = n.artifact
                WHERE a.id = $1 ORDER BY n.seq
                """, [id.description.pgValue])
            return (0..<rows.rowCount).map { row in
                NextAction(
                    action: rows.string(row, 0) ?? "", source: rows.string(row, 1) ?? "",
                    inferred: rows.bool(row, 2) ?? false)
            }
        }
    }

    func stats() throws(HandoffError) -> IndexStats {
        try read { connection in
            let totals = try connection.execute("SELECT count(*), coalesce(sum(size), 0) FROM artifact")
            var byState: [Handoff.State: Int] = [:]
            let states = try connection.execute("SELECT state, count(*) FROM handoff GROUP BY state")
            for row in 0..<states.rowCount {
                if let state = Handoff.State(rawValue: states.string(row, 0) ?? "") {
                    byState[state] = Int(states.int(row, 1) ?? 0)
                }
            }
            var bySchema: [String: Int] = [:]
            let schemas = try connection.execute("SELECT schema, count(*) FROM artifact GROUP BY schema")
            for row in 0..<schemas.rowCount {
                bySchema[schemas.string(row, 0) ?? ""] = Int(schemas.int(row, 1) ?? 0)
            }
            let people = try connection.execute(
                "SELECT count(DISTINCT producer), count(DISTINCT consumer) FROM handoff")
            return IndexStats(
                artifacts: Int(totals.int(0, 0) ?? 0), artifactBytes: Int(totals.int(0, 1) ?? 0),
                handoffsByState: byState, artifactsBySchema: bySchema,
                producers: Int(people.int(0, 0) ?? 0), consumers: Int(people.int(0, 1) ?? 0))
        }
    }

    func handoffCounts() throws(HandoffError) -> [ConsumerCount] {
        try read { connection in
            let rows = try connection.execute(
                "SELECT consumer, state, count(*) FROM handoff GROUP BY consumer, state")
            return (0..<rows.rowCount).compactMap { row in
                Handoff.State(rawValue: rows.string(row, 1) ?? "").map {
                    ConsumerCount(
                        consumer: rows.string(row, 0) ?? "", state: $0, count: Int(rows.int(row, 2) ?? 0))
                }
            }
        }
    }

    /// The store's tables and their indexes, less the objects' bytes, which the stats count apart.
    func indexBytes() throws(HandoffError) -> Int {
        try readStatement { connection in
            let rows = try connection.execute(
                """
                SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname <> 'object'
                """, [schemaName.pgValue])
            return Int(rows.int(0, 0) ?? 0)
        }
    }

    // MARK: Handoffs

    func handoffQuery(_ filter: HandoffFilter, extraColumns: String = "") -> (String, [PGValue?]) {
        var conditions = PGConditions()
        conditions.add("h.consumer = ?", filter.consumer)
        conditions.add("h.producer = ?", filter.producer)
        if let states = filter.states, !states.isEmpty {
            let names = Handoff.State.allCases.filter(states.contains).map { "'\($0.rawValue)'" }
            conditions.add(
                names.count == 1 ? "h.state = \(names[0])" : "h.state IN (\(names.joined(separator: ", ")))")
        }
        conditions.add("a.schema = ?", filter.schema)
        conditions.add("h.workflow = ?", filter.workflow)
        conditions.add("h.workspace = ?", filter.workspace)
        conditions.add("a.id = ?", filter.artifact?.description)
        conditions.add(
            "EXISTS (SELECT 1 FROM next_action n WHERE n.action = ? AND n.artifact = h.artifact)",
            filter.action)
        conditions.add("h.created_at >= ?", filter.since?.millisecondsSince1970)
        conditions.add("h.created_at < ?", filter.until?.millisecondsSince1970)
        conditions.add(
            "(h.created_at, h.seq) \(filter.newestFirst ? "<" : ">") "
                + "(SELECT c.created_at, c.seq FROM handoff c WHERE c.id = ?)", filter.after)
        var sql =
            "SELECT \(Self.handoffColumns)\(extraColumns) FROM handoff h JOIN artifact a ON a.seq = h.artifact"
            + conditions.sql
        sql +=
            filter.newestFirst ? " ORDER BY h.created_at DESC, h.seq DESC" : " ORDER BY h.created_at, h.seq"
        if let limit = filter.limit {
            sql +=
                " LIMIT \(conditions.placeholder(limit.pgValue)) OFFSET \(conditions.placeholder(filter.offset.pgValue))"
        }
        return (sql, conditions.arguments)
    }

    func handoffs(_ filter: HandoffFilter) throws(HandoffError) -> [Handoff] {
        let (sql, arguments) = handoffQuery(filter)
        return try readStatement { connection in
            let rows = try connection.execute(sql, arguments)
            return try (0..<rows.rowCount).map { row throws(HandoffError) in try Self.handoff(rows, row) }
        }
    }

    func handoffsWithNextActions(_ filter: HandoffFilter) throws(HandoffError) -> [(Handoff, [NextAction])] {
        let (sql, arguments) = handoffQuery(filter, extraColumns: ", a.next_actions_json")
        return try readStatement { connection in
            let rows = try connection.execute(sql, arguments)
            return try (0..<rows.rowCount).map { row throws(HandoffError) in
                (try Self.handoff(rows, row), try Self.nextActions(rendered: rows.string(row, 17) ?? "[]"))
            }
        }
    }

    /// The next actions an artifact's row lists, as it rendered them.
    static func nextActions(rendered text: String) throws(HandoffError) -> [NextAction] {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw HandoffError(.io, "the index holds next actions that are not JSON: \(error)")
        }
        return (value.arrayValue ?? []).map { action in
            NextAction(
                action: action["action"]?.stringValue ?? "", source: action["source"]?.stringValue ?? "",
                inferred: action["inferred"]?.boolValue ?? false)
        }
    }

    /// The listing as `Handoff.json` and the rendered next actions write it, a page of rows at a time.
    func writeHandoffsWithNextActions(
        _ filter: HandoffFilter, limit: Int, into text: inout JSONTextBuilder,
        flush: (inout JSONTextBuilder) -> Bool
    ) throws(HandoffError) -> (written: Int, more: Bool) {
        let (sql, arguments) = handoffQuery(filter, extraColumns: ", a.next_actions_json")
        let rows: PGResult = try readStatement { connection in try connection.execute(sql, arguments) }
        var written = 0
        for row in 0..<rows.rowCount {
            guard written < limit else { return (written, true) }
            let handoff = try Self.handoff(rows, row)
            text.raw(written == 0 ? #"{"handoff":"# : #",{"handoff":"#)
            JSONWriter.encode(handoff.json).withUnsafeBufferPointer { text.raw($0) }
            text.raw(#","next_actions":"#)
            if let nextActions = rows.bytes(row, 17) {
                nextActions.withUnsafeBufferPointer { text.raw($0) }
            } else {
                text.raw("[]")
            }
            text.raw("}")
            written += 1
            guard flush(&text) else { return (written, false) }
        }
        return (written, false)
    }

    func handoff(id: String) throws(HandoffError) -> Handoff? {
        try readStatement { connection in
            let rows = try connection.execute(
                "SELECT \(Self.handoffColumns) FROM handoff h JOIN artifact a ON a.seq = h.artifact WHERE h.id = $1",
                [id.pgValue])
            return rows.rowCount == 0 ? nil : try Self.handoff(rows, 0)
        }
    }

    func handoff(seq: Int64, in connection: PGConnection) throws -> Handoff {
        let rows = try connection.execute(
            "SELECT \(Self.handoffColumns) FROM handoff h JOIN artifact a ON a.seq = h.artifact WHERE h.seq = $1",
            [seq.pgValue])
        guard rows.rowCount == 1 else { throw HandoffError(.io, "\(location): handoff \(seq) vanished") }
        return try Self.handoff(rows, 0)
    }

    func events(ofHandoff id: String) throws(HandoffError) -> [HandoffEvent] {
        try readStatement { connection in
            let rows = try connection.execute(
                """
                SELECT e.kind, e.at, e.worker, e.attempt, e.lease_expires_at, e.note FROM handoff_event e
                JOIN handoff h ON h.seq = e.handoff WHERE h.id = $1 ORDER BY e.seq
                """, [id.pgValue])
            return (0..<rows.rowCount).map { row in
                HandoffEvent(
                    kind: rows.string(row, 0) ?? "",
                    at: Timestamp(millisecondsSince1970: rows.int(row, 1) ?? 0),
                    worker: rows.string(row, 2), attempt: rows.int(row, 3).map { Int($0) },
                    leaseExpiresAt: rows.int(row, 4).map(Timestamp.init(millisecondsSince1970:)),
                    note: rows.string(row, 5))
            }
        }
    }

    func inboxVersion(_ consumer: String) throws(HandoffError) -> String {
        try readStatement { connection in
            let rows = try connection.execute(
                """
                SELECT count(*), coalesce(max(seq), 0), coalesce(max(updated_at), 0) FROM handoff
                WHERE consumer = $1 AND state = 'pending'
                """, [consumer.pgValue])
            return "\(rows.int(0, 0) ?? 0)/\(rows.int(0, 1) ?? 0)/\(rows.int(0, 2) ?? 0)"
        }
    }
}
