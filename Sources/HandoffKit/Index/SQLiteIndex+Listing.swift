import HandoffJSON

extension SQLiteIndex {
    /// Writes the handoffs `filter` selects, in its order, as `{"handoff":{…},"next_actions":[…]}` objects
    /// separated by commas: the bytes `JSONWriter` writes for `Handoff.json` and `NextAction.json`, read in
    /// place from SQLite's rows, without a `Handoff`, a `String` or a `JSONValue` per value. A whole inbox
    /// can be tens of thousands of handoffs.
    ///
    /// - Parameters:
    ///   - limit: Writes at most this many; `filter.limit` should allow one more, to tell whether there are.
    ///   - flush: Called after each handoff, to write out what `text` holds when it wants to.
    /// - Returns: How many were written, and whether the filter selected more.
    func writeHandoffsWithNextActions(
        _ filter: HandoffFilter, limit: Int, into text: inout JSONTextBuilder,
        flush: (inout JSONTextBuilder) -> Void
    ) throws(HandoffError) -> (written: Int, more: Bool) {
        let (sql, arguments) = handoffQuery(filter, extraColumn: "h.artifact")
        return try read { db in
            // In the unique index's order, not the order they were found in (rowid): asking SQLite for that
            // would sort in a temporary B-tree for every handoff, so they are put in order here.
            let actions = try db.cachedStatement(
                sql: "SELECT action, source, inferred, rowid FROM next_action WHERE artifact = ?")
            var scratch = JSONTextBuilder(capacity: 1024)
            var found: [(rowid: Int64, start: Int, end: Int)] = []
            var written = 0
            var more = false
            try db.cachedStatement(sql: sql).forEachCursor(arguments: arguments) { row in
                guard written < limit else {
                    more = true
                    return false
                }
                text.raw(written == 0 ? #"{"handoff":"# : #",{"handoff":"#)
                try Self.writeHandoff(row, into: &text)
                text.raw(#","next_actions":["#)
                scratch.clear()
                found.removeAll(keepingCapacity: true)
                try actions.forEachCursor(arguments: [row.integer(17)]) { action in
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
                found.sort { $0.rowid < $1.rowid }
                for (index, action) in found.enumerated() {
                    if index > 0 { text.raw(",") }
                    text.raw(UnsafeBufferPointer(rebasing: scratch.bytes[action.start..<action.end]))
                }
                text.raw("]}")
                written += 1
                flush(&text)
                return true
            }
            return (written, more)
        }
    }

    /// Writes a row of `handoffColumns` as `Handoff.json` would be written: the same members, in the same
    /// (canonical) order. `JSONFormTests` holds the two to the same bytes.
    private static func writeHandoff(_ row: RowCursor, into text: inout JSONTextBuilder) throws {
        func string(_ column: Int32) {
            if row.isNull(column) { text.raw("null") } else { text.string(utf8: row.text(column)) }
        }
        func timestamp(_ column: Int32) {
            guard !row.isNull(column) else { return text.raw("null") }
            let moment = Timestamp(millisecondsSince1970: row.integer(column))
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Timestamp.commonLength) { buffer in
                if let count = moment.format(into: buffer) {
                    text.string(utf8: UnsafeBufferPointer(rebasing: buffer[..<count]))
                } else {
                    text.string(moment.description)
                }
            }
        }
        let artifact = row.text(2)
        let state = row.text(8)
        let stateName = String(decoding: state, as: UTF8.self)
        guard Handoff.State(rawValue: stateName) != nil else {
            throw unknownState(handoff: String(decoding: row.text(1), as: UTF8.self), stateName)
        }
        text.raw(#"{"artifact":"#)
        if ArtifactID.decodeLowercase(artifact) != nil {
            text.string(utf8: artifact)
        } else {
            text.string(try ArtifactID(stored: String(decoding: artifact, as: UTF8.self)).description)
        }
        text.raw(#","attempts":"#)
        text.integer(Int(row.integer(9)))
        text.raw(#","available_at":"#)
        timestamp(12)
        text.raw(#","consumer":"#)
        string(5)
        text.raw(#","created_at":"#)
        timestamp(10)
        text.raw(#","id":"#)
        string(1)
        text.raw(#","lease_expires_at":"#)
        timestamp(13)
        text.raw(#","note":"#)
        string(15)
        text.raw(#","producer":"#)
        string(4)
        text.raw(#","routed_from":"#)
        string(16)
        text.raw(#","schema":"#)
        string(3)
        text.raw(#","state":"#)
        text.string(utf8: state)
        text.raw(#","updated_at":"#)
        timestamp(11)
        text.raw(#","worker":"#)
        string(14)
        text.raw(#","workflow":"#)
        string(6)
        text.raw(#","workspace":"#)
        string(7)
        text.raw("}")
    }
}
