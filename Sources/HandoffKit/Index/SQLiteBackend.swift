import HandoffJSON
import HandoffSchema

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A store on this machine: each artifact's canonical bytes in a file of its own under `objects/`, and an
/// SQLite index of the artifacts, their handoffs and the work logs beside them (`index.sqlite`, WAL mode).
/// The only place that speaks SQLite's SQL.
final class SQLiteBackend: StoreBackend {
    /// The store's folder.
    let storePath: String
    /// The index file.
    let path: String
    let objects: ObjectStore
    private let connection: SQLiteConnection
    /// The data version a waiting claim last saw (`waitForHandoffs`).
    let lastDataVersion = Locked<Int64>(0)
    /// Whether artifacts have the column of their rendered next actions (`IndexMigrations`): a store opened
    /// only to read may not have had that upgrade yet.
    let rendersNextActions: Bool
    /// Whether work-log entries are indexed by their stems (`IndexMigrations.searchStems`), as `how` reads
    /// them; likewise an upgrade a store opened only to read may lack.
    let searchesStems: Bool

    var location: String { storePath }
    /// Whether `create` made the store, rather than finding it.
    let createdStore: Bool

    /// Opens the index of the store at `storePath` (creating it when absent, unless read-only), bringing its
    /// schema up to date.
    ///
    /// - Parameters:
    ///   - busyTimeout: How long to wait for other processes' locks before failing with `.busy`.
    ///   - readOnly: Open it only to read: nothing is written, not even a checkpoint, and a store the user may
    ///     only read can be read.
    init(storePath: String, busyTimeout: Double, readOnly: Bool = false, created: Bool = false)
        throws(HandoffError)
    {
        self.storePath = storePath
        createdStore = created
        path = Self.indexPath(storePath)
        objects = ObjectStore(storePath: storePath)
        do {
            connection = try SQLiteConnection(
                path: path, readOnly: readOnly, create: !readOnly, busyTimeout: busyTimeout)
        } catch {
            throw Self.translate(error, path: path)
        }
        let applied = try Self.prepare(connection, path: path)
        rendersNextActions = applied.contains(IndexMigrations.renderedNextActions)
        searchesStems = applied.contains(IndexMigrations.searchStems)
    }

    static func indexPath(_ storePath: String) -> String { storePath + "/index.sqlite" }

    /// Turns WAL on in a new index. Processes creating the store at once each want the database alone for
    /// it, and SQLite answers such a deadlock with SQLITE_BUSY at once, without waiting: so it is tried
    /// again, a little later each time, for as long as the busy timeout (a process that got there first
    /// leaves it on, and the pragma is then a no-op).
    private static func switchToWAL(_ connection: SQLiteConnection) throws {
        var attempt = 0
        let deadline = Timestamp.now().adding(milliseconds: Int64(connection.busyTimeout * 1000))
        while true {
            do {
                try connection.withoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
                return
            } catch let error as SQLiteError where error.isBusy && Timestamp.now() < deadline {
                attempt += 1
                var random = SystemRandomNumberGenerator()
                usleep(useconds_t(min(100_000, 1_000 * attempt + Int.random(in: 0..<5_000, using: &random))))
            }
        }
    }

    func currentTime() -> Timestamp { Timestamp.now() }

    /// Whether an artifact's object file exists; checked inside the transaction that records the artifact,
    /// where `gc` cannot remove it meanwhile.
    private func objectExists(_ id: ArtifactID) -> Bool { FileIO.exists(objects.path(of: id)) }

    /// Writes objects durably, then runs `record`, which indexes them. Should `gc` collect one of them in
    /// between (it was unreachable until this put), they are written again and `record` retried.
    func recording<Result>(_ objects: [PreparedObject], _ record: () throws(HandoffError) -> Result)
        throws(HandoffError) -> Result
    {
        var attempt = 0
        while true {
            _ = try self.objects.write(batch: objects.map { ($0.bytes, $0.id) })
            do {
                return try record()
            } catch  where error.cause is ObjectVanished && attempt < 8 {
                attempt += 1
            }
        }
    }

    var isReadOnly: Bool { connection.readOnly }

    /// Turns WAL on (it stays on, in the file) and applies missing migrations, each in a write transaction, so
    /// two processes opening a new store at once do it once.
    /// - Returns: The migrations the index has now.
    private static func prepare(_ connection: SQLiteConnection, path: String) throws(HandoffError) -> [String]
    {
        let migrator = IndexMigrations.migrator
        let applied: [String]
        let journal: String
        do {
            (applied, journal) = try connection.read { db in
                (
                    try migrator.appliedIdentifiers(db),
                    try db.value(String.self, sql: "PRAGMA journal_mode") ?? ""
                )
            }
        } catch {
            throw Self.translate(error, path: path)
        }
        let known = migrator.identifiers
        let unknown = applied.filter { !known.contains($0) }
        let complete = known.allSatisfy(applied.contains)
        guard unknown.isEmpty else {
            throw HandoffError(
                .io,
                "the index \(path) was written by a newer version of handoff (it has \(unknown.sorted().joined(separator: ", ")))",
                hint: "use that version, or a newer one")
        }
        if complete && journal == "wal" { return applied }
        guard !connection.readOnly else {
            if known.allSatisfy({ applied.contains($0) || migrator.optionalForReaders.contains($0) }) {
                return applied
            }
            throw HandoffError(
                .io, "the index \(path) needs an upgrade, which a command that only reads does not make",
                hint: "run a command that writes, such as `handoff init`, once")
        }
        do {
            if journal != "wal" { try switchToWAL(connection) }
            if !complete { try migrator.migrate(connection) }
        } catch {
            throw Self.translate(error, path: path)
        }
        return known
    }

    // MARK: Access

    func read<T>(_ body: (Database) throws -> T) throws(HandoffError) -> T {
        do {
            return try connection.read(body)
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(HandoffError) -> T {
        do {
            return try connection.write(body)
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    static func translate(_ error: any Error, path: String) -> HandoffError {
        if let error = error as? HandoffError { return error }
        guard let error = error as? SQLiteError else {
            return HandoffError(.io, "index \(path): \(error)")
        }
        if error.isBusy {
            return HandoffError(
                .busy,
                "the store is busy: another process held the index \(path) locked past the busy timeout",
                hint: "try again, or raise --busy-timeout", cause: error)
        }
        if error.isFull { return HandoffError(.io, "the disk holding \(path) is full", cause: error) }
        if error.isCorrupt {
            return HandoffError(
                .io, "the index \(path) is damaged: \(error.message)", hint: "run `handoff verify`",
                cause: error)
        }
        if error.isPermission {
            return HandoffError(.io, "cannot open the index \(path): \(error.message)", cause: error)
        }
        return HandoffError(.io, "index \(path): \(error.message)", cause: error)
    }

    // MARK: Writing

    /// Writes the artifacts' objects durably, then records them with their handoffs in one transaction.
    func record(_ puts: [PreparedPut], at now: Timestamp) throws(HandoffError) -> [RecordedPut] {
        var seen = Set<ArtifactID>()
        let objects = puts.filter { seen.insert($0.put.id).inserted }.map(\.object)
        return try recording(objects) { () throws(HandoffError) in
            Failpoint.hit("objects-durable")
            return try write { db in
                try puts.map { put in try record(put.put, at: now, in: db) }
            }
        }
    }

    func record(_ put: IndexedPut, at now: Timestamp, in db: Database) throws -> RecordedPut {
        // The object was written before this transaction; a `gc` that ran in between may have removed it
        // (the same content, unreachable until now). The caller writes it again and retries.
        guard objectExists(put.id) else {
            throw HandoffError(
                .io, "the object of \(put.id) was collected while it was being put", cause: ObjectVanished())
        }
        let createdAt = put.createdAt ?? now
        try db.run(
            sql: """
                INSERT INTO artifact (id, schema, size, created_at, producer, workflow, workspace, validated)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING
                """,
            arguments: [
                put.id.description, put.schema, put.size, createdAt.millisecondsSince1970, put.producer,
                put.workflow, put.workspace, put.validated,
            ])
        let existed = db.changesCount == 0
        guard
            let row = try db.row(
                sql: "SELECT \(Self.artifactColumns) FROM artifact a WHERE a.id = ?",
                arguments: [put.id.description])
        else {
            throw HandoffError(.io, "index \(path): the artifact \(put.id) vanished while being recorded")
        }
        let artifact = try Self.artifactInfo(row)
        let artifactSeq: Int64 = row["seq"]
        if existed {
            // The same content checked now counts as checked, whoever stored it first without checking.
            if put.validated && !artifact.validated {
                try db.run(sql: "UPDATE artifact SET validated = 1 WHERE seq = ?", arguments: [artifactSeq])
            }
        } else {
            var recorded: [NextAction] = []
            for action in put.nextActions {
                try db.run(
                    sql:
                        "INSERT OR IGNORE INTO next_action (artifact, action, source, inferred) VALUES (?, ?, ?, ?)",
                    arguments: [artifactSeq, action.action, action.source, action.inferred])
                // What the table holds, as listings would read it: a repeated (source, action) is not.
                if db.changesCount == 1 { recorded.append(action) }
            }
            try db.run(
                sql: "UPDATE artifact SET next_actions_json = ? WHERE seq = ?",
                arguments: [String(decoding: Self.renderedNextActions(recorded), as: UTF8.self), artifactSeq])
        }
        for parent in put.parents {
            guard
                let parentSeq = try db.value(
                    Int64.self, sql: "SELECT seq FROM artifact WHERE id = ?", arguments: [parent.description])
            else {
                throw HandoffError(.notFound, "no parent artifact \(parent) in the store")
            }
            guard parentSeq != artifactSeq else {
                throw HandoffError(.usage, "artifact \(put.id) cannot be its own parent")
            }
            try db.run(
                sql: "INSERT OR IGNORE INTO artifact_parent (child, parent) VALUES (?, ?)",
                arguments: [artifactSeq, parentSeq])
        }
        var created: [Handoff] = []
        var duplicates: [Handoff] = []
        for consumer in put.consumers {
            // The same delivery while an earlier one still waits is a retry, not a new handoff.
            if let pending = try db.row(
                sql: """
                    SELECT \(Self.handoffColumns) FROM handoff h JOIN artifact a ON a.seq = h.artifact
                    WHERE h.artifact = ? AND h.consumer = ? AND h.producer = ? AND h.workflow IS ? AND h.state = 'pending'
                    ORDER BY h.seq LIMIT 1
                    """,
                arguments: [artifactSeq, consumer, put.producer, put.workflow])
            {
                duplicates.append(try Self.handoff(pending))
                continue
            }
            created.append(
                try insertHandoff(
                    artifact: artifact, artifactSeq: artifactSeq, producer: put.producer, consumer: consumer,
                    workflow: put.workflow, workspace: put.workspace, createdAt: createdAt, now: now, in: db))
        }
        return RecordedPut(
            artifact: try Self.artifactInfo(
                try db.row(
                    sql: "SELECT \(Self.artifactColumns) FROM artifact a WHERE a.seq = ?",
                    arguments: [artifactSeq])!),
            existed: existed, created: created, duplicates: duplicates)
    }

    func insertHandoff(
        artifact: ArtifactInfo, artifactSeq: Int64, producer: String, consumer: String, workflow: String?,
        workspace: String?, createdAt: Timestamp, now: Timestamp, note: String? = nil,
        routedFrom: (seq: Int64, id: String)? = nil,
        in db: Database
    ) throws -> Handoff {
        let id = HandoffID.make(at: now)
        // An imported handoff keeps its original time, but is claimable now even if that time lies ahead.
        let availableAt = min(createdAt, now)
        try db.run(
            sql: """
                INSERT INTO handoff (id, artifact, producer, consumer, workflow, workspace, state, attempts,
                    created_at, updated_at, available_at, note, routed_from)
                VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?)
                """,
            arguments: [
                id, artifactSeq, producer, consumer, workflow, workspace, createdAt.millisecondsSince1970,
                now.millisecondsSince1970, availableAt.millisecondsSince1970, note, routedFrom?.seq,
            ])
        return Handoff(
            id: id, artifactID: artifact.id, schema: artifact.schema, producer: producer, consumer: consumer,
            workflow: workflow, workspace: workspace, state: .pending, attempts: 0, createdAt: createdAt,
            updatedAt: now,
            availableAt: availableAt, leaseExpiresAt: nil, worker: nil, note: note, routedFrom: routedFrom?.id
        )
    }

    // MARK: Reading

    func artifact(_ id: ArtifactID) throws(HandoffError) -> ArtifactInfo? {
        try read { db in
            try db.row(
                sql: "SELECT \(Self.artifactColumns) FROM artifact a WHERE a.id = ?",
                arguments: [id.description]
            ).map(Self.artifactInfo)
        }
    }

    /// Up to two artifacts whose ids start with the reference's digits: one means it is unique.
    func artifacts(matching reference: ArtifactReference) throws(HandoffError) -> [ArtifactID] {
        let low = reference.description
        // Every id with this prefix sorts from the prefix itself up to the prefix followed by a letter past "f".
        let high = low + "g"
        return try read { db in
            try db.values(
                String.self, sql: "SELECT id FROM artifact WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
                arguments: [low, high]
            ).map { stored throws(HandoffError) in try ArtifactID(stored: stored) }
        }
    }

    func artifacts(_ filter: ArtifactFilter) throws(HandoffError) -> [ArtifactInfo] {
        var conditions = Conditions()
        conditions.add("a.schema = ?", filter.schema)
        conditions.add("a.producer = ?", filter.producer)
        conditions.add(
            "EXISTS (SELECT 1 FROM handoff h WHERE h.artifact = a.seq AND h.consumer = ?)", filter.consumer)
        conditions.add("a.workflow = ?", filter.workflow)
        conditions.add("a.workspace = ?", filter.workspace)
        conditions.add("a.created_at >= ?", filter.since?.millisecondsSince1970)
        conditions.add("a.created_at < ?", filter.until?.millisecondsSince1970)
        var arguments = conditions.arguments
        var sql =
            "SELECT \(Self.artifactColumns) FROM artifact a" + conditions.sql
            + " ORDER BY a.created_at DESC, a.seq DESC"
        if let limit = filter.limit {
            sql += " LIMIT ? OFFSET ?"
            arguments += [limit, filter.offset]
        }
        return try read { db in try db.rows(sql: sql, arguments: arguments).map(Self.artifactInfo) }
    }

    func handoffs(_ filter: HandoffFilter) throws(HandoffError) -> [Handoff] {
        let (sql, arguments) = handoffQuery(filter)
        return try read { db in try db.rows(sql: sql, arguments: arguments).map(Self.handoff) }
    }

    /// Handoffs with their artifacts' next actions: the handoffs in one query, then the actions of all their
    /// artifacts in one query per 512 artifacts.
    func handoffsWithNextActions(_ filter: HandoffFilter) throws(HandoffError) -> [(Handoff, [NextAction])] {
        let (sql, arguments) = handoffQuery(filter, extraColumn: "h.artifact")
        return try read { db in
            var handoffs: [(handoff: Handoff, artifact: Int64)] = []
            try db.cachedStatement(sql: sql).forEachRow(arguments: arguments) { row in
                handoffs.append((try Self.handoff(row), row[17]))
                return true
            }
            // The next actions of all their artifacts in a few queries, rather than one subquery per row.
            var actions: [Int64: [NextAction]] = [:]
            let artifacts = Array(Set(handoffs.map(\.artifact)))
            let chunk = 512
            for start in stride(from: 0, to: artifacts.count, by: chunk) {
                var part = Array(artifacts[start..<min(start + chunk, artifacts.count)])
                // Padded (with a sequence number no artifact has) to a power of two, so a handful of statements
                // are compiled and cached, whatever the sizes.
                let width = max(1, 1 << (Int.bitWidth - (part.count - 1).leadingZeroBitCount))
                part += repeatElement(-1, count: width - part.count)
                let query = """
                    SELECT artifact, action, source, inferred FROM next_action
                    WHERE artifact IN (\(String(repeating: "?,", count: width - 1))?)
                    ORDER BY artifact, rowid
                    """
                try db.cachedStatement(sql: query).forEachRow(arguments: StatementArguments(part)) { row in
                    actions[row[0], default: []].append(
                        NextAction(action: row[1], source: row[2], inferred: row[3] as Int64 == 1))
                    return true
                }
            }
            return handoffs.map { ($0.handoff, actions[$0.artifact] ?? []) }
        }
    }

    /// SQLite's plan for a handoff query, one line per step, so tests can check that it uses indexes.
    func queryPlan(_ filter: HandoffFilter) throws(HandoffError) -> [String] {
        let (sql, arguments) = handoffQuery(filter)
        return try read { db in
            try db.rows(sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] }
        }
    }

    func handoffQuery(_ filter: HandoffFilter, extraColumn: String? = nil) -> (
        String, StatementArguments
    ) {
        var conditions = Conditions()
        conditions.add("h.consumer = ?", filter.consumer)
        conditions.add("h.producer = ?", filter.producer)
        if let states = filter.states, !states.isEmpty {
            // Literal state names (from the enum, so safe to inline): SQLite uses a partial index, such as the
            // one on leases, only for a literal that matches its WHERE clause.
            let names = Handoff.State.allCases.filter(states.contains).map { "'\($0.rawValue)'" }
            conditions.add(
                names.count == 1
                    ? "h.state = \(names[0])" : "h.state IN (\(joinedText(names, separator: ", ")))"
            )
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
        var arguments = conditions.arguments
        var sql =
            "SELECT \(Self.handoffColumns)\(extraColumn.map { ", " + $0 } ?? "") FROM handoff h JOIN artifact a ON a.seq = h.artifact"
            + conditions.sql
        sql +=
            filter.newestFirst ? " ORDER BY h.created_at DESC, h.seq DESC" : " ORDER BY h.created_at, h.seq"
        if let limit = filter.limit {
            sql += " LIMIT ? OFFSET ?"
            arguments += [limit, filter.offset]
        }
        return (sql, arguments)
    }

    func handoff(id: String) throws(HandoffError) -> Handoff? {
        try read { db in
            try db.row(
                sql:
                    "SELECT \(Self.handoffColumns) FROM handoff h JOIN artifact a ON a.seq = h.artifact WHERE h.id = ?",
                arguments: [id]
            ).map(Self.handoff)
        }
    }

    func stats() throws(HandoffError) -> IndexStats {
        try read { db in
            let totals = try db.row(
                sql: "SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM artifact")!
            var byState: [Handoff.State: Int] = [:]
            for row in try db.rows(sql: "SELECT state, count(*) AS n FROM handoff GROUP BY state") {
                if let state = Handoff.State(rawValue: row["state"]) { byState[state] = row["n"] }
            }
            var bySchema: [String: Int] = [:]
            for row in try db.rows(sql: "SELECT schema, count(*) AS n FROM artifact GROUP BY schema") {
                bySchema[row["schema"]] = row["n"]
            }
            let producers = try db.value(Int.self, sql: "SELECT count(DISTINCT producer) FROM handoff") ?? 0
            let consumers = try db.value(Int.self, sql: "SELECT count(DISTINCT consumer) FROM handoff") ?? 0
            return IndexStats(
                artifacts: totals["n"], artifactBytes: totals["bytes"], handoffsByState: byState,
                artifactsBySchema: bySchema,
                producers: producers, consumers: consumers)
        }
    }

    func handoffCounts() throws(HandoffError) -> [ConsumerCount] {
        try read { db in
            try db.rows(sql: "SELECT consumer, state, count(*) AS n FROM handoff GROUP BY consumer, state")
                .compactMap {
                    row in
                    Handoff.State(rawValue: row["state"]).map {
                        ConsumerCount(consumer: row["consumer"], state: $0, count: row["n"])
                    }
                }
        }
    }

    /// Every artifact the index lists, with the size it recorded.
    func indexedObjects() throws(HandoffError) -> [(id: ArtifactID, size: Int)] {
        try read { db in
            try db.rows(sql: "SELECT id, size FROM artifact ORDER BY id").map { row in
                (try ArtifactID(stored: row["id"]), row["size"])
            }
        }
    }

    /// SQLite's own consistency check of the index file, and listed next actions that differ from the
    /// recorded ones (with the artifact they belong to); empty when it is sound.
    func integrityProblems() throws(HandoffError) -> [(id: ArtifactID?, message: String)] {
        try read { db in
            let results = try db.values(String.self, sql: "PRAGMA quick_check")
            var problems: [(id: ArtifactID?, message: String)] =
                results == ["ok"] ? [] : results.map { (nil, $0) }
            guard rendersNextActions else { return problems }
            // Listings copy an artifact's rendered next actions as they are, so they must say what its rows say.
            for mismatch in try nextActionMismatches(in: db) {
                problems.append(
                    (mismatch.id, "the next actions listed for \(mismatch.id) are not those recorded for it"))
            }
            return problems
        }
    }

    /// Renders again from its rows the next actions listed for each artifact whose listing says otherwise
    /// (what `integrityProblems()` reports).
    /// - Returns: Those artifacts.
    func relistNextActions() throws(HandoffError) -> [ArtifactID] {
        guard rendersNextActions else { return [] }
        return try write { db in
            try nextActionMismatches(in: db).map { mismatch in
                try db.run(
                    sql: "UPDATE artifact SET next_actions_json = ? WHERE seq = ?",
                    arguments: [String(decoding: mismatch.rendered, as: UTF8.self), mismatch.seq])
                return mismatch.id
            }
        }
    }

    /// The artifacts whose rendered next actions differ from what their `next_action` rows render to.
    private func nextActionMismatches(in db: Database) throws -> [(
        seq: Int64, id: ArtifactID, rendered: [UInt8]
    )] {
        let actions = try db.cachedStatement(
            sql: "SELECT action, source, inferred FROM next_action WHERE artifact = ? ORDER BY rowid")
        var mismatches: [(seq: Int64, id: ArtifactID, rendered: [UInt8])] = []
        try db.cachedStatement(
            sql: "SELECT seq, id, next_actions_json FROM artifact WHERE next_actions_json IS NOT NULL"
        ).forEachCursor(arguments: []) { artifact in
            let rows = try actions.rows(arguments: [artifact.integer(0)])
            let expected = Self.renderedNextActions(
                rows.map { NextAction(action: $0[0], source: $0[1], inferred: $0[2]) })
            if !expected.elementsEqual(artifact.text(2)) {
                let id = try ArtifactID(stored: String(decoding: artifact.text(1), as: UTF8.self))
                mismatches.append((artifact.integer(0), id, expected))
            }
            return true
        }
        return mismatches
    }

    // MARK: Rows

    static let artifactColumns =
        "a.seq, a.id, a.schema, a.size, a.created_at, a.producer, a.workflow, a.workspace, a.validated"

    static let handoffColumns = """
        h.seq, h.id, a.id AS artifact_id, a.schema, h.producer, h.consumer, h.workflow, h.workspace, h.state,
        h.attempts, h.created_at, h.updated_at, h.available_at, h.lease_expires_at, h.worker, h.note,
        (SELECT o.id FROM handoff o WHERE o.seq = h.routed_from) AS routed_from
        """

    /// Decodes a row of `artifactColumns`. Columns are read by position: a lookup by name compares names on
    /// every access, which showed up in profiles of listings.
    static func artifactInfo(_ row: Row) throws -> ArtifactInfo {
        ArtifactInfo(
            id: try ArtifactID(stored: row[1]), schema: row[2], size: row[3],
            createdAt: Timestamp(millisecondsSince1970: row[4]), producer: row[5], workflow: row[6],
            workspace: row[7],
            validated: row[8])
    }

    /// An artifact's next actions as `artifact.next_actions_json` holds them: the array listings print.
    static func renderedNextActions(_ actions: [NextAction]) -> [UInt8] {
        JSONWriter.encode(.array(actions.map(\.json)))
    }

    /// The error for a handoff whose state this version does not know.
    static func unknownState(handoff id: String, _ state: String) -> HandoffError {
        HandoffError(.io, "the index holds handoff \(id) in an unknown state \"\(state)\"")
    }

    /// Decodes a row of `handoffColumns`, by position like `artifactInfo`.
    static func handoff(_ row: Row) throws -> Handoff {
        let stateName: String = row[8]
        guard let state = Handoff.State(rawValue: stateName) else {
            throw unknownState(handoff: row[1], stateName)
        }
        let leaseExpiry: Int64? = row[13]
        return Handoff(
            id: row[1], artifactID: try ArtifactID(stored: row[2]), schema: row[3], producer: row[4],
            consumer: row[5],
            workflow: row[6], workspace: row[7], state: state, attempts: row[9],
            createdAt: Timestamp(millisecondsSince1970: row[10]),
            updatedAt: Timestamp(millisecondsSince1970: row[11]),
            availableAt: Timestamp(millisecondsSince1970: row[12]),
            leaseExpiresAt: leaseExpiry.map(Timestamp.init(millisecondsSince1970:)), worker: row[14],
            note: row[15],
            routedFrom: row[16])
    }
}

/// The WHERE clause of a listing, from the filters that are set.
struct Conditions {
    private var clauses: [String] = []
    private(set) var arguments = StatementArguments()

    /// Adds `clause` with its one argument, when the filter has a value.
    mutating func add(_ clause: String, _ value: (any SQLBindable)?) {
        guard let value else { return }
        clauses.append(clause)
        arguments += [value]
    }

    mutating func add(_ clause: String) { clauses.append(clause) }

    /// Adds `clause` with several arguments, in order.
    mutating func add(_ clause: String, _ first: any SQLBindable, _ rest: any SQLBindable...) {
        clauses.append(clause)
        arguments += [first]
        for value in rest { arguments += [value] }
    }

    var sql: String { clauses.isEmpty ? "" : " WHERE " + joinedText(clauses, separator: " AND ") }
}

/// The cause of an error that says an object was collected by `gc` between its write and its index
/// transaction; the put is retried.
struct ObjectVanished: Error, Sendable {}

extension ArtifactID {
    /// An id read back from the index, which holds only ids this library wrote.
    package init(stored text: String) throws(HandoffError) {
        // Listings read thousands of these: the usual form straight from its bytes.
        var text = text
        if let id = text.withUTF8(ArtifactID.init(written:)) {
            self = id
            return
        }
        do {
            self = try ArtifactID(parsing: text)
        } catch {
            throw HandoffError(.io, "the index holds a malformed artifact id \(quotedForMessage(text))")
        }
    }
}
