import HandoffJSON

/// A work log as the seed (nanobot) kept it in its `work_logs.db`.
package struct NanobotWorkLog: Sendable {
    package var sessionID: String
    package var query: String
    package var startTime: Timestamp
    package var endTime: Timestamp?
    package var finalOutput: String?
    /// The multi-agent note's columns, when the database has them.
    package var workspace: String?
    package var workspaceType: String?
    package var participants: [String]
    package var coordinator: String?
    package var summary: String?
    package var entries: [WorkLogEntry]
    /// Entries that could not be read, and why.
    package var refused: [ImportReport.Refusal]
}

/// Reads the seed's work-log database: the `work_logs` and `work_log_entries` tables the single-bot note
/// creates, and the multi-agent note's extra columns where they exist.
package enum NanobotWorkLogReader {
    package static func read(path: String) throws(HandoffError) -> [NanobotWorkLog] {
        guard FileIO.fileSize(path) != nil else {
            if FileIO.isDirectory(path) {
                throw HandoffError(.usage, "\(path) is a directory, not a work_logs.db")
            }
            throw HandoffError(.notFound, "no such file: \(path)")
        }
        do {
            // Immutable: another program's database, read without locking it or leaving any file beside it.
            let connection = try SQLiteConnection(path: path, readOnly: true, busyTimeout: 0, immutable: true)
            return try connection.read { db in try read(db, path: path) }
        } catch let error as HandoffError {
            throw error
        } catch let error as SQLiteError where error.isNotADatabase {
            throw HandoffError(.invalidInput, "\(path) is not an SQLite database")
        } catch {
            throw HandoffError(.invalidInput, "\(path) cannot be read as nanobot's work_logs.db: \(error)")
        }
    }

    private static func read(_ db: Database, path: String) throws -> [NanobotWorkLog] {
        let logColumns = try columns(of: "work_logs", in: db)
        let entryColumns = try columns(of: "work_log_entries", in: db)
        for (table, found, needed) in [
            ("work_logs", logColumns, ["id", "session_id", "query", "start_time"]),
            ("work_log_entries", entryColumns, ["work_log_id", "step", "level", "message"]),
        ] {
            guard !found.isEmpty else {
                throw HandoffError(
                    .invalidInput, "\(path) is not nanobot's work_logs.db: it has no \(table) table")
            }
            let missing = needed.filter { !found.contains($0) }
            guard missing.isEmpty else {
                throw HandoffError(
                    .invalidInput, "\(path): the \(table) table lacks \(missing.joined(separator: ", "))")
            }
        }
        func optional(_ name: String, in available: Set<String>) -> String {
            available.contains(name) ? name : "NULL AS \(name)"
        }
        let logSelect =
            ["id", "session_id", "query", "start_time"]
            + [
                "end_time", "final_output", "workspace_id", "workspace_type", "participants", "coordinator",
                "summary",
            ]
            .map { optional($0, in: logColumns) }
        let entrySelect =
            ["step", "level", "message"]
            + [
                "timestamp", "category", "details_json", "confidence", "duration_ms", "tool_name",
                "tool_input_json",
                "tool_output_json", "tool_status", "tool_error", "bot_name", "bot_role", "triggered_by",
                "mentions",
                "response_to", "coordinator_mode", "escalation", "shareable_insight", "insight_category",
            ].map { optional($0, in: entryColumns) }
        var logs: [NanobotWorkLog] = []
        for row in try db.rows(
            sql: "SELECT \(logSelect.joined(separator: ", ")) FROM work_logs ORDER BY start_time, rowid")
        {
            let sessionID = text(row.value(at: 1)) ?? text(row.value(at: 0)) ?? ""
            guard let start = time(row.value(at: 3)) else {
                throw HandoffError(
                    .invalidInput,
                    "\(path): work log \(quotedForMessage(sessionID)) has no readable start_time")
            }
            var log = NanobotWorkLog(
                sessionID: sessionID, query: text(row.value(at: 2)) ?? "", startTime: start,
                endTime: time(row.value(at: 4)),
                finalOutput: text(row.value(at: 5)), workspace: text(row.value(at: 6)),
                workspaceType: text(row.value(at: 7)),
                participants: names(row.value(at: 8)), coordinator: text(row.value(at: 9)),
                summary: text(row.value(at: 10)), entries: [],
                refused: [])
            // The single-bot note keys entries by the log's id, which it sets to the session id.
            let keys = Array(Set([text(row.value(at: 0)), text(row.value(at: 1))].compactMap { $0 }))
            let entryRows = try db.rows(
                sql:
                    "SELECT \(entrySelect.joined(separator: ", ")) FROM work_log_entries WHERE work_log_id IN (\(keys.map { _ in "?" }.joined(separator: ", "))) ORDER BY step, rowid",
                arguments: StatementArguments(keys.map { $0 }))
            for entryRow in entryRows {
                do {
                    log.entries.append(try entry(entryRow, fallbackTime: start))
                } catch let error as HandoffError {
                    log.refused.append(
                        ImportReport.Refusal(
                            source:
                                "work log \(quotedForMessage(sessionID)) step \(text(entryRow.value(at: 0)) ?? "?")",
                            message: error.message))
                }
            }
            logs.append(log)
        }
        return logs
    }

    private static func entry(_ row: Row, fallbackTime: Timestamp) throws -> WorkLogEntry {
        guard let step = integer(row.value(at: 0)), step >= 1 else {
            throw HandoffError(.invalidInput, "no step number")
        }
        guard let levelName = text(row.value(at: 1)), let level = LogLevel(rawValue: levelName.lowercased())
        else {
            throw HandoffError(
                .invalidInput, "unknown level \(quotedForMessage(text(row.value(at: 1)) ?? "null"))")
        }
        func json(_ index: Int, _ column: String) throws -> JSONValue? {
            guard let source = text(row.value(at: index)), !source.isEmpty else { return nil }
            do {
                let value = try JSONParser.parse(source)
                return value.isNull ? nil : value
            } catch {
                throw HandoffError(.invalidInput, "\(column) is not JSON: \(error)")
            }
        }
        let details = try json(5, "details_json")
        let toolInput = try json(9, "tool_input_json")
        var entry = WorkLogEntry(
            level: level, category: text(row.value(at: 4)) ?? "general",
            message: text(row.value(at: 2)) ?? "",
            details: details?.objectValue ?? (details.map { ["value": $0] } ?? [:]),
            confidence: number(row.value(at: 6)),
            durationMs: integer(row.value(at: 7)).map(Int.init), toolName: text(row.value(at: 8)),
            toolInput: toolInput?.objectValue ?? toolInput.map { ["value": $0] },
            toolOutput: try json(10, "tool_output_json"),
            toolStatus: text(row.value(at: 11)).flatMap(ToolStatus.init(rawValue:)),
            toolError: text(row.value(at: 12)),
            botName: text(row.value(at: 13)), botRole: text(row.value(at: 14)),
            triggeredBy: text(row.value(at: 15)),
            mentions: names(row.value(at: 16)),
            responseTo: integer(row.value(at: 17)).map(Int.init), coordinatorMode: flag(row.value(at: 18)),
            escalation: flag(row.value(at: 19)),
            shareableInsight: flag(row.value(at: 20)), insightCategory: text(row.value(at: 21)))
        entry.step = Int(step)
        entry.timestamp = time(row.value(at: 3)) ?? fallbackTime
        return entry
    }

    private static func columns(of table: String, in db: Database) throws -> Set<String> {
        Set(try db.values(String.self, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table]))
    }

    private static func text(_ value: SQLValue) -> String? {
        switch value {
        case .text(let text): text
        case .integer(let number): String(number)
        case .real(let number): String(number)
        case .blob(let data): String(decoding: data, as: UTF8.self)
        case .null: nil
        }
    }

    private static func integer(_ value: SQLValue) -> Int64? {
        switch value {
        case .integer(let number): number
        case .real(let number): Int64(exactly: number)
        case .text(let text): Int64(text)
        default: nil
        }
    }

    private static func number(_ value: SQLValue) -> Double? {
        switch value {
        case .integer(let number): Double(number)
        case .real(let number): number
        case .text(let text): Double(text)
        default: nil
        }
    }

    private static func flag(_ value: SQLValue) -> Bool {
        (integer(value) ?? 0) != 0 || text(value) == "true"
    }

    /// A time as Python's sqlite3 stores a `datetime` (`2026-02-12 10:31:05.123456`, UTC when it has no zone).
    private static func time(_ value: SQLValue) -> Timestamp? {
        if let seconds = number(value), seconds.isFinite, abs(seconds) < 1e12 {
            return Timestamp(millisecondsSince1970: Int64((seconds * 1000).rounded()))
        }
        return text(value).flatMap(Timestamp.init(rfc3339:))
    }

    /// A list of names, stored as JSON or as comma-separated text.
    private static func names(_ value: SQLValue) -> [String] {
        guard let source = text(value), !source.isEmpty else { return [] }
        if let parsed = try? JSONParser.parse(source), case .array(let items) = parsed {
            return items.compactMap(\.stringValue)
        }
        return source.split(separator: ",").map { $0.trimmingCharacters(in: " ") }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
