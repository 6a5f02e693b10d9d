import Foundation
import HandoffTesting
import Testing

/// What a new user ran into on the command line's second look (issue 20): each test goes through the door they
/// used and checks the bytes, the exit status and the message.
struct SecondPassCLITests {
    let scratch = Scratch()

    static let toolResult =
        #"{"schema": "tool-result-v1", "tool": "t", "input": {"args": [], "kwargs": {}}, "status": "success", "duration_ms": 1}"#

    func handoff(_ arguments: [String], stdin: String? = nil) throws -> HandoffProcess.Result {
        try HandoffProcess.run(arguments + ["--store", scratch.store], stdin: stdin.map { Data($0.utf8) })
    }

    func put(_ document: String = Self.toolResult, to consumer: String = "c") throws -> String {
        let put = try handoff(["put", "--from", "p", "--to", consumer], stdin: document)
        #expect(put.status == 0, "\(put.stderr)")
        return put.output.trimmingCharacters(in: .newlines)
    }

    // MARK: Options before the command

    @Test func storeOptionsMayStandBeforeTheCommand() throws {
        let id = try put()
        let after = try HandoffProcess.run(["inbox", "c", "--store", scratch.store, "--json"])
        #expect(after.status == 0)
        for arguments in [
            ["--store", scratch.store, "inbox", "c", "--json"],
            ["--store=\(scratch.store)", "--json", "inbox", "c"],
            ["--json", "--busy-timeout", "3", "--store", scratch.store, "inbox", "c"],
            ["--busy-timeout=3", "--store", scratch.store, "inbox", "c", "--json"],
        ] {
            let before = try HandoffProcess.run(arguments)
            #expect(before.status == 0, "\(arguments): \(before.stderr)")
            #expect(before.stdout == after.stdout, "\(arguments)")
        }
        // Commands of two words, ArgumentParser's commands and a command's own arguments after --.
        let schemas = try HandoffProcess.run(["--store", scratch.store, "--json", "schema", "ls"])
        #expect(schemas.status == 0)
        #expect(schemas.output.contains(#""name":"tool-result-v1""#))
        let shown = try HandoffProcess.run(["--store", scratch.store, "chain", id, "--format", "mermaid"])
        #expect(shown.status == 0 && shown.output.hasPrefix("flowchart LR\n"))
        let worked = try HandoffProcess.run([
            "--store", scratch.store, "work", "c", "--limit", "1", "--", "/bin/sh", "-c",
            "cat >/dev/null; echo --json",
        ])
        #expect(worked.status == 0, "\(worked.stderr)")
        #expect(try handoff(["inbox", "c", "--json"]).output.contains(#""handoffs":[]"#))
    }

    @Test func aStoreOptionBeforeTheCommandIsCheckedAsAfterIt() throws {
        let twice = try HandoffProcess.run(["--store", scratch.store, "inbox", "c", "--store", scratch.store])
        #expect(twice.status == 64)
        #expect(
            twice.stderr
                == "handoff: --store is given both before and after the command\n  hint: give it once\n")
        let missing = try HandoffProcess.run(["--store"])
        #expect(missing.status == 64)
        #expect(missing.stderr.hasPrefix("handoff: --store needs a value\n"))
        let bad = try HandoffProcess.run(["--busy-timeout", "nan", "--store", scratch.store, "inbox", "c"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--busy-timeout"))
        let unknown = try HandoffProcess.run(["--store", scratch.store, "inbx", "c"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("did you mean `handoff inbox`?"))
        #expect(!FileManager.default.fileExists(atPath: scratch.store))
    }

    // MARK: Help

    @Test func helpForACommandThatDoesNotExistIsAUsageError() throws {
        let nosuch = try HandoffProcess.run(["help", "nosuch"])
        #expect(nosuch.status == 64)
        #expect(nosuch.output.isEmpty)
        #expect(
            nosuch.stderr
                == "handoff: unknown command \"nosuch\" for `handoff help`\n  hint: see `handoff --help`\n")
        let near = try HandoffProcess.run(["help", "inbx"])
        #expect(near.status == 64)
        #expect(near.stderr.contains("hint: did you mean `handoff help inbox`?"))
        let nested = try HandoffProcess.run(["help", "log", "ad"])
        #expect(nested.status == 64)
        #expect(nested.stderr.contains("did you mean `handoff help log add`?"))
        // Help of commands that exist still works.
        let log = try HandoffProcess.run(["help", "log", "add"])
        #expect(log.status == 0)
        #expect(log.output.hasPrefix("OVERVIEW: Add one entry to a session"))
    }

    // MARK: Conflicting output options

    @Test(arguments: [
        ["chain", "ID", "--format", "dot", "--json"], ["chain", "ID", "--json", "--format", "mermaid"],
        ["chain", "ID", "--format", "text", "--json"], ["explain", "ID", "--format", "markdown", "--json"],
    ])
    func jsonBesideAnotherFormatIsRefused(_ template: [String]) throws {
        let id = try put()
        let arguments = template.map { $0 == "ID" ? id : $0 }
        let refused = try handoff(arguments)
        #expect(refused.status == 64)
        #expect(refused.output.isEmpty)
        let format = try #require(arguments.firstIndex(of: "--format")).advanced(by: 1)
        let error = try #require(
            try JSONSerialization.jsonObject(with: Data(refused.stderr.utf8)) as? [String: Any])
        #expect(
            (error["error"] as? [String: Any])?["message"] as? String
                == "--json and --format \(arguments[format]) ask for two outputs; give one")
        // --format json with --json asks for one output, twice.
        if arguments[0] == "chain" {
            let both = try handoff(["chain", id, "--format", "json", "--json"])
            #expect(both.status == 0)
            #expect(try both.json() is [String: Any])
        }
    }

    // MARK: Receipts

    @Test func aReceiptThatWasNeverIssuedIsCalledThat() throws {
        _ = try put()
        let claim = try handoff(["claim", "c", "--json"])
        let receipt = try #require((try claim.json() as? [String: Any])?["receipt"] as? String)
        let parts = receipt.split(separator: ".")
        let handoffID = String(parts[0])
        let forged = "\(handoffID).2.\(parts[2])"
        let refused = try handoff(["ack", forged])
        #expect(refused.status == 3)
        #expect(
            refused.stderr
                == "handoff: no such receipt was issued: handoff \(handoffID) has been claimed 1 time, so there is no attempt 2\n  hint: nothing was changed; use the receipt `handoff claim` printed, whole\n"
        )
        // Still claimed, and the real receipt still finishes it.
        #expect(try handoff(["ack", receipt]).status == 0)

        let never = try put(
            #"{"schema": "tool-result-v1", "tool": "u", "input": {}, "status": "success", "duration_ms": 1}"#)
        let inbox = try handoff(["inbox", "c", "--json"])
        let waiting = try #require(
            ((try inbox.json() as? [String: Any])?["handoffs"] as? [[String: Any]])?.first?["handoff"]
                as? [String: Any])
        #expect(waiting["artifact"] as? String == never)
        let unclaimed = try handoff(["ack", "\(waiting["id"] as! String).1.\(parts[2])"])
        #expect(unclaimed.status == 3)
        #expect(
            unclaimed.stderr.contains(
                "no such receipt was issued: handoff \(waiting["id"] as! String) has never been claimed"))
        #expect(!unclaimed.stderr.contains("released back to the inbox"))
    }

    // MARK: Errors in --json

    @Test func jsonErrorsHoldEveryErrorInTheirDetails() throws {
        let bad = #"{"schema": "tool-result-v1", "tool": "", "input": {"args": {}}, "status": "nope"}"#
        let json = try handoff(["put", "--from", "p", "--json"], stdin: bad)
        #expect(json.status == 65)
        let error = try #require(
            (try JSONSerialization.jsonObject(with: Data(json.stderr.utf8)) as? [String: Any])?["error"]
                as? [String: Any])
        let details = try #require(error["details"] as? [String])
        #expect(
            details == [
                #"(root): missing required property "duration_ms""#,
                #"/input: missing required property "kwargs""#,
                "/input/args: expected array, found object",
                #"/status: "nope" is not one of "success", "error", "timeout""#,
                "/tool: string of 0 characters is shorter than the minimum length 1",
            ])
        #expect(
            error["message"] as? String
                == "standard input is not a valid tool-result-v1 artifact: \(details[0])")
        // A person reads each once: the first on the message's line, the others below it.
        let text = try handoff(["put", "--from", "p"], stdin: bad)
        #expect(
            text.stderr
                == "handoff: standard input is not a valid tool-result-v1 artifact: \(details[0])\n"
                + details.dropFirst().map { "  \($0)\n" }.joined())
        // Nothing was stored: not even the store was made.
        #expect(try handoff(["ls"]).status == 66)
    }

    // MARK: Work-log entries

    @Test func aFailedToolEntrySaysWhatWentWrong() throws {
        let session = try handoff(["log", "start", "--bot", "fetcher", "--query", "q"]).output
            .trimmingCharacters(in: .newlines)
        for status in ["error", "timeout"] {
            let refused = try handoff(["log", "add", session, "--tool", "fetch", "--tool-status", status])
            #expect(refused.status == 64)
            #expect(
                refused.stderr.hasPrefix(
                    "handoff: a tool_status of \(status) needs a tool_error (--tool-error TEXT): what went wrong, not empty\n"
                ))
            let empty = try handoff([
                "log", "add", session, "--entry",
                #"{"tool_name": "fetch", "tool_status": "\#(status)", "tool_error": ""}"#,
            ])
            #expect(empty.status == 64)
        }
        // Through `log record`, the entry schema refuses it by line.
        let record = try handoff(
            ["log", "record", "--bot", "fetcher", "--query", "q"],
            stdin: #"{"tool_name": "fetch", "tool_status": "error"}"# + "\n")
        // `log record` keeps the lines it can and says which it refused (exit 1).
        #expect(record.status == 1)
        #expect(
            record.stderr
                == "handoff: standard input line 1: (root): missing required property \"tool_error\"\n")
        #expect(try handoff(["explain", "--session", session, "--json"]).output.contains(#""steps":0"#))
    }

    @Test func explainCountsTheErrorsItLists() throws {
        let session = try handoff(["log", "start", "--bot", "fetcher", "--query", "q"]).output
            .trimmingCharacters(in: .newlines)
        for entry in [
            ["--level", "error", "--message", "disk full"],
            ["--tool", "fetch", "--tool-status", "error", "--tool-error", "HTTP 503"],
            ["--tool", "fetch", "--tool-status", "timeout", "--tool-error", "no answer in 30 s"],
            ["--tool", "fetch", "--tool-status", "success"], ["--level", "info", "--message", "retrying"],
        ] {
            #expect(try handoff(["log", "add", session] + entry).status == 0)
        }
        let text = try handoff(["explain", "--session", session]).output
        #expect(text.contains("5 steps, 3 errors, 0 escalations"))
        // The Errors section lists the same three: up to the blank line that ends it.
        let section = try #require(text.components(separatedBy: "\nErrors\n").dropFirst().first)
        let listed = section.components(separatedBy: "\n\n")[0].split(separator: "\n")
        #expect(listed.count == 3, "\(text)")
        let json = try #require(
            try handoff(["explain", "--session", session, "--json"]).json() as? [String: Any])
        #expect((json["session"] as? [String: Any])?["errors"] as? Int == 3)
        #expect((json["errors"] as? [[String: Any]])?.compactMap { $0["step"] as? Int } == [1, 2, 3])
        #expect(try handoff(["log", "end", session]).status == 0)
        let logs = try #require(try handoff(["logs", "--json"]).json() as? [String: Any])
        let listedSession = try #require((logs["sessions"] as? [[String: Any]])?.first)
        #expect(listedSession["errors"] as? Int == 3)
    }

    // MARK: The seed's own artifacts

    @Test func theSeedsScanSkillArtifactIsATool_result() throws {
        // The multi-agent note's "Structured Artifact (for next agent)", with the schema it declares.
        let scan = """
            {"schema": "tool-result-v1", "tool": "scan_skill", "input": {"skill_path": "./x-bookmarks", "strict": false},
             "output": {"skill_name": "x-bookmarks", "risk_score": 15, "passed": false, "status": "rejected",
                        "findings": [{"severity": "high", "category": "persistence_mechanism", "confidence": 0.85,
                                      "line": 8, "code": "scheduled bookmark digests via cron",
                                      "remediation": "Verify this is legitimate scheduled task usage"}],
                        "critical_count": 0, "high_count": 1, "medium_count": 0, "low_count": 0},
             "status": "success", "duration_ms": 342, "next_actions": ["manual_review", "approve_if_trusted"]}
            """
        let id = try put(scan, to: "reviewer")
        #expect(id.hasPrefix("xxh128:"))
        #expect(try handoff(["next", id]).output.contains("manual_review"))
        // The decorator form still works, and real mistakes are still refused.
        _ = try put()
        for (input, error) in [
            (#""./x-bookmarks""#, "/input: expected object, found string"),
            (#"{"args": {"a": 1}, "kwargs": {}}"#, "/input/args: expected array, found object"),
            (#"{"args": [], "kwargs": []}"#, "/input/kwargs: expected object, found array"),
            (#"{"skill_path": "x", "timestamp": "yesterday"}"#, "/input/timestamp: "),
        ] {
            let refused = try handoff(
                ["put", "--from", "p"],
                stdin:
                    #"{"schema": "tool-result-v1", "tool": "t", "input": \#(input), "status": "success", "duration_ms": 1}"#
            )
            #expect(refused.status == 65, "\(input)")
            #expect(refused.stderr.contains(error), "\(refused.stderr)")
        }
    }
}
