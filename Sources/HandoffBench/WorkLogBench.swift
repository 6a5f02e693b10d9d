import Foundation
import HandoffJSON
import HandoffKit
import HandoffWorkLog

/// Work logs: what recording costs a bot, how fast a stream is taken in, how `how` and `explain` scale,
/// and how long `gc` takes.
@MainActor
func benchWorkLogs(_ bench: Bench) throws {
    bench.section("work logs")
    try benchRecording(bench)
    try benchLogRecordProcess(bench)
    try benchSearch(bench)
    try benchExplain(bench)
    try benchCollection(bench)
}

/// A realistic entry: a message from a small vocabulary, details, now and then a tool run.
private func entry(_ index: Int, random: inout SystemRandomNumberGenerator) -> WorkLogEntry {
    let words = vocabulary
    var message = ""
    for position in 0..<8 {
        if position > 0 { message += " " }
        message += words[Int(random.next() % UInt64(words.count))]
    }
    var entry = WorkLogEntry(
        level: LogLevel.allCases[index % 8], category: ["routing", "memory", "tool", "research"][index % 4],
        message: message, details: ["attempt": .number(Double(index % 3)), "tier": "medium"],
        confidence: index % 5 == 0 ? 0.55 : 0.92, durationMs: index % 700)
    if index % 10 == 0 {
        entry.toolName = "web_search"
        entry.toolInput = ["query": .string(message)]
        entry.toolOutput = ["results": 3]
        entry.toolStatus = .success
    }
    return entry
}

private let vocabulary: [String] = {
    let common = [
        "the", "user", "asked", "for", "bookmarks", "routing", "decision", "confidence", "low", "high",
        "memory",
        "context", "retrieved", "tool", "search", "results", "rate", "limit", "password", "policy", "design",
        "conflict", "escalate", "escalation", "coordinator", "researcher", "coder", "creative", "summary",
        "categories", "analysis", "finished", "retry", "timeout", "error", "warning", "correction", "choice",
    ]
    // A long tail of rarer words, as real logs have.
    return common + (0..<2000).map { "term\($0)" }
}()

@MainActor
private func benchRecording(_ bench: Bench) throws {
    let store = try bench.temporaryStore("worklog-record")
    let workLog = try WorkLog(store: store)
    let count = bench.count(200_000)
    var random = SystemRandomNumberGenerator()
    let entries = (0..<count).map { entry($0, random: &random) }
    let session = try workLog.start(WorkSessionStart(query: "bench", bot: "bench"))!
    var recorded = 0.0
    let total = try seconds {
        recorded = try seconds {
            for entry in entries { try session.record(entry) }
        }
        try session.flush()
    }
    let perEntry = recorded / Double(count) * 1e6
    let amortized = total / Double(count) * 1e6
    bench.report("record an entry, in process (the bot's call)", perEntry, "µs", "\(count) entries")
    bench.report("record an entry, until durable (amortized)", amortized, "µs", "with masking, index and FTS")
    if let seed = seedSaveEntryMilliseconds(entries: bench.count(500), directory: store.path) {
        bench.report(
            "the seed's _save_entry, one commit per entry", seed * 1000, "µs", "python3, same machine")
        bench.report("recording vs the seed's _save_entry", seed * 1000 / amortized, "×", "faster, amortized")
    }
}

/// The seed's `_save_entry` (one connection and one commit per entry), timed with the seed's own Python.
private func seedSaveEntryMilliseconds(entries: Int, directory: String) -> Double? {
    let script = """
        import json, sqlite3, sys, time
        from datetime import datetime
        db = sys.argv[1]
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS work_log_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, work_log_id TEXT, step INTEGER, timestamp TIMESTAMP, level TEXT, category TEXT, message TEXT, details_json TEXT, confidence REAL, duration_ms INTEGER, tool_name TEXT, tool_input_json TEXT, tool_output_json TEXT, tool_status TEXT)")
        n = int(sys.argv[2])
        start = time.perf_counter()
        for step in range(n):
            with sqlite3.connect(db) as conn:
                conn.execute("INSERT INTO work_log_entries (work_log_id, step, timestamp, level, category, message, details_json, confidence, duration_ms, tool_name, tool_input_json, tool_output_json, tool_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ("bench", step, datetime.now(), "decision", "routing", "Classified as medium tier", json.dumps({"tier": "medium"}), 0.91, 12, None, None, None, None))
        print((time.perf_counter() - start) / n * 1000)
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, directory + "/seed.db", String(entries)]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
}

@MainActor
private func benchLogRecordProcess(_ bench: Bench) throws {
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("handoff").path
    guard FileManager.default.isExecutableFile(atPath: executable) else { return }
    let store = try bench.temporaryStore("worklog-stream")
    let count = bench.count(200_000)
    var lines = Data()
    var random = SystemRandomNumberGenerator()
    for index in 0..<count {
        let entry = entry(index, random: &random)
        var object: JSONObject = [
            "level": .string(entry.level.rawValue), "category": .string(entry.category),
            "message": .string(entry.message), "details": .object(entry.details),
            "confidence": entry.confidence.map(JSONValue.number) ?? .null,
        ]
        if let tool = entry.toolName { object["tool_name"] = .string(tool) }
        lines.append(contentsOf: JSONWriter.encode(.object(object)) + [0x0A])
    }
    // No end line: ending stores the whole raw record as one artifact, which for this many entries is past
    // the artifact size limit (64 MB canonical); recording is what this measures.
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = ["log", "record", "--bot", "bench", "--query", "stream", "--store", store.path]
    let input = Pipe()
    process.standardInput = input
    process.standardOutput = FileHandle.nullDevice
    let elapsed = try seconds {
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: lines)
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
    precondition(process.terminationStatus == 0, "handoff log record failed")
    bench.report(
        "handoff log record from a pipe", Double(count) / elapsed, "entries/s",
        "\(count) lines, \(lines.count / 1_048_576) MB, whole process")
}

/// Fills a store with `count` entries in sessions of 1,000, straight into the index, as an import would.
@MainActor
private func filledStore(_ bench: Bench, entries count: Int, name: String) throws -> WorkLog {
    let store = try bench.temporaryStore(name)
    var random = SystemRandomNumberGenerator()
    var index = 0
    var session = 0
    let start = Timestamp.now()
    while index < count {
        var batch: [WorkLogEntry] = []
        for step in 1...min(1000, count - index) {
            var next = entry(index, random: &random)
            next.step = step
            next.timestamp = start.adding(milliseconds: Int64(index))
            next.botName = ["nanobot", "researcher", "coder"][session % 3]
            batch.append(next)
            index += 1
        }
        _ = try store.importWorkSession(
            WorkSessionStart(workspace: "#ws\(session % 20)", query: "session \(session)", bot: "nanobot"),
            id: "bench-\(session)", at: start, entries: batch)
        session += 1
    }
    return try WorkLog(store: store)
}

@MainActor
private func benchSearch(_ bench: Bench) throws {
    let sizes = bench.options.quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000]
    for size in sizes {
        let workLog = try filledStore(bench, entries: size, name: "worklog-how-\(size)")
        var samples: [Double] = []
        var naive: [Double] = []
        for question in ["confidence", "rate limit", "why did you escalate the design conflict", "term1234"] {
            for _ in 0..<5 {
                samples.append(try seconds { _ = try workLog.search(question, limit: 10) } * 1000)
            }
        }
        // What one would write oneself: a scan of every message for the word.
        let database = workLog.store.path + "/index.sqlite"
        for _ in 0..<3 {
            naive.append(
                seconds {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                    process.arguments = [
                        "sqlite3", database,
                        "SELECT count(*) FROM work_entry WHERE message LIKE '%confidence%' OR details LIKE '%confidence%'",
                    ]
                    process.standardOutput = FileHandle.nullDevice
                    try? process.run()
                    process.waitUntilExit()
                } * 1000)
        }
        let label = size >= 1_000_000 ? "\(size / 1_000_000)M" : "\(size / 1000)k"
        bench.report("how, \(label) entries", median(samples), "ms", "median of 4 questions × 5")
        bench.report(
            "  a LIKE scan of every entry, \(label)", median(naive), "ms", "sqlite3 shell, for scale")
    }
}

@MainActor
private func benchExplain(_ bench: Bench) throws {
    let workLog = try filledStore(bench, entries: 10_000, name: "worklog-explain")
    // One session of 10,000 entries.
    let store = workLog.store
    var random = SystemRandomNumberGenerator()
    let entries = (0..<10_000).map { index in
        var next = entry(index, random: &random)
        next.step = index + 1
        next.timestamp = Timestamp.now()
        next.botName = "nanobot"
        return next
    }
    _ = try store.importWorkSession(
        WorkSessionStart(query: "ten thousand steps", bot: "nanobot"), id: "long", at: Timestamp.now(),
        entries: entries)
    var summary: [Double] = []
    var detailed: [Double] = []
    for _ in 0..<bench.count(20) {
        summary.append(
            try seconds { _ = WorkLogView.text(try workLog.explain(.session("long")), mode: .summary) } * 1000
        )
        detailed.append(
            try seconds { _ = WorkLogView.json(try workLog.explain(.session("long")), mode: .detailed) }
                * 1000)
    }
    bench.report("explain a 10,000-entry session, summary", median(summary), "ms", "median")
    bench.report("explain a 10,000-entry session, detailed JSON", median(detailed), "ms", "median")
}

@MainActor
private func benchCollection(_ bench: Bench) throws {
    let count = bench.count(100_000)
    final class Clock: @unchecked Sendable {
        var offset: Int64 = 0
        func now() -> Timestamp { Timestamp.now().adding(milliseconds: offset) }
    }
    let clock = Clock()
    let store = try bench.temporaryStore(
        "worklog-gc", configuration: Store.Configuration(clock: { clock.now() }))
    // Half the artifacts are finished work, half still wait in an inbox.
    var requests: [PutRequest] = []
    for index in 0..<count {
        requests.append(
            PutRequest(
                document: [
                    "schema": "tool-result-v1", "tool": .string("tool-\(index)"),
                    "input": ["args": [], "kwargs": [:]],
                    "status": "success", "duration_ms": .number(Double(index % 1000)),
                ], producer: "bench", consumers: index % 2 == 0 ? [] : ["waiting"]))
    }
    _ = try store.importArtifacts(requests, batchSize: 2000)
    clock.offset = 30 * 86_400_000
    var report: GCReport?
    let elapsed = try seconds { report = try store.collectGarbage(GCPolicy(keepDays: 7)) }
    precondition(
        report?.artifacts.count == count / 2, "gc removed \(report?.artifacts.count ?? 0), not \(count / 2)")
    bench.report(
        "gc, store of \(count / 1000)k artifacts", elapsed * 1000, "ms",
        "removes the \(count / 2) unreachable")
}
