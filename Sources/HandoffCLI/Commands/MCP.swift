import ArgumentParser
import HandoffKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension HandoffCommand {
    struct MCP: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mcp",
            abstract: "Serve the store to an agent host over the Model Context Protocol (stdio).",
            discussion: """
                The store's operations become MCP tools (put_artifact, inbox, claim, ack, release, extend, route, \
                next_actions, chain, validate_artifact, get_artifact, list_schemas, get_schema, start_session, \
                log_entry, end_session, explain, how, escalations), its artifacts, inboxes, schemas and sessions \
                resources (handoff://artifact/{id}, handoff://inbox/{consumer}, …); a subscribed inbox sends a \
                notification when a handoff arrives, from whichever process.

                --as BOT fixes the bot the server acts for: puts are from BOT, claims for BOT, and it refuses to \
                act on other bots' handoffs and sessions unless --allow-any is given. That is a boundary between \
                cooperating bots on one machine, not authentication.

                Register it with an agent host (the "mcpServers" JSON most read):
                  {"mcpServers": {"handoff": {"command": "handoff",
                                              "args": ["mcp", "--as", "researcher"]}}}
                """)

        @Option(name: .customLong("as"), help: ArgumentHelp("The bot the server acts for.", valueName: "bot"))
        var bot: String?

        @Flag(name: .long, help: "Let calls act for any bot.")
        var allowAny = false

        @Option(
            name: .long, help: ArgumentHelp("The longest message accepted, in bytes.", valueName: "bytes"))
        var maxBytes: Int = MCPLimits.defaultMessageBytes

        @OptionGroup var store: StoreOptions

        func validate() throws {
            guard maxBytes > 0 else { throw ValidationError("--max-bytes must be positive") }
            if let bot {
                do {
                    try Store.checkName(bot, as: "bot")
                } catch {
                    throw ValidationError(error.message)
                }
            }
        }

        func run() throws {
            var arguments = [
                "--store", store.path, "--busy-timeout", String(store.busyTimeout), "--max-bytes",
                String(maxBytes),
            ]
            if let bot { arguments += ["--as", bot] }
            if allowAny { arguments.append("--allow-any") }
            try execSibling("handoff-mcp", arguments)
        }
    }
}

/// Replaces this process with the executable `name` beside it, run with `arguments`: how `handoff mcp` and
/// `handoff ui` start their servers, kept apart so that what they link is loaded only by them.
func execSibling(_ name: String, _ arguments: [String]) throws {
    let path = try siblingExecutable(name)
    let pointers = ([path] + arguments).map { strdup($0) } + [nil]
    execv(path, pointers)
    throw HandoffError(.io, "cannot start \(path): \(String(cString: strerror(errno)))")
}

private func siblingExecutable(_ name: String) throws(HandoffError) -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    let own =
        length > 0
        ? String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        : CommandLine.arguments[0]
    let directory = own.contains("/") ? String(own[..<own.lastIndex(of: "/")!]) : "."
    let path = directory + "/" + name
    guard access(path, X_OK) == 0 else {
        throw HandoffError(
            .notFound,
            "handoff \(name.dropFirst("handoff-".count)) needs the \(name) executable beside \(own)",
            hint: "build it with `swift build --product \(name)`, or install them all with scripts/install")
    }
    return path
}
