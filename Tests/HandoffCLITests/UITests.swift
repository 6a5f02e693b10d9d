import Foundation
import Testing

/// `handoff ui` in a real browser: Debian's chromium driven by Playwright (installed by scripts/ui-python),
/// each scenario of Fixtures/ui_browser.py asserting what a person sees (and, for the access rules, what
/// a plain HTTP client gets) and printing `ok <check>` per check. Runs on whichever backend the suite does.
@Suite(.serialized)
struct UITests {
    let scratch = Scratch()

    func run(_ scenario: String) throws -> HandoffProcess.Result {
        let python = HandoffProcess.repositoryRoot.appendingPathComponent("scripts/ui-python").path
        let script = HandoffProcess.repositoryRoot.appendingPathComponent(
            "Tests/HandoffCLITests/Fixtures/ui_browser.py"
        ).path
        return try HandoffProcess.shell(
            "'\(python)' '\(script)' \(scenario) '\(HandoffProcess.executable.path)' '\(scratch.store)'")
    }

    @Test(
        arguments: [
            (
                "pages",
                [
                    "the token is traded for a strict HttpOnly cookie",
                    "the overview shows every inbox, the sessions and what waits",
                    "an inbox lists the handoffs the command line lists",
                    "an inbox pages through all its handoffs, by state",
                    "an artifact shows its document, foldable, with its schema, next actions and handoffs",
                    "a chain is drawn as a graph, and a click on a node opens it",
                    "a session is a timeline of its entries, marked as the notes ask",
                    "a coordination session reads as a conversation",
                    "search finds what handoff how finds, each hit linked to its step",
                    "an open session's page shows new entries as they are recorded",
                    "a 10,000-entry session pages by 500",
                    "explain and chain --format html write one self-contained page each",
                    "stops on SIGTERM",
                ]
            ),
            (
                "decisions",
                [
                    "an escalation decided by a click is decided for the command line",
                    "an escalation claimed elsewhere is left to its holder",
                    "insights approved and rejected by clicks, as handoff insights does",
                    "stops on SIGINT",
                ]
            ),
            (
                "security",
                [
                    "secrets a bot recorded are masked on every page",
                    "text from artifacts and logs is shown, never run, on every page",
                    "pages forbid inline scripts and framing",
                    "nothing is served without the token's cookie, and the token opens once",
                    "requests for another Host are refused (DNS rebinding)",
                    "a change needs this UI's Origin and its CSRF token; anything else changes nothing",
                    "bad addresses get a clear error page",
                    "it listens on 127.0.0.1 only",
                ]
            ),
            (
                "lifecycle",
                [
                    "a port in use is a clear error", "SIGINT stops it with a page streaming",
                    "it opens the address it printed in a browser",
                    "a store that is not there is a clear error",
                ]
            ),
        ])
    func scenario(name: String, checks: [String]) throws {
        let result = try run(name)
        #expect(result.status == 0, "\(result.stderr)")
        // A check may be followed by what it measured, in parentheses.
        let lines = result.outputLines
        #expect(lines.count == checks.count, "\(result.output)\(result.stderr)")
        for (line, check) in zip(lines, checks) {
            #expect(line == "ok \(check)" || line.hasPrefix("ok \(check) ("), "\(line)\n\(result.stderr)")
        }
    }

    @Test func theCommandLineSaysWhatTheUIIs() throws {
        let help = try HandoffProcess.run(["ui", "--help"])
        #expect(help.status == 0)
        #expect(help.output.hasPrefix("OVERVIEW: See the store in a browser"))
        let usage = try HandoffProcess.shell("'\(HandoffProcess.executable.path)-ui' --help")
        #expect(usage.status == 0)
        #expect(usage.output.hasPrefix("usage: handoff ui [--store DIR] [--port N] [--no-open]"))
        let port = try HandoffProcess.run(["ui", "--port", "70000"])
        #expect(port.status == 64)
        #expect(port.stderr.contains("--port must be a port number from 0 to 65535"), "\(port.stderr)")
    }
}
