import Foundation
import Testing

/// `handoff mcp` driven by the official MCP Python SDK (`mcp`, installed by scripts/mcp-python): each
/// scenario of Fixtures/mcp_client.py asserts what the client sees and prints `ok <check>` per check.
@Suite(.serialized)
struct MCPTests {
    let scratch = Scratch()

    func run(_ scenario: String) throws -> HandoffProcess.Result {
        let python = HandoffProcess.repositoryRoot.appendingPathComponent("scripts/mcp-python").path
        let client = HandoffProcess.repositoryRoot.appendingPathComponent(
            "Tests/HandoffCLITests/Fixtures/mcp_client.py"
        ).path
        return try HandoffProcess.shell(
            "'\(python)' '\(client)' \(scenario) '\(HandoffProcess.executable.path)' '\(scratch.store)'")
    }

    @Test(
        arguments: [
            (
                "basic",
                [
                    "initialize", "list tools", "put", "inbox", "claim", "claim on an empty inbox", "ack",
                    "extend, release and route", "next actions", "chain", "read tools",
                ]
            ),
            (
                "session",
                [
                    "start session", "log entries", "bad entries refused", "end session", "explain", "how",
                    "escalations", "readable from the command line",
                ]
            ),
            ("resources", ["templates", "subscription notified", "read resources", "traversal refused"]),
            (
                "hostile",
                [
                    "unknown tool", "wrong argument types", "invalid artifact", "traversal ids", "identity",
                    "50 MB argument refused", "still serving",
                ]
            ),
            (
                "malformed",
                ["malformed lines answered", "still serving after them", "exits when its input ends"]
            ),
            ("jsonrpc", ["nothing served before initialize", "invalid requests answered with their id"]),
            (
                "departures",
                [
                    "a claim nobody read goes back, uncounted", "claimed afterwards as a first attempt",
                    "every request answered after the input ends",
                    "a claim nested 600 levels deep is answered",
                ]
            ),
            ("boundary", ["resources refused", "tools refused", "--allow-any reads them"]),
            (
                "views",
                [
                    "chain drawn as asked", "explain shown as asked", "ack records the bot",
                    "ack hands on with it", "every error in the details",
                ]
            ),
        ])
    func scenario(name: String, checks: [String]) throws {
        let result = try run(name)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.outputLines == checks.map { "ok \($0)" }, "\(result.stderr)")
    }

    @Test func theCommandLineSaysWhatTheServerIs() throws {
        let help = try HandoffProcess.run(["mcp", "--help"])
        #expect(help.status == 0)
        #expect(
            help.output.hasPrefix(
                "OVERVIEW: Serve the store to an agent host over the Model Context Protocol"))
        // The server's own usage, which `handoff mcp` runs, unwrapped.
        let usage = try HandoffProcess.shell("'\(HandoffProcess.executable.path)-mcp' --help")
        #expect(usage.status == 0)
        #expect(
            usage.output.contains(
                #"{"mcpServers": {"handoff": {"command": "handoff", "args": ["mcp", "--as", "researcher"],"#))
        let bad = try HandoffProcess.run(["mcp", "--as", "no spaces"])
        #expect(bad.status == 64 && bad.stderr.contains("invalid bot name \"no spaces\""))
    }
}
