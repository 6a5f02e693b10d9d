internal import CSQLite

/// A value in or out of SQLite.
enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// A Swift value that binds to a statement parameter.
protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension Int: SQLBindable { var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int64: SQLBindable { var sqlValue: SQLValue { .integer(self) } }
extension Int32: SQLBindable { var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Double: SQLBindable { var sqlValue: SQLValue { .real(self) } }
extension Bool: SQLBindable { var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension String: SQLBindable { var sqlValue: SQLValue { .text(self) } }
extension Substring: SQLBindable { var sqlValue: SQLValue { .text(String(self)) } }

extension Optional: SQLBindable where Wrapped: SQLBindable {
    var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// The arguments of a statement: positional (`[a, b, nil]`) or named (`["since": t]`, for `:since`).
struct StatementArguments: ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, Sendable {
    var positional: [SQLValue] = []
    var named: [(String, SQLValue)] = []

    init() {}

    init(arrayLiteral elements: (any SQLBindable)?...) {
        positional = elements.map { $0?.sqlValue ?? .null }
    }

    init(dictionaryLiteral elements: (String, (any SQLBindable)?)...) {
        named = elements.map { ($0.0, $0.1?.sqlValue ?? .null) }
    }

    init(_ values: [some SQLBindable]) {
        positional = values.map(\.sqlValue)
    }

    static func += (lhs: inout StatementArguments, rhs: StatementArguments) {
        lhs.positional += rhs.positional
        lhs.named += rhs.named
    }

    static func + (lhs: StatementArguments, rhs: StatementArguments) -> StatementArguments {
        var result = lhs
        result += rhs
        return result
    }
}

/// A Swift type a column decodes to. A value of another type is a programming error: the index holds only
/// what this library wrote.
protocol SQLColumnDecodable {
    static func decode(_ value: SQLValue) -> Self
}

extension Int64: SQLColumnDecodable {
    static func decode(_ value: SQLValue) -> Int64 {
        switch value {
        case .integer(let number): number
        case .real(let number): Int64(number)
        default: preconditionFailure("expected an integer column, found \(value)")
        }
    }
}

extension Int: SQLColumnDecodable {
    static func decode(_ value: SQLValue) -> Int { Int(Int64.decode(value)) }
}

extension Double: SQLColumnDecodable {
    static func decode(_ value: SQLValue) -> Double {
        switch value {
        case .integer(let number): Double(number)
        case .real(let number): number
        default: preconditionFailure("expected a number column, found \(value)")
        }
    }
}

extension Bool: SQLColumnDecodable {
    static func decode(_ value: SQLValue) -> Bool { Int64.decode(value) != 0 }
}

extension String: SQLColumnDecodable {
    static func decode(_ value: SQLValue) -> String {
        switch value {
        case .text(let text): text
        case .integer(let number): String(number)
        case .real(let number): String(number)
        case .blob(let bytes): String(decoding: bytes, as: UTF8.self)
        case .null: preconditionFailure("expected a text column, found NULL")
        }
    }
}

extension Optional: SQLColumnDecodable where Wrapped: SQLColumnDecodable {
    static func decode(_ value: SQLValue) -> Wrapped? {
        value == .null ? nil : Wrapped.decode(value)
    }
}

/// One row of a result, read out of the statement.
struct Row {
    private let values: [SQLValue]
    private let names: [String]

    fileprivate init(values: [SQLValue], names: [String]) {
        self.values = values
        self.names = names
    }

    /// The column at `index`, as the type the context asks for.
    subscript<Value: SQLColumnDecodable>(_ index: Int) -> Value { Value.decode(values[index]) }

    /// The column named `name`.
    subscript<Value: SQLColumnDecodable>(_ name: String) -> Value {
        guard let index = names.firstIndex(of: name) else { preconditionFailure("no column \(name)") }
        return Value.decode(values[index])
    }

    /// The raw value at `index`.
    func value(at index: Int) -> SQLValue { values[index] }

    func isNull(_ index: Int) -> Bool { values[index] == .null }
}

/// The row a statement stands on, read in place: a listing of thousands reads each value straight from
/// SQLite instead of copying it into a `Row` first.
struct RowCursor {
    fileprivate let handle: OpaquePointer

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// The column's text (empty for NULL), valid until the statement steps again.
    func text(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
        // SQLite's order: the text first, then its length.
        guard let bytes = sqlite3_column_text(handle, column) else {
            return UnsafeBufferPointer(start: nil, count: 0)
        }
        return UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, column)))
    }
}

/// A compiled statement.
final class Statement {
    private let handle: OpaquePointer
    let sql: String
    private lazy var columnNames: [String] = (0..<sqlite3_column_count(handle)).map {
        String(cString: sqlite3_column_name(handle, $0))
    }

    init(_ database: OpaquePointer, sql: String, persistent: Bool) throws(SQLiteError) {
        var pointer: OpaquePointer?
        let code = sqlite3_prepare_v3(
            database, sql, -1, persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0, &pointer, nil)
        guard code == SQLITE_OK, let pointer else {
            throw SQLiteError(code: code, message: String(cString: sqlite3_errmsg(database)), sql: sql)
        }
        handle = pointer
        self.sql = sql
    }

    func finalize() { sqlite3_finalize(handle) }

    /// Binds the arguments for the next `execute()` (a name not in the statement is ignored).
    func setUncheckedArguments(_ arguments: StatementArguments) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (index, value) in arguments.positional.enumerated() { bind(value, at: Int32(index + 1)) }
        for (name, value) in arguments.named {
            let index = sqlite3_bind_parameter_index(handle, ":" + name)
            if index > 0 { bind(value, at: index) }
        }
    }

    private func bind(_ value: SQLValue, at index: Int32) {
        switch value {
        case .null: sqlite3_bind_null(handle, index)
        case .integer(let number): sqlite3_bind_int64(handle, index, number)
        case .real(let number): sqlite3_bind_double(handle, index, number)
        case .text(var text):
            // Bound with its length, not as a C string: text may hold a NUL, which must not end it.
            text.withUTF8 { buffer in
                // A null pointer would bind NULL: an empty string's bytes are a static empty string's.
                let empty: StaticString = ""
                let bytes = UnsafeRawPointer(buffer.baseAddress ?? empty.utf8Start)
                _ = sqlite3_bind_text(
                    handle, index, bytes.assumingMemoryBound(to: CChar.self), Int32(buffer.count),
                    handoff_sqlite_transient())
            }
        case .blob(let bytes):
            _ = bytes.withUnsafeBytes { buffer in
                sqlite3_bind_blob(
                    handle, index, buffer.baseAddress, Int32(buffer.count), handoff_sqlite_transient())
            }
        }
    }

    /// Runs the statement with the arguments bound last, ignoring any rows.
    func execute() throws(SQLiteError) {
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw error(code) }
        }
    }

    func execute(arguments: StatementArguments) throws(SQLiteError) {
        setUncheckedArguments(arguments)
        try execute()
    }

    /// The rows the statement returns with `arguments`, at most `limit` of them.
    func rows(arguments: StatementArguments, limit: Int = .max) throws -> [Row] {
        var rows: [Row] = []
        try forEachRow(arguments: arguments) { row in
            rows.append(row)
            return rows.count < limit
        }
        return rows
    }

    /// Calls `body` with each row as it is read; `body` returns false to stop.
    func forEachRow(arguments: StatementArguments, _ body: (Row) throws -> Bool) throws {
        setUncheckedArguments(arguments)
        defer { sqlite3_reset(handle) }
        let count = sqlite3_column_count(handle)
        let names = columnNames
        // One buffer for every row: unless `body` keeps a row, it is unique again by the next one.
        var values: [SQLValue] = []
        values.reserveCapacity(Int(count))
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw error(code) }
            values.removeAll(keepingCapacity: true)
            for column in 0..<count { values.append(value(column)) }
            guard try body(Row(values: values, names: names)) else { return }
        }
    }

    /// Calls `body` with each row in place, without reading its values out; `body` returns false to stop.
    func forEachCursor(arguments: StatementArguments, _ body: (RowCursor) throws -> Bool) throws {
        setUncheckedArguments(arguments)
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw error(code) }
            guard try body(RowCursor(handle: handle)) else { return }
        }
    }

    private func value(_ column: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT:
            let count = Int(sqlite3_column_bytes(handle, column))
            guard let bytes = sqlite3_column_text(handle, column) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, column))
            guard let bytes = sqlite3_column_blob(handle, column) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default: return .null
        }
    }

    private func error(_ code: Int32) -> SQLiteError {
        SQLiteError(code: code, message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))), sql: sql)
    }
}
