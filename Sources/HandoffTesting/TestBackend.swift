import Foundation
import HandoffKit
import HandoffPostgres
import Testing

/// Where the stores of a test run are kept: folders (SQLite), or schemas of a PostgreSQL database when
/// `HANDOFF_TEST_BACKEND=postgresql` and `HANDOFF_TEST_POSTGRES_URL` names the database (`scripts/test`
/// runs the suites that use stores both ways, against a cluster of its own).
public enum TestBackend: Sendable, Equatable {
    case sqlite
    /// The database's URL, without `schema=`.
    case postgresql(String)

    /// The backend this run uses, from the environment.
    public static let current: TestBackend = {
        let environment = ProcessInfo.processInfo.environment
        guard environment["HANDOFF_TEST_BACKEND"] == "postgresql" else { return .sqlite }
        guard let url = environment["HANDOFF_TEST_POSTGRES_URL"], !url.isEmpty else {
            fatalError(
                "HANDOFF_TEST_BACKEND=postgresql needs HANDOFF_TEST_POSTGRES_URL (scripts/postgres url)")
        }
        HandoffPostgres.register()
        return .postgresql(url)
    }()

    /// The database of a PostgreSQL run, or of a cluster `scripts/postgres` started, for the tests that
    /// need one whichever backend the run uses; nil when there is none.
    public static let postgresURL: String? = {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["HANDOFF_TEST_POSTGRES_URL"], !url.isEmpty else { return nil }
        HandoffPostgres.register()
        return url
    }()

    /// Lets this process open stores named by `postgresql://` URLs, such as a cluster a test started.
    public static func servePostgres() { HandoffPostgres.register() }

    /// Runs one statement in the database of a store `url` names (in its schema): for tests that need what
    /// only a database does, such as ending other connections (`pg_terminate_backend`).
    public static func execute(_ sql: String, inDatabaseOf url: String) throws {
        try HandoffPostgres.execute(sql, [], inStoreAt: url)
    }

    /// Whether stores are folders, so that a test may reach into their files.
    public static var storesAreFolders: Bool { current == .sqlite }

    /// A store location no other test uses: `directory` itself for SQLite, a fresh schema for PostgreSQL.
    public func freshLocation(folder directory: String) -> String {
        switch self {
        case .sqlite: directory
        case .postgresql(let url): Self.freshSchema(in: url)
        }
    }

    /// The URL of a schema of its own in the database `url` names.
    public static func freshSchema(in url: String) -> String {
        var random = SystemRandomNumberGenerator()
        let suffix = String(random.next(), radix: 36)
        return url + (url.contains("?") ? "&" : "?") + "schema=t_" + suffix
    }

    /// Everything a store holds, as bytes, for tests that look for what must never be stored: every file of
    /// a folder (objects, the index, its write-ahead log), or every row of every table of a database schema
    /// (with the objects' bytes as they are), named `database`.
    public static func storedBytes(at location: String) throws -> [(name: String, bytes: Data)] {
        if Store.urlScheme(of: location) != nil {
            return [("database", Data(try HandoffPostgres.contents(ofStoreAt: location)))]
        }
        var files: [(String, Data)] = []
        for file in try FileManager.default.subpathsOfDirectory(atPath: location).sorted() {
            let path = location + "/" + file
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            else { continue }
            files.append((file, try Data(contentsOf: URL(fileURLWithPath: path))))
        }
        return files
    }

    /// Gives the object of artifact `id` (`xxh128:…`) other bytes, as a failing disk or a person with access
    /// to the store could: the file's, or the database row's.
    public static func replaceObject(_ id: String, with bytes: [UInt8], in location: String) throws {
        if Store.urlScheme(of: location) != nil {
            try HandoffPostgres.execute(
                "UPDATE object SET bytes = $2 WHERE id = convert_from($1, 'UTF8')", [Array(id.utf8), bytes],
                inStoreAt: location)
            return
        }
        let path = objectPath(id, in: location)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Removes the object of artifact `id`, leaving what the index says of it.
    public static func removeObject(_ id: String, in location: String) throws {
        if Store.urlScheme(of: location) != nil {
            try HandoffPostgres.execute(
                "DELETE FROM object WHERE id = convert_from($1, 'UTF8')", [Array(id.utf8)],
                inStoreAt: location)
            return
        }
        try FileManager.default.removeItem(atPath: objectPath(id, in: location))
    }

    /// Where a folder keeps the object of artifact `id`.
    public static func objectPath(_ id: String, in folder: String) -> String {
        let hex = id.dropFirst("xxh128:".count)
        return folder + "/objects/xxh128/" + hex.prefix(2) + "/" + hex.dropFirst(2)
    }

    /// Whether anything is at `location`: the folder (a store or not), or a store in the database.
    public static func somethingIsAt(_ location: String) throws -> Bool {
        guard Store.urlScheme(of: location) != nil else {
            return FileManager.default.fileExists(atPath: location)
        }
        var configuration = Store.Configuration()
        configuration.readOnly = true
        return try Store.openIfPresent(at: location, configuration: configuration) != nil
    }

    /// Removes what a test left at `location`: a PostgreSQL store's schema (a folder goes with its
    /// temporary directory).
    public static func remove(_ location: String) {
        guard Store.urlScheme(of: location) != nil else { return }
        try? HandoffPostgres.dropStore(at: location)
    }
}

extension Trait where Self == ConditionTrait {
    /// For a test that reaches into a store's files or its SQLite index: it runs when stores are folders,
    /// and the PostgreSQL run skips it (saying so).
    public static var storesAreFolders: Self {
        .enabled(
            if: TestBackend.storesAreFolders,
            "reaches into a store's folder; this run keeps stores in PostgreSQL")
    }
}
