import ArgumentParser
import HandoffJSON
import HandoffKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
    var busyTimeout: Double = 10

    var path: String {
        store ?? Store.defaultPath(environment: environment())
    }

    var configuration: Store.Configuration {
        Store.Configuration(busyTimeout: busyTimeout)
    }

    func validate() throws {
        guard busyTimeout >= 0, busyTimeout <= Store.maximumBusyTimeout else {
            throw ValidationError("--busy-timeout must be 0 to \(Int(Store.maximumBusyTimeout)) seconds")
        }
        if let store, store.isEmpty { throw ValidationError("--store must name a directory") }
    }

    /// Opens the store, which must exist.
    func open(limits: JSONParser.Limits = .init()) throws(HandoffError) -> Store {
        var configuration = configuration
        configuration.limits = limits
        return try Store.open(at: path, configuration: configuration)
    }

    /// Opens the store only to read it: the command writes nothing, and works on a store it may only read.
    func openToRead(limits: JSONParser.Limits = .init()) throws(HandoffError) -> Store {
        var configuration = configuration
        configuration.limits = limits
        configuration.readOnly = true
        return try Store.open(at: path, configuration: configuration)
    }

    /// Opens the store, creating it when absent.
    func openOrCreate(limits: JSONParser.Limits = .init()) throws(HandoffError) -> Store {
        var configuration = configuration
        configuration.limits = limits
        return try Store.create(at: path, configuration: configuration)
    }
}

/// Machine-readable output.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document (stable across versions) instead of text.")
    var json = false
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

    func validate() throws {
        guard maxBytes > 0 else { throw ValidationError("--max-bytes must be positive") }
        guard (1...JSONParser.Limits.depthCeiling).contains(maxDepth) else {
            throw ValidationError("--max-depth must be between 1 and \(JSONParser.Limits.depthCeiling)")
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

    /// Reads and parses a document, naming the input in any error.
    static func document(_ path: String?, limits: JSONParser.Limits) throws(HandoffError) -> (
        document: JSONValue, source: String
    ) {
        let (bytes, source) = try read(path, limits: limits)
        return (try ArtifactDocument.parse(bytes, source: source, limits: limits), source)
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
    var limit: Int = 100

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
        do {
            _ = try parseStates(state)
        } catch {
            // ArgumentParser turns only a ValidationError from validate() into a usage error.
            throw ValidationError(error.message)
        }
    }

    /// The handoff filter these options describe.
    func handoffFilter(consumer: String? = nil, action: String? = nil) throws(HandoffError) -> HandoffFilter {
        let states = try parseStates(state)
        return HandoffFilter(
            consumer: consumer, producer: producer, states: states.isEmpty ? nil : states, schema: schema,
            workflow: workflow, workspace: workspace, action: action, since: since?.timestamp,
            until: until?.timestamp,
            limit: limit)
    }
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

    func validate() throws {
        guard maxAttempts > 0 else { throw ValidationError("--max-attempts must be positive") }
    }
}

extension StoreOptions {
    /// Parses an artifact argument (usage errors first), then opens the store and resolves it.
    func open(resolving text: String, readOnly: Bool = false) throws(HandoffError) -> (
        store: Store, argument: ArtifactArgument, id: ArtifactID
    ) {
        let argument = try ArtifactArgument(parsing: text)
        let store = readOnly ? try openToRead() : try open()
        return (store, argument, try argument.resolve(in: store))
    }
}
