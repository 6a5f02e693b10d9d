import Foundation
import HandoffJSON
import HandoffKit
import HandoffTesting
import HandoffWorkLog
import Testing

/// `gc`: work logs past their retention go, then every object nothing live reaches; nothing live is lost.
struct CollectionTests {
    static func policy(_ fixture: WorkLogFixture, keepDays: Double = 7) -> GCPolicy {
        var retention: [WorkspaceType: Int] = [:]
        for type in WorkspaceType.allCases {
            retention[type] = fixture.workLog.configuration.defaults(for: type).retentionDays
        }
        return GCPolicy(sessionRetentionDays: retention, keepDays: keepDays)
    }

    @Test func sessionsGoWhenTheirWorkspaceTypesRetentionHasPassed() throws {
        let fixture = try WorkLogFixture()
        let open = try fixture.record(sample: "a-general-weather", Samples.exampleA)
        let project = try fixture.record(sample: "b-project-refactor", Samples.exampleB)
        let direct = try fixture.record(sample: "c-direct-research", Samples.exampleC)
        // Nothing is past its retention yet: a collection finds nothing.
        let none = try fixture.store.collectGarbage(Self.policy(fixture))
        #expect(none.sessions.isEmpty && none.artifacts.isEmpty && none.objectFiles == 0)

        fixture.clock.advance(days: 8)
        let dry = try fixture.store.collectGarbage(Self.policy(fixture), dryRun: true)
        #expect(dry.sessions == [open.session.id] && dry.entries == 3)
        #expect(Set(dry.artifacts) == [open.record, open.workLog.id])
        #expect(try fixture.workLog.sessions().count == 3, "a dry run removes nothing")
        #expect(try fixture.store.verify().unindexedObjects.isEmpty)

        let report = try fixture.store.collectGarbage(Self.policy(fixture))
        #expect(report.sessions == [open.session.id] && report.entries == 3 && report.objectFiles == 2)
        #expect(report.bytes == (try fixture.store.artifacts().isEmpty ? 0 : report.bytes))
        #expect(
            try fixture.workLog.sessions().map(\.id).sorted()
                == [project.session.id, direct.session.id].sorted())
        #expect(try fixture.workLog.search("weather").isEmpty, "its entries left the full-text index")
        #expect {
            try fixture.store.artifact(open.workLog.id)
        } throws: { ($0 as? HandoffError)?.code == .notFound }
        let verify = try fixture.store.verify()
        #expect(verify.isClean && verify.unindexedObjects.isEmpty && verify.strayFiles.isEmpty)

        fixture.clock.advance(days: 30)
        let later = try fixture.store.collectGarbage(Self.policy(fixture))
        #expect(
            later.sessions == [direct.session.id], "direct after 30 days; the project's 90 have not passed")
        #expect(try fixture.store.verify().isClean)
    }

    /// Retention counts from a session's end: an open session is kept while it was active within a day or a
    /// recorder holds it, whatever its workspace type's retention, and goes once abandoned.
    @Test func openSessionsAreKeptWhileAliveOrHeld() throws {
        let fixture = try WorkLogFixture()
        var policy = Self.policy(fixture)
        for type in WorkspaceType.allCases { policy.sessionRetentionDays[type] = 0 }
        let held = try #require(try fixture.workLog.start(Samples.exampleA))
        try held.add(.info, category: "general", message: "working")
        try held.flush()
        let stepwise = try #require(try fixture.workLog.startStepwise(Samples.exampleA))
        _ = try fixture.workLog.add(WorkLogEntry(level: .info, message: "one call"), toSession: stepwise.id)
        let ended = try fixture.record(sample: "a-general-weather", Samples.exampleA)
        fixture.clock.advance(hours: 2)
        let early = try fixture.store.collectGarbage(policy)
        #expect(early.sessions == [ended.session.id], "only the ended one: the open ones were active today")
        // Two days on, the recorder still holds its session (it renewed its lease just now); the stepwise
        // one, which nobody holds, was idle for two days.
        fixture.clock.advance(days: 2)
        #expect(try fixture.store.renewWorkSessions([held.id], holder: fixture.workLog.holder).isEmpty)
        let later = try fixture.store.collectGarbage(policy)
        #expect(later.sessions == [stepwise.id])
        try held.add(.info, category: "general", message: "still here")
        try held.flush()
        try held.end(finalOutput: "done")
        #expect(try fixture.workLog.entries(ofSession: held.id).count == 2)
    }

    @Test func aPendingHandoffKeepsItsWholeChain() throws {
        let fixture = try WorkLogFixture()
        let ended = try fixture.record(
            sample: "a-general-weather", Samples.exampleA, to: ["action_suggester"])
        let request = try fixture.store.put(
            [
                "schema": "tool-result-v1", "tool": "suggest", "input": ["args": [], "kwargs": [:]],
                "status": "success", "duration_ms": 5,
            ], from: "action_suggester",
            to: ["reviewer"], parents: [ended.workLog.id])
        let loose = try fixture.store.put(
            [
                "schema": "tool-result-v1", "tool": "loose", "input": ["args": [], "kwargs": [:]],
                "status": "success", "duration_ms": 5,
            ], from: "x")
        fixture.clock.advance(days: 8)
        let report = try fixture.store.collectGarbage(Self.policy(fixture))
        #expect(report.sessions == [ended.session.id], "the session's rows go after 7 days")
        #expect(report.artifacts == [loose.id], "only the artifact nothing live reaches")
        // The work log is still waiting for action_suggester; its record and the request derived from it stay.
        for id in [ended.workLog.id, ended.record, request.id] {
            #expect(throws: Never.self) { try fixture.store.document(id) }
        }
        #expect(try fixture.store.chain(of: request.id).nodes.count == 3)
        // explain still reads it, from the record.
        #expect(try fixture.workLog.explain(.artifact(ended.workLog.id)).fromRecord == ended.record)
        #expect(try fixture.store.verify().isClean)
    }

    @Test func recentFinishedWorkStaysForKeepDays() throws {
        let fixture = try WorkLogFixture()
        let done = try fixture.store.put(
            [
                "schema": "tool-result-v1", "tool": "t", "input": ["args": [], "kwargs": [:]],
                "status": "success", "duration_ms": 5,
            ], from: "a", to: ["b"])
        let claim = try #require(try fixture.store.claim(for: "b"))
        try fixture.store.ack(claim.receipt)
        fixture.clock.advance(days: 3)
        #expect(try fixture.store.collectGarbage(Self.policy(fixture)).artifacts.isEmpty)
        #expect(try fixture.store.collectGarbage(Self.policy(fixture, keepDays: 1)).artifacts == [done.id])
        #expect(try fixture.store.verify().isClean)
    }

    @Test func storeSchemasAreLive() throws {
        let fixture = try WorkLogFixture()
        let schema: JSONValue = ["$id": "urn:handoff:schema:note-v1", "type": "object"]
        try fixture.store.addSchema(schema, source: "note-v1.schema.json")
        fixture.clock.advance(days: 400)
        let report = try fixture.store.collectGarbage(Self.policy(fixture, keepDays: 0))
        #expect(report.objectFiles == 0 && report.artifacts.isEmpty)
        #expect(try fixture.store.schemas.document(named: "note-v1")["type"] == "object")
        #expect(try fixture.store.verify().isClean)
    }

    @Test(.storesAreFolders) func storeSchemasAndLeftoversOfInterruptedWrites() throws {
        let fixture = try WorkLogFixture()
        let schema: JSONValue = ["$id": "urn:handoff:schema:note-v1", "type": "object"]
        try fixture.store.addSchema(schema, source: "note-v1.schema.json")
        // An object no put finished indexing, older than the grace period, and a temporary file.
        let orphan = Array(#"{"schema":"tool-result-v1","status":"success","tool":"orphan"}"#.utf8)
        let orphanID = ArtifactID(canonicalBytes: orphan)
        let shard = fixture.store.path + "/objects/xxh128/" + orphanID.hex.prefix(2)
        try FileManager.default.createDirectory(atPath: shard, withIntermediateDirectories: true)
        let orphanPath = shard + "/" + orphanID.hex.dropFirst(2)
        #expect(FileManager.default.createFile(atPath: orphanPath, contents: Data(orphan)))
        let temporary = fixture.store.path + "/tmp/object-1-abc"
        #expect(FileManager.default.createFile(atPath: temporary, contents: Data("half".utf8)))
        let old = Date().addingTimeInterval(-7200)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: orphanPath)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: temporary)
        let report = try fixture.store.collectGarbage(Self.policy(fixture, keepDays: 0))
        #expect(report.objectFiles == 1 && report.temporaryFiles == 1)
        #expect(!FileManager.default.fileExists(atPath: orphanPath))
        #expect(try fixture.store.schemas.document(named: "note-v1")["type"] == "object", "schemas are live")
        #expect(try fixture.store.verify().isClean)
    }

    /// Puts of content a collection is removing at the same moment: every put that returns is readable
    /// afterwards, whichever of the two got to the index first.
    @Test func aPutRacingACollectionIsNeverLost() throws {
        let fixture = try WorkLogFixture()
        let documents: [JSONValue] = (0..<200).map {
            [
                "schema": "tool-result-v1", "tool": .string("t\($0)"), "input": ["args": [], "kwargs": [:]],
                "status": "success", "duration_ms": 5,
            ]
        }
        for document in documents { try fixture.store.put(document, from: "a") }
        fixture.clock.advance(days: 30)
        let store = fixture.store
        let policy = Self.policy(fixture, keepDays: 1)
        let putter = Thread {
            for document in documents.reversed() { _ = try? store.put(document, from: "a", to: ["b"]) }
        }
        putter.start()
        for _ in 0..<5 { _ = try store.collectGarbage(policy) }
        while !putter.isFinished { usleep(10_000) }
        // Every handoff the putter created is pending, so its artifact is live and must be readable.
        for handoff in try store.inbox("b", filter: HandoffFilter(limit: 1000)) {
            #expect(throws: Never.self) { try store.document(handoff.artifactID) }
        }
        #expect(try store.verify().isClean)
    }
}
