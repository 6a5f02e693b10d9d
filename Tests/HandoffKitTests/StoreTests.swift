import Foundation
import HandoffJSON
import HandoffTesting
import Testing

@testable import HandoffKit

/// A valid security-scan-v1 artifact.
func scanResult(risk: Int = 15, actions: [String] = ["manual_review"]) -> JSONValue {
    [
        "schema": "security-scan-v1", "skill_name": "x-bookmarks", "risk_score": .number(Double(risk)),
        "passed": false,
        "status": "needs_review", "findings": [], "critical_count": 0, "high_count": 0, "medium_count": 0,
        "low_count": 0,
        "next_actions": .array(actions.map(JSONValue.string)),
    ]
}

struct StoreTests {
    let directory: TemporaryDirectory
    var storePath: String { directory.path + "/store" }

    init() throws { directory = try TemporaryDirectory() }

    /// Holds the index's write lock from another connection, on another thread, until the returned function
    /// is called.
    private func holdingTheWriteLock() throws -> @Sendable () -> Void {
        let holder = try SQLiteConnection(
            path: SQLiteBackend.indexPath(storePath), readOnly: false, busyTimeout: 0)
        let locked = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let thread = Thread {
            try? holder.write { _ in
                locked.signal()
                release.wait()
            }
        }
        thread.start()
        locked.wait()
        return { release.signal() }
    }

    /// While another connection holds the write lock, a put waits for it (up to its busy timeout)
    /// and goes through once it is free; with no time to wait it fails as busy and indexes nothing.
    @Test func aPutWaitsForAnotherWritersLockWithinItsTimeout() throws {
        _ = try Store.create(at: storePath)
        let release = try holdingTheWriteLock()
        let impatient = try Store.open(at: storePath, configuration: .init(busyTimeout: 0))
        let busy = #expect(throws: HandoffError.self) {
            try impatient.put(scanResult(risk: 1), from: "scanner")
        }
        #expect(busy?.code == .busy)
        let patient = try Store.open(at: storePath, configuration: .init(busyTimeout: 30))
        // Let go of the lock a little after the put starts waiting for it.
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { release() }
        let put = try patient.put(scanResult(risk: 2), from: "scanner")
        #expect(try patient.artifacts().map(\.id) == [put.artifact.id])
        do {
            _ = try impatient.put(scanResult(risk: 1), from: "scanner")
        } catch {
            Issue.record("with the lock free, the impatient store's put failed too: \(error)")
        }
    }

    /// A lock that is never let go of: the put keeps trying for its whole busy timeout, then fails as busy
    /// rather than waiting on.
    @Test func aPutGivesUpWhenItsBusyTimeoutRunsOut() throws {
        _ = try Store.create(at: storePath)
        let release = try holdingTheWriteLock()
        defer { release() }
        let store = try Store.open(at: storePath, configuration: .init(busyTimeout: 0.4))
        let start = DispatchTime.now().uptimeNanoseconds
        let busy = #expect(throws: HandoffError.self) {
            try store.put(scanResult(risk: 1), from: "scanner")
        }
        let waited = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        #expect(busy?.code == .busy)
        #expect(waited >= 0.4, "gave up after \(waited) s, before its busy timeout")
        #expect(waited < 10, "still waiting \(waited) s into a 0.4 s busy timeout")
    }

    /// `verify` reads objects a batch at a time, cut by their sizes: large ones, more than a batch holds
    /// together, are each read and re-hashed all the same.
    @Test func verifyChecksEveryObjectHoweverLarge() throws {
        let temporary = try TemporaryStore()
        var sizes = 0
        for n in 0..<3 {
            let document: JSONValue = [
                "schema": "x-v1", "n": .number(Double(n)),
                "pad": .string(String(repeating: "abcdefgh", count: 7 << 17)),
            ]
            sizes += try temporary.store.put(document, from: "p", validate: false).artifact.size
        }
        let report = try temporary.store.verify()
        #expect(report.isClean)
        #expect(report.objectsChecked == 3 && report.bytesChecked == sizes)
        #expect(sizes > 20 << 20, "more than one batch of 16 MB")
    }

    @Test func putThenReadBack() throws {
        let store = try Store.create(at: storePath)
        let document: JSONValue = [
            "schema": "tool-result-v1", "tool": "bird",
            "input": ["args": [], "kwargs": ["command": "bookmarks"]],
            "output": ["count": 50, "note": "café ☕"], "status": "success", "duration_ms": 1200,
        ]
        let result = try store.put(
            document, from: "bookmark_analyzer", to: ["action_suggester"], workflow: "wf-1")
        #expect(result.existed == false)
        #expect(result.id == ArtifactID(canonicalBytes: CanonicalJSON.encode(document)))
        #expect(result.artifact.schema == "tool-result-v1")
        #expect(result.artifact.producer == "bookmark_analyzer")
        #expect(result.handoffs.map(\.consumer) == ["action_suggester"])
        #expect(result.handoffs.first?.state == .pending)
        #expect(try store.document(result.id) == document)
        #expect(try store.canonicalBytes(of: result.id) == CanonicalJSON.encode(document))
        let info = try store.artifact(result.id)
        #expect(info.size == CanonicalJSON.encode(document).count)
        #expect(info.workflow == "wf-1")
    }

    @Test func identicalContentIsStoredOnceAndReportedAsExisting() throws {
        let store = try Store.create(at: storePath)
        let first = try store.put(scanResult(), from: "scanner")
        // Same content, other formatting and key order: the same artifact.
        let reordered = try JSONParser.parse(
            #"{"next_actions": ["manual_review"], "passed": false, "risk_score": 15.0, "skill_name": "x-bookmarks", "findings": [], "low_count": 0, "medium_count": 0, "high_count": 0, "critical_count": 0, "status": "needs_review", "schema": "security-scan-v1"}"#
        )
        let second = try store.put(reordered, from: "another_scanner")
        #expect(second.existed)
        #expect(second.id == first.id)
        #expect(second.artifact.producer == "scanner")
        #expect(try store.artifacts().count == 1)
        let files = try FileManager.default.subpathsOfDirectory(atPath: storePath + "/objects/xxh128")
        #expect(files.filter { $0.contains("/") }.count == 1)
    }

    @Test func fanOutCreatesOneHandoffPerConsumer() throws {
        let store = try Store.create(at: storePath)
        let result = try store.put(scanResult(), from: "scanner", to: ["reviewer", "auditor", "reviewer"])
        #expect(result.handoffs.map(\.consumer) == ["reviewer", "auditor"])
        #expect(Set(result.handoffs.map(\.id)).count == 2)
        let forReviewer = try store.handoffs(HandoffFilter(consumer: "reviewer"))
        #expect(forReviewer.map(\.artifactID) == [result.id])
    }

    @Test func theSamePendingDeliveryIsNotDuplicated() throws {
        let store = try Store.create(at: storePath)
        let first = try store.put(scanResult(), from: "scanner", to: ["reviewer"], workflow: "wf")
        let retry = try store.put(scanResult(), from: "scanner", to: ["reviewer"], workflow: "wf")
        #expect(retry.handoffs.isEmpty)
        #expect(retry.pendingDuplicates.map(\.id) == first.handoffs.map(\.id))
        let otherWorkflow = try store.put(scanResult(), from: "scanner", to: ["reviewer"], workflow: "wf-2")
        #expect(otherWorkflow.handoffs.count == 1)
        #expect(try store.handoffs().count == 2)
    }

    @Test func batchesAreAllOrNothing() throws {
        let store = try Store.create(at: storePath)
        let good = PutRequest(document: scanResult(), producer: "scanner", consumers: ["reviewer"])
        let bad = PutRequest(document: ["no": "schema"], producer: "scanner", source: "item 2")
        #expect {
            try store.put([good, bad])
        } throws: { error in
            (error as! HandoffError).message == #"item 2: the artifact has no top-level "schema" field"#
        }
        #expect(try store.artifacts().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: storePath + "/objects/xxh128").isEmpty)
        let results = try store.put(
            (0..<50).map { PutRequest(document: scanResult(risk: $0), producer: "scanner", consumers: ["r"]) }
        )
        #expect(results.count == 50)
        #expect(try store.stats().handoffs == 50)
    }

    struct BadPut: Sendable, CustomTestStringConvertible {
        let name: String
        let document: JSONValue
        let producer: String
        let consumers: [String]
        let code: HandoffError.Code
        let message: String
        var testDescription: String { name }
    }

    static let badPuts: [BadPut] = [
        BadPut(
            name: "array", document: [1, 2], producer: "p", consumers: [], code: .invalidInput,
            message: "the artifact: an artifact must be a JSON object, not an array"),
        BadPut(
            name: "no schema", document: ["a": 1], producer: "p", consumers: [], code: .invalidInput,
            message: #"the artifact: the artifact has no top-level "schema" field"#),
        BadPut(
            name: "schema not a string", document: ["schema": 1], producer: "p", consumers: [],
            code: .invalidInput,
            message: #"the artifact: the "schema" field must be a string, not a number"#),
        BadPut(
            name: "schema without version", document: ["schema": "tool-result"], producer: "p", consumers: [],
            code: .invalidInput,
            message: #"the artifact: the "schema" field "tool-result" is not of the form <name>-v<N>"#),
        BadPut(
            name: "NaN", document: ["schema": "x-v1", "score": .number(.nan)], producer: "p", consumers: [],
            code: .invalidInput, message: "the artifact at /score: nan is not a JSON number"),
        BadPut(
            name: "empty producer", document: ["schema": "x-v1"], producer: "", consumers: [], code: .usage,
            message: "the producer name is empty"),
        BadPut(
            name: "consumer with a newline", document: ["schema": "x-v1"], producer: "p", consumers: ["a\nb"],
            code: .usage,
            message: #"invalid consumer name "a\u000ab""#),
        BadPut(
            name: "consumer path", document: ["schema": "x-v1"], producer: "p", consumers: ["../../x y"],
            code: .usage,
            message: #"invalid consumer name "../../x y""#),
    ]

    @Test(arguments: badPuts)
    func badPutsAreRefusedAndChangeNothing(_ bad: BadPut) throws {
        let store = try Store.create(at: storePath)
        #expect {
            try store.put(bad.document, from: bad.producer, to: bad.consumers)
        } throws: { error in
            let error = error as! HandoffError
            return error.code == bad.code && error.message == bad.message
        }
        #expect(try store.artifacts().isEmpty)
        #expect(try store.handoffs().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: storePath + "/objects/xxh128").isEmpty)
    }

    @Test func documentsDeeperThanTheLimitAreRefused() throws {
        let store = try Store.create(at: storePath, configuration: .init(limits: .init(maxDepth: 4)))
        let deep: JSONValue = ["schema": "x-v1", "a": [[["b": [1]]]]]
        #expect {
            try store.put(deep, from: "p")
        } throws: { error in
            (error as! HandoffError).message == "the artifact is nested deeper than the limit of 4 levels"
        }
        #expect(throws: Never.self) {
            try store.put(["schema": "x-v1", "a": [[[1]]]], from: "p", validate: false)
        }
    }

    @Test func prefixesResolveWhenUniqueAndAreRefusedWhenAmbiguous() throws {
        let store = try Store.create(at: storePath)
        // Find two documents whose ids share their first 8 hex digits (a birthday search over 2^32).
        var seen: [String: JSONValue] = [:]
        var pair: (JSONValue, JSONValue)?
        var counter = 0
        while pair == nil {
            let document: JSONValue = ["schema": "x-v1", "n": .number(Double(counter))]
            let prefix = String(ArtifactID(canonicalBytes: CanonicalJSON.encode(document)).hex.prefix(8))
            if let other = seen[prefix] { pair = (other, document) } else { seen[prefix] = document }
            counter += 1
        }
        let first = try store.put(pair!.0, from: "p", validate: false)
        let prefix = String(first.id.hex.prefix(8))
        #expect(try store.resolve(prefix) == first.id)
        #expect(try store.resolve("xxh128:" + prefix) == first.id)
        let second = try store.put(pair!.1, from: "p", validate: false)
        #expect {
            try store.resolve(prefix)
        } throws: { error in
            let error = error as! HandoffError
            return error.code == .usage
                && error.message.hasPrefix("artifact prefix xxh128:\(prefix) is ambiguous")
                && error.message.contains(first.id.description)
                && error.message.contains(second.id.description)
        }
        #expect(try store.resolve(String(second.id.hex.prefix(16))) == second.id)
        #expect {
            try store.resolve("0000000000000000")
        } throws: { error in
            (error as! HandoffError).code == .notFound
        }
    }

    @Test(.storesAreFolders) func damagedObjectsAreRefusedOnReadAndRepairedByPuttingTheDocumentAgain() throws
    {
        let store = try Store.create(at: storePath)
        let result = try store.put(scanResult(), from: "scanner")
        let path = store.sqlite!.objects.path(of: result.id)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        try Data(#"{"schema":"security-scan-v1","risk_score":99}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            try store.document(result.id)
        } throws: { error in
            let error = error as! HandoffError
            return error.code == .io
                && error.message.hasPrefix("object \(result.id) is damaged: its bytes hash to xxh128:")
                && error.message.hasSuffix("(\(path))")
        }
        let report = try store.verify()
        #expect(report.problems.map(\.kind) == [.damaged, .sizeMismatch])
        #expect(!report.isClean)
        let again = try store.put(scanResult(), from: "scanner")
        #expect(again.existed)
        #expect(try store.document(result.id) == scanResult())
        #expect(try store.verify().isClean)
    }

    /// Listings print the next actions rendered when an artifact was recorded. Where they differ from the
    /// recorded rows, verify says so and a repair lists the recorded ones again.
    @Test(.storesAreFolders) func renderedNextActionsThatDifferFromTheRecordedOnesAreReportedAndRepaired()
        throws
    {
        let store = try Store.create(at: storePath)
        let result = try store.put(
            scanResult(actions: ["manual_review", "notify_owner"]), from: "scanner", to: ["reviewer"])
        #expect(try store.verify().isClean)
        try store.sqlite!.write { db in
            try db.run(sql: "UPDATE next_action SET action = 'escalate' WHERE action = 'notify_owner'")
        }
        /// The actions `inbox --json` lists for the reviewer's one handoff.
        func listedActions() throws -> [String?] {
            var listed = JSONTextBuilder()
            _ = try store.writeInboxJSON("reviewer", limit: 9, into: &listed)
            let inbox = try JSONParser.parse("[" + String(decoding: listed.bytes, as: UTF8.self) + "]")
            return inbox[0]?["next_actions"]?.arrayValue?.map { $0["action"]?.stringValue } ?? []
        }
        #expect(try listedActions() == ["manual_review", "notify_owner"])
        var report = try store.verify()
        #expect(report.problems.map(\.kind) == [.index])
        #expect(report.problems.first?.id == result.id)
        #expect(
            report.problems.first?.message
                == "index: the next actions listed for \(result.id) are not those recorded for it")
        let repair = try store.repairIndex(report)
        #expect(repair.relistedNextActions == [result.id])
        #expect(repair.reindexed.isEmpty)
        #expect(try listedActions() == ["manual_review", "escalate"])
        report.remove(repairedBy: repair)
        #expect(report.isClean)
        #expect(try store.verify().isClean)
        #expect(try store.repairIndex(store.verify()).relistedNextActions.isEmpty)
    }

    @Test(.storesAreFolders) func missingObjectsAreReported() throws {
        let store = try Store.create(at: storePath)
        let result = try store.put(scanResult(), from: "scanner")
        try FileManager.default.removeItem(atPath: store.sqlite!.objects.path(of: result.id))
        #expect {
            try store.document(result.id)
        } throws: { error in
            let error = error as! HandoffError
            return error.code == .notFound
                && error.message.hasPrefix("the object file of \(result.id) is missing")
        }
        let report = try store.verify()
        #expect(report.problems.map(\.kind) == [.missing])
        #expect(report.problems.first?.id == result.id)
    }

    @Test(.storesAreFolders) func aCollisionIsReportedAndNothingIsOverwritten() throws {
        let store = try Store.create(at: storePath)
        let original = Array(#"{"schema":"x-v1"}"#.utf8)
        let id = ArtifactID(canonicalBytes: original)
        #expect(try store.sqlite!.objects.write(original, as: id) == .created)
        #expect(try store.sqlite!.objects.write(original, as: id) == .existed)
        // Bytes that claim the same id but differ, as a real collision would.
        #expect {
            try store.sqlite!.objects.write(Array(#"{"schema":"y-v1"}"#.utf8), as: id)
        } throws: { error in
            let error = error as! HandoffError
            return error.code == .io
                && error.message
                    == "hash collision: \(id) is already stored with different content; nothing was overwritten"
        }
        #expect(try store.sqlite!.objects.read(id, size: original.count, maxSize: original.count) == original)
    }

    @Test(.storesAreFolders) func interruptedPutsLeaveOnlyHarmlessLeftovers() throws {
        let store = try Store.create(at: storePath)
        let bytes = CanonicalJSON.encode(scanResult())
        let id = ArtifactID(canonicalBytes: bytes)
        _ = try store.sqlite!.objects.write(bytes, as: id)
        #expect(
            FileManager.default.createFile(
                atPath: storePath + "/tmp/object-1-abc", contents: Data("partial".utf8)))
        let report = try store.verify()
        #expect(report.isClean)
        #expect(report.unindexedObjects == [id])
        #expect(report.strayFiles == [storePath + "/tmp/object-1-abc"])
        #expect {
            try store.artifact(id)
        } throws: { error in
            (error as! HandoffError).code == .notFound
        }
    }

    @Test(.storesAreFolders) func theStoreIsOwnerOnly() throws {
        let store = try Store.create(at: storePath + "/nested/deeper")
        let result = try store.put(scanResult(), from: "scanner")
        func mode(_ path: String) throws -> Int {
            try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
        }
        #expect(try mode(store.path) == 0o700)
        #expect(try mode(store.path + "/objects") == 0o700)
        #expect(try mode(store.path + "/index.sqlite") == 0o600)
        #expect(try mode(store.sqlite!.objects.path(of: result.id)) == 0o400)
    }

    @Test func openingAMissingStoreSaysSo() throws {
        #expect {
            try Store.open(at: storePath)
        } throws: { error in
            let error = error as! HandoffError
            return error.code == .notFound && error.message == "no store at \(storePath)"
        }
        #expect {
            try Store.open(at: directory.path)
        } throws: { error in
            (error as! HandoffError).message
                == "\(directory.path) is not a Handoff store (it has no index.sqlite)"
        }
        #expect(!FileManager.default.fileExists(atPath: storePath))
    }

    @Test func listsFilterByWhatTheIndexRecords() throws {
        let clock = ManualClock(start: 1_000_000)
        let store = try Store.create(at: storePath, configuration: .init(clock: clock.now))
        let a = try store.put(
            ["schema": "work-log-v1", "n": 1], from: "analyzer", to: ["suggester"], workflow: "w1",
            workspace: "#general", validate: false)
        clock.advance(by: 1000)
        let b = try store.put(
            ["schema": "tool-result-v1", "n": 2], from: "scanner", to: ["reviewer", "suggester"],
            workflow: "w2", validate: false)
        clock.advance(by: 1000)
        let c = try store.put(["schema": "work-log-v1", "n": 3], from: "scanner", to: [], validate: false)
        #expect(try store.artifacts().map(\.id) == [c.id, b.id, a.id])
        #expect(try store.artifacts(ArtifactFilter(schema: "work-log-v1")).map(\.id) == [c.id, a.id])
        #expect(try store.artifacts(ArtifactFilter(producer: "scanner")).map(\.id) == [c.id, b.id])
        #expect(try store.artifacts(ArtifactFilter(consumer: "suggester")).map(\.id) == [b.id, a.id])
        #expect(try store.artifacts(ArtifactFilter(workflow: "w1")).map(\.id) == [a.id])
        #expect(try store.artifacts(ArtifactFilter(workspace: "#general")).map(\.id) == [a.id])
        #expect(
            try store.artifacts(ArtifactFilter(since: Timestamp(millisecondsSince1970: 1_001_000))).map(\.id)
                == [c.id, b.id])
        #expect(
            try store.artifacts(ArtifactFilter(until: Timestamp(millisecondsSince1970: 1_001_000))).map(\.id)
                == [a.id])
        #expect(try store.artifacts(ArtifactFilter(limit: 1)).map(\.id) == [c.id])
        #expect(try store.handoffs(HandoffFilter(consumer: "suggester")).map(\.artifactID) == [a.id, b.id])
        #expect(
            try store.handoffs(HandoffFilter(consumer: "suggester", newestFirst: true)).map(\.artifactID) == [
                b.id, a.id,
            ])
        #expect(
            try store.handoffs(HandoffFilter(schema: "tool-result-v1")).map(\.consumer) == [
                "reviewer", "suggester",
            ])
        #expect(try store.handoffs(HandoffFilter(states: [.done])).isEmpty)
        let stats = try store.stats()
        #expect(stats.artifacts == 3)
        #expect(stats.handoffs == 3)
        #expect(stats.handoffsByState == [.pending: 3])
        #expect(stats.artifactsBySchema == ["work-log-v1": 2, "tool-result-v1": 1])
        #expect(stats.producers == 2)
        #expect(stats.consumers == 2)
    }
}

/// A clock a test moves by hand.
final class ManualClock: @unchecked Sendable {
    private var milliseconds: Int64
    private let lock = NSLock()

    init(start: Int64) { milliseconds = start }

    func advance(by delta: Int64) {
        lock.withLock { milliseconds += delta }
    }

    var now: @Sendable () -> Timestamp {
        { [self] in lock.withLock { Timestamp(millisecondsSince1970: milliseconds) } }
    }
}
