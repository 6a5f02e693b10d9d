import Foundation
import HandoffKit
import HandoffTesting
import Testing

struct StoreCLITests {
    let scratch = Scratch()

    func handoff(_ arguments: [String], stdin: String? = nil) throws -> HandoffProcess.Result {
        try HandoffProcess.run(arguments + ["--store", scratch.store], stdin: stdin.map { Data($0.utf8) })
    }

    /// Each command opens the store afresh and first reads the whole write-ahead log, so the commands that
    /// write keep it short: one after another, 40 puts would otherwise leave 4 MB in it.
    @Test(.storesAreFolders) func putsOneAfterAnotherKeepTheWriteAheadLogShort() throws {
        for n in 0..<40 {
            let put = try handoff(
                ["put", "--from", "p", "--to", "c"],
                stdin:
                    #"{"schema": "tool-result-v1", "tool": "t", "input": {"args": [\#(n)], "kwargs": {}}, "status": "success", "duration_ms": 1}"#
            )
            #expect(put.status == 0, "\(put.stderr)")
        }
        let wal = try FileManager.default.attributesOfItem(atPath: scratch.store + "/index.sqlite-wal")
        let size = try #require(wal[.size] as? Int)
        // At most the 64 pages after which it is emptied, and one put's.
        #expect(size < 512 * 1024, "the WAL holds \(size) bytes")
        let stats = try #require(try handoff(["stats", "--json"]).json() as? [String: Any])
        #expect(stats["artifacts"] as? Int == 40 && stats["handoffs"] as? Int == 40)
    }

    @Test func initCreatesAnOwnerOnlyStoreAndIsIdempotent() throws {
        let first = try handoff(["init", "--json"])
        #expect(first.status == 0)
        let report = try #require(try first.json() as? [String: Any])
        #expect(report["path"] as? String == scratch.store)
        #expect(report["created"] as? Bool == true)
        if TestBackend.storesAreFolders {
            let mode =
                try FileManager.default.attributesOfItem(atPath: scratch.store)[.posixPermissions] as? Int
            #expect(mode == 0o700)
        }
        let second = try handoff(["init"])
        #expect(second.status == 0)
        #expect(second.output == "A store already exists at \(scratch.store); it was left as it is.\n")
    }

    @Test func putPrintsTheIDAndGetPrintsTheCanonicalDocument() throws {
        let file = scratch.write(
            "scan.json",
            "{\n  \"schema\": \"security-scan-v1\",\n  \"risk_score\": 15,\n  \"skill_name\": \"x-bookmarks\"\n}\n"
        )
        let put = try handoff([
            "put", file, "--from", "security_scanner", "--to", "reviewer", "--no-validate",
        ])
        #expect(put.status == 0)
        #expect(put.stderr.hasPrefix("stored security-scan-v1, 72 B\n  → reviewer  handoff "))
        let id = put.output.trimmingCharacters(in: .newlines)
        let again = try handoff(["put", file, "--from", "security_scanner", "--no-validate"])
        #expect(again.output == put.output)
        #expect(again.stderr == "already stored: security-scan-v1, 72 B, the same content was put before\n")
        let hash = try HandoffProcess.run(["hash", file])
        #expect(hash.output == id + "\n")
        let get = try handoff(["get", id])
        #expect(get.status == 0)
        #expect(
            get.output == #"{"risk_score":15,"schema":"security-scan-v1","skill_name":"x-bookmarks"}"# + "\n")
        let byPrefix = try handoff(["get", String(id.dropFirst("xxh128:".count).prefix(10))])
        #expect(byPrefix.output == get.output)
    }

    @Test func listingsSayWhereTheyWereCutAndHowToGoOn() throws {
        for risk in 1...3 {
            _ = try handoff(
                ["put", "--from", "scanner", "--no-validate"],
                stdin: #"{"schema": "security-scan-v1", "risk_score": \#(risk)}"#)
        }
        let first = try #require(try handoff(["ls", "--limit", "2", "--json"]).json() as? [String: Any])
        #expect((first["artifacts"] as? [Any])?.count == 2)
        #expect(first["truncated"] as? Bool == true && first["next_offset"] as? Int == 2)
        let last = try #require(
            try handoff(["ls", "--limit", "2", "--offset", "2", "--json"]).json() as? [String: Any])
        #expect((last["artifacts"] as? [Any])?.count == 1)
        #expect(last["truncated"] as? Bool == false && last["next_offset"] is NSNull)
        let text = try handoff(["ls", "--limit", "2"])
        #expect(text.outputLines.count == 3)
        let quoted = TestBackend.storesAreFolders ? scratch.store : "'\(scratch.store)'"
        #expect(text.outputLines.last == "… more: handoff ls --limit 2 --store \(quoted) --offset 2")
        let negative = try handoff(["ls", "--offset=-1"])
        #expect(negative.status == 64 && negative.stderr.contains("--offset must be 0 or more"))
    }

    @Test func putFromStandardInputAndJSONReport() throws {
        let put = try handoff(
            [
                "put", "--from", "analyzer", "--to", "suggester", "--to", "reviewer", "--workflow", "wf-7",
                "--workspace", "#general", "--json", "--no-validate",
            ],
            stdin: #"{"schema": "work-log-v1", "query": "Check my X bookmarks"}"#)
        #expect(put.status == 0)
        let report = try #require(try put.json() as? [String: Any])
        #expect(report["existed"] as? Bool == false)
        let artifact = try #require(report["artifact"] as? [String: Any])
        #expect(
            artifact["schema"] as? String == "work-log-v1" && artifact["producer"] as? String == "analyzer")
        let entries = try #require(report["handoffs"] as? [[String: Any]])
        let handoffs = entries.compactMap { $0["handoff"] as? [String: Any] }
        #expect(handoffs.map { $0["consumer"] as? String } == ["suggester", "reviewer"])
        #expect(
            handoffs.allSatisfy { $0["state"] as? String == "pending" && $0["workflow"] as? String == "wf-7" }
        )
        #expect(entries.allSatisfy { $0["created"] as? Bool == true })

        let again = try handoff(
            [
                "put", "--from", "analyzer", "--to", "suggester", "--workflow", "wf-7", "--json",
                "--no-validate",
            ],
            stdin: #"{"query": "Check my X bookmarks", "schema": "work-log-v1"}"#)
        let second = try #require(try again.json() as? [String: Any])
        #expect(second["existed"] as? Bool == true)
        #expect((second["artifact"] as? [String: Any])?["id"] as? String == artifact["id"] as? String)
        // The delivery already pending is reported as a new one is, saying it was not created now.
        let existing = try #require((second["handoffs"] as? [[String: Any]])?.first)
        #expect(existing["created"] as? Bool == false)
        #expect((existing["handoff"] as? [String: Any])?["id"] as? String == handoffs[0]["id"] as? String)
    }

    @Test func getMetaAddsTheSeedsMetaObject() throws {
        let put = try handoff(
            ["put", "--from", "bookmark_analyzer", "--to", "action_suggester", "--no-validate"],
            stdin: #"{"schema": "work-log-v1"}"#)
        let id = put.output.trimmingCharacters(in: .newlines)
        let get = try handoff(["get", id, "--meta"])
        let document = try #require(try get.json() as? [String: Any])
        let meta = try #require(document["_meta"] as? [String: Any])
        #expect(meta["id"] as? String == id)
        #expect(meta["producer"] as? String == "bookmark_analyzer")
        #expect(meta["consumer"] as? String == "action_suggester")
        #expect(meta["consumers"] as? [String] == ["action_suggester"])
        #expect(meta["schema"] as? String == "work-log-v1")
        #expect((meta["created_at"] as? String)?.hasSuffix("Z") == true)
        #expect(document["schema"] as? String == "work-log-v1")
        let pretty = try handoff(["get", id, "--pretty"])
        #expect(pretty.output == "{\n  \"schema\": \"work-log-v1\"\n}\n")
    }

    @Test func showListsTheArtifactAndItsHandoffs() throws {
        let file = HandoffProcess.samples.appendingPathComponent(
            "valid/security-scan-v1/minimal-approved.json"
        ).path
        let put = try handoff([
            "put", file, "--from", "scanner", "--to", "reviewer", "--to", "auditor", "--workflow", "install",
        ])
        let id = put.output.trimmingCharacters(in: .newlines)
        let text = try handoff(["show", String(id.suffix(32).prefix(8))])
        #expect(text.status == 0)
        #expect(text.outputLines.first == id)
        #expect(text.output.contains("\n  schema    security-scan-v1\n"))
        #expect(text.output.contains("\n  workflow  install\n"))
        #expect(text.output.contains("scanner → reviewer  pending"))
        #expect(text.output.contains("scanner → auditor   pending"))
        let json = try #require(try handoff(["show", id, "--json"]).json() as? [String: Any])
        let artifact = try #require(json["artifact"] as? [String: Any])
        #expect(artifact["id"] as? String == id)
        #expect(artifact["size"] as? Int == (try HandoffProcess.run(["canonicalize", file]).stdout.count))
        #expect(artifact["validated"] as? Bool == true)
        let handoffs = try #require(json["handoffs"] as? [[String: Any]])
        #expect(handoffs.count == 2)
        // A handoff id names its artifact too.
        let first = try #require((handoffs[0]["handoff"] as? [String: Any])?["id"] as? String)
        let byHandoff = try handoff(["show", first, "--json"])
        #expect(
            (try byHandoff.json() as? [String: Any]).flatMap {
                ($0["artifact"] as? [String: Any])?["id"] as? String
            } == id)
    }

    @Test func lsFiltersArtifactsAndHandoffs() throws {
        _ = try handoff(
            ["put", "--from", "analyzer", "--to", "suggester", "--workflow", "w1", "--no-validate"],
            stdin: #"{"schema": "work-log-v1", "n": 1}"#)
        _ = try handoff(
            ["put", "--from", "scanner", "--to", "reviewer", "--no-validate"],
            stdin: #"{"schema": "security-scan-v1", "n": 2}"#)
        _ = try handoff(
            ["put", "--from", "scanner", "--to", "suggester", "--no-validate"],
            stdin: #"{"schema": "work-log-v1", "n": 3}"#)
        func ids(_ arguments: [String], key: String = "artifacts") throws -> [[String: Any]] {
            let result = try handoff(["ls", "--json"] + arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return try #require((try result.json() as? [String: Any])?[key] as? [[String: Any]])
        }
        #expect(try ids([]).count == 3)
        #expect(
            try ids(["--schema", "work-log-v1"]).map { $0["producer"] as? String } == ["scanner", "analyzer"])
        #expect(try ids(["--from", "scanner"]).count == 2)
        #expect(try ids(["--to", "suggester"]).count == 2)
        #expect(try ids(["--workflow", "w1"]).count == 1)
        #expect(try ids(["--limit", "1"]).count == 1)
        #expect(try ids(["--since", "1h"]).count == 3)
        #expect(try ids(["--until", "2000-01-01"]).isEmpty)
        let handoffs = try ids(["--handoffs", "--to", "suggester", "--state", "pending"], key: "handoffs")
        #expect(
            handoffs.map { ($0["handoff"] as? [String: Any])?["producer"] as? String } == [
                "analyzer", "scanner",
            ])
        #expect(try ids(["--handoffs", "--state", "done"], key: "handoffs").isEmpty)
        let text = try handoff(["ls", "--schema", "security-scan-v1"])
        #expect(text.outputLines.count == 1)
        #expect(text.output.contains("security-scan-v1  scanner"))
        #expect(try handoff(["ls", "--schema", "nothing-v1"]).output == "No artifacts match.\n")
    }

    @Test func statsCountsWhatIsStored() throws {
        _ = try handoff(
            ["put", "--from", "a", "--to", "b", "--to", "c", "--no-validate"],
            stdin: #"{"schema": "work-log-v1"}"#)
        _ = try handoff(["put", "--from", "a", "--no-validate"], stdin: #"{"schema": "tool-result-v1"}"#)
        let stats = try #require(try handoff(["stats", "--json"]).json() as? [String: Any])
        #expect(stats["artifacts"] as? Int == 2)
        #expect(
            stats["artifact_bytes"] as? Int == #"{"schema":"work-log-v1"}"#.utf8.count
                + #"{"schema":"tool-result-v1"}"#.utf8.count)
        #expect(stats["handoffs"] as? Int == 2)
        #expect((stats["handoffs_by_state"] as? [String: Int])?["pending"] == 2)
        #expect(stats["artifacts_by_schema"] as? [String: Int] == ["tool-result-v1": 1, "work-log-v1": 1])
        #expect(stats["consumers"] as? Int == 2)
    }

    @Test func verifyFindsDamageAndExits1() throws {
        let put = try handoff(
            ["put", "--from", "a", "--no-validate"], stdin: #"{"schema": "work-log-v1", "query": "q"}"#)
        let id = put.output.trimmingCharacters(in: .newlines)
        let clean = try handoff(["verify", "--json"])
        #expect(clean.status == 0)
        #expect((try clean.json() as? [String: Any])?["clean"] as? Bool == true)

        try TestBackend.replaceObject(
            id, with: Array(#"{"schema":"work-log-v1","query":"Q"}"#.utf8), in: scratch.store)
        let damaged = try handoff(["verify"])
        #expect(damaged.status == 1)
        #expect(damaged.output.contains("1 problems:\n  damaged: \(id): damaged, its bytes hash to xxh128:"))
        let json = try #require(try handoff(["verify", "--json"]).json() as? [String: Any])
        #expect(json["clean"] as? Bool == false)
        #expect((json["problems"] as? [[String: Any]])?.first?["kind"] as? String == "damaged")
        let get = try handoff(["get", id])
        #expect(get.status == 74)
        #expect(get.stderr.hasPrefix("handoff: object \(id) is damaged: its bytes hash to xxh128:"))
        #expect(get.stdout.isEmpty)

        try TestBackend.removeObject(id, in: scratch.store)
        let missing = try handoff(["verify"])
        #expect(missing.status == 1)
        #expect(missing.output.contains("missing: \(id): indexed, but its object"))
    }

    @Test(.storesAreFolders) func theDefaultStoreIsTheEnvironmentsThenTheWorkingDirectorys() throws {
        let viaEnvironment = try HandoffProcess.run(
            ["put", "--from", "a", "--no-validate"], stdin: Data(#"{"schema": "x-v1"}"#.utf8),
            environment: ["HANDOFF_STORE": scratch.store])
        #expect(viaEnvironment.status == 0)
        #expect(FileManager.default.fileExists(atPath: scratch.store + "/index.sqlite"))
        let inDirectory = try HandoffProcess.run(
            ["put", "--from", "a", "--no-validate"], stdin: Data(#"{"schema": "x-v1"}"#.utf8),
            directory: scratch.path)
        #expect(inDirectory.status == 0)
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/.handoff/index.sqlite"))
    }

    @Test func helpAndVersionGoToStandardOutput() throws {
        let help = try HandoffProcess.run(["put", "--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("handoff put scan.json --from security_scanner --to reviewer"))
        let version = try HandoffProcess.run(["--version"])
        #expect(version.status == 0)
        #expect(version.output == "0.2.0\n")
    }

    @Test func demoRunsTheBookmarkWorkflowTwiceOnTheDefaultStore() throws {
        // As scripts/demo runs it.
        let first = try HandoffProcess.run(["demo", "--store", ".handoff"], directory: scratch.path)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.output.contains("on the store at .handoff"))
        for level in [
            "info", "thinking", "decision", "tool", "warning", "uncertainty", "correction", "handoff",
        ] {
            #expect(
                first.output.contains(level.padding(toLength: 13, withPad: " ", startingAt: 0)), "\(level)")
        }
        #expect(
            first.output.contains("coordination 🚨 Escalation: Should bookmarks older than a year be archived")
        )
        #expect(
            first.output.contains(
                "recommends: summarize_top_categories, suggest_actions, verify_low_confidence_decisions"))
        #expect(first.output.contains("decisions[1].output.ai_ml_count = 5"))
        #expect(first.output.contains("action_suggester → reviewer  pending"))
        #expect(first.output.contains("work-session-v1  by bookmark_analyzer"))
        #expect(
            first.output.contains("└─ xxh128:") && first.output.contains("work-log-v1  by bookmark_analyzer"))
        #expect(first.output.contains("Low confidence (below 70%)"))
        #expect(first.output.contains("Waiting for a decision"))
        #expect(first.output.contains("$ handoff how \"confidence\""))
        #expect(first.output.contains("bookmark_analyzer: Low confidence: two borderline bookmarks"))
        #expect(first.output.contains("Try next"))
        let second = try HandoffProcess.run(["demo", "--store", ".handoff"], directory: scratch.path)
        #expect(second.status == 0, "\(second.stderr)")
        let store = try Store.open(at: scratch.path + "/.handoff")
        // Each run records a session of its own: record, work log and request; the first run's escalation
        // and the second's.
        #expect(try store.artifacts(ArtifactFilter(schema: "work-session-v1")).count == 2)
        #expect(try store.artifacts(ArtifactFilter(schema: "escalation-v1")).count == 2)
        for artifact in try store.artifacts() {
            #expect(artifact.validated)
            expectValidArtifact(try store.document(artifact.id))
        }
        // Both sessions did the same work, so they hand on the same work log (one id, with both records as
        // parents), and the same request, which is not handed to the reviewer twice.
        #expect(try store.artifacts(ArtifactFilter(schema: "work-log-v1")).count == 1)
        let workLog = try #require(try store.artifacts(ArtifactFilter(schema: "work-log-v1")).first)
        #expect(try store.parents(of: workLog.id).count == 2)
        #expect(try store.inbox("reviewer").count == 1)
        #expect(try store.inbox("user").count == 2)
        #expect(try store.handoffs(HandoffFilter(consumer: "action_suggester", states: [.done])).count == 2)
        #expect(try HandoffProcess.run(["verify"], directory: scratch.path).status == 0)
    }

    /// A store in use is never mixed with the demo's bots: without --store, the demo makes its own.
    @Test func theDemoRunsOnAStoreOfItsOwn() throws {
        let used = scratch.path + "/in-use"
        let put = try HandoffProcess.run(
            ["put", "--from", "p", "--to", "reviewer", "--store", used],
            stdin: Data(HardeningCLITests.toolResult.utf8))
        #expect(put.status == 0)
        let before = try HandoffProcess.run(["ls", "--handoffs", "--json", "--store", used]).output
        let demo = try HandoffProcess.run(
            ["demo"], environment: ["HANDOFF_STORE": used, "TMPDIR": scratch.path], directory: scratch.path)
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(try HandoffProcess.run(["ls", "--handoffs", "--json", "--store", used]).output == before)
        let own = try #require(
            try FileManager.default.contentsOfDirectory(atPath: scratch.path).first {
                $0.hasPrefix("handoff-demo-")
            })
        #expect(demo.output.contains("on the store at \(scratch.path)/\(own)"))
        #expect(demo.output.contains("export HANDOFF_STORE=\(scratch.path)/\(own)"))
        let inbox = try HandoffProcess.run([
            "inbox", "reviewer", "--json", "--store", scratch.path + "/" + own,
        ])
        #expect(((try inbox.json() as? [String: Any])?["handoffs"] as? [Any])?.count == 1)
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/.handoff"))
    }

    @Test func theCoordinationDemoRunsExampleD() throws {
        let demo = try HandoffProcess.run(
            ["demo", "--coordination", "--store", ".handoff"], directory: scratch.path)
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.output.contains("recorded 10 steps; the escalation is in the inbox of user"))
        #expect(
            demo.output.contains(
                "step 9  creative (re step 8): Respectfully disagree - visual design better for brand. Suggest A/B testing both?  [coordinator]"
            ))
        #expect(demo.output.contains("🌙 Overnight Progress Report (#coordination-website)"))
        #expect(demo.output.contains("done: A/B test both versions for two weeks, then keep the winner"))
        let escalations = try HandoffProcess.run(["escalations", "--all", "--json"], directory: scratch.path)
        let listed = try #require(try escalations.json() as? [String: Any])["escalations"] as? [[String: Any]]
        let handoff = try #require(listed?.first?["handoff"] as? [String: Any])
        #expect(handoff["state"] as? String == "done")
        #expect(handoff["note"] as? String == "A/B test both versions for two weeks, then keep the winner")
    }
}
