import Foundation
import Testing

/// Sessions still being recorded belong to their recorder: gc does not collect them whatever the retention,
/// and another process does not end them unless forced; a recorder never reports success for entries it
/// could not store.
@Suite(.serialized)
struct LiveSessionCLITests {
    let scratch = Scratch()

    func handoff(_ arguments: [String]) throws -> HandoffProcess.Result {
        try HandoffProcess.run(arguments + ["--store", scratch.store], timeLimit: 60)
    }

    /// A `log record` process whose standard input the test writes line by line.
    final class Recorder {
        let process = ChildProcess()
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()

        init(store: String, bot: String) throws {
            process.executableURL = HandoffProcess.executable
            process.arguments = [
                "log", "record", "--bot", bot, "--query", "live", "--json", "--store", store,
            ]
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            try process.run()
        }

        func write(_ line: String) throws {
            try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
        }

        func entry(_ number: Int) throws {
            try write(#"{"level": "info", "category": "general", "message": "entry \#(number)"}"#)
        }

        /// Ends the stream with an end line and waits: the exit status, what it printed and said.
        func finish(endLine: Bool = true) throws -> (status: Int32, output: String, errors: String) {
            if endLine { try write(#"{"end": {"final_output": "done"}}"#) }
            try input.fileHandleForWriting.close()
            let printed = output.fileHandleForReading.readDataToEndOfFile()
            let said = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (
                process.terminationStatus, String(decoding: printed, as: UTF8.self),
                String(decoding: said, as: UTF8.self)
            )
        }
    }

    /// What was once 100 of 103 live streams dying with "work-log entries were lost": gc with a retention of
    /// 0 days, run again and again while eight streams record.
    @Test func gcLeavesLiveSessionsAlone() throws {
        #expect(
            try handoff(["config", "set", "work_logs.workspace_defaults.open.retention_days", "0"]).status
                == 0)
        let recorders = try (0..<8).map { try Recorder(store: scratch.store, bot: "bot\($0)") }
        for number in 1...12 {
            for recorder in recorders { try recorder.entry(number) }
            let gc = try handoff(["gc", "--json"])
            #expect(gc.status == 0, "\(gc.stderr)")
            #expect(
                ((try gc.json() as? [String: Any])?["sessions"] as? [Any])?.isEmpty == true, "\(gc.output)")
            usleep(150_000)
        }
        for recorder in recorders {
            let (status, output, errors) = try recorder.finish()
            #expect(status == 0, "\(errors)")
            let result = try #require(
                try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
            #expect(result["recorded"] as? Int == 12)
            let ended = try #require(result["ended"] as? [String: Any])
            #expect((ended["session"] as? [String: Any])?["steps"] as? Int == 12)
        }
        // Ended, they go: retention counts from the end.
        let gc = try handoff(["gc", "--json"])
        #expect(((try gc.json() as? [String: Any])?["sessions"] as? [Any])?.count == 8)
    }

    @Test func anotherProcessDoesNotEndALiveSessionUnlessForced() throws {
        let kept = try Recorder(store: scratch.store, bot: "keeper")
        try kept.entry(1)
        usleep(300_000)
        let sessions = try #require(
            (try handoff(["logs", "--json"]).json() as? [String: Any])?["sessions"] as? [[String: Any]])
        let session = try #require(sessions.first?["id"] as? String)
        let refused = try handoff(["log", "end", session])
        #expect(refused.status == 3)
        #expect(
            refused.stderr.hasPrefix(
                "handoff: work session \"\(session)\" is being recorded by handoff log record, pid \(kept.process.processIdentifier) on "
            ), "\(refused.stderr)")
        #expect(refused.stderr.contains("hint: let its recorder end it, or end it with --force"))
        try kept.entry(2)
        let finished = try kept.finish()
        #expect(finished.status == 0, "\(finished.errors)")
        #expect(
            ((try JSONSerialization.jsonObject(with: Data(finished.output.utf8)) as? [String: Any])?["ended"]
                as? [String: Any]) != nil)

        // Forced, the session ends; its recorder then cannot store what comes, and says so.
        let forced = try Recorder(store: scratch.store, bot: "forced")
        try forced.entry(1)
        usleep(300_000)
        let open = try #require(
            ((try handoff(["logs", "--json"]).json() as? [String: Any])?["sessions"] as? [[String: Any]])?
                .first { $0["state"] as? String == "open" }?["id"] as? String)
        let ended = try handoff(["log", "end", open, "--force"])
        #expect(ended.status == 0, "\(ended.stderr)")
        try forced.entry(2)
        let lost = try forced.finish()
        #expect(lost.status == 3, "\(lost.output) \(lost.errors)")
        #expect(lost.errors.contains("work-log entries were lost"), "\(lost.errors)")
        #expect(lost.errors.contains("has already ended"), "\(lost.errors)")

        // A stream that ends without an end line lets go of its session: anyone may end it at once.
        let detached = try Recorder(store: scratch.store, bot: "detached")
        try detached.entry(1)
        let stopped = try detached.finish(endLine: false)
        #expect(stopped.status == 0, "\(stopped.errors)")
        let id = try #require(
            ((try JSONSerialization.jsonObject(with: Data(stopped.output.utf8)) as? [String: Any])?["session"]
                as? [String: Any])?["id"] as? String)
        #expect(try handoff(["log", "end", id]).status == 0)
    }

    @Test func gcHelpSaysWhatIsKept() throws {
        let help = try HandoffProcess.run(["gc", "--help"])
        let words = help.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(
            words.contains("An open session is never collected while it had activity within the last day"))
    }
}
