import CPostgres

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One connection to PostgreSQL through libpq, used from one thread at a time: the thin, synchronous layer
/// the PostgreSQL backend speaks SQL through, as `SQLiteConnection` is for SQLite.
///
/// libpq reads what users expect a PostgreSQL client to read: `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`,
/// `PGDATABASE`, `~/.pgpass`, `PGSERVICE` and `pg_service.conf`, `sslmode` and the other `PGSSL*` settings.
final class PGConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// The connection string it was opened with, to open it again after it was lost.
    let conninfo: String

    /// Connects; the URL or `key=value` string is libpq's.
    init(conninfo: String) throws(PGError) {
        self.conninfo = conninfo
        try connect()
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    private func connect() throws(PGError) {
        if let handle { PQfinish(handle) }
        handle = PQconnectdb(conninfo)
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            let message = handle.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            throw PGError(state: nil, message: message.asOneLine, connectionLost: true)
        }
        // Notices ("relation already exists, skipping") are not the user's business.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    /// Connects again after the connection was lost (a restart, a failover, a terminated backend).
    func reconnect() throws(PGError) {
        try connect()
    }

    /// Whether the connection is still up, as far as libpq knows.
    var isConnected: Bool { handle.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// What the server reports itself as, for messages: `host:port`.
    var serverDescription: String {
        guard let handle else { return "?" }
        let host = PQhost(handle).map { String(cString: $0) } ?? "?"
        let port = PQport(handle).map { String(cString: $0) } ?? "?"
        return host.hasPrefix("/") ? "\(host) (socket), port \(port)" : "\(host):\(port)"
    }

    /// Runs one statement with its parameters (`$1`, `$2`, …) sent apart from its text, and returns its rows.
    /// - Parameter binaryResult: Whether the result's columns come as bytes rather than text (for `bytea`).
    @discardableResult
    func execute(_ sql: String, _ parameters: [PGValue?] = [], binaryResult: Bool = false) throws(PGError)
        -> PGResult
    {
        guard let handle else { throw PGError(state: nil, message: "not connected", connectionLost: true) }
        var texts: [[CChar]?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        var types: [UInt32] = []
        for parameter in parameters {
            switch parameter {
            case nil:
                texts.append(nil)
                lengths.append(0)
                formats.append(0)
                types.append(0)
            case .text(let text):
                texts.append(Array(text.utf8CString))
                lengths.append(0)
                formats.append(0)
                types.append(0)
            case .bytes(let bytes):
                texts.append(bytes.map { CChar(bitPattern: $0) })
                lengths.append(Int32(bytes.count))
                formats.append(1)
                types.append(17)  // bytea
            }
        }
        let result: OpaquePointer? = withPointers(texts) { pointers in
            PQexecParams(
                handle, sql, Int32(parameters.count), types, pointers, lengths, formats, binaryResult ? 1 : 0)
        }
        return try check(result)
    }

    /// Runs statements that take no parameters, several at once (migrations).
    func run(_ sql: String) throws(PGError) {
        guard let handle else { throw PGError(state: nil, message: "not connected", connectionLost: true) }
        _ = try check(PQexec(handle, sql))
    }

    private func check(_ result: OpaquePointer?) throws(PGError) -> PGResult {
        guard let result else {
            throw PGError(
                state: nil, message: handle.map { String(cString: PQerrorMessage($0)) } ?? "out of memory",
                connectionLost: !isConnected)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PGResult(result)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message =
                PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
                ?? String(cString: PQresultErrorMessage(result)).asOneLine
            PQclear(result)
            // Class 08 is a connection exception; a backend terminated or shut down is 57P01 to 57P03.
            let lost =
                !isConnected || state?.hasPrefix("08") == true
                || ["57P01", "57P02", "57P03"].contains(state ?? "")
            throw PGError(state: state, message: message, connectionLost: lost)
        }
    }

    // MARK: Notifications

    /// Starts hearing `channel`'s notifications.
    func listen(_ channel: String) throws(PGError) {
        try run("LISTEN \(PGConnection.quoteIdentifier(channel))")
    }

    /// Waits up to `seconds` for a notification on a channel this connection listens to; true if one came.
    func waitForNotification(seconds: Double) throws(PGError) -> Bool {
        guard let handle else { throw PGError(state: nil, message: "not connected", connectionLost: true) }
        if takeNotifications() { return true }
        let ready = handoff_pq_wait_readable(handle, Int32(max(0, min(seconds, 86_400)) * 1000))
        if ready < 0 && errno != EINTR {
            throw PGError(state: nil, message: "waiting for the server failed", connectionLost: !isConnected)
        }
        guard ready > 0 else { return false }
        guard PQconsumeInput(handle) == 1 else {
            throw PGError(
                state: nil, message: String(cString: PQerrorMessage(handle)).asOneLine,
                connectionLost: true)
        }
        return takeNotifications()
    }

    /// Drops the notifications received so far; true if there were any.
    private func takeNotifications() -> Bool {
        guard let handle else { return false }
        var any = false
        while let notification = PQnotifies(handle) {
            any = true
            PQfreemem(notification)
        }
        return any
    }

    /// `name` as an SQL identifier, quoted.
    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    /// `text` as an SQL string literal, quoted.
    static func quoteLiteral(_ text: String) -> String {
        "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"
    }
}

/// A parameter of a statement: text (numbers and booleans written as PostgreSQL reads them), or bytes.
enum PGValue: Sendable {
    case text(String)
    case bytes([UInt8])
}

/// What can be a statement's parameter.
protocol PGBindable {
    var pgValue: PGValue? { get }
}

extension String: PGBindable { var pgValue: PGValue? { .text(PGText.encoded(self)) } }

/// PostgreSQL's text holds every character but U+0000, which bots' text may hold (what a tool printed, say).
/// A text that holds one, or starts with the marker U+FFFF, is stored as the marker, then the text with each
/// marker written as marker + "1" and each U+0000 as marker + "0"; reading undoes it. Any other text is
/// stored as it is, so comparisons and searches see it unchanged.
enum PGText {
    private static let marker = "\u{FFFF}"

    static func encoded(_ text: String) -> String {
        guard text.utf8.contains(0) || text.hasPrefix(marker) else { return text }
        var encoded = marker
        for character in text.unicodeScalars {
            switch character {
            case "\u{0}": encoded += marker + "0"
            case "\u{FFFF}": encoded += marker + "1"
            default: encoded.unicodeScalars.append(character)
            }
        }
        return encoded
    }

    static func decoded(_ stored: String) -> String {
        guard stored.hasPrefix(marker) else { return stored }
        var text = String.UnicodeScalarView()
        var escaped = false
        for character in stored.unicodeScalars.dropFirst() {
            if escaped {
                text.append(character == "0" ? "\u{0}" : "\u{FFFF}")
                escaped = false
            } else if character == "\u{FFFF}" {
                escaped = true
            } else {
                text.append(character)
            }
        }
        return String(text)
    }
}
extension Int: PGBindable { var pgValue: PGValue? { .text(String(self)) } }
extension Int64: PGBindable { var pgValue: PGValue? { .text(String(self)) } }
extension Double: PGBindable { var pgValue: PGValue? { .text(self.isFinite ? "\(self)" : "NaN") } }
extension Bool: PGBindable { var pgValue: PGValue? { .text(self ? "t" : "f") } }
extension Optional: PGBindable where Wrapped: PGBindable {
    var pgValue: PGValue? { self?.pgValue }
}

/// The rows of a statement, read as text (or bytes, for a binary result).
final class PGResult {
    private let result: OpaquePointer
    let rowCount: Int
    let columnCount: Int

    init(_ result: OpaquePointer) {
        self.result = result
        rowCount = Int(PQntuples(result))
        columnCount = Int(PQnfields(result))
    }

    deinit { PQclear(result) }

    /// How many rows an INSERT, UPDATE or DELETE touched.
    var affectedRows: Int {
        Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    func isNull(_ row: Int, _ column: Int) -> Bool {
        PQgetisnull(result, Int32(row), Int32(column)) == 1
    }

    func string(_ row: Int, _ column: Int) -> String? {
        guard !isNull(row, column), let value = PQgetvalue(result, Int32(row), Int32(column)) else {
            return nil
        }
        let length = Int(PQgetlength(result, Int32(row), Int32(column)))
        let text = value.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
        // Only text stored by `PGText` starts with its marker (EF BF BF).
        return length >= 3 && UInt8(bitPattern: value[0]) == 0xEF ? PGText.decoded(text) : text
    }

    func int(_ row: Int, _ column: Int) -> Int64? {
        string(row, column).flatMap { Int64($0) }
    }

    func double(_ row: Int, _ column: Int) -> Double? {
        string(row, column).flatMap { Double($0) }
    }

    func bool(_ row: Int, _ column: Int) -> Bool? {
        string(row, column).map { $0 == "t" }
    }

    func bytes(_ row: Int, _ column: Int) -> [UInt8]? {
        guard !isNull(row, column), let value = PQgetvalue(result, Int32(row), Int32(column)) else {
            return nil
        }
        let length = Int(PQgetlength(result, Int32(row), Int32(column)))
        return value.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
    }
}

/// A failed statement or connection.
struct PGError: Error, Sendable {
    /// The SQLSTATE code, when the server sent one.
    let state: String?
    let message: String
    /// Whether the connection is gone: the statement's outcome is unknown if it was a COMMIT.
    let connectionLost: Bool

    var isSerializationFailure: Bool { state == "40001" || state == "40P01" }
    var isLockTimeout: Bool { state == "55P03" }
    var isUniqueViolation: Bool { state == "23505" }
    var isUndefinedTable: Bool { state == "42P01" }
}

extension String {
    /// libpq's message on one line: its lines (and their tab indents) joined with a space.
    var asOneLine: String {
        split(whereSeparator: { $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
    }
}

/// Calls `body` with C pointers to each of `arrays` (nil for nil), kept alive for the call.
private func withPointers<Result>(
    _ arrays: [[CChar]?], _ body: ([UnsafePointer<CChar>?]) -> Result
) -> Result {
    var pointers: [UnsafePointer<CChar>?] = []
    var buffers: [UnsafeMutablePointer<CChar>] = []
    defer { for buffer in buffers { buffer.deallocate() } }
    for array in arrays {
        guard let array else {
            pointers.append(nil)
            continue
        }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, array.count))
        buffer.initialize(from: array, count: array.count)
        buffers.append(buffer)
        pointers.append(UnsafePointer(buffer))
    }
    return body(pointers)
}
