import Foundation
import HandoffTesting
import Testing

/// Secrets in what bots record never reach the disk, by any door: `log record`, `log start/add/end` (with
/// options and with `--entry`), escalations, insights, the seed's database imported, and MCP. Each test plants
/// the shapes a hostile review found stored raw, then searches every byte of every file of the store.
struct PrivacyCLITests {
    let scratch = Scratch()

    /// Each planted secret, by the shape it is planted in.
    static let secrets = [
        "481491803803",  // a number under "password"
        "sk-proj-Ab3dEf5gHi7jKl9mNo1pQr3sTu5vWx7yZa9",  // in a list under "api_key"
        "opaque-bearer-value-77",  // in an object under "token"
        "AKIAIOSFODNN7EXAMPLE",  // as an object key, and in prose
        "Qx2secret",  // after an @ in a URL's password
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",  // bare, by its entropy
    ]

    static let details =
        #"{"password": 481491803803, "api_key": ["sk-proj-Ab3dEf5gHi7jKl9mNo1pQr3sTu5vWx7yZa9"], "token": {"value": "opaque-bearer-value-77"}, "AKIAIOSFODNN7EXAMPLE": "prod"}"#
    static let prose =
        "deploy to postgres://alice:Pw1x@Qx2secret@db.example.com/app with AKIAIOSFODNN7EXAMPLE and wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

    func handoff(_ arguments: [String], stdin: String? = nil) throws -> HandoffProcess.Result {
        try HandoffProcess.run(
            arguments + ["--store", scratch.store], stdin: stdin.map { Data($0.utf8) }, timeLimit: 60)
    }

    /// Every file of the store (or every row of its database), searched for every planted secret; returns
    /// how many bytes were searched.
    @discardableResult
    func expectNoSecretOnDisk(_ secrets: [String] = Self.secrets) throws -> Int {
        var scanned = 0
        for (file, bytes) in try TestBackend.storedBytes(at: scratch.store) {
            scanned += bytes.count
            for secret in secrets {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) found in \(file)")
            }
        }
        // A folder's index alone is tens of kilobytes; a database schema's rows are what they hold.
        #expect(scanned > (TestBackend.storesAreFolders ? 10_000 : 500))
        return scanned
    }

    @Test func recordedStreamsKeepNoSecret() throws {
        let lines = [
            #"{"level": "decision", "category": "user_preference", "message": "\#(Self.prose)", "details": \#(Self.details), "confidence": 0.95, "shareable_insight": true}"#,
            #"{"tool_name": "deploy", "tool_input": \#(Self.details), "tool_output": {"log": "\#(Self.prose)", "session_token": 12345678901}, "tool_status": "error", "tool_error": "\#(Self.prose)"}"#,
            #"{"level": "coordination", "category": "escalation", "message": "\#(Self.prose)", "escalation": true, "details": \#(Self.details)}"#,
            #"{"end": {"final_output": "\#(Self.prose)", "summary": "\#(Self.prose)"}}"#,
        ]
        let recorded = try handoff(
            [
                "log", "record", "--bot", "deployer", "--workspace", "#ops", "--workspace-type", "project",
                "--participant", "deployer", "--query", Self.prose, "--to", "reviewer",
            ], stdin: lines.joined(separator: "\n"))
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let insights = try #require(try handoff(["insights", "--json"]).json() as? [String: Any])
        let pending = try #require(insights["insights"] as? [[String: Any]])
        #expect(pending.count == 1)
        let approved = try handoff(["insights", "approve", try #require(pending.first?["id"] as? String)])
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect(
            (try handoff(["escalations", "--json"]).json() as? [String: Any])?["escalations"] as? [Any] != nil
        )
        try expectNoSecretOnDisk()
        // What is left is there to read: the masked shapes, in the session's record.
        let explained = try handoff(["explain", "--mode", "debug", "--json"])
        #expect(explained.output.contains("[masked:high-entropy]"))
        #expect(explained.output.contains("postgres://alice:[masked]@db.example.com/app"))
    }

    @Test func stepwiseSessionsKeepNoSecret() throws {
        let start = try handoff(["log", "start", "--bot", "deployer", "--query", Self.prose])
        #expect(start.status == 0, "\(start.stderr)")
        let session = start.output.trimmingCharacters(in: .newlines)
        let added = try handoff([
            "log", "add", session, "--level", "tool", "--message", Self.prose, "--details", Self.details,
            "--tool", "deploy", "--tool-input", Self.details, "--tool-output", Self.details, "--tool-status",
            "error", "--tool-error", Self.prose,
        ])
        #expect(added.status == 0, "\(added.stderr)")
        let entry = try handoff([
            "log", "add", session, "--entry",
            #"{"level": "coordination", "category": "escalation", "message": "\#(Self.prose)", "escalation": true, "details": \#(Self.details)}"#,
        ])
        #expect(entry.status == 0, "\(entry.stderr)")
        let ended = try handoff([
            "log", "end", session, "--final-output", Self.prose, "--summary", Self.prose, "--to", "reviewer",
        ])
        #expect(ended.status == 0, "\(ended.stderr)")
        try expectNoSecretOnDisk()
    }

    @Test func theSeedsDatabaseImportsWithoutSecrets() throws {
        let database = scratch.path + "/work_logs.db"
        let script = HandoffProcess.repositoryRoot.appendingPathComponent(
            "Tests/HandoffWorkLogTests/Fixtures/nanobot_work_logs.py"
        ).path
        #expect(try HandoffProcess.shell("python3 '\(script)' '\(database)'").status == 0)
        // A session of the seed's with the new shapes in it, written as the seed writes them.
        let insert = """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            c.execute("INSERT INTO work_logs (id, session_id, query, start_time, end_time, final_output, entry_count) VALUES ('direct-2', 'direct-2', ?, '2025-02-12 10:00:00', '2025-02-12 10:01:00', ?, 1)", (sys.argv[2], sys.argv[2]))
            c.execute("INSERT INTO work_log_entries (work_log_id, step, timestamp, level, category, message, details_json, tool_input_json, tool_output_json) VALUES ('direct-2', 1, '2025-02-12 10:00:30', 'info', 'general', ?, ?, ?, ?)", (sys.argv[2], sys.argv[3], sys.argv[3], sys.argv[3]))
            # A session id that is a key id: imported under an id derived from it, as an id that is no name is.
            c.execute("INSERT INTO work_logs (id, session_id, query, start_time) VALUES ('AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE', 'q', '2025-02-12 11:00:00')")
            c.commit()
            """
        let file = scratch.write("insert.py", insert)
        let inserted = try HandoffProcess.run(
            [file, database, Self.prose, Self.details], program: URL(fileURLWithPath: "/usr/bin/python3"))
        #expect(inserted.status == 0, "\(inserted.stderr)")
        let imported = try handoff(["import", "--nanobot-work-logs", database])
        #expect(imported.status == 0, "\(imported.stderr)")
        let sessions = try #require(try handoff(["logs", "--json"]).json() as? [String: Any])
        #expect((sessions["sessions"] as? [Any])?.count == 5)
        try expectNoSecretOnDisk()
    }

    @Test func mcpSessionsKeepNoSecret() throws {
        // The official MCP Python SDK, as an agent host: start_session, log_entry, end_session.
        let python = HandoffProcess.repositoryRoot.appendingPathComponent("scripts/mcp-python").path
        let client = HandoffProcess.repositoryRoot.appendingPathComponent(
            "Tests/HandoffCLITests/Fixtures/mcp_client.py"
        ).path
        let quoted = { (text: String) in "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let result = try HandoffProcess.shell(
            [
                python, client, "privacy", HandoffProcess.executable.path, scratch.store, Self.prose,
                Self.details,
            ]
            .map(quoted).joined(separator: " "))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.outputLines == ["ok recorded over MCP"], "\(result.stderr)")
        try expectNoSecretOnDisk()
    }

    /// A name is stored and shown as it is: one that holds a secret is refused with exit 65, and nothing is
    /// stored, by every option and entry field that names something.
    @Test func namesThatHoldSecretsAreRefused() throws {
        let secret = "AKIAIOSFODNN7EXAMPLE"
        let token = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
        let document =
            #"{"schema": "tool-result-v1", "tool": "t", "input": {"args": [], "kwargs": {}}, "status": "success", "duration_ms": 1}"#
        for arguments in [
            ["log", "start", "--bot", secret, "--query", "q"],
            ["log", "start", "--bot", "b", "--workspace", token, "--query", "q"],
            ["log", "start", "--bot", "b", "--participant", secret, "--query", "q"],
            ["log", "start", "--bot", "b", "--coordinator", token, "--query", "q"],
            ["log", "start", "--bot", "b", "--workflow", secret, "--query", "q"],
            ["put", "--from", "p", "--to", secret],
            ["put", "--from", token],
        ] {
            let refused = try handoff(arguments, stdin: document)
            #expect(refused.status == 65, "\(arguments): \(refused.stderr)")
            #expect(refused.stderr.contains("looks like a credential"), "\(arguments): \(refused.stderr)")
            #expect(!refused.stderr.contains(secret) && !refused.stderr.contains(token))
        }
        #expect(!(try TestBackend.somethingIsAt(scratch.store)), "nothing refused created the store")
        for field in ["bot_name", "tool_name", "category", "triggered_by", "bot_role", "insight_category"] {
            let refused = try handoff(
                ["log", "record", "--bot", "b", "--query", "q"],
                stdin: #"{"level": "info", "message": "m", "\#(field)": "\#(secret)"}"# + "\n")
            #expect(refused.status == 1, "\(field): \(refused.stderr)")
            #expect(refused.stderr.contains("standard input line 1"), "\(field): \(refused.stderr)")
            #expect(refused.stderr.contains("looks like a credential"), "\(field): \(refused.stderr)")
        }
        let mentioned = try handoff(
            ["log", "record", "--bot", "b", "--query", "q"],
            stdin: #"{"level": "info", "message": "m", "mentions": ["\#(token)"]}"# + "\n")
        #expect(mentioned.status == 1 && mentioned.stderr.contains("looks like a credential"))
        let added = try handoff(["log", "start", "--bot", "b", "--query", "q"])
        let session = added.output.trimmingCharacters(in: .newlines)
        for options in [
            ["--tool", secret], ["--category", secret], ["--mention", token], ["--role", secret],
        ] {
            let refused = try handoff(["log", "add", session, "--message", "m"] + options)
            #expect(refused.status == 65, "\(options): \(refused.stderr)")
        }
        let ended = try handoff(["log", "end", session, "--to", token])
        #expect(ended.status == 65, "\(ended.stderr)")
        try expectNoSecretOnDisk([secret, token])
    }
}
