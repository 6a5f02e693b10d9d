extension SQLiteBackend {
    func schemaEntries() throws(HandoffError) -> [SchemaEntry] {
        try read { db in
            try db.rows(sql: "SELECT name, object, size, created_at FROM schema ORDER BY name").map(
                Self.schemaEntry)
        }
    }

    func schemaEntry(named name: String) throws(HandoffError) -> SchemaEntry? {
        try read { db in
            try db.row(
                sql: "SELECT name, object, size, created_at FROM schema WHERE name = ?", arguments: [name]
            )
            .map(Self.schemaEntry)
        }
    }

    /// Writes a schema's object durably, then records it. A name is never given other content: that is
    /// refused.
    /// - Returns: Whether the same schema was already registered.
    func addSchema(name: String, object: PreparedObject, at now: Timestamp) throws(HandoffError) -> Bool {
        _ = try objects.write(object.bytes, as: object.id)
        let (id, size) = (object.id, object.bytes.count)
        return try write { db in
            if let existing = try db.row(sql: "SELECT object FROM schema WHERE name = ?", arguments: [name]) {
                let stored: String = existing["object"]
                guard stored == id.description else { throw SchemaEntry.changed(name: name, stored: stored) }
                return true
            }
            try db.run(
                sql: "INSERT INTO schema (name, object, size, created_at) VALUES (?, ?, ?, ?)",
                arguments: [name, id.description, size, now.millisecondsSince1970])
            return false
        }
    }

    private static func schemaEntry(_ row: Row) throws -> SchemaEntry {
        SchemaEntry(
            name: row["name"], id: try ArtifactID(stored: row["object"]), size: row["size"],
            addedAt: Timestamp(millisecondsSince1970: row["created_at"]))
    }
}

/// `x-v2` for `x-v1`.
func nextVersion(of name: String) -> String {
    guard let schema = SchemaName(name) else { return name }
    return "\(schema.name)-v\(schema.version + 1)"
}
