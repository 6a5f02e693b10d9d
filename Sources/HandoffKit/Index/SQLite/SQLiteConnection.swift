internal import CSQLite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One connection to an SQLite database, used by one process for a store's whole life.
///
/// Handoff's commands run once per action, so the connection is made for that: one connection (not a pool),
/// no work on opening beyond what the command needs, read-only when the command only reads (so that it writes
/// nothing, not even a checkpoint, and works on a store it may only read), and a WAL that persists and is not
/// checkpointed on closing, so that closing does not copy, truncate and flush it. Calls from several threads
/// take turns; each `read` and `write` is one transaction.
final class SQLiteConnection: @unchecked Sendable {
    let path: String
    let readOnly: Bool
    /// Seconds it waits for other processes' locks.
    let busyTimeout: Double
    private let handle: OpaquePointer
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// The busy handler's state; freed after the connection is closed.
    private let wait = UnsafeMutablePointer<handoff_sqlite_wait>.allocate(capacity: 1)
    /// Guarded by `mutex`.
    private var statements: [String: Statement] = [:]
    /// How deep the current thread is in transactions (guarded by `mutex`, which is recursive): a read asked
    /// for inside a write, such as a store schema looked up while an artifact is recorded, joins the write.
    private var depth = 0
    private var writing = false

    /// Opens (creating it when `create` is set and it is absent) the database at `path`.
    /// - Parameters:
    ///   - busyTimeout: Seconds to wait for other processes' locks.
    ///   - immutable: Read the file as one nothing else writes (for a store whose index cannot even be
    ///     locked by this user); implies `readOnly`.
    init(path: String, readOnly: Bool, create: Bool = false, busyTimeout: Double, immutable: Bool = false)
        throws(SQLiteError)
    {
        self.path = path
        self.readOnly = readOnly || immutable
        self.busyTimeout = busyTimeout
        var pointer: OpaquePointer?
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        flags |=
            self.readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0))
        let name =
            immutable ? "file:" + Self.uriEscaped(path) + "?immutable=1" : "file:" + Self.uriEscaped(path)
        let code = sqlite3_open_v2(name, &pointer, flags, nil)
        guard let pointer else { throw SQLiteError(code: code, message: "out of memory", sql: nil) }
        guard code == SQLITE_OK else {
            let error = SQLiteError(code: code, message: String(cString: sqlite3_errmsg(pointer)), sql: nil)
            sqlite3_close(pointer)
            throw error
        }
        handle = pointer
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
        sqlite3_extended_result_codes(handle, 1)
        wait.initialize(
            to: handoff_sqlite_wait(
                timeout_ms: Int32(min(max(busyTimeout, 0), 86_400) * 1000), checkpointing: 0,
                start: timespec()))
        handoff_sqlite_install_wait(handle, wait, self.readOnly ? 1 : 0)
        _ = handoff_sqlite_persist_wal(handle)
        // Integrity the schema declares is enforced; a commit waits for its fsync, so that a reported success
        // survives a power loss (Debian's SQLite already defaults WAL commits to FULL; this says so anyway).
        try execute(sql: "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL")
        if !self.readOnly {
            // Every process that opens the store first reads the whole WAL to rebuild its index, so writers
            // keep it short: once it holds 64 pages, a checkpoint that also empties it when no one else is
            // reading it; when someone is, the file is cut back to 256 KiB when the WAL next starts over.
            try execute(sql: "PRAGMA journal_size_limit = 262144")
            // A command that wrote would otherwise checkpoint the whole WAL as it exits (three fsyncs, most of a
            // claim's or an ack's time); the commits it reported are already durable in the WAL.
            _ = handoff_sqlite_no_checkpoint_on_close(handle)
        }
    }

    deinit {
        for statement in statements.values { statement.finalize() }
        sqlite3_close_v2(handle)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        wait.deallocate()
    }

    /// Runs `body` in a read transaction: one consistent snapshot of the database.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try transaction("BEGIN DEFERRED", body)
    }

    /// Runs `body` in a write transaction, taken at once (`BEGIN IMMEDIATE`) so that two processes never
    /// both read, then both try to write.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        guard !readOnly else {
            throw SQLiteError(code: SQLITE_READONLY, message: "the connection is read-only", sql: nil)
        }
        return try transaction("BEGIN IMMEDIATE", body)
    }

    /// Runs `body` outside any transaction, as for statements that cannot run inside one.
    func withoutTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(Database(connection: self))
    }

    private func transaction<T>(_ begin: String, _ body: (Database) throws -> T) throws -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if depth > 0 {
            guard writing || begin == "BEGIN DEFERRED" else {
                throw SQLiteError(
                    code: SQLITE_MISUSE, message: "a write asked for inside a read transaction", sql: nil)
            }
            depth += 1
            defer { depth -= 1 }
            return try body(Database(connection: self))
        }
        depth = 1
        writing = begin == "BEGIN IMMEDIATE"
        defer { depth = 0 }
        try execute(sql: begin)
        do {
            let result = try body(Database(connection: self))
            try execute(sql: "COMMIT")
            return result
        } catch {
            if sqlite3_get_autocommit(handle) == 0 { _ = sqlite3_exec(handle, "ROLLBACK", nil, nil, nil) }
            throw error
        }
    }

    /// Runs one or more statements that take no arguments and return no rows.
    fileprivate func execute(sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(code: code, message: text, sql: sql)
        }
    }

    /// The compiled statement for `sql`, compiled once per connection.
    fileprivate func cachedStatement(sql: String) throws(SQLiteError) -> Statement {
        if let statement = statements[sql] { return statement }
        let statement = try Statement(handle, sql: sql, persistent: true)
        statements[sql] = statement
        return statement
    }

    fileprivate var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    fileprivate var changesCount: Int { Int(sqlite3_changes(handle)) }

    /// `path` with the characters a URI filename reserves escaped.
    private static func uriEscaped(_ path: String) -> String {
        var result = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"):
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            default: result.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return result
    }
}

/// What `read` and `write` hand their body: the connection, inside the transaction.
struct Database {
    fileprivate let connection: SQLiteConnection

    /// Runs one or more statements without arguments or rows, such as a migration's.
    func execute(sql: String) throws(SQLiteError) { try connection.execute(sql: sql) }

    func cachedStatement(sql: String) throws(SQLiteError) -> Statement {
        try connection.cachedStatement(sql: sql)
    }

    func run(sql: String, arguments: StatementArguments = []) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }

    func row(sql: String, arguments: StatementArguments = []) throws -> Row? {
        try cachedStatement(sql: sql).rows(arguments: arguments, limit: 1).first
    }

    func rows(sql: String, arguments: StatementArguments = []) throws -> [Row] {
        try cachedStatement(sql: sql).rows(arguments: arguments)
    }

    func value<Value: SQLColumnDecodable>(_ type: Value.Type, sql: String, arguments: StatementArguments = [])
        throws -> Value?
    {
        guard let row = try row(sql: sql, arguments: arguments), !row.isNull(0) else { return nil }
        return row[0] as Value
    }

    func values<Value: SQLColumnDecodable>(
        _ type: Value.Type, sql: String, arguments: StatementArguments = []
    )
        throws -> [Value]
    {
        try rows(sql: sql, arguments: arguments).compactMap { $0.isNull(0) ? nil : ($0[0] as Value) }
    }

    var lastInsertedRowID: Int64 { connection.lastInsertedRowID }
    var changesCount: Int { connection.changesCount }
}

/// An error SQLite reported, with its result code.
struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The extended result code; `primary` is its low byte.
    let code: Int32
    let message: String
    let sql: String?

    var primary: Int32 { code & 0xFF }

    var description: String { message }

    var isBusy: Bool { primary == SQLITE_BUSY || primary == SQLITE_LOCKED }
    var isFull: Bool { primary == SQLITE_FULL }
    var isCorrupt: Bool { primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB }
    var isNotADatabase: Bool { primary == SQLITE_NOTADB }
    var isPermission: Bool {
        primary == SQLITE_CANTOPEN || primary == SQLITE_PERM || primary == SQLITE_READONLY
            || primary == SQLITE_AUTH
    }
}
