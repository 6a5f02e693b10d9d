import HandoffJSON
import HandoffSchema

/// A Handoff store: content-addressed artifacts, an index of them, their handoffs and work logs. On one
/// machine a folder (objects as files, an SQLite index); for bots on many machines a PostgreSQL database
/// (`postgresql://…`, with HandoffPostgres). Several processes, and hosts, may use one store at once.
///
/// ```swift
/// let store = try Store.create(at: ".handoff")
/// let result = try store.put(document, from: "scanner", to: ["reviewer"])
/// let same = try store.document(result.id)
/// ```
public final class Store: Sendable {
    /// How a store behaves; the defaults suit bots on one machine.
    /// Seconds a command waits for other processes' locks (or an unreachable database) before it gives up
    /// with exit status 75.
    public static let defaultBusyTimeout = 10.0

    public struct Configuration: Sendable {
        /// Seconds to wait for other processes' locks on the index before failing with `.busy`.
        public var busyTimeout: Double
        /// Limits on documents read from bytes and on documents stored.
        public var limits: JSONParser.Limits
        /// The clock that stamps artifacts and handoffs, or nil for the store's own: the host's for a folder,
        /// the database's for a shared store (hosts' clocks drift). Tests set one.
        public var clock: (@Sendable () -> Timestamp)?
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
            busyTimeout: Double = Store.defaultBusyTimeout, limits: JSONParser.Limits = .init(),
            clock: (@Sendable () -> Timestamp)? = nil, assertFormats: Bool = true,
            schemaLoaders: [any SchemaLoader] = []
        ) {
            self.busyTimeout = busyTimeout
            self.limits = limits
            self.clock = clock
            self.assertFormats = assertFormats
            self.schemaLoaders = schemaLoaders
        }
    }

    /// Where the store is, as given: its folder, or its database's URL.
    public let path: String
    /// Where the store is, to show: `path`, less any password in it.
    public var location: String { Store.redacted(path) }
    public let configuration: Configuration
    /// What keeps its objects and backend.
    package let backend: any StoreBackend
    /// The schemas this store validates against: the built-in ones and its own.
    public let schemas: SchemaCatalog

    /// A store over `backend`.
    package init(path: String, backend: any StoreBackend, configuration: Configuration) {
        self.path = path
        self.configuration = configuration
        self.backend = backend
        schemas = SchemaCatalog(
            local: LocalSchemas(backend: backend), loaders: configuration.schemaLoaders,
            assertFormats: configuration.assertFormats, validationBudget: configuration.validationBudget)
    }

    /// The time to stamp a record with: the configured clock's, else the store's own.
    package func now() -> Timestamp {
        configuration.clock?() ?? backend.currentTime()
    }

    /// The busy timeout a backend uses: the configured one, in range.
    package static func busyTimeout(_ configuration: Configuration) -> Double {
        configuration.busyTimeout.isNaN ? 0 : min(max(configuration.busyTimeout, 0), maximumBusyTimeout)
    }

    /// The SQLite backend of a store in a folder, for what only it has (its files, SQLite's query plans).
    var sqlite: SQLiteBackend? { backend as? SQLiteBackend }

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

    /// Whether `path` holds a store: a folder with an index, or a database URL of a scheme served here
    /// (whether the database holds one is known once it is opened).
    public static func exists(at path: String) -> Bool {
        if let scheme = urlScheme(of: path) { return opener(for: scheme) != nil }
        return SQLiteBackend.exists(at: path)
    }

    /// Opens the backend of a store named by a URL. HandoffPostgres registers `postgresql` and `postgres`.
    /// The last argument says whether the store may be created (its schema, in a database that exists).
    package typealias BackendOpener =
        @Sendable (_ url: String, _ configuration: Configuration, _ create: Bool) throws(HandoffError) ->
        any StoreBackend

    private static let openers = Locked<[String: BackendOpener]>([:])

    /// Lets stores named by URLs of `scheme` be opened by `opener`.
    package static func register(scheme: String, _ opener: @escaping BackendOpener) {
        openers.withLock { $0[scheme.lowercased()] = opener }
    }

    private static func opener(for scheme: String) -> BackendOpener? {
        openers.withLock { $0[scheme] }
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

    /// A store location fit to show or log: a URL without its password (the one in its user information,
    /// and a `password=` parameter); a folder as it is.
    public static func redacted(_ location: String) -> String {
        guard let scheme = urlScheme(of: location) else { return location }
        var text = location
        if let question = text.firstIndex(of: "?") {
            let parameters = text[text.index(after: question)...].split(
                separator: "&", omittingEmptySubsequences: false
            ).filter { !$0.hasPrefix("password=") }
            text =
                String(text[..<question])
                + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&"))
        }
        let authority = text.utf8.index(text.utf8.startIndex, offsetBy: scheme.utf8.count + 3)
        let end = text[authority...].firstIndex { $0 == "/" || $0 == "?" } ?? text.endIndex
        guard let at = text[authority..<end].lastIndex(of: "@"),
            let colon = text[authority..<at].firstIndex(of: ":")
        else { return text }
        return String(text[..<colon]) + String(text[at...])
    }

    /// Refuses a store location this version does not serve: a URL of any scheme (a folder is a path), so
    /// that `--store s3://bucket` never creates a folder named `s3:`.
    /// - Throws: `.usage` naming the scheme.
    public static func checkLocation(_ location: String) throws(HandoffError) {
        guard let scheme = urlScheme(of: location), opener(for: scheme) == nil else { return }
        let served = openers.withLock { $0.keys.sorted() }.map { "\($0)://" }
        throw HandoffError(
            .usage,
            "\(quotedForMessage(location)) is a URL (\(scheme)://), and a store is a folder on this machine"
                + (served.isEmpty ? "" : " or a database named by \(joinedText(served, separator: ", "))")
                + "; nothing was created",
            hint: "name a folder with --store DIR (or $HANDOFF_STORE)"
                + (served.last.map { ", or a database such as \($0)user@host/db" } ?? ""))
    }

    /// Opens an existing store.
    /// - Throws: `HandoffError` `.notFound` when there is no store at `path`.
    public static func open(at path: String, configuration: Configuration = .init()) throws(HandoffError)
        -> Store
    {
        try checkLocation(path)
        if let scheme = urlScheme(of: path), let opener = opener(for: scheme) {
            return Store(
                path: path, backend: try opener(path, configuration, false), configuration: configuration)
        }
        return Store(
            path: path, backend: try SQLiteBackend.open(at: path, configuration: configuration),
            configuration: configuration)
    }

    /// Opens the store at `path` when there is one, else nil: for commands that use a store's schemas when
    /// there is a store and must not create one. A database is asked (one connection, kept when it holds
    /// the store).
    public static func openIfPresent(at path: String, configuration: Configuration = .init())
        throws(HandoffError) -> Store?
    {
        try checkLocation(path)
        if let scheme = urlScheme(of: path), let opener = opener(for: scheme) {
            do {
                return Store(
                    path: path, backend: try opener(path, configuration, false), configuration: configuration)
            } catch  where error.code == .notFound {
                return nil
            }
        }
        guard SQLiteBackend.exists(at: path) else { return nil }
        return try open(at: path, configuration: configuration)
    }

    /// Opens the store at `path`, creating it (with owner-only permissions) when it does not exist.
    ///
    /// An existing folder that holds other files is not taken over (made owner-only, filled with a store)
    /// unless `intoExistingFolder` says the user asked for a store there (`handoff init DIR`).
    /// - Throws: `.usage` for a URL no backend serves, `.notFound` for a folder that is not a store.
    public static func create(
        at path: String, configuration: Configuration = .init(), intoExistingFolder: Bool = false
    ) throws(HandoffError) -> Store {
        try checkLocation(path)
        if let scheme = urlScheme(of: path), let opener = opener(for: scheme) {
            return Store(
                path: path, backend: try opener(path, configuration, true), configuration: configuration)
        }
        return Store(
            path: path,
            backend: try SQLiteBackend.create(
                at: path, configuration: configuration, intoExistingFolder: intoExistingFolder),
            configuration: configuration)
    }
}
