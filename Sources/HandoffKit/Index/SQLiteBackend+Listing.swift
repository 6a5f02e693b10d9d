import HandoffJSON

extension SQLiteBackend {
    /// Writes the handoffs `filter` selects, in its order, as `{"handoff":{…},"next_actions":[…]}` objects
    /// separated by commas: the bytes `JSONWriter` writes for `Handoff.json` and `NextAction.json`, read in
    /// place from SQLite's rows, without a `Handoff`, a `String` or a `JSONValue` per value. A whole inbox
    /// can be tens of thousands of handoffs.
    ///
    /// - Parameters:
    ///   - limit: Writes at most this many; `filter.limit` should allow one more, to tell whether there are.
    ///   - flush: Called after each handoff, to write out what `text` holds when it wants to; returning false
    ///     stops the listing there (its reader went away, say), with no more rows read.
    /// - Returns: How many were written, and whether the filter selected more (false when `flush` stopped it).
    func writeHandoffsWithNextActions(
        _ filter: HandoffFilter, limit: Int, into text: inout JSONTextBuilder,
        flush: (inout JSONTextBuilder) -> Bool
    ) throws(HandoffError) -> (written: Int, more: Bool) {
        let (sql, arguments) = handoffQuery(
            filter, extraColumn: rendersNextActions ? "h.artifact, a.next_actions_json" : "h.artifact")
        return try read { db in
            var nextActions = try NextActionRows(db)
            var written = 0
            var more = false
            try db.cachedStatement(sql: sql).forEachCursor(arguments: arguments) { row in
                guard written < limit else {
                    more = true
                    return false
                }
                text.raw(written == 0 ? #"{"handoff":"# : #",{"handoff":"#)
                try Self.writeHandoff(row, into: &text)
                text.raw(#","next_actions":"#)
                // Rendered when the artifact was recorded; artifacts recorded before that are listed from
                // their rows.
                if rendersNextActions && !row.isNull(18) {
                    text.raw(row.text(18))
                } else {
                    try nextActions.write(artifact: row.integer(17), into: &text)
                }
                text.raw("}")
                written += 1
                return flush(&text)
            }
            return (written, more)
        }
    }

    /// The JSON array of an artifact's next actions, written from its `next_action` rows: what
    /// `renderedNextActions` would have stored.
    private struct NextActionRows: ~Copyable {
        let statement: Statement
        var scratch = JSONTextBuilder(capacity: 1024)
        var found: [(rowid: Int64, start: Int, end: Int)] = []

        init(_ db: Database) throws(SQLiteError) {
            statement = try db.cachedStatement(
                sql: "SELECT action, source, inferred, rowid FROM next_action WHERE artifact = ?")
        }

        mutating func write(artifact: Int64, into text: inout JSONTextBuilder) throws {
            scratch.clear()
            found.removeAll(keepingCapacity: true)
            try statement.forEachCursor(arguments: [artifact]) { action in
                let start = scratch.count
                scratch.raw(#"{"action":"#)
                scratch.string(utf8: action.text(0))
                scratch.raw(#","inferred":"#)
                scratch.bool(action.integer(2) == 1)
                scratch.raw(#","source":"#)
                scratch.string(utf8: action.text(1))
                scratch.raw("}")
                found.append((action.integer(3), start, scratch.count))
                return true
            }
            // SQLite returns an artifact's actions in its unique index's order (source, action). They are
            // listed in the order they were found (rowid), and asking SQLite for that order would sort them in
            // a temporary B-tree for every handoff, so they are put in order here.
            found.sort { $0.rowid < $1.rowid }
            text.raw("[")
            for (index, action) in found.enumerated() {
                if index > 0 { text.raw(",") }
                text.raw(UnsafeBufferPointer(rebasing: scratch.bytes[action.start..<action.end]))
            }
            text.raw("]")
        }
    }

    /// How a member of `Handoff.json` is read from its column.
    private enum Member {
        case text, timestamp, integer, artifact
    }

    /// `Handoff.json`'s members in its (canonical) order: the text before each value, and the column of
    /// `handoffColumns` it comes from.
    private static let handoffMembers: [(prefix: StaticString, column: Int32, kind: Member)] = [
        (#"{"artifact":"#, 2, .artifact), (#","attempts":"#, 9, .integer),
        (#","available_at":"#, 12, .timestamp),
        (#","consumer":"#, 5, .text), (#","created_at":"#, 10, .timestamp), (#","id":"#, 1, .text),
        (#","lease_expires_at":"#, 13, .timestamp), (#","note":"#, 15, .text), (#","producer":"#, 4, .text),
        (#","routed_from":"#, 16, .text), (#","schema":"#, 3, .text), (#","state":"#, 8, .text),
        (#","updated_at":"#, 11, .timestamp), (#","worker":"#, 14, .text), (#","workflow":"#, 6, .text),
        (#","workspace":"#, 7, .text),
    ]

    /// Writes a row of `handoffColumns` as `Handoff.json` would be written: the same members, in the same
    /// order. `JSONFormTests` holds the two to the same bytes.
    private static func writeHandoff(_ row: RowCursor, into text: inout JSONTextBuilder) throws {
        // What `handoff(_:)` refuses, this refuses too.
        let stateName = String(decoding: row.text(8), as: UTF8.self)
        guard Handoff.State(rawValue: stateName) != nil else {
            throw unknownState(handoff: String(decoding: row.text(1), as: UTF8.self), stateName)
        }
        for (prefix, column, kind) in handoffMembers {
            text.raw(prefix)
            if row.isNull(column) {
                text.raw("null")
                continue
            }
            switch kind {
            case .text:
                text.string(utf8: row.text(column))
            case .integer:
                text.integer(Int(row.integer(column)))
            case .timestamp:
                let moment = Timestamp(millisecondsSince1970: row.integer(column))
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Timestamp.commonLength) { buffer in
                    if let count = moment.format(into: buffer) {
                        text.string(utf8: UnsafeBufferPointer(rebasing: buffer[..<count]))
                    } else {
                        text.string(moment.description)
                    }
                }
            case .artifact:
                let artifact = row.text(column)
                if ArtifactID(written: artifact) != nil {
                    text.string(utf8: artifact)
                } else {
                    text.string(try ArtifactID(stored: String(decoding: artifact, as: UTF8.self)).description)
                }
            }
        }
        text.raw("}")
    }
}
