import Foundation
import HandoffTesting
import Testing

/// Long work shows how far it has got on a terminal, and nowhere else: each command runs under a real
/// pseudo-terminal (util-linux `script`), then with `--json`, then into a pipe, and the bytes are compared.
struct ProgressCLITests {
    let scratch = Scratch()

    /// The progress line's start: a carriage return and "erase the line", then what is going on.
    static let redraw = "\r\u{1B}[2K"

    /// Runs `handoff ARGUMENTS --store STORE` with a terminal for its standard input, output and error;
    /// returns everything it wrote there, and its exit status.
    func onTerminal(_ arguments: [String]) throws -> (status: Int32, text: String) {
        let line = ([HandoffProcess.executable.path] + arguments + ["--store", scratch.store]).map {
            "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
        let run = try HandoffProcess.shell("script -qfec \(shellQuoted(line)) /dev/null")
        return (run.status, run.output)
    }

    func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    func lines(_ count: Int) -> String {
        (0..<count).map {
            #"{"schema": "tool-result-v1", "tool": "t\#($0)", "input": {"args": [], "kwargs": {}}, "status": "success", "duration_ms": 1}"#
        }.joined(separator: "\n") + "\n"
    }

    @Test func importShowsItsProgressOnATerminalOnly() throws {
        let file = scratch.write("runs.jsonl", lines(3_000))
        let shown = try onTerminal(["import", file, "--from", "p"])
        #expect(shown.status == 0)
        #expect(shown.text.contains(Self.redraw + "importing "))
        #expect(shown.text.contains(" lines"))
        // The line is cleared before the summary, which stands alone.
        #expect(shown.text.contains(Self.redraw + "Read 3000: imported 3000"))

        let json = try onTerminal(["import", file, "--from", "p", "--json"])
        #expect(json.status == 0)
        #expect(!json.text.contains("importing") && !json.text.contains("\u{1B}"))
        #expect(json.text.hasPrefix("{"))

        let piped = try HandoffProcess.run(["import", file, "--from", "p", "--store", scratch.store])
        #expect(piped.status == 0)
        #expect(piped.stderr.isEmpty)
        #expect(
            piped.output == "Read 3000: imported 0, already stored 3000, refused 0; 0 handoffs created.\n")
    }

    @Test func verifyAndGCShowTheirProgressOnATerminalOnly() throws {
        _ = try HandoffProcess.run(
            ["import", scratch.write("runs.jsonl", lines(200)), "--from", "p", "--store", scratch.store])
        let verified = try onTerminal(["verify"])
        #expect(verified.status == 0)
        #expect(verified.text.contains(Self.redraw + "verifying "))
        #expect(!(try onTerminal(["verify", "--json"])).text.contains("verifying"))
        #expect(try HandoffProcess.run(["verify", "--store", scratch.store]).stderr.isEmpty)

        // Nothing hands the imported artifacts on: with no days kept, gc removes them all.
        let collected = try onTerminal(["gc", "--keep-days", "0"])
        #expect(collected.status == 0)
        #expect(collected.text.contains(Self.redraw + "removing "))
        #expect(collected.text.contains("removed"))
    }

    @Test func copyAndLogRecordFromAFileShowTheirProgress() throws {
        _ = try HandoffProcess.run(
            ["import", scratch.write("runs.jsonl", lines(100)), "--from", "p", "--store", scratch.store])
        let copy = try onTerminal(["copy", "--to", scratch.path + "/copy"])
        #expect(copy.status == 0)
        #expect(copy.text.contains(Self.redraw + "copying "))

        let entries = (0..<500).map { #"{"level": "info", "message": "step \#($0)"}"# }.joined(
            separator: "\n")
        let file = scratch.write("session.jsonl", entries + "\n")
        let recorded = try onTerminal(["log", "record", file, "--bot", "b", "--query", "q"])
        #expect(recorded.status == 0)
        #expect(recorded.text.contains(Self.redraw + "recording "))
        // From a pipe, as a live bot streams, nothing but the session's id.
        let piped = try HandoffProcess.run(
            ["log", "record", "--bot", "b", "--query", "q", "--store", scratch.store],
            stdin: Data(entries.utf8))
        #expect(piped.status == 0 && piped.stderr.isEmpty)
    }
}
