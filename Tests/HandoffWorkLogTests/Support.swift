import Foundation
import HandoffJSON
import HandoffKit
import HandoffTesting
import HandoffWorkLog

/// A clock tests move by hand: every reading is one millisecond after the last, and `advance` jumps.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var now: Int64

    init(_ start: String = "2026-11-20T08:00:00Z") {
        now = Timestamp(rfc3339: start)!.millisecondsSince1970
    }

    func read() -> Timestamp {
        lock.lock()
        defer { lock.unlock() }
        now += 1
        return Timestamp(millisecondsSince1970: now)
    }

    func advance(days: Double) {
        lock.lock()
        now += Int64(days * 86_400_000)
        lock.unlock()
    }

    func advance(hours: Double) { advance(days: hours / 24) }
}

/// A temporary store on a test clock, with its work log.
struct WorkLogFixture {
    let temporary: TemporaryStore
    let clock: TestClock
    let workLog: WorkLog

    var store: Store { temporary.store }

    init(configuration: WorkLogConfiguration? = nil, flushDelay: Double = WorkLog.defaultFlushDelay) throws {
        let clock = TestClock()
        self.clock = clock
        temporary = try TemporaryStore(configuration: Store.Configuration(clock: { clock.read() }))
        if let configuration { try configuration.save(to: temporary.store) }
        workLog = try WorkLog(store: temporary.store, flushDelay: flushDelay)
    }

    /// Records the lines of a sample stream (`Samples/worklogs/<name>.jsonl`) and ends the session as its
    /// end line says.
    @discardableResult
    func record(sample name: String, _ start: WorkSessionStart, to consumers: [String] = []) throws
        -> WorkSessionEnd
    {
        let recorder = try workLog.start(start)!
        let text = try String(
            contentsOf: Samples.folder.appendingPathComponent("worklogs/\(name).jsonl"), encoding: .utf8)
        for line in text.split(separator: "\n") {
            let value = try JSONParser.parse(String(line))
            if let ending = try WorkLog.ending(fromJSON: value) {
                return try recorder.end(
                    finalOutput: ending.finalOutput, summary: ending.summary, to: consumers,
                    nextActions: ending.nextActions)
            }
            try recorder.record(workLog.entry(fromJSON: value, for: start))
        }
        fatalError("\(name) has no end line")
    }
}

enum Samples {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Samples")

    static let exampleA = WorkSessionStart(
        workspace: "#general", workspaceType: .open, query: "What's the weather like?", bot: "nanobot",
        participants: ["nanobot", "researcher", "coder", "social"])
    static let exampleB = WorkSessionStart(
        workspace: "#project-refactor", workspaceType: .project, query: "Refactor the authentication module",
        bot: "nanobot", participants: ["nanobot", "researcher", "coder"], coordinator: "nanobot",
        workflow: "wf-auth-refactor")
    static let exampleC = WorkSessionStart(
        workspace: "dm-researcher", workspaceType: .direct,
        query: "Research quantum computing applications in cryptography", bot: "researcher",
        participants: ["nanobot", "researcher"])
    static let exampleD = WorkSessionStart(
        workspace: "#coordination-website", workspaceType: .coordination, query: "Build company website",
        bot: "nanobot", participants: ["nanobot", "researcher", "coder", "creative"], coordinator: "nanobot")
}

extension JSONValue {
    /// Canonical JSON text, for comparing documents whole.
    var canonicalText: String { String(decoding: CanonicalJSON.encode(self), as: UTF8.self) }
}
