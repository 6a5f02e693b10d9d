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
        guard busyTimeout >= 0, busyTimeout.isFinite else {
            throw ValidationError("--busy-timeout must be zero or more seconds")
        }
        if let store, store.isEmpty { throw ValidationError("--store must name a directory") }
    }

    /// Opens the store, which must exist.
    func open(limits: JSONParser.Limits = .init()) throws(HandoffError) -> Store {
        var configuration = configuration
        configuration.limits = limits
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
