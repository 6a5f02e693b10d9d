import Foundation
import HandoffKit
import HandoffTesting
import HandoffWorkLog
import Testing

/// The work-log commands as a bot in any language uses them: JSON Lines in, ids and JSON out, exit statuses.
struct WorkLogCLITests {
    let scratch = Scratch()

    func handoff(_ arguments: [String], stdin: String? = nil) throws -> HandoffProcess.Result {
        try HandoffProcess.run(arguments + ["--store", scratch.store], stdin: stdin.map { Data($0.utf8) })
    }

    func sample(_ name: String) throws -> String {
        try String(
            contentsOf: HandoffProcess.samples.appendingPathComponent("worklogs/\(name).jsonl"),
            encoding: .utf8)
    }

    static let exampleB = [
        "--bot", "nanobot", "--workspace", "#project-refactor", "--workspace-type", "project",
        "--participant",
        "nanobot", "--participant", "researcher", "--participant", "coder", "--coordinator", "nanobot",
        "--query",
        "Refactor the authentication module", "--workflow", "wf-auth-refactor",
    ]

    @Test func logRecordTakesAWholeSessionFromStandardInput() throws {
        let recorded = try handoff(
            ["log", "record"] + Self.exampleB + ["--to", "reviewer"], stdin: try sample("b-project-refactor"))
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let workLog = recorded.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(workLog.hasPrefix("xxh128:") && workLog.count == 39)
        let inbox = try handoff(["inbox", "reviewer", "--json"])
        let handoffs = try #require(try inbox.json() as? [String: Any])["handoffs"] as? [[String: Any]]
        #expect((handoffs?.first?["handoff"] as? [String: Any])?["artifact"] as? String == workLog)
        let get = try handoff(["get", workLog, "--json"])
        let document = try #require(try get.json() as? [String: Any])
        #expect(document["workflow_id"] as? String == "wf-auth-refactor")
        #expect((document["summary"] as? [String: Any])?["total_steps"] as? Int == 9)
        #expect(try handoff(["escalations"]).output.contains("nanobot: 🚨 Escalation: Password policy choice"))
        #expect(try handoff(["verify"]).status == 0)
    }

    @Test func logRecordReportsBadLinesByNumberKeepsTheRestAndExitsOne() throws {
        let lines = [
            #"{"level": "info", "category": "general", "message": "first"}"#,
            #"{"level": "info", "message": "unterminated"#,
            #"{"level": "decision", "message": "too sure", "confidence": 1.7}"#,
            "",
            #"{"level": "info", "message": "typo", "confidense": 0.5}"#,
            #"{"tool_name": "bird", "tool_output": {"count": 12}}"#,
            ##"{"level": "info", "message": "wrong room", "workspace_id": "#elsewhere"}"##,
            #"{"end": {"final_output": 42}}"#,
            #"{"level": "info", "message": "last"}"#,
        ]
        let result = try handoff(
            ["log", "record", "--bot", "nanobot", "--query", "q", "--json"],
            stdin: lines.joined(separator: "\n"))
        #expect(result.status == 1)
        let report = try #require(try result.json() as? [String: Any])
        #expect(report["recorded"] as? Int == 3)
        let refused = try #require(report["refused"] as? [[String: Any]])
        #expect(refused.map { $0["line"] as? Int } == [2, 3, 5, 7, 8])
        #expect(
            refused[0]["message"] as? String
                == "column 30: unterminated string: the input ends before its closing quote")
        #expect(refused[1]["message"] as? String == "/confidence: 1.7 is greater than the maximum 1")
        #expect((refused[2]["message"] as? String)?.contains("confidense") == true)
        #expect(
            refused[3]["message"] as? String
                == "workspace_id \"#elsewhere\" is not this session's workspace \"#general\"")
        #expect(refused[4]["message"] as? String == "/end/final_output must be a string or null, not number")
        #expect(report["ended"] is NSNull, "the end line was refused, so the session stays open")
        let session = try #require((report["session"] as? [String: Any])?["id"] as? String)
        let explained = try handoff(["explain", "--session", session, "--mode", "detailed", "--json"])
        let entries = try #require((try explained.json() as? [String: Any])?["entries"] as? [[String: Any]])
        #expect(entries.map { $0["message"] as? String } == ["first", "Executed bird", "last"])
        #expect(entries.map { $0["step"] as? Int } == [1, 2, 3])
        // Without --json, each refusal is one line on standard error.
        let text = try handoff(
            ["log", "record", "--bot", "nanobot", "--query", "q"], stdin: lines.joined(separator: "\n"))
        #expect(text.status == 1)
        #expect(
            text.stderr.contains(
                "handoff: standard input line 3: /confidence: 1.7 is greater than the maximum 1\n"))
    }

    @Test func linesAfterTheEndAndOverlongLinesAreRefused() throws {
        let long = #"{"level": "info", "message": ""# + String(repeating: "x", count: 5000) + #""}"#
        let input = [long, #"{"end": {}}"#, #"{"level": "info", "message": "late"}"#].joined(separator: "\n")
        let result = try handoff(
            ["log", "record", "--bot", "b", "--query", "q", "--max-bytes", "1000"], stdin: input)
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "handoff: standard input line 1: the line is 5032 bytes, more than the limit of 1000\n"))
        #expect(
            result.stderr.contains(
                "handoff: standard input line 3: the session already ended (work log xxh128:"))
    }

    /// A session longer than an artifact may be ends all the same: its raw record is stored in parts, each a
    /// work-session-v1 under the limit and the parent of the next, all parents of the work log; read whole by
    /// explain, also once the index no longer holds the session.
    @Test func aSessionOfAnyLengthEndsWithItsRecordInParts() throws {
        var input = (1...30).map { number in
            #"{"level": "info", "category": "general", "message": "entry \#(number) "#
                + String(repeating: "y", count: 200)
                + #""}"#
        }
        input.append(
            #"{"level": "coordination", "category": "escalation", "message": "decide", "escalation": true}"#)
        input.append(
            #"{"tool_name": "t", "tool_output": {"next_actions": ["publish"]}, "tool_status": "success"}"#)
        input.append(#"{"end": {"final_output": "done"}}"#)
        let result = try handoff(
            [
                "log", "record", "--bot", "b", "--query", "q", "--max-bytes", "4000", "--to", "reviewer",
                "--json",
            ],
            stdin: input.joined(separator: "\n"))
        #expect(result.status == 0, "\(result.stderr)")
        let ended = try #require((try result.json() as? [String: Any])?["ended"] as? [String: Any])
        let workLog = try #require(ended["work_log"] as? String)
        let parts = try #require(
            (try handoff(["ls", "--schema", "work-session-v1", "--json"]).json() as? [String: Any])?[
                "artifacts"]
                as? [[String: Any]])
        #expect(parts.count >= 3, "\(parts.count) parts")
        #expect(parts.allSatisfy { ($0["size"] as? Int ?? .max) <= 4000 })
        // Each part is the parent of the next; all are the work log's parents.
        let chain = try #require(try handoff(["chain", workLog, "--json"]).json() as? [String: Any])
        let edges = try #require(chain["edges"] as? [[String: Any]])
        let partIDs = Set(parts.compactMap { $0["id"] as? String })
        let intoWorkLog = edges.filter { $0["child"] as? String == workLog }.compactMap {
            $0["parent"] as? String
        }
        #expect(Set(intoWorkLog) == partIDs)
        let betweenParts = edges.filter {
            partIDs.contains($0["child"] as? String ?? "") && partIDs.contains($0["parent"] as? String ?? "")
        }
        #expect(betweenParts.count == parts.count - 1)
        #expect(try handoff(["verify"]).status == 0)
        let steps = { (arguments: [String]) throws -> [Int] in
            let explained = try self.handoff(arguments + ["--mode", "debug", "--json"])
            #expect(explained.status == 0, "\(explained.stderr)")
            return try #require((try explained.json() as? [String: Any])?["entries"] as? [[String: Any]])
                .compactMap { $0["step"] as? Int }
        }
        #expect(try steps(["explain", workLog]) == Array(1...32))
        // Once gc has let the session's rows go (retention 0), it is read back from the parts, whole.
        #expect(
            try handoff(["config", "set", "work_logs.workspace_defaults.open.retention_days", "0"]).status
                == 0)
        let gc = try handoff(["gc", "--json"])
        #expect(((try gc.json() as? [String: Any])?["sessions"] as? [Any])?.count == 1, "\(gc.output)")
        #expect(try steps(["explain", workLog]) == Array(1...32))
        let middle = try #require(parts.dropFirst().first?["id"] as? String)
        #expect(try steps(["explain", middle]) == Array(1...32))
        // The escalation's parent is the part that holds its step.
        let escalation = try #require(
            (try handoff(["ls", "--schema", "escalation-v1", "--json"]).json() as? [String: Any]).flatMap {
                ($0["artifacts"] as? [[String: Any]])?.first?["id"] as? String
            })
        let escalationChain = try #require(
            try handoff(["chain", escalation, "--json"]).json() as? [String: Any])
        let holder = try #require(
            (escalationChain["edges"] as? [[String: Any]])?.first { $0["child"] as? String == escalation }?[
                "parent"]
                as? String)
        let holderDocument = try #require(try handoff(["get", holder, "--json"]).json() as? [String: Any])
        #expect(
            (holderDocument["entries"] as? [[String: Any]])?.contains { $0["step"] as? Int == 31 } == true)
    }

    @Test func aShellRecordsStepByStep() throws {
        let session = try handoff(["log", "start", "--bot", "nanobot", "--query", "What's the weather like?"])
        #expect(session.status == 0)
        let id = session.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let routed = try handoff([
            "log", "add", id, "--level", "decision", "--category", "routing", "--message", "Simple query",
            "--confidence", "0.95",
        ])
        #expect(routed.output == "1\n")
        let tool = try handoff([
            "log", "add", id, "--tool", "weather_lookup", "--tool-input", #"{"location": "auto-detect"}"#,
            "--tool-output", #"{"temp": 72, "next_actions": ["dress_for_sun"]}"#, "--tool-status", "success",
            "--duration-ms", "450",
        ])
        #expect(tool.output == "2\n", "\(tool.stderr)")
        let whole = try handoff([
            "log", "add", id, "--entry", #"{"level": "info", "message": "Response delivered to user"}"#,
            "--json",
        ])
        let entry = try #require((try whole.json() as? [String: Any])?["entry"] as? [String: Any])
        #expect(entry["step"] as? Int == 3 && entry["triggered_by"] as? String == "user")
        let ended = try handoff([
            "log", "end", id, "--final-output", "It's 72°F and sunny!", "--to", "action_suggester", "--json",
        ])
        #expect(ended.status == 0, "\(ended.stderr)")
        let report = try #require(try ended.json() as? [String: Any])
        #expect(report["recommendations"] as? [String] == ["dress_for_sun"])
        let handedOn = (report["handoffs"] as? [[String: Any]])?.first?["handoff"] as? [String: Any]
        #expect(handedOn?["consumer"] as? String == "action_suggester")
        #expect(((report["session"] as? [String: Any])?["state"] as? String) == "ended")

        #expect(try handoff(["log", "add", id, "--level", "info", "--message", "late"]).status == 3)
        #expect(try handoff(["log", "end", id]).status == 3)
        let unknown = try handoff(["log", "add", "no-such-session", "--level", "info", "--message", "m"])
        #expect(
            unknown.status == 66 && unknown.stderr.hasPrefix("handoff: no work session \"no-such-session\""))
        let bad = try handoff(["log", "add", id, "--level", "loud", "--message", "m"])
        #expect(bad.status == 65 && bad.stderr.contains("/level"))
        let badJSON = try handoff(["log", "add", id, "--details", "{not json"])
        #expect(badJSON.status == 65 && badJSON.stderr.hasPrefix("handoff: --details: line 1, column 2:"))
    }

    @Test func aStreamedSessionTakesNoStepwiseEntries() throws {
        let recorded = try handoff(
            ["log", "record", "--bot", "b", "--query", "q", "--json"],
            stdin: #"{"level": "info", "message": "m"}"#)
        let session = try #require(
            ((try recorded.json() as? [String: Any])?["session"] as? [String: Any])?["id"] as? String)
        let add = try handoff(["log", "add", session, "--level", "info", "--message", "m"])
        #expect(add.status == 3)
        #expect(add.stderr.contains("is being recorded by a stream"))
        // Its recorder is gone, so anyone may end it.
        #expect(try handoff(["log", "end", session]).status == 0)
    }

    @Test func explainHowLogsAndInsightsFromTheShell() throws {
        #expect(
            try handoff(["log", "record"] + Self.exampleB, stdin: try sample("b-project-refactor")).status
                == 0)
        let direct = [
            "--bot", "researcher", "--workspace", "dm-researcher", "--workspace-type", "direct",
            "--participant",
            "nanobot", "--participant", "researcher", "--query",
            "Research quantum computing applications in cryptography",
        ]
        #expect(try handoff(["log", "record"] + direct, stdin: try sample("c-direct-research")).status == 0)

        let summary = try handoff(["explain", "--workspace", "#project-refactor"])
        #expect(summary.status == 0)
        #expect(
            summary.output.contains(
                "\nWaiting for a decision\n  step 9  nanobot → user  🚨 Escalation: Password policy choice"))
        let markdown = try handoff(["explain", "--format", "markdown"])
        #expect(
            markdown.output.hasPrefix("Comprehensive research report on quantum cryptography...\n\n<details>")
        )
        let coordination = try handoff([
            "explain", "--workspace", "#project-refactor", "--mode", "coordination",
        ])
        #expect(coordination.output.contains("step 3  researcher (re step 2): Found 2 issues"))
        let json = try handoff(["explain", "--json", "--mode", "debug", "--bot", "@researcher"])
        let explained = try #require(try json.json() as? [String: Any])
        #expect((explained["entries"] as? [Any])?.count == 6)

        let how = try handoff(["how", "quantum cryptography", "--json"])
        let hits = try #require((try how.json() as? [String: Any])?["hits"] as? [[String: Any]])
        #expect(hits.first?["workspace"] as? String == "dm-researcher")
        let none = try handoff(["how", "zebra"])
        #expect(none.status == 0 && none.output == "No entries match \"zebra\".\n")
        #expect(try handoff(["how", "?!"]).status == 64)

        let logs = try handoff(["logs", "--limit", "1", "--json"])
        let listed = try #require(try logs.json() as? [String: Any])
        #expect((listed["sessions"] as? [Any])?.count == 1 && listed["truncated"] as? Bool == true)
        let table = try handoff(["logs"])
        #expect(table.outputLines.first?.hasPrefix("SESSION") == true && table.outputLines.count == 3)

        let insights = try handoff(["insights", "--json"])
        let pending = try #require((try insights.json() as? [String: Any])?["insights"] as? [[String: Any]])
        let id = try #require(pending.first?["id"] as? String)
        let approved = try handoff(["insights", "approve", id])
        #expect(approved.status == 0 && approved.output.contains("approved  research_finding  92%"))
        #expect(try handoff(["insights", "approve", id]).status == 3)
        #expect(try handoff(["inbox", "researcher"]).output.contains("insight-v1"))

        #expect(try handoff(["explain", "--session", "nope"]).status == 66)
        #expect(try HandoffProcess.run(["explain", "--store", scratch.path + "/missing"]).status == 66)
    }

    @Test func configChangesWhatTheStoreKeeps() throws {
        #expect(try handoff(["config", "set", "work_logs.log_levels", #"["decision","error"]"#]).status == 0)
        let shown = try handoff(["config", "show", "work_logs.log_levels"])
        #expect(shown.output == "[\"decision\",\"error\"]\n")
        let recorded = try handoff(
            ["log", "record", "--bot", "b", "--query", "q", "--json"],
            stdin: #"{"level": "info", "message": "dropped"}"# + "\n"
                + #"{"level": "decision", "message": "kept"}"#)
        let report = try #require(try recorded.json() as? [String: Any])
        #expect(report["recorded"] as? Int == 1 && report["dropped"] as? Int == 1)
        let bad = try handoff(["config", "set", "work_logs.info_sample_rate", "2"])
        #expect(
            bad.status == 65
                && bad.stderr == "handoff: work_logs.info_sample_rate must be a number from 0 to 1, not 2\n")
        let unknown = try handoff(["config", "set", "work_logs.retention", "3"])
        #expect(
            unknown.status == 64
                && unknown.stderr.hasPrefix("handoff: there is no setting \"work_logs.retention\""))
        #expect(try handoff(["config", "unset", "work_logs.log_levels"]).status == 0)
        #expect(try handoff(["config", "show", "work_logs.log_levels"]).output.contains("\"coordination\""))
        #expect(try handoff(["config", "set", "work_logs.enabled", "false"]).status == 0)
        let disabled = try handoff(["log", "start", "--bot", "b", "--query", "q"])
        #expect(disabled.status == 64 && disabled.stderr.contains("work logs are disabled"))
    }

    @Test func gcRemovesWorkLogsPastTheirRetention() throws {
        #expect(
            try handoff(
                ["log", "record", "--bot", "nanobot", "--query", "weather"],
                stdin: try sample("a-general-weather")
            ).status == 0)
        #expect(
            try handoff(["log", "record"] + Self.exampleB, stdin: try sample("b-project-refactor")).status
                == 0)
        let kept = try handoff(["gc", "--json"])
        #expect((try kept.json() as? [String: Any])?["sessions"] as? [String] == [])
        #expect(
            try handoff(["config", "set", "work_logs.workspace_defaults.open.retention_days", "0"]).status
                == 0)
        let dry = try handoff(["gc", "--dry-run", "--keep-days", "0"])
        #expect(
            dry.output.hasPrefix(
                "would remove 1 work sessions (3 entries, 0 insights), 2 artifacts (0 handoffs)"))
        let removed = try handoff(["gc", "--keep-days", "0", "--json"])
        let report = try #require(try removed.json() as? [String: Any])
        #expect((report["sessions"] as? [String])?.count == 1 && report["object_files"] as? Int == 2)
        let logs = try handoff(["logs", "--json"])
        let sessions = try #require((try logs.json() as? [String: Any])?["sessions"] as? [[String: Any]])
        #expect(sessions.map { $0["workspace"] as? String } == ["#project-refactor"])
        #expect(try handoff(["verify"]).status == 0)
    }

    @Test func importTakesTheSeedsWorkLogDatabase() throws {
        let database = scratch.path + "/work_logs.db"
        let script = HandoffProcess.repositoryRoot.appendingPathComponent(
            "Tests/HandoffWorkLogTests/Fixtures/nanobot_work_logs.py")
        let python = try HandoffProcess.shell("python3 '\(script.path)' '\(database)'")
        try #require(python.status == 0, "\(python.stderr)")
        let first = try handoff(["import", "--nanobot-work-logs", database])
        #expect(first.status == 0)
        #expect(
            first.output
                == "Read 3 work logs: imported 3 (12 entries, 2 ended), already imported 0, refused 0 entries.\n"
        )
        let second = try handoff(["import", "--nanobot-work-logs", database, "--json"])
        #expect((try second.json() as? [String: Any])?["already_imported"] as? Int == 3)
        let explain = try handoff(["explain", "--session", "direct-1739356265.123", "--mode", "detailed"])
        #expect(
            explain.output.contains(
                "input {\"auth\":\"Bearer [masked]\",\"command\":\"bookmarks\",\"count\":50}"))
        let notDB = scratch.write("notes.txt", "hello")
        let refused = try handoff(["import", "--nanobot-work-logs", notDB])
        #expect(refused.status == 65 && refused.stderr == "handoff: \(notDB) is not an SQLite database\n")
        #expect(try handoff(["import", "--nanobot-work-logs", database, "--from", "x"]).status == 64)
    }

    /// Several recorder processes on one store at once, each streaming a session of its own, and several
    /// shells adding to one stepwise session: every entry lands, numbered without gaps or repeats.
    @Test func concurrentRecordersOnOneStore() throws {
        #expect(try handoff(["init"]).status == 0)
        let recorders = 6
        let entries = 300
        var processes: [(ChildProcess, Pipe, Pipe)] = []
        for index in 0..<recorders {
            let lines =
                (1...entries).map {
                    #"{"level": "info", "category": "general", "message": "bot \#(index) step \#($0)"}"#
                }
                + [#"{"end": {"final_output": "done"}}"#]
            processes.append(
                try HandoffProcess.start(
                    [
                        "log", "record", "--bot", "bot\(index)", "--query", "q\(index)", "--to", "reviewer",
                        "--store", scratch.store,
                    ],
                    stdin: Data(lines.joined(separator: "\n").utf8)))
        }
        let session = try handoff(["log", "start", "--bot", "shell", "--query", "shared"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var adders: [ChildProcess] = []
        for index in 0..<4 {
            let script = (1...15).map {
                "'\(HandoffProcess.executable.path)' log add \(session) --level info --message 'adder \(index) #\($0)' --store '\(scratch.store)' >/dev/null || exit 1"
            }
            .joined(separator: "; ")
            let process = ChildProcess()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", script]
            try process.run()
            adders.append(process)
        }
        for (process, out, err) in processes {
            _ = out.fileHandleForReading.readDataToEndOfFile()
            let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(errors)")
        }
        for process in adders {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        let store = try Store.open(at: scratch.store)
        let workLog = try WorkLog(store: store)
        let sessions = try workLog.sessions(WorkSessionFilter(limit: 100))
        #expect(sessions.count == recorders + 1)
        for info in sessions where info.start.bot != "shell" {
            #expect(info.isEnded && info.steps == entries)
            let stored = try workLog.entries(ofSession: info.id)
            #expect(stored.map(\.step) == Array(1...entries))
            #expect(
                stored.last?.message
                    == "\(info.start.bot.replacingOccurrences(of: "bot", with: "bot ")) step \(entries)")
        }
        let shared = try workLog.entries(ofSession: session)
        #expect(shared.map(\.step) == Array(1...60), "each add got the next step, none twice")
        #expect(Set(shared.map(\.message)).count == 60)
        #expect(try store.inbox("reviewer", filter: HandoffFilter(limit: 100)).count == recorders)
        #expect(try store.verify().isClean)
    }

    /// A recorder killed with SIGKILL part-way: every entry it read more than a second before it died is in
    /// the store, in order, and the session is left not ended.
    @Test(arguments: 0..<3)
    func aRecorderKilledMidSessionKeepsWhatItHadForASecond(round: Int) throws {
        #expect(try handoff(["init"]).status == 0)
        let (process, _, _) = try startStreaming()
        let input = process.standardInput as! Pipe
        var written: [(index: Int, at: Date)] = []
        var generator = SeededRandom(for: "aRecorderKilledMidSessionKeepsWhatItHadForASecond(\(round))")
        let killAt = Date().addingTimeInterval(1.6 + Double.random(in: 0...1.2, using: &generator))
        var index = 0
        while Date() < killAt {
            index += 1
            let line = #"{"level": "info", "category": "general", "message": "entry \#(index)"}"# + "\n"
            try input.fileHandleForWriting.write(contentsOf: Data(line.utf8))
            written.append((index, Date()))
            usleep(useconds_t.random(in: 2_000...15_000, using: &generator))
        }
        #expect(written.count > 50, "the kill lands in a stream well under way")
        kill(process.processIdentifier, SIGKILL)
        let killed = Date()
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let store = try Store.open(at: scratch.store)
        let workLog = try WorkLog(store: store)
        let session = try #require(try workLog.sessions().first)
        #expect(!session.isEnded)
        let stored = try workLog.entries(ofSession: session.id)
        #expect(stored.map(\.step) == Array(1..<(stored.count + 1)), "a prefix, in order")
        #expect(stored.map(\.message) == (1..<(stored.count + 1)).map { "entry \($0)" })
        let olderThanASecond = written.filter { killed.timeIntervalSince($0.at) > 1 }.count
        #expect(
            stored.count >= olderThanASecond,
            "\(stored.count) stored, \(olderThanASecond) written a second before the kill")
        #expect(stored.count <= written.count)
        #expect(try store.verify().isClean)
        // Its recorder's lease holds for up to a minute after the kill: ending it needs --force till then.
        let refused = try handoff(["log", "end", session.id])
        #expect(refused.status == 3)
        #expect(
            refused.stderr.contains(
                "is being recorded by handoff log record, pid \(process.processIdentifier)"))
        #expect(try handoff(["log", "end", session.id, "--force"]).status == 0)
    }

    private func startStreaming() throws -> (ChildProcess, Pipe, Pipe) {
        let process = ChildProcess()
        process.executableURL = HandoffProcess.executable
        process.arguments = [
            "log", "record", "--bot", "nanobot", "--query", "long", "--store", scratch.store,
        ]
        let input = Pipe()
        let out = Pipe()
        let err = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }
}
