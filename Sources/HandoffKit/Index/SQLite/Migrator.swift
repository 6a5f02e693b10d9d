/// Applies the index's migrations in order, each once, recording their identifiers.
///
/// Identifiers are kept in `grdb_migrations`, the table GRDB's migrator kept them in, so that stores made
/// when the index ran on GRDB open as they are. They are kept in arrays: there are a handful, and every
/// command opens a store, where the process's first `Set<String>` would cost a quarter of a million
/// instructions (the runtime scans all conformance records for `String: Hashable`).
struct Migrator: Sendable {
    private var migrations: [(identifier: String, body: @Sendable (Database) throws -> Void)] = []
    /// Migrations a reader can do without: what they add has a fallback for stores that lack it, so a
    /// command that only reads works on a store no writer has upgraded yet.
    private(set) var optionalForReaders: [String] = []

    mutating func registerMigration(
        _ identifier: String, optionalForReaders optional: Bool = false,
        _ body: @escaping @Sendable (Database) throws -> Void
    ) {
        migrations.append((identifier, body))
        if optional { optionalForReaders.append(identifier) }
    }

    /// The identifiers of every registered migration.
    var identifiers: [String] { migrations.map(\.identifier) }

    /// The identifiers of the migrations applied to the database.
    func appliedIdentifiers(_ db: Database) throws -> [String] {
        guard
            try db.value(
                Int.self, sql: "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'grdb_migrations'"
            ) != nil
        else { return [] }
        return try db.values(String.self, sql: "SELECT identifier FROM grdb_migrations")
    }

    /// Applies the migrations not applied yet, in one transaction.
    func migrate(_ connection: SQLiteConnection) throws {
        try connection.write { db in
            try db.execute(
                sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            let applied = try appliedIdentifiers(db)
            for migration in migrations where !applied.contains(migration.identifier) {
                try migration.body(db)
                try db.run(
                    sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)",
                    arguments: [migration.identifier])
            }
        }
    }
}
