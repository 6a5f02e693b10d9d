import Foundation
import HandoffKit
import Testing

struct ImportCLITests {
    let scratch = Scratch()

    func handoff(_ arguments: [String]) throws -> HandoffProcess.Result {
        try HandoffProcess.run(arguments + ["--store", scratch.store])
    }

    @Test func theSeedsArtifactFolderImportsWithItsProducersConsumersAndTimes() throws {
        let folder = HandoffProcess.samples.appendingPathComponent("nanobot/artifacts").path
        let result = try handoff(["import", "--nanobot", folder, "--json"])
        #expect(result.status == 1, "one sample is invalid, so the import reports it")
        let report = try #require(try result.json() as? [String: Any])
        #expect(report["read"] as? Int == 6)
        #expect(report["imported"] as? Int == 4)
        #expect(report["duplicates"] as? Int == 1, "the fan-out pair holds one artifact")
        #expect(report["handoffs"] as? Int == 4, "the artifact with a null consumer gets no handoff")
        let invalid = try #require(report["refused"] as? [[String: String]])
        #expect(invalid.count == 1)
        #expect(invalid.first?["source"] == folder + "/8fdc56bc-c9da-424a-a232-bd0a0a6b3295.json")
        #expect(invalid.first?["message"]?.contains("/input/timestamp") == true)

        let store = try Store.open(at: scratch.store)
        let analysis = try store.resolve("xxh128:ad0ee1025c735865e16f54c6b8415e2d")
        let handoffs = try store.handoffs(HandoffFilter(artifact: analysis))
        #expect(handoffs.map(\.producer) == ["bookmark_analyzer"])
        #expect(handoffs.map(\.consumer) == ["action_suggester"])
        #expect(handoffs.first?.createdAt.description == "2026-02-14T09:31:07.412Z")
        let fanOut = try store.handoffs(HandoffFilter(producer: "security_scanner")).map(\.consumer)
        #expect(fanOut == ["reviewer", "skill_installer"])
        #expect(try store.artifacts().count == 4)
        // The stored artifact is the file without its _meta.
        #expect(try store.document(analysis)["_meta"] == nil)
        #expect(try handoff(["verify"]).status == 0)

        let again = try handoff(["import", "--nanobot", folder, "--json"])
        let second = try #require(try again.json() as? [String: Any])
        #expect(second["imported"] as? Int == 0)
        #expect(second["duplicates"] as? Int == 5)
        #expect(second["handoffs"] as? Int == 0, "pending deliveries are not duplicated")
    }

    @Test func jsonLinesImportInBatchesAndListInvalidLines() throws {
        let good = try String(
            contentsOf: HandoffProcess.samples.appendingPathComponent("jsonl/bookmarks.jsonl"),
            encoding: .utf8)
        let lines = good.split(separator: "\n").map(String.init)
        let mixed =
            ([lines[0], "{not json", #"{"no": "schema"}"#, "", "   "] + lines.dropFirst()).joined(
                separator: "\n") + "\n"
        let file = scratch.write("runs.jsonl", mixed)
        let result = try handoff([
            "import", file, "--from", "bookmark_analyzer", "--to", "action_suggester", "--workflow",
            "nightly",
        ])
        #expect(result.status == 1)
        #expect(
            result.output.hasPrefix(
                "Read 22: imported 20, already stored 0, refused 2; 20 handoffs created.\n"))
        #expect(
            result.output.contains(
                "refused: \(file) line 2: line 1, column 2: unexpected character 'n'; expected a string key"))
        #expect(
            result.output.contains("refused: \(file) line 3: the artifact has no top-level \"schema\" field"))
        let store = try Store.open(at: scratch.store)
        #expect(
            try store.inbox("action_suggester", filter: HandoffFilter(workflow: "nightly", limit: 100)).count
                == 20)

        let clean = scratch.write("clean.jsonl", good)
        let again = try handoff(["import", clean, "--from", "bookmark_analyzer", "--json"])
        #expect(again.status == 0)
        let report = try #require(try again.json() as? [String: Any])
        #expect(report["duplicates"] as? Int == 20)
        #expect((report["ids"] as? [String])?.count == 20)
    }

    @Test func importUsageErrors() throws {
        #expect(try handoff(["import"]).stderr.hasPrefix("handoff: give a JSON Lines file, or --nanobot DIR"))
        #expect(
            try handoff(["import", "x.jsonl"]).stderr.hasPrefix(
                "handoff: importing a JSON Lines file needs --from PRODUCER"))
        let mixed = try handoff(["import", "--nanobot", scratch.path, "--from", "a"])
        #expect(mixed.status == 64)
        let missing = try handoff(["import", "--nanobot", scratch.path + "/nope"])
        #expect(missing.status == 66)
        #expect(missing.stderr == "handoff: no such folder: \(scratch.path)/nope\n")
    }
}
