import Foundation
import HandoffTesting
import Testing

/// `handoff work`: what the command it runs sees, where its output goes, and how a worker stops.
struct WorkCLITests {
    let scratch = Scratch()

    static let toolResult =
        #"{"schema": "tool-result-v1", "tool": "t", "input": {"args": [], "kwargs": {}}, "status": "success", "duration_ms": 1}"#

    func handoff(_ arguments: [String], stdin: String? = nil) throws -> HandoffProcess.Result {
        try HandoffProcess.run(
            arguments + ["--store", scratch.store], stdin: stdin.map { Data($0.utf8) }, timeLimit: 60)
    }

    func handoffs(_ state: String) throws -> [[String: Any]] {
        let listed = try handoff(["ls", "--handoffs", "--state", state, "--json"])
        let elements = try #require((try listed.json() as? [String: Any])?["handoffs"] as? [[String: Any]])
        return elements.compactMap { $0["handoff"] as? [String: Any] }
    }

    @Test func withJSONTheCommandsOutputGoesToStandardErrorAndItsLastWordsToTheNote() throws {
        #expect(try handoff(["put", "--from", "p", "--to", "w"], stdin: Self.toolResult).status == 0)
        let result = try HandoffProcess.run(
            [
                "work", "w", "--json", "--store", scratch.store, "--", "sh", "-c",
                "echo progress; echo 'some detail' >&2; echo 'no credentials for the API' >&2; exit 3",
            ], timeLimit: 60)
        #expect(result.status == 0)
        // Standard output is the one summary, whatever the command printed.
        let summary = try #require(try result.json() as? [String: Any])
        #expect(summary["processed"] as? Int == 1 && summary["blocked"] as? Int == 1)
        #expect(result.stderr == "progress\nsome detail\nno credentials for the API\n")
        let blocked = try handoffs("blocked")
        #expect(blocked.first?["note"] as? String == "sh exited with status 3: no credentials for the API")
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func aSignalStopsTheWorkerAfterTheCommandAndGivesTheHandoffBack(_ signal: Int32) throws {
        #expect(try handoff(["put", "--from", "p", "--to", "w"], stdin: Self.toolResult).status == 0)
        let (process, out, err) = try HandoffProcess.start([
            "work", "w", "--store", scratch.store, "--", "sh", "-c", "echo started >&2; exec sleep 30",
        ])
        // Wait until the command runs.
        let deadline = Date().addingTimeInterval(30)
        while try handoffs("claimed").isEmpty && Date() < deadline { usleep(50_000) }
        usleep(200_000)
        let sent = Date()
        kill(process.processIdentifier, signal)
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        _ = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(sent) < 10, "the worker waited for its command's natural end")
        #expect(process.terminationReason == .exit, "killed instead of stopping")
        #expect(process.terminationStatus == 128 + signal)
        #expect(String(decoding: errors, as: UTF8.self).hasPrefix("started\n"))
        let pending = try handoffs("pending")
        #expect(pending.count == 1, "the handoff is back in the inbox at once, not after its lease")
        let id = try #require(pending.first?["id"] as? String)
        let events = try #require(
            (try handoff(["show", id, "--json"]).json() as? [String: Any])?["events"] as? [[String: Any]])
        #expect(events.last?["kind"] as? String == "released")
        #expect(
            (events.last?["note"] as? String)?.hasPrefix("sh was stopped by signal \(signal) with its worker")
                == true)
    }

    @Test func theUsageLineSaysTheCommandComesAfterTheDoubleDash() throws {
        let help = try HandoffProcess.run(["work", "--help"])
        #expect(
            help.output.contains("USAGE: handoff work <consumer> [<options>] -- <command> [<argument> ...]"))
        // Options after -- are the command's own: --json there does not change how errors are reported.
        let missing = try HandoffProcess.run([
            "work", "w", "--store", scratch.path + "/none", "--", "tool", "--json",
        ])
        #expect(missing.status == 66)
        #expect(missing.stderr.hasPrefix("handoff: no store at"))
    }
}
