import Foundation
import HandoffJSON
import HandoffKit
import HandoffTesting
import Testing

/// Bulk imports through the Swift API.
struct ImportTests {
    let temporary: TemporaryStore
    var store: Store { temporary.store }

    init() throws { temporary = try TemporaryStore() }

    @Test func theSeedsFolderImportsWithProgressAndNothingHalfImported() throws {
        var progress: [(Int, Int)] = []
        let report = try store.importNanobot(folder: samplePath("nanobot/artifacts")) {
            progress.append(($0, $1))
        }
        #expect(report.read == 6)
        #expect(report.imported == 4)
        #expect(report.duplicates == 1)
        #expect(report.handoffs == 4)
        #expect(
            report.invalid.map { URL(fileURLWithPath: $0.source).lastPathComponent } == [
                "8fdc56bc-c9da-424a-a232-bd0a0a6b3295.json"
            ])
        #expect(progress.last.map { $0 == (6, 6) } == true)
        // The invalid file left nothing behind: its content is not stored.
        #expect(try store.artifacts().count == 4)
        #expect(try store.verify().unindexedObjects.isEmpty)
        // Handoffs keep the seed's times, so the inbox keeps its order.
        let inbox = try store.inbox("action_suggester")
        #expect(
            inbox.map(\.createdAt.description) == ["2026-02-14T09:31:07.412Z", "2026-02-14T09:31:08.000Z"])
    }

    @Test func jsonLinesImportInBatches() throws {
        let lines = try String(contentsOfFile: samplePath("jsonl/bookmarks.jsonl"), encoding: .utf8)
        var batches = 0
        let report = try store.importJSONLines(
            Array(lines.utf8), source: "bookmarks.jsonl", producer: "analyzer", consumers: ["suggester"],
            workflow: "nightly"
        ) { _, _ in batches += 1 }
        #expect(report.imported == 20)
        #expect(report.invalid.isEmpty)
        #expect(
            try store.inbox("suggester", filter: HandoffFilter(workflow: "nightly", limit: 50)).count == 20)
        #expect(batches >= 1)
        let small = try store.importArtifacts(
            (0..<7).map { n in
                PutRequest(
                    document: [
                        "schema": "handoff-request-v1", "task": .string("task \(n)"),
                        "expected_schema": "tool-result-v1",
                        "priority": "low",
                    ], producer: "p", consumers: ["c"])
            }, batchSize: 3)
        #expect(small.imported == 7)
        #expect(small.ids.count == 7)
    }
}
