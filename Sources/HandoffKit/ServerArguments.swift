/// The command line of the servers `handoff mcp` and `handoff ui` start (`handoff-mcp`, `handoff-ui`), read
/// without ArgumentParser so that they start without loading it: the options those commands pass on, spelt
/// as ArgumentParser takes them (`--name value` and `--name=value`).
public struct ServerArguments: Sendable {
    /// Where the store is: `--store`, else `$HANDOFF_STORE`, else `.handoff`.
    public var storePath: String
    /// `--busy-timeout` (and the validation budget of `$HANDOFF_VALIDATION_BUDGET`).
    public var store = Store.Configuration()

    /// What reading them came to.
    public enum Outcome: Sendable, Equatable {
        /// Serve.
        case serve
        /// Exit with this status: `--help` was answered (0), or an error was said (64).
        case exit(Int32)
    }

    /// Reads `arguments`: `--store`, `--busy-timeout` and `--help` here, every other option through `other`,
    /// which is given the option's name and a way to take its value, and answers nil when it took the option
    /// or an error message when not.
    /// - Parameters:
    ///   - environment: Reads `HANDOFF_STORE` and `HANDOFF_VALIDATION_BUDGET`.
    ///   - say: Writes a line to standard output (`--help`) or, with `error` set, a complaint to standard
    ///     error.
    public static func read(
        _ arguments: [String], usage: String, environment: (String) -> String?,
        say: (_ line: String, _ error: Bool) -> Void,
        other: (_ option: String, _ value: () -> String?) -> String?
    ) -> (ServerArguments, Outcome) {
        var result = ServerArguments(
            storePath: environment("HANDOFF_STORE").flatMap { $0.isEmpty ? nil : $0 } ?? ".handoff")
        func refuse(_ message: String, withUsage: Bool = false) -> (ServerArguments, Outcome) {
            say("handoff: " + message + (withUsage ? "\n" + usage : ""), true)
            return (result, .exit(64))
        }
        do {
            if let budget = try Store.validationBudget(environment: environment("HANDOFF_VALIDATION_BUDGET"))
            {
                result.store.validationBudget = budget
            }
        } catch {
            return refuse(error.message)
        }
        let split = arguments.flatMap { argument -> [String] in
            guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else {
                return [argument]
            }
            return [String(argument[..<equals]), String(argument[argument.index(after: equals)...])]
        }
        var iterator = split.makeIterator()
        var missing: String?
        func value(_ option: String) -> String? {
            guard let value = iterator.next() else {
                missing = option
                return nil
            }
            return value
        }
        while let argument = iterator.next() {
            switch argument {
            case "--store":
                guard let path = value(argument) else { return refuse("--store needs a value") }
                guard !path.isEmpty else { return refuse("--store needs a store's folder or URL") }
                result.storePath = path
            case "--busy-timeout":
                guard let text = value(argument) else { return refuse("--busy-timeout needs a value") }
                guard let seconds = Double(text),
                    (0...Store.maximumBusyTimeout).contains(seconds)
                else {
                    return refuse("--busy-timeout must be 0 to \(Int(Store.maximumBusyTimeout)) seconds")
                }
                result.store.busyTimeout = seconds
            case "--help", "-h":
                say(usage, false)
                return (result, .exit(0))
            default:
                guard argument.hasPrefix("-") else {
                    return refuse("unexpected argument \(argument)", withUsage: true)
                }
                if let message = other(argument, { value(argument) }) {
                    if let missing { return refuse("\(missing) needs a value") }
                    return refuse(message, withUsage: message.hasPrefix("unknown option"))
                }
            }
        }
        return (result, .serve)
    }
}
