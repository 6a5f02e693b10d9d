import HandoffJSON
import HandoffKit
import HandoffSchema

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A store in a PostgreSQL database, shared by bots on many hosts: the artifacts' bytes in a table, the index
/// beside them, one transaction for both. Claims take handoffs with `FOR UPDATE SKIP LOCKED`; every record
/// is stamped with the database's clock, so hosts whose clocks drift agree on leases and expiry.
///
/// Named by a `postgresql://` (or `postgres://`) URL in libpq's form, plus `schema=NAME` to keep the store
/// in a PostgreSQL schema of its own in a database others share: `postgresql://bots@db.internal/work?schema=handoff`.
final class PostgresBackend: StoreBackend, @unchecked Sendable {
    let location: String
    let isReadOnly: Bool
    /// Whether opening it made its tables (set while opening, read after).
    private(set) var createdStore = false
    /// The PostgreSQL schema the store's tables are in.
    let schemaName: String
    private let connection: PGConnection
    private let lock = Locked<Void>(())
    /// The channels this connection listens on; a new connection listens again.
    private var listening: Set<String> = []
    /// The database's clock less this host's, in milliseconds, measured when connecting.
    private let clockOffset: Locked<Int64>
    /// How long to wait for other transactions' locks, in milliseconds.
    let busyMilliseconds: Int

    /// Opens the store in the database a URL names, creating its tables when `create` says it may.
    init(url: String, configuration: Store.Configuration, create: Bool) throws(HandoffError) {
        let parsed = try Self.parse(url, timeout: Store.busyTimeout(configuration))
        location = parsed.location
        schemaName = parsed.schema
        isReadOnly = configuration.readOnly
        busyMilliseconds = Int(Store.busyTimeout(configuration) * 1000)
        do {
            connection = try PGConnection(conninfo: parsed.conninfo)
        } catch {
            throw Self.unreachable(error, location: parsed.location)
        }
        clockOffset = Locked(0)
        try configure(create: create)
    }

    /// The URL split into what libpq reads and what Handoff reads (`schema=`), and the URL without its
    /// password, for messages.
    ///
    /// Unless the URL (or `PGCONNECT_TIMEOUT`) says otherwise, connecting gives up after `timeout` seconds
    /// and a request the network stopped carrying fails after as long (`tcp_user_timeout`), so that no
    /// command hangs on a host that went away; idle connections are probed every 30 seconds.
    static func parse(_ url: String, timeout: Double = 10) throws(HandoffError) -> (
        conninfo: String, schema: String, location: String
    ) {
        var schema = "public"
        var base = url
        var kept: [Substring] = []
        if let question = url.firstIndex(of: "?") {
            base = String(url[..<question])
            for parameter in url[url.index(after: question)...].split(separator: "&") {
                if parameter.hasPrefix("schema=") {
                    schema = String(parameter.dropFirst("schema=".count))
                } else {
                    kept.append(parameter)
                }
            }
        }
        guard !schema.isEmpty, schema.utf8.count <= 63,
            schema.utf8.allSatisfy({ byte in
                (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == UInt8(ascii: "_")
            }), !(0x30...0x39).contains(schema.utf8.first!)
        else {
            throw HandoffError(
                .usage,
                "schema=\(schema) is not a schema name Handoff uses: lower-case letters, digits and _, at most 63, not starting with a digit"
            )
        }
        let named = Set(kept.map { $0.split(separator: "=", maxSplits: 1).first.map(String.init) ?? "" })
        let seconds = max(2, Int(timeout.rounded(.up)))
        // The session's settings travel with the connection request, unless the URL has options of its
        // own (then `sessionSettings` sets them): no round trip of their own.
        if !named.contains("options") {
            let settings = sessionSettings(schema: schema, lockMilliseconds: Int(timeout * 1000))
            kept.append(
                Substring(
                    "options="
                        + joinedText(settings.map { "-c%20\($0.name)%3D\($0.value)" }, separator: "%20")))
        }
        var defaults: [(String, String)] = [
            ("tcp_user_timeout", String(seconds * 1000)), ("keepalives_idle", "30"),
            ("keepalives_interval", "10"), ("keepalives_count", "3"),
        ]
        if getenv("PGCONNECT_TIMEOUT") == nil { defaults.append(("connect_timeout", String(seconds))) }
        for (name, value) in defaults where !named.contains(name) {
            kept.append(Substring(name + "=" + value))
        }
        return (base + "?" + kept.joined(separator: "&"), schema, Store.redacted(url))
    }

    /// What every connection of a store sets: its schema first on the search path, how long to wait for
    /// locks, and no notices.
    static func sessionSettings(schema: String, lockMilliseconds: Int) -> [(name: String, value: String)] {
        [
            ("search_path", schema), ("lock_timeout", String(max(1, lockMilliseconds))),
            ("idle_in_transaction_session_timeout", "600000"), ("client_min_messages", "warning"),
        ]
    }

    /// A failed connection, by what failed: the server refused who connects (not worth retrying), the
    /// database does not exist, or the server could not be reached (busy: try again).
    private static func unreachable(_ error: PGError, location: String) -> HandoffError {
        let message = error.message
        if message.contains("authentication failed") || message.contains("no pg_hba.conf entry")
            || (message.contains("role \"") && message.contains("does not exist"))
            || message.contains("permission denied")
        {
            return HandoffError(
                .io, "the database \(location) refused the connection: \(message)",
                hint:
                    "check the user and password (PGUSER, PGPASSWORD, ~/.pgpass) and the server's pg_hba.conf"
            )
        }
        if message.contains("database \"") && message.contains("does not exist") {
            return HandoffError(
                .notFound, "no database at \(location): \(message)",
                hint: "create it (createdb), or name another in the URL")
        }
        return HandoffError(
            .busy, "cannot reach the store's database \(location): \(message)",
            hint:
                "is the server running and reachable? PGHOST, PGPORT, PGUSER, PGPASSWORD and ~/.pgpass apply")
    }

    // MARK: Set-up

    /// Points the connection at the store's schema, makes the schema and its tables when allowed, and reads
    /// the database's clock.
    private func configure(create: Bool) throws(HandoffError) {
        do {
            try applySessionSettings()
            if try isPresentAndCurrent() { return }
            try measureClock()
            let present =
                try connection.execute(
                    "SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'handoff_migration'",
                    [schemaName.pgValue]
                ).rowCount > 0
            if present {
                let access = try connection.execute(
                    "SELECT has_schema_privilege($1, 'USAGE'), current_user", [schemaName.pgValue])
                if access.bool(0, 0) != true {
                    throw HandoffError(
                        .io,
                        "the role \(access.string(0, 1) ?? "?") may not use the store's schema \(schemaName) in \(location)",
                        hint:
                            "connect as a role the store's owner granted USAGE on the schema and privileges on its tables"
                    )
                }
            }
            if !present && !create {
                throw HandoffError(
                    .notFound, "no store at \(location)",
                    hint: "create one with `handoff init`, or name another with --store")
            }
            if isReadOnly && !present { return }
            try migrate()
        } catch let error as HandoffError {
            throw error
        } catch let error as PGError {
            throw translate(error)
        } catch {
            throw HandoffError(.io, "\(location): \(error)")
        }
    }

    /// The usual case, in one round trip: the store is there, up to date, and this role's to use; the
    /// database's clock is read on the way. False sends `configure` the long way, which says what is not so.
    private func isPresentAndCurrent() throws(PGError) -> Bool {
        let before = Timestamp.now().millisecondsSince1970
        let row: PGResult
        do {
            row = try connection.execute(
                """
                SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
                    (SELECT string_agg(identifier, E'\\n') FROM handoff_migration)
                """)
        } catch {
            // Not there (42P01), or not this role's to use (42501).
            if error.isUndefinedTable || error.state == "42501" { return false }
            throw error
        }
        setClock(database: row.int(0, 0), before: before)
        let applied = (row.string(0, 1) ?? "").split(separator: "\n").map(String.init)
        return Set(applied) == Set(PostgresMigrations.all.map(\.identifier))
    }

    /// Applies the migrations not applied yet, under an advisory lock, so that hosts starting at once do each
    /// once.
    private func migrate() throws {
        let known = PostgresMigrations.all.map(\.identifier)
        func applied() throws -> [String] {
            let exists =
                try connection.execute(
                    "SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'handoff_migration'",
                    [schemaName.pgValue]
                ).rowCount > 0
            guard exists else { return [] }
            let rows = try connection.execute("SELECT identifier FROM handoff_migration")
            return (0..<rows.rowCount).compactMap { rows.string($0, 0) }
        }
        var done = try applied()
        let unknown = done.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw HandoffError(
                .io,
                "the store in \(location) was written by a newer version of handoff (it has \(unknown.sorted().joined(separator: ", ")))",
                hint: "use that version, or a newer one")
        }
        guard !known.allSatisfy(done.contains) else { return }
        // A reader does without what only a writer needs (as SQLite's optional migrations), until one comes.
        if isReadOnly,
            known.allSatisfy({ done.contains($0) || PostgresMigrations.optionalForReaders.contains($0) })
        {
            return
        }
        guard !isReadOnly else {
            throw HandoffError(
                .io,
                "the store in \(location) needs an upgrade, which a command that only reads does not make",
                hint: "run a command that writes, such as `handoff init`, once")
        }
        try connection.run("BEGIN")
        do {
            try connection.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended('handoff-migrate:' || $1, 0))",
                [schemaName.pgValue])
            try connection.run(
                """
                CREATE SCHEMA IF NOT EXISTS \(PGConnection.quoteIdentifier(schemaName));
                CREATE TABLE IF NOT EXISTS handoff_migration (
                    identifier text PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                """)
            done = try applied()
            createdStore = done.isEmpty
            for migration in PostgresMigrations.all where !done.contains(migration.identifier) {
                try connection.run(migration.sql)
                try connection.execute(
                    "INSERT INTO handoff_migration (identifier) VALUES ($1)", [migration.identifier.pgValue])
            }
            try connection.run("COMMIT")
        } catch {
            try? connection.run("ROLLBACK")
            throw error
        }
    }

    /// Reads the database's clock, to stamp records with it: its time less this host's, corrected by half the
    /// round trip.
    private func measureClock() throws(PGError) {
        let before = Timestamp.now().millisecondsSince1970
        let result = try connection.execute("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint")
        setClock(database: result.int(0, 0), before: before)
    }

    /// The offset of the database's clock, read at `database` by a request sent at `before`: corrected by
    /// half the round trip.
    private func setClock(database: Int64?, before: Int64) {
        let after = Timestamp.now().millisecondsSince1970
        clockOffset.withLock { $0 = (database ?? after) - (before + after) / 2 }
    }

    func currentTime() -> Timestamp {
        Timestamp(millisecondsSince1970: Timestamp.now().millisecondsSince1970 + clockOffset.withLock { $0 })
    }

    // MARK: Transactions

    /// Runs `body` in a read-only transaction with one snapshot; on a lost connection, connects again and
    /// runs it again (reading twice does no harm).
    func read<T>(_ body: (PGConnection) throws -> T) throws(HandoffError) -> T {
        try transaction(readOnly: true, body)
    }

    /// Runs `body`, which reads with one statement, outside a transaction: that statement sees one
    /// snapshot by itself, and the two round trips of BEGIN and COMMIT are saved.
    func readStatement<T>(_ body: (PGConnection) throws -> T) throws(HandoffError) -> T {
        try transaction(readOnly: true, body, autocommit: true)
    }

    /// Runs `body` in a read-write transaction. It is tried again when the database asks (a serialization
    /// failure or deadlock) and when the connection was lost before the commit was sent, when nothing of it
    /// took effect. When the connection is lost during the commit, its outcome is unknown: `verify`, run on
    /// a new connection, says whether it took effect (its result) or not (nil, and `body` is tried again);
    /// without one, or when the database stays unreachable, that is reported (`.busy`).
    func write<T>(_ body: (PGConnection) throws -> T, verify: ((PGConnection) throws -> T?)? = nil)
        throws(HandoffError) -> T
    {
        guard !isReadOnly else {
            throw HandoffError(.io, "the store in \(location) was opened only to read")
        }
        return try transaction(readOnly: false, body, verify: verify)
    }

    private func transaction<T>(
        readOnly: Bool, _ body: (PGConnection) throws -> T, verify: ((PGConnection) throws -> T?)? = nil,
        autocommit: Bool = false
    ) throws(HandoffError) -> T {
        // One connection serves the store's threads (a recorder's lease renewal, say) one transaction at a time.
        try lock.withLock { _ throws(HandoffError) in
            try runTransaction(readOnly: readOnly, body, verify: verify, autocommit: autocommit)
        }
    }

    private func runTransaction<T>(
        readOnly: Bool, _ body: (PGConnection) throws -> T, verify: ((PGConnection) throws -> T?)?,
        autocommit: Bool
    ) throws(HandoffError) -> T {
        var attempt = 0
        let started = Timestamp.now().millisecondsSince1970
        // How long a lost connection is tried again: the busy timeout, and at least long enough for a server
        // to restart.
        let patience = Int64(max(busyMilliseconds, 2000))
        var lost = false
        while true {
            attempt += 1
            var committing = false
            do {
                if lost || !connection.isConnected {
                    try reconnect()
                    lost = false
                }
                if !autocommit {
                    try connection.run(
                        readOnly
                            ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                            : "BEGIN ISOLATION LEVEL READ COMMITTED")
                }
                let result = try body(connection)
                guard !autocommit else { return result }
                committing = true
                try connection.run("COMMIT")
                return result
            } catch let error as PGError {
                if error.connectionLost { lost = true }
                if !lost && connection.isConnected { try? connection.run("ROLLBACK") }
                let waited = Timestamp.now().millisecondsSince1970 - started
                let retryable =
                    error.isSerializationFailure || (error.connectionLost && (readOnly || !committing))
                if retryable && attempt < 50 && waited < patience {
                    // Back off a little, more each time, so that a restarting server has time to come back.
                    usleep(useconds_t(min(500_000, 2_000 * attempt * attempt)))
                    continue
                }
                if error.connectionLost && committing, let verify {
                    if let outcome = try settle(verify, until: started + patience) { return outcome }
                    lost = false
                    continue
                }
                if error.connectionLost && committing {
                    throw HandoffError(
                        .busy,
                        "the connection to \(location) was lost while committing: whether the change took effect is unknown",
                        hint: "look before trying again (a claim that took effect holds until its lease ends)"
                    )
                }
                throw translate(error)
            } catch let error as HandoffError {
                if connection.isConnected { try? connection.run("ROLLBACK") }
                throw error
            } catch {
                if connection.isConnected { try? connection.run("ROLLBACK") }
                throw HandoffError(.io, "\(location): \(error)")
            }
        }
    }

    /// Finds out, on a new connection, whether a transaction whose commit was cut off took effect: the
    /// result of `verify` if it did, nil if it did not.
    /// - Throws: `.busy` when the database cannot be reached again before `deadline`.
    private func settle<T>(_ verify: (PGConnection) throws -> T?, until deadline: Int64) throws(HandoffError)
        -> T?
    {
        var attempt = 0
        while true {
            attempt += 1
            do {
                try reconnect()
                try connection.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                let outcome = try verify(connection)
                try connection.run("COMMIT")
                return outcome
            } catch let error as PGError
                where error.connectionLost && Timestamp.now().millisecondsSince1970 < deadline
            {
                usleep(useconds_t(min(500_000, 2_000 * attempt * attempt)))
            } catch let error as PGError {
                if connection.isConnected { try? connection.run("ROLLBACK") }
                throw HandoffError(
                    .busy,
                    "the connection to \(location) was lost while committing, and whether the change took effect cannot be told: \(error.message)",
                    hint: "look before trying again (a claim that took effect holds until its lease ends)")
            } catch let error as HandoffError {
                if connection.isConnected { try? connection.run("ROLLBACK") }
                throw error
            } catch {
                throw HandoffError(.io, "\(location): \(error)")
            }
        }
    }

    private func reconnect() throws(PGError) {
        listening = []
        try connection.reconnect()
        try applySessionSettings()
    }

    /// Sets the session's settings, when the URL's own `options` kept them from the connection request.
    private func applySessionSettings() throws(PGError) {
        guard !connection.conninfo.contains("options=-c%20search_path") else { return }
        try connection.run(
            Self.sessionSettings(schema: schemaName, lockMilliseconds: busyMilliseconds).map {
                "SET \($0.name) = \(PGConnection.quoteLiteral($0.value));"
            }.joined(separator: "\n"))
    }

    func translate(_ error: PGError) -> HandoffError {
        if error.isLockTimeout || error.isSerializationFailure {
            return HandoffError(
                .busy,
                "the store is busy: another transaction held what this one needed in \(location) past the busy timeout",
                hint: "try again, or raise --busy-timeout")
        }
        if error.connectionLost {
            return HandoffError(
                .busy, "the connection to \(location) was lost: \(error.message)",
                hint: "try again once the database is reachable")
        }
        if error.state == "42501" {
            return HandoffError(
                .io, "\(location): \(error.message)",
                hint: "the role connecting needs privileges on the store's schema and tables")
        }
        if error.state == "53100" {
            return HandoffError(.io, "the disk holding \(location) is full: \(error.message)")
        }
        return HandoffError(
            .io, "\(location): \(error.message)\(error.state.map { " (SQLSTATE \($0))" } ?? "")")
    }

    // MARK: Waiting for handoffs

    /// Every put, release, retry and route announces the consumer's new handoff on its channel (`pg_notify`,
    /// delivered when the transaction commits); `claim --wait` and `work` listen on it.
    func listenForHandoffs(consumer: String) throws(HandoffError) {
        try lock.withLock { _ throws(HandoffError) in
            do throws(PGError) {
                try listen(Self.channel(for: consumer))
            } catch {
                throw translate(error)
            }
        }
    }

    /// Listens on `channel` unless this connection already does; connects again first when it was lost
    /// (and then listens again: a new connection hears nothing it did not ask for).
    private func listen(_ channel: String) throws(PGError) {
        if !connection.isConnected { try reconnect() }
        guard !listening.contains(channel) else { return }
        try connection.listen(channel)
        listening.insert(channel)
    }

    /// Waits until a notification for `consumer` arrives from whichever host, or `seconds` passed.
    func waitForHandoffs(consumer: String, seconds: Double) throws(HandoffError) -> Bool {
        let deadline = Timestamp.now().millisecondsSince1970 + Int64(max(0, seconds) * 1000)
        let channel = Self.channel(for: consumer)
        while true {
            // In slices, so that the store's other threads get the connection between them; libpq keeps a
            // notification that arrives during their queries for the next slice.
            let heard = try lock.withLock { _ throws(HandoffError) -> Bool in
                do throws(PGError) {
                    try listen(channel)
                    let left = deadline - Timestamp.now().millisecondsSince1970
                    return try connection.waitForNotification(seconds: Double(max(0, min(left, 200))) / 1000)
                } catch {
                    throw translate(error)
                }
            }
            if heard { return true }
            if Timestamp.now().millisecondsSince1970 >= deadline { return false }
        }
    }

    /// The channel a consumer's new handoffs are announced on; names are bounded by PostgreSQL's 63 bytes.
    static func channel(for consumer: String) -> String {
        let hex = ArtifactID(canonicalBytes: Array(consumer.utf8)).hex
        return "handoff_" + hex.prefix(24)
    }
}

/// Lets the store name `postgresql://` and `postgres://` URLs. Call once before opening stores.
public enum HandoffPostgres {
    /// Every row of every table of the store `url` names, as text (the objects' bytes as they are), for
    /// tests that look for what must not be stored.
    package static func contents(ofStoreAt url: String) throws(HandoffError) -> [UInt8] {
        let parsed = try PostgresBackend.parse(url)
        do {
            let connection = try PGConnection(conninfo: parsed.conninfo)
            let tables = try connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename",
                [parsed.schema.pgValue])
            var contents: [UInt8] = []
            for index in 0..<tables.rowCount {
                guard let table = tables.string(index, 0) else { continue }
                let name =
                    PGConnection.quoteIdentifier(parsed.schema) + "." + PGConnection.quoteIdentifier(table)
                let rows = try connection.execute("SELECT t::text FROM \(name) t")
                for row in 0..<rows.rowCount { contents += Array((rows.string(row, 0) ?? "").utf8) + [0x0A] }
                if table == "object" {
                    let objects = try connection.execute("SELECT bytes FROM \(name)", binaryResult: true)
                    for row in 0..<objects.rowCount { contents += (objects.bytes(row, 0) ?? []) + [0x0A] }
                }
            }
            return contents
        } catch {
            throw HandoffError(.io, "\(parsed.location): \(error.message)")
        }
    }

    /// Runs one statement in the schema of the store `url` names, its parameters as text (`$1`…) or bytes:
    /// for tests that damage a store the way a disk or a person could.
    package static func execute(_ sql: String, _ parameters: [[UInt8]], inStoreAt url: String)
        throws(HandoffError)
    {
        let parsed = try PostgresBackend.parse(url)
        do {
            let connection = try PGConnection(conninfo: parsed.conninfo)
            try connection.run("SET search_path TO " + PGConnection.quoteIdentifier(parsed.schema))
            // Without parameters, several statements at once.
            if parameters.isEmpty {
                try connection.run(sql)
            } else {
                try connection.execute(sql, parameters.map { .bytes($0) })
            }
        } catch {
            throw HandoffError(.io, "\(parsed.location): \(error.message)")
        }
    }

    /// Drops the schema of the store `url` names, with everything in it: for tests, which make a schema
    /// each. Refuses the `public` schema, which holds more than a store.
    package static func dropStore(at url: String) throws(HandoffError) {
        let parsed = try PostgresBackend.parse(url)
        guard parsed.schema != "public" else {
            throw HandoffError(.usage, "refusing to drop the public schema of \(parsed.location)")
        }
        do {
            let connection = try PGConnection(conninfo: parsed.conninfo)
            try connection.run(
                "SET client_min_messages = warning; DROP SCHEMA IF EXISTS "
                    + PGConnection.quoteIdentifier(parsed.schema) + " CASCADE")
        } catch {
            throw HandoffError(.io, "\(parsed.location): \(error.message)")
        }
    }

    public static func register() {
        for scheme in ["postgresql", "postgres"] {
            Store.register(scheme: scheme) { url, configuration, create throws(HandoffError) in
                try PostgresBackend(url: url, configuration: configuration, create: create)
            }
        }
    }
}
