import Foundation
import HandoffKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The command line of `handoff mcp` (the `handoff-mcp` executable): parses the options and serves.
public enum HandoffMCPMain {
    static let usage = """
        usage: handoff mcp [--store DIR] [--as BOT] [--allow-any] [--busy-timeout SECONDS] [--max-bytes BYTES]

        Serves the store at DIR (default: $HANDOFF_STORE, else ./.handoff; created when absent) to an agent host
        over the Model Context Protocol on standard input and output.

          --as BOT         act for BOT: puts are from BOT, claims for BOT, sessions recorded by BOT
          --allow-any      let calls act for any bot (without it, --as is the only bot served)
          --max-bytes N    the longest message accepted (default \(MCPLimits.defaultMessageBytes))

        Register it with an agent host (the "mcpServers" JSON most read):
          {"mcpServers": {"handoff": {"command": "handoff", "args": ["mcp", "--as", "researcher"],
                                      "env": {"HANDOFF_STORE": "/srv/bots/.handoff"}}}}
        """

    /// Runs the server with `arguments`; returns the process's exit status.
    public static func run(_ arguments: [String]) async -> Int32 {
        // A host that goes away closes the pipe the answers go to: writing then fails with EPIPE, which the
        // transport handles (a claim in the answer is given back), instead of killing the server.
        signal(SIGPIPE, SIG_IGN)
        var configuration = HandoffMCPServer.Configuration(
            storePath: ProcessInfo.processInfo.environment["HANDOFF_STORE"].flatMap { $0.isEmpty ? nil : $0 }
                ?? ".handoff")
        do {
            if let budget = try Store.validationBudget(
                environment: ProcessInfo.processInfo.environment["HANDOFF_VALIDATION_BUDGET"])
            {
                configuration.store.validationBudget = budget
            }
        } catch {
            complain(error.message)
            return 64
        }
        // `--name=value` is `--name value`, as ArgumentParser reads it for `handoff mcp`.
        let split = arguments.flatMap { argument -> [String] in
            guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else {
                return [argument]
            }
            return [String(argument[..<equals]), String(argument[argument.index(after: equals)...])]
        }
        var iterator = split.makeIterator()
        func value(_ option: String) -> String? {
            guard let value = iterator.next() else {
                complain("\(option) needs a value")
                return nil
            }
            return value
        }
        while let argument = iterator.next() {
            switch argument {
            case "--store":
                guard let path = value(argument), !path.isEmpty else { return 64 }
                configuration.storePath = path
            case "--as":
                guard let bot = value(argument) else { return 64 }
                configuration.bot = bot
            case "--allow-any":
                configuration.allowAny = true
            case "--busy-timeout":
                guard let text = value(argument), let seconds = Double(text),
                    (0...Store.maximumBusyTimeout).contains(seconds)
                else {
                    complain("--busy-timeout must be 0 to \(Int(Store.maximumBusyTimeout)) seconds")
                    return 64
                }
                configuration.store.busyTimeout = seconds
            case "--max-bytes":
                guard let text = value(argument), let bytes = Int(text), bytes > 0 else {
                    complain("--max-bytes must be a positive number of bytes")
                    return 64
                }
                configuration.maxMessageBytes = bytes
            case "--help", "-h":
                print(usage)
                return 0
            default:
                complain("unknown option \(argument)")
                FileHandle.standardError.write(Data((usage + "\n").utf8))
                return 64
            }
        }
        do {
            try await HandoffMCPServer.run(configuration)
            return 0
        } catch let error as HandoffError {
            complain(error.message + (error.hint.map { "\n  hint: \($0)" } ?? ""))
            return error.code.exitStatus
        } catch {
            complain("\(error)")
            return 74
        }
    }

    private static func complain(_ message: String) {
        FileHandle.standardError.write(Data("handoff: \(message)\n".utf8))
    }
}
