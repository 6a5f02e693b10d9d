import Foundation
import HandoffHTML
import HandoffJSON
import HandoffKit
import HandoffPostgres
import HandoffWorkLog

/// The web UI's pages rendered as `handoff ui` renders them for a request (the store's reads and the HTML,
/// without HTTP), each beside its floor: the JSON the command line prints for the same data, from the same
/// reads. Then whole requests to a running `handoff-ui`, over loopback. With `--backend postgresql`, the same
/// again on a database.
@MainActor
func benchUI(_ bench: Bench) throws {
    bench.section("web UI: pages rendered on the server")
    try benchUIPages(bench, store: try bench.temporaryStore("ui"), suffix: "")
    guard bench.options.backend == "postgresql" else { return }
    guard let url = bench.options.postgres ?? startPrivateCluster() else {
        say(
            "\n(no PostgreSQL: give --postgres URL, or run from the repository so scripts/postgres can start one)"
        )
        return
    }
    let location = url + (url.contains("?") ? "&" : "?") + "schema=bench_ui_\(getpid())"
    defer { try? HandoffPostgres.dropStore(at: location) }
    bench.section("web UI on postgresql (\(Store.redacted(url)))")
    try benchUIPages(bench, store: try Store.create(at: location), suffix: ", postgresql")
}

/// The pages of a store filled here: an inbox of 100k handoffs (10k with --quick) and a 10,000-entry session.
/// `suffix` tells the figures of one backend from the other's.
@MainActor
private func benchUIPages(_ bench: Bench, store: Store, suffix: String) throws {
    let workLog = try WorkLog(store: store)
    let pages = Pages(workLog: workLog, csrf: "bench")
    let size = bench.options.quick ? 10_000 : 100_000
    let document: JSONValue = [
        "schema": "security-scan-v1", "skill_name": "x-bookmarks", "risk_score": 15, "passed": false,
        "status": "rejected",
        "findings": [
            [
                "severity": "high", "category": "persistence_mechanism", "confidence": 0.85, "line": 8,
                "code": "cron", "remediation": "Verify this is legitimate",
            ]
        ],
        "critical_count": 0, "high_count": 1, "medium_count": 0, "low_count": 0,
        "next_actions": ["manual_review", "approve_if_trusted"],
    ]
    // Distinct workflows make distinct handoffs of one artifact.
    for start in stride(from: 0, to: size, by: 5_000) {
        try store.put(
            (start..<min(size, start + 5_000)).map { n in
                PutRequest(
                    document: document, producer: "scanner", consumers: ["reviewer"], workflow: "ui-\(n)")
            })
    }
    var random = SystemRandomNumberGenerator()
    let entries = (0..<10_000).map { index in
        var entry = WorkLogEntry(
            level: LogLevel.allCases[index % LogLevel.allCases.count], category: "research",
            message: "Step \(index): looked at \(random.next() % 1000) bookmarks and chose the next one",
            details: ["attempt": .number(Double(index % 3))], confidence: index % 7 == 0 ? 0.55 : 0.92,
            durationMs: index % 10 == 0 ? Int(random.next() % 2_000) : nil)
        if index % 10 == 0 {
            entry.toolName = "web_search"
            entry.toolInput = ["query": "bookmarks"]
            entry.toolOutput = ["results": 3]
            entry.toolStatus = .success
        }
        entry.step = index + 1
        entry.timestamp = Timestamp.now()
        entry.botName = "nanobot"
        return entry
    }
    _ = try store.importWorkSession(
        WorkSessionStart(query: "ten thousand steps", bot: "nanobot"), id: "ui-long", at: Timestamp.now(),
        entries: entries)

    func time(_ body: () throws -> Void) rethrows -> Double {
        var runs: [Double] = []
        for _ in 0..<bench.count(30) { runs.append(try seconds(body) * 1000) }
        return median(runs)
    }
    let label = size >= 100_000 ? "100k" : "10k"
    let first = try time { _ = try pages.inbox("reviewer", state: nil) }
    let firstJSON = try time {
        let rows = try store.inboxWithNextActions(
            "reviewer", filter: HandoffFilter(limit: Paging.fetchCount(Pages.inboxPageSize)))
        _ = JSONWriter.encode(
            Paging.json(
                "handoffs",
                shown: rows.prefix(Pages.inboxPageSize).map { $0.handoff.json(nextActions: $0.nextActions) },
                nextOffset: Pages.inboxPageSize))
    }
    bench.report("inbox page (50 oldest of \(label)), HTML\(suffix)", first, "ms", "median")
    bench.report(
        "  the same 50 as inbox --json writes them\(suffix)", firstJSON, "ms",
        "HTML / JSON \(ratio(first, firstJSON))"
    )
    // The last page, as its Next link asks for it: after the handoff before it.
    let before = try store.inbox(
        "reviewer", filter: HandoffFilter(limit: 1, offset: size - Pages.inboxPageSize - 1))
    let deep = try time { _ = try pages.inbox("reviewer", state: nil, after: before[0].id) }
    bench.report("inbox page, the last 50 of \(label)\(suffix)", deep, "ms", "median")
    let session = try time { _ = try pages.session("ui-long", page: nil, step: nil, view: nil) }
    let sessionJSON = try time {
        _ = JSONWriter.encode(WorkLogView.json(try workLog.explain(.session("ui-long")), mode: .detailed))
    }
    bench.report("10,000-entry session, its last page of 500, HTML\(suffix)", session, "ms", "median")
    bench.report(
        "  explain --mode detailed --json of all 10,000\(suffix)", sessionJSON, "ms",
        "HTML page / JSON \(ratio(session, sessionJSON))")
    let export = try time {
        _ = Export.session(try workLog.explain(.session("ui-long")), confidenceThreshold: 0.7)
    }
    bench.report("explain --format html of all 10,000\(suffix)", export, "ms", "median")
    bench.report("overview\(suffix)", try time { _ = try pages.overview() }, "ms", "median")
    do {
        try benchUIRequests(bench, store: store.path, suffix: suffix)
    } catch {
        say("  (requests to handoff-ui not measured: \(error))")
    }
}

private func ratio(_ a: Double, _ b: Double) -> String {
    String(format: "%.2f×", b > 0 ? a / b : 0)
}

/// Whole requests to the release `handoff-ui` beside this binary, over loopback with a plain socket: the
/// page as a browser gets it, HTTP and all.
@MainActor
private func benchUIRequests(_ bench: Bench, store: String, suffix: String) throws {
    let server = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("handoff-ui").path
    guard FileManager.default.isExecutableFile(atPath: server) else {
        say(
            "  (no handoff-ui beside handoff-bench: scripts/build-release builds both; requests not measured)"
        )
        return
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: server)
    process.arguments = ["--store", store, "--no-open"]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    defer {
        process.terminate()
        process.waitUntilExit()
    }
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
        let chunk = output.fileHandleForReading.availableData
        guard !chunk.isEmpty else { return }
        line += chunk
    }
    let url = String(decoding: line.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
    guard let port = Int(url.split(separator: ":")[2].prefix { $0.isNumber }),
        let token = url.split(separator: "=").last
    else { return }
    let first = try HTTPProbe.get("/?token=\(token)", port: port, cookie: nil)
    guard let cookie = first.setCookie else { return }
    func time(_ path: String) throws -> Double {
        var runs: [Double] = []
        for _ in 0..<bench.count(30) {
            var status = 0
            runs.append(
                try seconds { status = try HTTPProbe.get(path, port: port, cookie: cookie).status } * 1000)
            guard status == 200 else { throw POSIXError(.EPROTO) }
        }
        return median(runs)
    }
    bench.report(
        "GET /inbox/reviewer over HTTP\(suffix)", try time("/inbox/reviewer"), "ms", "median, whole request")
    bench.report(
        "GET /sessions/ui-long over HTTP\(suffix)", try time("/sessions/ui-long"), "ms",
        "median, whole request")
}

/// A minimal HTTP/1.1 client over a socket, for timing whole requests without a networking library.
enum HTTPProbe {
    struct Answer {
        var status: Int
        var setCookie: String?
        var bytes: Int
    }

    static func get(_ path: String, port: Int, cookie: String?) throws -> Answer {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let cookie { request += "Cookie: \(cookie)\r\n" }
        request += "\r\n"
        _ = request.utf8CString.withUnsafeBufferPointer { send(descriptor, $0.baseAddress, $0.count - 1, 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        let text = String(decoding: response.prefix(4096), as: UTF8.self)
        let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        let setCookie = text.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie:") }
            .map {
                String($0.dropFirst("set-cookie:".count).split(separator: ";")[0]).trimmingCharacters(
                    in: .whitespaces)
            }
        return Answer(status: status, setCookie: setCookie, bytes: response.count)
    }
}
