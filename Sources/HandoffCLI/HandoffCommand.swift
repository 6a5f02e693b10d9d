import ArgumentParser
import HandoffKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `handoff`: the command line of a Handoff store.
public struct HandoffCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "handoff",
        abstract: "Hand structured work from one AI agent to another.",
        discussion: """
            Bots write schema-versioned JSON artifacts into a content-addressed store and hand them to each \
            other. The store is --store DIR, else $HANDOFF_STORE, else ./.handoff. Options every command takes \
            (--store, --json, --busy-timeout) may also come before the command: handoff --store S inbox c.

            Every command that prints data takes --json and then prints one JSON document. Exit statuses: \
            0 success, 1 a check found something wanting, 2 nothing to claim, 3 conflict, 64 usage error, \
            65 bad input data, 66 not found, 74 I/O error, 75 store busy.

            Try `handoff demo`, then `handoff ls` and `handoff show ID`.
            """,
        version: HandoffVersion.current,
        subcommands: [
            Canonicalize.self, Hash.self, Init.self, Put.self, Get.self, Show.self, List.self, Inbox.self,
            ClaimCommand.self, Ack.self, Release.self, Extend.self, Retry.self, Route.self, ChainCommand.self,
            Next.self, Work.self, Import.self, Validate.self, SchemaCommand.self, Log.self, Explain.self,
            How.self, Logs.self, Escalations.self, Insights.self, Config.self, MCP.self, UI.self, Stats.self,
            Verify.self,
            GC.self, Copy.self, Demo.self,
        ]
    )

    public init() {}

    /// Runs the command line and returns the process's exit status.
    ///
    /// Errors are printed to standard error as one line, `handoff: <what>`, with a hint where one helps; with
    /// `--json`, as one JSON object, `{"error": {"code", "message", "hint", "details"}}`.
    public static func run(_ given: [String]) -> Int32 {
        // After --, arguments are a command's own (`work … -- tool --json`), not ours.
        Terminal.jsonErrors = given.prefix(while: { $0 != "--" }).contains("--json")
        let arguments: [String]
        do throws(HandoffError) {
            arguments = try hoistingGlobalOptions(given)
        } catch {
            Terminal.report(error)
            return error.code.exitStatus
        }
        if let status = FastPath.run(arguments) { return status }
        // ArgumentParser answers `help` of a command it does not know with the top-level help and status 0.
        if arguments.first == "help",
            let unknown = unknownCommand(in: Array(arguments.dropFirst()), after: "help")
        {
            Terminal.report(unknown)
            return HandoffError.Code.usage.exitStatus
        }
        return execute {
            do {
                var command = try parseAsRoot(arguments)
                try command.run()
            } catch let error as HandoffError {
                throw error
            } catch let exit as ExitCode {
                throw exit
            } catch {
                let status = exitCode(for: error)
                if status == .success {
                    Terminal.print(fullMessage(for: error))
                    return
                }
                if let unknown = unknownCommand(in: arguments) {
                    Terminal.report(unknown)
                    throw ExitCode(status.rawValue)
                }
                Terminal.report(
                    HandoffError(
                        .usage, message(for: error).replacingFirstCapital().abbreviatingLongQuotes(),
                        hint: "see `handoff \(subcommandName(in: arguments) ?? "")--help`"))
                throw ExitCode(status.rawValue)
            }
        }
    }

    /// Options every store command takes, which may stand before the command as in git, docker and kubectl:
    /// `handoff --store S inbox c` is `handoff inbox c --store S`. The flags, then the options with a value.
    static let globalOptions = (flags: ["--json"], valued: ["--store", "--busy-timeout"])

    /// The command line with the global options given before the command moved after it (before any `--`,
    /// past which arguments are a command's own).
    /// - Throws: `HandoffError` `.usage` for one without its value, or given both before and after.
    static func hoistingGlobalOptions(_ arguments: [String]) throws(HandoffError) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first, first.hasPrefix("--") {
            let name = String(first.prefix { $0 != "=" })
            if globalOptions.flags.contains(first) {
                leading.append(first)
                rest = rest.dropFirst()
            } else if globalOptions.valued.contains(name) {
                if name == first {
                    guard rest.count >= 2 else {
                        throw HandoffError(
                            .usage, "\(name) needs a value", hint: "handoff \(name) VALUE COMMAND …")
                    }
                    leading += rest.prefix(2)
                    rest = rest.dropFirst(2)
                } else {
                    leading.append(first)
                    rest = rest.dropFirst()
                }
            } else {
                break
            }
        }
        guard !leading.isEmpty else { return arguments }
        let own = rest.prefix { $0 != "--" }
        for option in leading where option.hasPrefix("--") {
            let name = String(option.prefix { $0 != "=" })
            if own.contains(where: { $0 == name || $0.hasPrefix(name + "=") }) {
                throw HandoffError(
                    .usage, "\(name) is given both before and after the command", hint: "give it once")
            }
        }
        return Array(own) + leading + rest.dropFirst(own.count)
    }

    /// Runs a command line in this process as `run` does, then lets go of what the command kept for the
    /// process's exit, so that another can run after it: for runners of many command lines in one process,
    /// such as the command-line fuzzer (`Fuzz/Harnesses/cli.swift`).
    ///
    /// - Parameters:
    ///   - output: The descriptor the command's data goes to, instead of standard output.
    ///   - errors: The descriptor its errors go to, instead of standard error.
    public static func runInProcess(
        _ arguments: [String], output: Int32 = STDOUT_FILENO, errors: Int32 = STDERR_FILENO
    ) -> Int32 {
        Terminal.outputDescriptor = output
        Terminal.errorDescriptor = errors
        defer {
            Terminal.outputDescriptor = STDOUT_FILENO
            Terminal.errorDescriptor = STDERR_FILENO
        }
        let status = run(arguments)
        ProcessLifetime.releaseAll()
        Terminal.resetOutput()
        return status
    }

    /// Runs a command's body and returns its exit status, reporting a failure as every command does.
    static func execute(_ body: () throws -> Void) -> Int32 {
        do {
            try body()
            // A command whose output did not all arrive did not do what it was asked.
            if let failure = Terminal.outputError { throw failure }
            return 0
        } catch let error as HandoffError {
            if !(Terminal.outputClosed && error.message == Terminal.outputError?.message) {
                Terminal.report(error)
            }
            return error.code.exitStatus
        } catch let exit as ExitCode {
            return exit.rawValue
        } catch {
            Terminal.report(HandoffError(.io, "\(error)"))
            return HandoffError.Code.io.exitStatus
        }
    }

    /// The error for a mistyped command name (`handoff inbx c`), naming the nearest one, or nil when the
    /// arguments name known commands as far as commands go.
    /// - Parameter words: What the suggestion and the message put after `handoff`, such as `help`.
    static func unknownCommand(in arguments: [String], after words: String? = nil) -> HandoffError? {
        var subcommands = HandoffCommand.configuration.subcommands
        var hasDefault = false
        var path = "handoff"
        // The command as the user reached it: `handoff help log` where `help` came first.
        func named(_ path: String) -> String {
            (words.map { "handoff " + $0 } ?? "handoff") + path.dropFirst(7)
        }
        for argument in arguments {
            // Past the commands, or where a default subcommand may take the word as its argument.
            if argument.hasPrefix("-") || subcommands.isEmpty || hasDefault { return nil }
            if let next = subcommands.first(where: { $0._commandName == argument }) {
                subcommands = next.configuration.subcommands
                hasDefault = next.configuration.defaultSubcommand != nil
                path += " " + argument
                continue
            }
            var nearest: String?
            var best = Int.max
            for name in subcommands.map({ $0._commandName }) {
                let distance = editDistance(name, argument)
                if distance < best {
                    best = distance
                    nearest = name
                }
            }
            let hint =
                if let nearest, best <= max(2, argument.count / 3) {
                    "did you mean `\(named(path)) \(nearest)`?"
                } else {
                    "see `\(path) --help`"
                }
            return HandoffError(
                .usage, "unknown command \(quotedForMessage(argument)) for `\(named(path))`", hint: hint)
        }
        return nil
    }

    private static func subcommandName(in arguments: [String]) -> String? {
        guard let first = arguments.first,
            configuration.subcommands.contains(where: {
                $0.configuration.commandName == first || $0._commandName == first
            })
        else { return nil }
        return first + " "
    }
}

extension String {
    /// ArgumentParser's messages start with a capital; ours continue `handoff: ` in lower case.
    fileprivate func replacingFirstCapital() -> String {
        guard let first = first, first.isUppercase, dropFirst().first?.isLowercase ?? true else {
            return self
        }
        return first.lowercased() + dropFirst()
    }
}

extension String {
    /// ArgumentParser quotes a refused value whole (`the value '999…' is invalid for '--limit <n>'`); a value of
    /// 400 digits would bury the message, so a long one is cut to its start and its length.
    func abbreviatingLongQuotes(longest: Int = 40) -> String {
        let parts = split(separator: "'", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return self }
        var result = ""
        for (index, part) in parts.enumerated() {
            if index > 0 { result += "'" }
            // Odd parts are inside quotes, when the quote that closes them is there.
            if index % 2 == 1, index < parts.count - 1, part.count > longest {
                result += part.prefix(longest / 2) + "… (\(part.count) characters)"
            } else {
                result += part
            }
        }
        return result
    }
}

/// The number of single-character insertions, deletions and substitutions that turn `a` into `b`.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars)
    let b = Array(b.unicodeScalars)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
