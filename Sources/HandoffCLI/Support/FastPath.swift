import HandoffJSON
import HandoffKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a command does once its arguments are read: the same for both ways of reading them.
protocol Invocation {
    func run() throws
}

/// The commands bots run most (inbox, get, next, show, put, claim, ack, release, extend, --version), read
/// without swift-argument-parser, whose reflection costs more than the command itself.
///
/// Only arguments spelt the plain way are taken here: long options, with their value next or after `=`,
/// flags, positionals. Anything else (help, a short option, an unknown one, a value that looks like an
/// option, an option given twice, a value that would be refused) goes to ArgumentParser, which answers it
/// as before; so both ways agree on every command line this one takes, which a test checks.
enum FastPath {
    /// The command's exit status, or nil to let ArgumentParser read the arguments.
    static func run(_ arguments: [String]) -> Int32? {
        guard let name = arguments.first, getenv("HANDOFF_NO_FAST_PATH") == nil else { return nil }
        if arguments == ["--version"] {
            Terminal.print(HandoffCommand.configuration.version)
            return 0
        }
        guard let invocation = read(name, arguments.dropFirst()) else { return nil }
        if let report = getenv("HANDOFF_FAST_PATH_REPORT") { noteTaken(name, in: report) }
        return HandoffCommand.execute { try invocation.run() }
    }

    /// Appends the command's name to the file `HANDOFF_FAST_PATH_REPORT` names: how the tests tell that a
    /// command line took this path rather than ArgumentParser's, whose answers are the same by design.
    private static func noteTaken(_ name: String, in path: UnsafePointer<CChar>) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        let line = Array((name + "\n").utf8)
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }

    /// Every command the fast path reads, with the spellings it takes; `FastPathTests` checks each against
    /// ArgumentParser's own reading of the command (`--experimental-dump-help`), so that the two cannot drift.
    static let grammars: [(command: String, grammar: FastGrammar)] = [
        ("inbox", HandoffCommand.Inbox.Run.grammar), ("get", HandoffCommand.Get.Run.grammar),
        ("next", FastArguments.idWithStoreGrammar), ("show", FastArguments.idWithStoreGrammar),
        ("put", HandoffCommand.Put.Run.grammar), ("claim", HandoffCommand.ClaimCommand.Run.grammar),
        ("ack", HandoffCommand.Ack.Run.grammar), ("release", HandoffCommand.Release.Run.grammar),
        ("extend", HandoffCommand.Extend.Run.grammar),
    ]

    /// A switch, not a dictionary of initializers: building that dictionary's type at run time (a function
    /// type returning an existential) cost a tenth of a short command.
    private static func read(_ name: String, _ arguments: ArraySlice<String>) -> (any Invocation)? {
        switch name {
        case "inbox": HandoffCommand.Inbox.Run(fast: arguments)
        case "get": HandoffCommand.Get.Run(fast: arguments)
        case "next": HandoffCommand.Next.Run(fast: arguments)
        case "show": HandoffCommand.Show.Run(fast: arguments)
        case "put": HandoffCommand.Put.Run(fast: arguments)
        case "claim": HandoffCommand.ClaimCommand.Run(fast: arguments)
        case "ack": HandoffCommand.Ack.Run(fast: arguments)
        case "release": HandoffCommand.Release.Run(fast: arguments)
        case "extend": HandoffCommand.Extend.Run(fast: arguments)
        default: nil
        }
    }
}

/// The plain spellings the fast path reads for one command; anything else goes to ArgumentParser.
struct FastGrammar: Sendable {
    /// Long options that take a value.
    var options: [String]
    /// Those of them that may be given more than once.
    var repeatable: [String] = []
    /// Long options that take none.
    var flags: [String] = []
    /// How many positional arguments.
    var positionals: ClosedRange<Int>
}

/// A command line read the plain way: positionals, long options with values, flags.
///
/// Arrays, not sets or dictionaries: a handful of options is searched as fast either way, and the first
/// `Set<String>` of a process costs a quarter of a million instructions, the runtime scanning all of the
/// binary's conformance records for `String: Hashable` to build its metadata.
struct FastArguments {
    private(set) var positionals: [String] = []
    private var values: [(name: String, value: String)] = []
    private var flags: [String] = []

    /// The options every store command takes.
    static let storeOptions = ["--store", "--busy-timeout"]
    static let filterOptions = [
        "--schema", "--from", "--producer", "--workflow", "--workspace", "--state", "--since", "--until",
        "--limit",
        "--offset",
    ]
    static let limitOptions = ["--max-bytes", "--max-depth"]

    /// Reads `arguments` as `grammar` spells them, or returns nil for anything beyond.
    init?(_ arguments: ArraySlice<String>, grammar: FastGrammar) {
        self.init(
            arguments, options: grammar.options, repeatable: grammar.repeatable, flags: grammar.flags,
            positionals: grammar.positionals)
    }

    /// Reads `arguments`, or returns nil for anything beyond the plain spellings.
    /// - Parameters:
    ///   - options: Long options that take a value.
    ///   - repeatable: Those of them that may be given more than once.
    ///   - flags: Long options that take none.
    init?(
        _ arguments: ArraySlice<String>, options: [String], repeatable: [String] = [],
        flags: [String] = [],
        positionals range: ClosedRange<Int>
    ) {
        var index = arguments.startIndex
        var onlyPositionals = false
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || argument == "-" || !argument.hasPrefix("-") {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            guard argument.hasPrefix("--") else { return nil }
            var name = argument
            var inline: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            if flags.contains(name) {
                guard inline == nil, !self.flags.contains(name) else { return nil }
                self.flags.append(name)
                continue
            }
            guard options.contains(name), repeatable.contains(name) || value(name) == nil else { return nil }
            let value: String
            if let inline {
                value = inline
            } else {
                guard index < arguments.endIndex else { return nil }
                value = arguments[index]
                index += 1
                // ArgumentParser decides whether such a value is an option; leave those to it.
                guard value == "-" || !value.hasPrefix("-") else { return nil }
            }
            values.append((name, value))
        }
        guard range.contains(positionals.count) else { return nil }
    }

    func value(_ name: String) -> String? { values.last { $0.name == name }?.value }
    func all(_ name: String) -> [String] { values.filter { $0.name == name }.map(\.value) }
    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// The value of `name` converted, nil (refusing the fast path) when present but not convertible, and
    /// `fallback` when absent.
    func converted<Value>(_ name: String, _ fallback: Value, _ convert: (String) -> Value?) -> Value? {
        guard let text = value(name) else { return fallback }
        return convert(text)
    }

    var store: StoreChoice? {
        guard let busyTimeout = converted("--busy-timeout", Store.defaultBusyTimeout, Double.init) else {
            return nil
        }
        let choice = StoreChoice(store: value("--store"), busyTimeout: busyTimeout)
        return choice.problem == nil ? choice : nil
    }

    /// `ID [--store S] [--busy-timeout N] [--json]`, what `show` and `next` take.
    static let idWithStoreGrammar = FastGrammar(options: storeOptions, flags: ["--json"], positionals: 1...1)

    /// Reads `ID [--store S] [--busy-timeout N] [--json]`.
    static func idWithStore(_ arguments: ArraySlice<String>) -> (id: String, store: StoreChoice, json: Bool)?
    {
        guard
            let parsed = FastArguments(arguments, grammar: idWithStoreGrammar),
            let store = parsed.store
        else { return nil }
        return (parsed.positionals[0], store, parsed.flag("--json"))
    }

    var filter: FilterValues? {
        guard let limit = converted("--limit", Paging.DefaultLimit.handoffs, { Int($0) }),
            let offset = converted("--offset", 0, { Int($0) }),
            let since = converted(
                "--since", Optional<Timestamp>.none, { TimeArgument(argument: $0)?.timestamp }),
            let until = converted(
                "--until", Optional<Timestamp>.none, { TimeArgument(argument: $0)?.timestamp })
        else { return nil }
        let values = FilterValues(
            schema: value("--schema"), producer: value("--producer") ?? value("--from"),
            workflow: value("--workflow"),
            workspace: value("--workspace"), state: all("--state"), since: since, until: until, limit: limit,
            offset: offset)
        // --from and --producer name one option; given both, ArgumentParser decides.
        guard values.problem == nil, value("--producer") == nil || value("--from") == nil else { return nil }
        return values
    }

    var limits: JSONParser.Limits? {
        guard let maxBytes = converted("--max-bytes", JSONParser.Limits().maxBytes, { Int($0) }),
            let maxDepth = converted("--max-depth", JSONParser.Limits().maxDepth, { Int($0) })
        else { return nil }
        guard LimitOptions.problem(maxBytes: maxBytes, maxDepth: maxDepth) == nil else { return nil }
        return JSONParser.Limits(maxDepth: maxDepth, maxBytes: maxBytes)
    }
}
