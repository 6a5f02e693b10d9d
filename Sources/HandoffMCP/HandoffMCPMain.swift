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
        var bot: String?
        var allowAny = false
        var maxMessageBytes: Int?
        let (options, outcome) = ServerArguments.read(
            arguments, usage: usage, environment: { ProcessInfo.processInfo.environment[$0] },
            say: { line, error in
                (error ? FileHandle.standardError : FileHandle.standardOutput).write(Data((line + "\n").utf8))
            },
            other: { option, value in
                switch option {
                case "--as":
                    guard let name = value() else { return "--as needs a value" }
                    bot = name
                case "--allow-any":
                    allowAny = true
                case "--max-bytes":
                    guard let text = value(), let bytes = Int(text), bytes > 0 else {
                        return "--max-bytes must be a positive number of bytes"
                    }
                    maxMessageBytes = bytes
                default:
                    return "unknown option \(option)"
                }
                return nil
            })
        if case .exit(let status) = outcome { return status }
        var configuration = HandoffMCPServer.Configuration(storePath: options.storePath)
        configuration.store = options.store
        configuration.bot = bot
        configuration.allowAny = allowAny
        if let maxMessageBytes { configuration.maxMessageBytes = maxMessageBytes }
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
