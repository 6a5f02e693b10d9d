import HandoffJSON
import HandoffSchema

/// A Handoff store: content-addressed artifacts under `objects/`, and an SQLite index of them and their
/// handoffs. Several processes may use one store at once.
///
/// ```swift
/// let store = try Store.create(at: ".handoff")
/// let result = try store.put(document, from: "scanner", to: ["reviewer"])
/// let same = try store.document(result.id)
/// ```
public final class Store: Sendable {
    /// How a store behaves; the defaults suit bots on one machine.
    public struct Configuration: Sendable {
        /// Seconds to wait for other processes' locks on the index before failing with `.busy`.
        public var busyTimeout: Double
        /// Limits on documents read from bytes and on documents stored.
        public var limits: JSONParser.Limits
        /// The clock that stamps artifacts and handoffs; tests replace it.
        public var clock: @Sendable () -> Timestamp
        /// Whether validation checks `format` (date-time, email, uri, …) rather than only noting it.
        public var assertFormats: Bool
        /// Where schemas find documents they refer to that are neither built in nor in the store.
        public var schemaLoaders: [any SchemaLoader]
        /// Open the store only to read it: nothing is written (writes fail with `.io`), and a store the user
        /// may only read can be read.
        public var readOnly = false
        /// The work validating one document may take, in subschemas evaluated plus pattern steps; past it,
        /// the document is refused as too costly to check. Bounds the time a hostile schema can take.
        public var validationBudget = ValidationOptions.defaultWorkBudget

        public init(
            busyTimeout: Double = 10, limits: JSONParser.Limits = .init(),
            clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }, assertFormats: Bool = true,
            schemaLoaders: [any SchemaLoader] = []
        ) {
            self.busyTimeout = busyTimeout
            self.limits = limits
            self.clock = clock
            self.assertFormats = assertFormats
            self.schemaLoaders = schemaLoaders
        }
    }

    /// The store's directory, as given.
    public let path: String
    public let configuration: Configuration
    let objects: ObjectStore
    let index: SQLiteIndex
    /// The schemas this store validates against: the built-in ones and its own.
    public let schemas: SchemaCatalog

    private init(path: String, configuration: Configuration) throws(HandoffError) {
        self.path = path
        self.configuration = configuration
        if !configuration.readOnly { try Self.secure(path) }
        objects = ObjectStore(storePath: path)
        let busyTimeout =
            configuration.busyTimeout.isNaN
            ? 0 : min(max(configuration.busyTimeout, 0), Self.maximumBusyTimeout)
        let objects = objects
        index = try SQLiteIndex(
            path: Self.indexPath(path), busyTimeout: busyTimeout, readOnly: configuration.readOnly,
            objectExists: { FileIO.exists(objects.path(of: $0)) })
        schemas = SchemaCatalog(
            local: LocalSchemas(index: index, objects: objects), loaders: configuration.schemaLoaders,
            assertFormats: configuration.assertFormats, validationBudget: configuration.validationBudget)
    }

    /// The longest busy timeout a store accepts, a day; longer ones are shortened to it.
    public static let maximumBusyTimeout = 86_400.0

    /// The validation budget `$HANDOFF_VALIDATION_BUDGET` sets: nil when it is unset or empty.
    /// - Throws: `.usage` when it is not a positive whole number.
    public static func validationBudget(environment value: String?) throws(HandoffError) -> Int? {
        guard let value, !value.isEmpty else { return nil }
        guard let budget = Int(value), budget > 0 else {
            throw HandoffError(
                .usage,
                "HANDOFF_VALIDATION_BUDGET must be a positive whole number of steps, not \(quotedForMessage(value))"
            )
        }
        return budget
    }

    /// The store a command uses when none is named: `$HANDOFF_STORE`, else `./.handoff`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let path = environment["HANDOFF_STORE"], !path.isEmpty { return path }
        return ".handoff"
    }

    /// Whether `path` holds a store.
    public static func exists(at path: String) -> Bool {
        FileIO.fileSize(indexPath(path)) != nil
    }

    /// The scheme of a store location that is a URL (`s3://…` gives `s3`), or nil for a folder.
    public static func urlScheme(of location: String) -> String? {
        guard let separator = location.utf8.firstIndex(of: UInt8(ascii: ":")),
            location.utf8[separator...].starts(with: "://".utf8)
        else { return nil }
        let scheme = location.utf8[..<separator]
        guard let first = scheme.first, (0x41...0x5A).contains(first) || (0x61...0x7A).contains(first),
            scheme.allSatisfy({ byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            })
        else { return nil }
        return String(decoding: scheme, as: UTF8.self).lowercased()
    }

    /// Refuses a store location this version does not serve: a URL of any scheme (a folder is a path), so
    /// that `--store s3://bucket` never creates a folder named `s3:`.
    /// - Throws: `.usage` naming the scheme.
    public static func checkLocation(_ location: String) throws(HandoffError) {
        guard let scheme = urlScheme(of: location) else { return }
        throw HandoffError(
            .usage,
            "\(quotedForMessage(location)) is a URL (\(scheme)://), and a store is a folder on this machine; nothing was created",
            hint: "name a folder with --store DIR (or $HANDOFF_STORE)")
    }

    /// What a store's folder holds, besides which a folder is someone else's.
    private static let ownNames = [
        "objects", "tmp", "index.sqlite", "index.sqlite-wal", "index.sqlite-shm",
        "index.sqlite-journal",
    ]

    /// Opens an existing store.
    /// - Throws: `HandoffError` `.notFound` when there is no store at `path`.
    public static func open(at path: String, configuration: Configuration = .init()) throws(HandoffError)
        -> Store
    {
        try checkLocation(path)
        guard exists(at: path) else {
            if FileIO.isDirectory(path) {
                throw HandoffError(
                    .notFound, "\(path) is not a Handoff store (it has no index.sqlite)",
                    hint: "create one with `handoff init --store \(path)`")
            }
            throw HandoffError(
                .notFound, "no store at \(path)",
                hint: "create one with `handoff init`, or name another with --store")
        }
        return try Store(path: path, configuration: configuration)
    }

    /// Opens the store at `path`, creating it (with owner-only permissions) when it does not exist.
    ///
    /// An existing folder that holds other files is not taken over (made owner-only, filled with a store)
    /// unless `intoExistingFolder` says the user asked for a store there (`handoff init DIR`).
    /// - Throws: `.usage` for a URL, `.notFound` for a folder that is not a store.
    public static func create(
        at path: String, configuration: Configuration = .init(), intoExistingFolder: Bool = false
    ) throws(HandoffError) -> Store {
        try checkLocation(path)
        if !exists(at: path) && !intoExistingFolder && FileIO.isDirectory(path) {
            let others = try FileIO.contentsOfDirectory(path).filter { !ownNames.contains($0) }.sorted()
            if let example = others.first {
                throw HandoffError(
                    .notFound,
                    "\(path) is not a Handoff store: it holds other files (\(quotedForMessage(example))\(others.count > 1 ? " and \(others.count - 1) more" : "")); nothing was written",
                    hint: "`handoff init \(path)` makes a store there; or name another --store")
            }
        }
        if !exists(at: path) {
            try makeDirectories(path)
            // Nothing is created in a folder that is not the user's alone.
            try secure(path)
            // SQLite gives its -wal and -shm files the permissions of the database file.
            try FileIO.createFileIfAbsent(indexPath(path), mode: 0o600)
            try FileIO.syncDirectory(path + "/objects")
            try FileIO.syncDirectory(path)
        }
        return try Store(path: path, configuration: configuration)
    }

    private static func makeDirectories(_ path: String) throws(HandoffError) {
        guard !FileIO.isDirectory(path) else { return }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if !FileIO.isDirectory(prefix) {
                try FileIO.makeDirectory(prefix)
                let parent = prefix.contains("/") ? String(prefix[..<prefix.lastIndex(of: "/")!]) : "."
                try FileIO.syncDirectory(parent.isEmpty ? "/" : parent)
            }
            prefix += "/"
        }
    }

    static func indexPath(_ storePath: String) -> String { storePath + "/index.sqlite" }

    /// Makes the store owner-only all the way down before anything is written to it: its folder (a link to
    /// it, if any, made by this user), `objects/`, `objects/xxh128/` and `tmp/` real folders of this user's
    /// with no permissions for anyone else, created when missing, and its index files this user's regular
    /// files. A folder or file that is another user's, or a link where a folder or file belongs, is refused:
    /// whoever owns a folder can swap what is in it.
    static func secure(_ path: String) throws(HandoffError) {
        try FileIO.secureDirectory(path, create: false, followLink: true)
        for directory in [path + "/objects", path + "/objects/xxh128", path + "/tmp"] {
            try FileIO.secureDirectory(directory, create: true)
        }
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try FileIO.secureFile(indexPath(path) + suffix)
        }
    }

    /// Writes objects durably, then runs `record`, which indexes them. Should `gc` collect one of them in
    /// between (it was unreachable until this put), they are written again and `record` retried.
    func recording<Result>(
        _ objects: [(bytes: [UInt8], id: ArtifactID)], _ record: () throws(HandoffError) -> Result
    ) throws(HandoffError) -> Result {
        var attempt = 0
        while true {
            _ = try self.objects.write(batch: objects)
            do {
                return try record()
            } catch  where error.cause is ObjectVanished && attempt < 8 {
                attempt += 1
            }
        }
    }
}
