import ArgumentParser
import HandoffJSON
import HandoffKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which store a command works on, and how long it waits for other processes: what `StoreOptions` parses,
/// as plain values that the fast path (see `FastPath`) produces too.
struct StoreChoice: Sendable {
    var store: String?
    var busyTimeout: Double = Store.defaultBusyTimeout

    var path: String {
        if let store { return store }
        if let variable = getenv("HANDOFF_STORE"), variable.pointee != 0 { return String(cString: variable) }
        return ".handoff"
    }

    var configuration: Store.Configuration {
        var configuration = Store.Configuration(busyTimeout: busyTimeout)
        // Checked in `problem`, before the command runs.
        if let budget = try? Self.validationBudget() { configuration.validationBudget = budget }
        return configuration
    }

    /// `$HANDOFF_VALIDATION_BUDGET`, when set.
    static func validationBudget() throws(HandoffError) -> Int? {
        try Store.validationBudget(
            environment: getenv("HANDOFF_VALIDATION_BUDGET").map { String(cString: $0) })
    }

    /// Why these values would be refused, if they would.
    var problem: String? {
        guard busyTimeout >= 0, busyTimeout <= Store.maximumBusyTimeout else {
            return "--busy-timeout must be 0 to \(Int(Store.maximumBusyTimeout)) seconds"
        }
        if let store, store.isEmpty { return "--store must name a directory" }
        do {
            try Store.checkLocation(path)
        } catch {
            return error.message
        }
        do {
            _ = try Self.validationBudget()
        } catch {
            return error.message
        }
        return nil
    }

    /// Opens the store, which must exist.
    func open(limits: JSONParser.Limits = .init()) throws(HandoffError) -> Store {
        var configuration = configuration
        configuration.limits = limits
        return kept(try Store.open(at: path, configuration: configuration))
    }

    /// Opens the store when there is one (nil when not), without creating it.
    func openIfPresent(limits: JSONParser.Limits = .init(), readOnly: Bool = false) throws(HandoffError)
        -> Store?
    {
        var configuration = configuration
        configuration.limits = limits
        configuration.readOnly = readOnly
        return try Store.openIfPresent(at: path, configuration: configuration).map(kept)
    }

    /// Opens the store only to read it: the command writes nothing, and works on a store it may only read.
    func openToRead(limits: JSONParser.Limits = .init()) throws(HandoffError) -> Store {
        var configuration = configuration
        configuration.limits = limits
        configuration.readOnly = true
        return kept(try Store.open(at: path, configuration: configuration))
    }

    /// Opens the store, creating it when absent.
    /// - Parameter intoExistingFolder: Whether a folder holding other files may become the store (`init DIR`).
    func openOrCreate(limits: JSONParser.Limits = .init(), intoExistingFolder: Bool = false)
        throws(HandoffError)
        -> Store
    {
        var configuration = configuration
        configuration.limits = limits
        return kept(
            try Store.create(at: path, configuration: configuration, intoExistingFolder: intoExistingFolder))
    }

    /// A command answers and exits: closing the index first (finalizing its statements, freeing its
    /// schema, pages and compiled schemas) would only add to its time. Nothing is left to flush: every
    /// commit is durable in the write-ahead log when it returns, and writers leave the log as it is when
    /// they close (`SQLiteConnection`), so exiting is the same as closing.
    private func kept(_ store: Store) -> Store {
        ProcessLifetime.keep(store)
        return store
    }

    /// Parses an artifact argument (usage errors first), then opens the store and resolves it.
    func open(resolving text: String, readOnly: Bool = false) throws(HandoffError) -> (
        store: Store, argument: ArtifactArgument, id: ArtifactID
    ) {
        let argument = try ArtifactArgument(parsing: text)
        let store = readOnly ? try openToRead() : try open()
        return (store, argument, try argument.resolve(in: store))
    }
}

/// Which store a command works on, and how long it waits for other processes.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store directory (default: $HANDOFF_STORE, else ./.handoff).", valueName: "dir"))
    var store: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Seconds to wait for other processes' locks before giving up with exit status 75.",
            valueName: "seconds"))
    var busyTimeout: Double = Store.defaultBusyTimeout

    var choice: StoreChoice { StoreChoice(store: store, busyTimeout: busyTimeout) }
    var path: String { choice.path }
    var configuration: Store.Configuration { choice.configuration }

    func validate() throws {
        if let problem = choice.problem { throw ValidationError(problem) }
    }

    func open(limits: JSONParser.Limits = .init()) throws(HandoffError) -> Store {
        try choice.open(limits: limits)
    }

    func openToRead(limits: JSONParser.Limits = .init()) throws(HandoffError) -> Store {
        try choice.openToRead(limits: limits)
    }

    func openIfPresent(limits: JSONParser.Limits = .init(), readOnly: Bool = false) throws(HandoffError)
        -> Store?
    {
        try choice.openIfPresent(limits: limits, readOnly: readOnly)
    }

    func openOrCreate(limits: JSONParser.Limits = .init()) throws(HandoffError) -> Store {
        try choice.openOrCreate(limits: limits)
    }

    func open(resolving text: String, readOnly: Bool = false) throws(HandoffError) -> (
        store: Store, argument: ArtifactArgument, id: ArtifactID
    ) {
        try choice.open(resolving: text, readOnly: readOnly)
    }
}

/// Machine-readable output.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document (stable across versions) instead of text.")
    var json = false

    /// The output format a command with `--format` prints: `--format`'s, else json under `--json`, else
    /// `text`. `--json` beside another `--format` is refused rather than one of them silently ignored.
    func format<Format: RawRepresentable<String>>(_ format: Format?, json: Format, text: Format) throws
        -> Format
    {
        guard self.json else { return format ?? text }
        if let format, format != json {
            throw ValidationError("--json and --format \(format.rawValue) ask for two outputs; give one")
        }
        return json
    }
}

/// Bounds on documents read from input.
struct LimitOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Largest document accepted, in bytes.", valueName: "bytes"))
    var maxBytes: Int = JSONParser.Limits().maxBytes

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Deepest nesting of arrays and objects accepted (at most \(JSONParser.Limits.depthCeiling)).",
            valueName: "levels"))
    var maxDepth: Int = JSONParser.Limits().maxDepth

    var limits: JSONParser.Limits { JSONParser.Limits(maxDepth: maxDepth, maxBytes: maxBytes) }

    /// Why these limits would be refused (checked before `JSONParser.Limits` clamps the depth).
    static func problem(maxBytes: Int, maxDepth: Int) -> String? {
        guard maxBytes > 0 else { return "--max-bytes must be positive" }
        guard (1...JSONParser.Limits.depthCeiling).contains(maxDepth) else {
            return "--max-depth must be between 1 and \(JSONParser.Limits.depthCeiling)"
        }
        return nil
    }

    func validate() throws {
        if let problem = Self.problem(maxBytes: maxBytes, maxDepth: maxDepth) {
            throw ValidationError(problem)
        }
    }
}

/// The process environment as a dictionary, read without Foundation.
func environment() -> [String: String] {
    var result: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
        let text = String(cString: entry)
        if let equals = text.firstIndex(of: "=") {
            result[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        pointer += 1
    }
    return result
}

/// Reads a document from a file, or from standard input when the path is absent or `-`.
enum Input {
    static func read(_ path: String?, limits: JSONParser.Limits) throws(HandoffError) -> (
        bytes: [UInt8], source: String
    ) {
        guard let path, path != "-" else {
            if Terminal.stdinIsTerminal {
                throw HandoffError(
                    .usage, "no input: give a file, or pipe a document to standard input",
                    hint: "for example: handoff put scan.json --from scanner")
            }
            return (
                try FileIO.readAll(STDIN_FILENO, name: "standard input", limit: limits.maxBytes),
                "standard input"
            )
        }
        do {
            return (try FileIO.readFile(path, limit: limits.maxBytes), path)
        } catch  where error.code == .notFound {
            throw HandoffError(.notFound, "no such file: \(path)")
        }
    }

    /// Opens a stream to read line by line: a file, or standard input for nil or `-`. The caller closes the
    /// descriptor unless it is standard input.
    /// - Parameter noInput: what to throw when standard input is a terminal, so nothing would come.
    static func stream(_ path: String?, noInput: HandoffError) throws(HandoffError) -> (
        descriptor: Int32, source: String
    ) {
        guard let path, path != "-" else {
            if Terminal.stdinIsTerminal { throw noInput }
            return (STDIN_FILENO, "standard input")
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw HandoffError(.notFound, "no such file: \(path)") }
            throw FileIO.failure("cannot open", path, code)
        }
        var info = stat()
        if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw HandoffError(.usage, "\(path) is a directory, not a file")
        }
        return (descriptor, path)
    }

    /// Reads and parses a document, naming the input in any error.
    /// The canonical bytes of the document at `path`, written straight from its bytes where it can be
    /// (`CanonicalJSON.canonicalize`): no tree of the document is built, so large ones go several times faster.
    /// - Throws: `HandoffError` `.invalidInput` as `document` does, with the same message.
    static func canonical(_ path: String?, limits: JSONParser.Limits) throws(HandoffError) -> (
        bytes: [UInt8], source: String
    ) {
        let (bytes, source) = try read(path, limits: limits)
        do {
            return (try CanonicalJSON.canonicalize(bytes, limits: limits), source)
        } catch {
            throw HandoffError(.invalidInput, "\(source): \(error)", cause: error)
        }
    }

    static func document(_ path: String?, limits: JSONParser.Limits) throws(HandoffError) -> (
        document: JSONValue, source: String
    ) {
        let (bytes, source) = try read(path, limits: limits)
        return (try ArtifactDocument.parse(bytes, source: source, limits: limits), source)
    }
}

/// The filters `ls` and `inbox` share, as plain values.
struct FilterValues: Sendable {
    var schema: String?
    var producer: String?
    var workflow: String?
    var workspace: String?
    var state: [String] = []
    var since: Timestamp?
    var until: Timestamp?
    var limit = Paging.DefaultLimit.handoffs
    var offset = 0

    var problem: String? {
        guard limit > 0 else { return "--limit must be positive" }
        guard offset >= 0 else { return "--offset must be 0 or more" }
        do {
            _ = try parseStates(state)
        } catch {
            return error.message
        }
        return nil
    }

    /// The handoff filter these options describe, asking for one more than `limit` to tell whether the
    /// listing was cut.
    func handoffFilter(consumer: String? = nil, action: String? = nil) throws(HandoffError) -> HandoffFilter {
        let states = try parseStates(state)
        return HandoffFilter(
            consumer: consumer, producer: producer, states: states.isEmpty ? nil : states, schema: schema,
            workflow: workflow, workspace: workspace, action: action, since: since, until: until,
            limit: Paging.fetchCount(limit),
            offset: offset)
    }
}

/// The filters `ls` and `inbox` share.
struct FilterOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Only this schema, such as work-log-v1.", valueName: "schema"))
    var schema: String?

    @Option(
        name: [.customLong("from"), .customLong("producer")],
        help: ArgumentHelp("Only from this producer.", valueName: "producer"))
    var producer: String?

    @Option(name: .long, help: ArgumentHelp("Only in this workflow.", valueName: "id"))
    var workflow: String?

    @Option(name: .long, help: ArgumentHelp("Only in this workspace.", valueName: "name"))
    var workspace: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Only in this state (\(Handoff.State.allCases.map(\.rawValue).joined(separator: ", "))); repeatable.",
            valueName: "state"))
    var state: [String] = []

    @Option(name: .long, help: ArgumentHelp("Only created at or after this time.", valueName: "time"))
    var since: TimeArgument?

    @Option(name: .long, help: ArgumentHelp("Only created before this time.", valueName: "time"))
    var until: TimeArgument?

    @Option(name: .long, help: ArgumentHelp("At most this many.", valueName: "n"))
    var limit: Int = Paging.DefaultLimit.handoffs

    @Option(
        name: .long,
        help: ArgumentHelp(offsetHelp, valueName: "n"))
    var offset: Int = 0

    var values: FilterValues {
        FilterValues(
            schema: schema, producer: producer, workflow: workflow, workspace: workspace, state: state,
            since: since?.timestamp, until: until?.timestamp, limit: limit, offset: offset)
    }

    func validate() throws {
        // ArgumentParser turns only a ValidationError from validate() into a usage error.
        if let problem = values.problem { throw ValidationError(problem) }
    }

    func handoffFilter(consumer: String? = nil, action: String? = nil) throws(HandoffError) -> HandoffFilter {
        try values.handoffFilter(consumer: consumer, action: action)
    }
}

/// Who claims, and what, as plain values.
struct ClaimValues: Sendable {
    var worker: String?
    var schema: String?
    var workspace: String?
    var maxAttempts = Store.defaultMaxAttempts

    var problem: String? { maxAttempts > 0 ? nil : "--max-attempts must be positive" }
}

/// Who claims, and what: the options `claim` and `work` share.
struct ClaimOptions: ParsableArguments {
    @Option(
        name: .long, help: ArgumentHelp("Who is working on it (recorded on the handoff).", valueName: "name"))
    var worker: String?

    @Option(name: .long, help: ArgumentHelp("Only claim artifacts of this schema.", valueName: "schema"))
    var schema: String?

    @Option(name: .long, help: ArgumentHelp("Only claim handoffs in this workspace.", valueName: "name"))
    var workspace: String?

    @Option(
        name: .long, help: ArgumentHelp("Claims a handoff gets before it is dead-lettered.", valueName: "n"))
    var maxAttempts: Int = Store.defaultMaxAttempts

    var values: ClaimValues {
        ClaimValues(worker: worker, schema: schema, workspace: workspace, maxAttempts: maxAttempts)
    }

    func validate() throws {
        if let problem = values.problem { throw ValidationError(problem) }
    }
}
