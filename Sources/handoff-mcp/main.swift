import HandoffMCP
import HandoffPostgres

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// `handoff mcp` runs this executable, kept apart from `handoff` so that the MCP SDK and what it links are
// loaded only by the server, not by every short-lived command a bot runs.
HandoffPostgres.register()
exit(await HandoffMCPMain.run(Array(CommandLine.arguments.dropFirst())))
