import Foundation
import HandoffTesting
import Testing

/// `handoff copy` between the two backends: every listing, chain, next actions, `explain` and `how` print
/// the same JSON on both ends, `verify` is sound on both, and a copy repeated changes nothing.
@Suite(
    .enabled(
        if: TestBackend.postgresURL != nil || ProcessInfo.processInfo.environment["CI"] == "true",
        "copies between a folder and PostgreSQL: run scripts/test, or set HANDOFF_TEST_POSTGRES_URL"))
struct CopyCLITests {
    let scratch = Scratch()

    func handoff(_ arguments: [String], store: String, stdin: String? = nil) throws -> HandoffProcess.Result {
        try HandoffProcess.run(
            arguments + ["--store", store], stdin: stdin.map { Data($0.utf8) }, timeLimit: 120)
    }

    /// A store of the other backend than the run's, and a second of the run's own.
    func otherAndSame() throws -> (other: String, same: String) {
        let url = try #require(TestBackend.postgresURL, "HANDOFF_TEST_POSTGRES_URL names no database")
        let folder = scratch.path + "/copied"
        let other = TestBackend.storesAreFolders ? TestBackend.freshSchema(in: url) : folder
        let same = TestBackend.storesAreFolders ? scratch.path + "/back" : TestBackend.freshSchema(in: url)
        return (other, same)
    }

    /// Fills the store with some of everything: both demos (sessions, escalations, insights, chains), a
    /// store-local schema, a setting, claims in every state, a release with a delay, a route.
    func fill(_ store: String) throws {
        #expect(try handoff(["demo"], store: store).status == 0)
        #expect(try handoff(["demo", "--coordination"], store: store).status == 0)
        let schema = scratch.write(
            "review.json",
            #"{"$id": "urn:handoff:schema:review-v1", "type": "object", "required": ["verdict"]}"#)
        #expect(try handoff(["schema", "add", schema], store: store).status == 0)
        #expect(
            try handoff(
                ["put", "--from", "reviewer", "--to", "merger"], store: store,
                stdin: #"{"schema": "review-v1", "verdict": "approve", "next_actions": ["merge"]}"#
            ).status == 0)
        #expect(try handoff(["config", "set", "work_logs.escalate_to", "alice"], store: store).status == 0)
        for consumer in ["merger", "reviewer"] {
            _ = try handoff(
                ["put", "--from", "p", "--to", consumer, "--no-validate"], store: store,
                stdin: #"{"schema": "x-v1", "n": 1}"#)
        }
        let claimed = try #require(
            try handoff(["claim", "merger", "--json"], store: store).json() as? [String: Any])
        let receipt = try #require(claimed["receipt"] as? String)
        #expect(try handoff(["ack", receipt, "--note", "merged"], store: store).status == 0)
        let second = try #require(
            try handoff(["claim", "merger", "--json"], store: store).json() as? [String: Any])
        #expect(
            try handoff(
                ["release", try #require(second["receipt"] as? String), "--delay", "3600"], store: store
            )
            .status == 0)
        let third = try #require(
            try handoff(["claim", "reviewer", "--json"], store: store).json() as? [String: Any])
        let handoffID = String(try #require(third["receipt"] as? String).prefix(26))
        #expect(
            try handoff(
                [
                    "route", handoffID, "--to", "archivist", "--receipt",
                    try #require(third["receipt"] as? String),
                ], store: store
            )
            .status == 0)
    }

    /// What a user sees of a store, command by command, as JSON; `stats` without where the store is and the
    /// size of its index, which are the backend's own.
    func views(_ store: String) throws -> [String: String] {
        var views: [String: String] = [:]
        func look(_ name: String, _ arguments: [String]) throws {
            let result = try handoff(arguments + ["--json"], store: store)
            #expect(result.status == 0, "\(arguments) on \(store): \(result.stderr)")
            views[name] = result.output
        }
        try look("ls", ["ls", "--limit", "1000"])
        try look("handoffs", ["ls", "--handoffs", "--limit", "1000"])
        try look("logs", ["logs"])
        try look("escalations", ["escalations"])
        try look("insights", ["insights"])
        try look("schemas", ["schema", "ls"])
        try look("config", ["config", "show"])
        try look("how", ["how", "design decision confidence"])
        for consumer in ["merger", "reviewer", "archivist", "user", "alice"] {
            try look("inbox \(consumer)", ["inbox", consumer])
        }
        let artifacts = try #require(
            (try JSONSerialization.jsonObject(with: Data(views["ls"]!.utf8)) as? [String: Any])?["artifacts"]
                as? [[String: Any]])
        for artifact in artifacts {
            let id = try #require(artifact["id"] as? String)
            try look("show \(id)", ["show", id])
            try look("chain \(id)", ["chain", id])
            try look("next \(id)", ["next", id])
            views["get \(id)"] = try handoff(["get", id], store: store).output
        }
        let sessions = try #require(
            (try JSONSerialization.jsonObject(with: Data(views["logs"]!.utf8)) as? [String: Any])?["sessions"]
                as? [[String: Any]])
        for session in sessions {
            let id = try #require(session["id"] as? String)
            try look("explain \(id)", ["explain", id, "--mode", "detailed"])
        }
        var stats = try #require(try handoff(["stats", "--json"], store: store).json() as? [String: Any])
        stats["path"] = nil
        stats["index_bytes"] = nil
        views["stats"] = String(
            decoding: try JSONSerialization.data(withJSONObject: stats, options: .sortedKeys), as: UTF8.self)
        return views
    }

    func copy(_ from: String, to: String) throws -> [String: Any] {
        let result = try handoff(["copy", "--to", to, "--json"], store: from)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try result.json() as? [String: Any])
    }

    @Test func aCopyToTheOtherBackendAndBackShowsTheSameAndARepeatChangesNothing() throws {
        let (other, same) = try otherAndSame()
        defer {
            TestBackend.remove(other)
            TestBackend.remove(same)
        }
        try fill(scratch.store)
        let first = try copy(scratch.store, to: other)
        let stats = try #require(
            try handoff(["stats", "--json"], store: scratch.store).json() as? [String: Any])
        #expect(first["artifacts"] as? Int == stats["artifacts"] as? Int)
        #expect(first["bytes"] as? Int == stats["artifact_bytes"] as? Int)
        #expect(first["handoffs"] as? Int == stats["handoffs"] as? Int)
        #expect(first["sessions"] as? Int == 2 && (first["entries"] as? Int ?? 0) >= 20)
        #expect(first["schemas"] as? Int == 1 && (first["settings"] as? Int ?? 0) >= 1)
        _ = try copy(other, to: same)
        let original = try views(scratch.store)
        #expect(original.count > 40, "every artifact and session was looked at")
        for store in [other, same] {
            let copied = try views(store)
            for (name, view) in original.sorted(by: { $0.key < $1.key }) {
                #expect(copied[name] == view, "\(name) differs in \(store)")
            }
            #expect(try handoff(["verify"], store: store).status == 0)
        }
        // Again: nothing to copy.
        let again = try copy(scratch.store, to: other)
        for key in [
            "schemas", "artifacts", "bytes", "handoffs", "handoffs_updated", "sessions", "sessions_updated",
            "entries", "settings",
        ] {
            #expect(again[key] as? Int == 0, "\(key) on a repeated copy")
        }
        let text = try handoff(["copy", "--to", other], store: scratch.store)
        #expect(text.output.hasPrefix("Nothing to copy: "))
    }

    @Test func workDoneAfterACopyComesWithTheNext() throws {
        let (other, _) = try otherAndSame()
        defer { TestBackend.remove(other) }
        try fill(scratch.store)
        _ = try copy(scratch.store, to: other)
        // More work on the source: a claim and ack of what the copy holds as pending, a new session.
        let claimed = try #require(
            try handoff(["claim", "archivist", "--json"], store: scratch.store).json() as? [String: Any])
        #expect(
            try handoff(["ack", try #require(claimed["receipt"] as? String)], store: scratch.store).status
                == 0)
        #expect(
            try handoff(
                ["log", "record", "--bot", "b", "--query", "q"], store: scratch.store,
                stdin: #"{"level": "decision", "message": "kept going"}"#
            ).status == 0)
        let next = try copy(scratch.store, to: other)
        #expect(next["handoffs_updated"] as? Int == 1)
        #expect(next["sessions"] as? Int == 1 && next["entries"] as? Int == 1)
        let original = try views(scratch.store)
        let copied = try views(other)
        for (name, view) in original.sorted(by: { $0.key < $1.key }) {
            #expect(copied[name] == view, "\(name) differs after the second copy")
        }
    }

    @Test func badDestinationsAreRefusedAndCreateNothing() throws {
        try fill(scratch.store)
        let itself = try handoff(["copy", "--to", scratch.store], store: scratch.store)
        #expect(itself.status == 64)
        #expect(itself.stderr.contains("cannot be copied into itself"))
        let scheme = try handoff(["copy", "--to", "s3://bucket/x"], store: scratch.store)
        #expect(scheme.status == 64)
        #expect(!FileManager.default.fileExists(atPath: "s3:"))
        let occupied = scratch.write("notes.txt", "mine")
        let folder = try handoff(["copy", "--to", scratch.path], store: scratch.store)
        #expect(folder.status == 66, "\(folder.stderr)")
        #expect(try String(contentsOfFile: occupied, encoding: .utf8) == "mine")
        let missing = try handoff(
            ["copy", "--to", scratch.path + "/elsewhere"], store: scratch.path + "/none")
        #expect(missing.status == 66)
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/elsewhere"))
    }
}
