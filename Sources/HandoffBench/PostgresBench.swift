import Foundation
import HandoffJSON
import HandoffKit
import HandoffPostgres

/// The same work on PostgreSQL and on SQLite, side by side in one run (`--backend postgresql`): whole
/// `handoff` processes (put, claim, ack) run by turns on a folder and a database, four CLI workers draining
/// an inbox on each, and in process claim+ack with 1, 4 and 8 worker processes, puts, and the inbox as the
/// store grows. The ratios are what counts: these machines are shared, and both backends feel the same load.
///
/// The database is `--postgres URL`, else a private cluster `scripts/postgres` starts (run from the
/// repository), each measurement in a schema of its own.
@MainActor
func benchPostgres(_ bench: Bench) throws {
    guard bench.options.backend == "postgresql" else { return }
    HandoffPostgres.register()
    guard let url = bench.options.postgres ?? startPrivateCluster() else {
        say(
            "\n(no PostgreSQL: give --postgres URL, or run from the repository so scripts/postgres can start one)"
        )
        return
    }
    bench.section("postgresql beside sqlite (\(Store.redacted(url)))")
    var schemas = 0
    /// A fresh store in a schema of its own, or the folder store to compare with.
    func database() -> String {
        schemas += 1
        return url + (url.contains("?") ? "&" : "?") + "schema=bench_\(getpid())_\(schemas)"
    }
    defer {
        for index in 1...max(1, schemas) {
            try? HandoffPostgres.dropStore(
                at: url + (url.contains("?") ? "&" : "?") + "schema=bench_\(getpid())_\(index)")
        }
    }

    try benchPostgresProcesses(bench, database: database())
    try benchWakeUp(bench, database: database())
    try benchPostgresCLIWorkers(bench, database: database())
    try benchPostgresInProcess(bench, database: database)
}

/// `scripts/postgres start`'s URL, or nil when the script is not here.
func startPrivateCluster() -> String? {
    guard FileManager.default.isExecutableFile(atPath: "scripts/postgres") else { return nil }
    // Its output to a file and a plain wait: Foundation's Process waited forever here for a script whose
    // server outlives it.
    let output = NSTemporaryDirectory() + "handoff-bench-postgres-\(getpid())"
    guard FileManager.default.createFile(atPath: output, contents: nil),
        let pid = try? spawn(
            "scripts/postgres", ["start", ".build/postgres-bench"], stdout: output, stderr: "/dev/null")
    else { return nil }
    defer { try? FileManager.default.removeItem(atPath: output) }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    guard status == 0, let text = try? String(contentsOfFile: output, encoding: .utf8) else { return nil }
    return text.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// The `handoff` beside the benchmark, as `benchProcesses` finds it.
private func handoffExecutable() -> String? {
    let path = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("handoff").path
    return FileManager.default.isExecutableFile(atPath: path) ? path : nil
}

/// The wall time of one run, in milliseconds.
private func wallTime(_ program: String, _ arguments: [String], expecting: Int32 = 0) throws -> Double {
    try seconds {
        let pid = try spawn(program, arguments, stdout: "/dev/null", stderr: "/dev/null")
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        precondition(status == expecting, "\(program) \(arguments) ended with \(status)")
    } * 1000
}

/// Whole `put`, `claim` and `ack` processes, by turns on a folder and on the database.
@MainActor
private func benchPostgresProcesses(_ bench: Bench, database: String) throws {
    guard let executable = handoffExecutable() else { return }
    let folder = try bench.temporaryStore("pg-processes-sqlite")
    let postgres = try Store.create(at: database)
    let runs = bench.count(100)
    let inputs = try (0..<runs).map { run in
        let path = try bench.temporaryDirectory("pg-input-\(run)") + "/work-log.json"
        precondition(
            FileManager.default.createFile(
                atPath: path, contents: Data(JSONWriter.encode(workLog(decisions: 3, seed: 50_000 + run)))))
        return path
    }
    // Enough handoffs for every timed claim, and for the claims whose receipts the timed acks use.
    for store in [folder, postgres] {
        try store.put(
            (0..<(2 * runs + 10)).map { n in
                PutRequest(
                    document: workLog(decisions: 3, seed: 9), producer: "bench", consumers: ["claimer"],
                    workflow: "run-\(n)")
            })
    }
    func compare(_ name: String, goal: Double, _ arguments: (Store, Int) throws -> [String]) throws {
        var sqlite: [Double] = []
        var pg: [Double] = []
        for run in 0..<runs {
            sqlite.append(try wallTime(executable, try arguments(folder, run) + ["--store", folder.path]))
            pg.append(try wallTime(executable, try arguments(postgres, run) + ["--store", postgres.path]))
        }
        bench.report("\(name), sqlite", median(sqlite), "ms", "median, whole process")
        bench.report("\(name), postgresql", median(pg), "ms", "median, run by turns with sqlite")
        bench.report("  \(name), postgresql / sqlite", median(pg) / median(sqlite), "×", "goal ≤ \(goal)×")
    }
    try compare("handoff put (2 KB)", goal: 2) { _, run in
        ["put", inputs[run], "--from", "bench", "--to", "c"]
    }
    try compare("handoff claim", goal: 2) { _, _ in ["claim", "claimer"] }
    var receipts: [String: [String]] = [:]
    for store in [folder, postgres] {
        // Claimed by the benchmark, acked by the timed processes.
        receipts[store.path] = try (0..<runs).map { _ in
            guard let claim = try store.claim(for: "claimer", leaseSeconds: 3600) else {
                fatalError("the claimer's inbox ran dry")
            }
            return claim.receipt.description
        }
    }
    try compare("handoff ack", goal: 2) { store, run in ["ack", receipts[store.path]![run]] }
}

/// From a put to the `claim --wait` that waits for it returning, on each backend: PostgreSQL's notification
/// against SQLite's look every 50 ms. The claim's own work and exit are in it.
@MainActor
private func benchWakeUp(_ bench: Bench, database: String) throws {
    guard let executable = handoffExecutable() else { return }
    let folder = try bench.temporaryStore("pg-wake-sqlite")
    let postgres = try Store.create(at: database)
    let rounds = bench.count(30)
    let document: JSONValue = ["schema": "x-v1", "n": 1]
    for (name, store) in [("sqlite", folder), ("postgresql", postgres)] {
        var latencies: [Double] = []
        for round in 0..<rounds {
            let pid = try spawn(
                executable, ["claim", "waiter", "--wait", "30", "--store", store.path], stdout: "/dev/null",
                stderr: "/dev/null")
            // Long enough for the claim to be listening, and at a random moment of SQLite's 50 ms cycle.
            usleep(300_000 + UInt32.random(in: 0..<50_000))
            try store.put(
                [
                    PutRequest(
                        document: document, producer: "p", consumers: ["waiter"], workflow: "w-\(round)",
                        validate: false)
                ])
            let latency = seconds {
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                precondition(status == 0, "the waiting claim ended with \(status)")
            }
            latencies.append(latency * 1000)
        }
        bench.report("put → waiting claim returns, \(name)", median(latencies), "ms", "median, whole process")
    }
}

/// Four shell loops claiming and acking with the command line until the inbox is empty, on each backend.
@MainActor
private func benchPostgresCLIWorkers(_ bench: Bench, database: String) throws {
    guard let executable = handoffExecutable() else { return }
    let handoffs = bench.count(400)
    let documents = try bench.temporaryDirectory("pg-cli-workers") + "/documents.jsonl"
    var lines: [UInt8] = []
    for n in 0..<handoffs {
        lines += JSONWriter.encode(workLog(decisions: 3, seed: 60_000 + n), options: .compact)
        lines.append(0x0A)
    }
    precondition(FileManager.default.createFile(atPath: documents, contents: Data(lines)))
    let loop = """
        while out=$("$0" claim team --worker "w$1" --store "$2"); do
            r=${out#*receipt  }
            "$0" ack "${r%%[!0-9A-Za-z.]*}" --store "$2" > /dev/null || exit 1
        done
        """
    func rate(_ store: String) throws -> Double {
        _ = try wallTime(
            executable, ["import", documents, "--from", "bench", "--to", "team", "--store", store])
        let elapsed = try seconds {
            let pids = try (0..<4).map { worker in
                try spawn(
                    "/bin/sh", ["-c", loop, executable, String(worker), store], stdout: "/dev/null",
                    stderr: "/dev/null")
            }
            for pid in pids {
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                precondition(status == 0, "a CLI worker failed with \(status)")
            }
        }
        _ = try wallTime(executable, ["claim", "team", "--store", store], expecting: 2 << 8)
        return Double(handoffs) / elapsed
    }
    var sqlite: [Double] = []
    var pg: [Double] = []
    for round in 0..<3 {
        sqlite.append(try rate(try bench.temporaryDirectory("pg-cli-sqlite-\(round)") + "/store"))
        pg.append(try rate(database + "_\(round)"))
        try? HandoffPostgres.dropStore(at: database + "_\(round)")
    }
    bench.report("4 CLI workers, claim+ack, sqlite", median(sqlite), "handoffs/s", "median of 3")
    bench.report("4 CLI workers, claim+ack, postgresql", median(pg), "handoffs/s", "median of 3, by turns")
    bench.report(
        "  4 CLI workers, postgresql / sqlite", median(zip(pg, sqlite).map { $0 / $1 }), "×", "goal ≥ 0.8×")
}

/// In process: puts, the inbox as the store grows, claim+ack with 1, 4 and 8 worker processes.
@MainActor
private func benchPostgresInProcess(_ bench: Bench, database: () -> String) throws {
    let document: JSONValue = [
        "schema": "tool-result-v1", "tool": "bird",
        "input": ["args": [], "kwargs": ["command": "bookmarks"]],
        "output": ["count": 50], "status": "success", "duration_ms": 1200,
    ]
    let puts = bench.count(1_000)
    for (name, store) in [
        ("sqlite", try bench.temporaryStore("pg-puts")), ("postgresql", try Store.create(at: database())),
    ] {
        let elapsed = try seconds {
            for n in 0..<puts {
                try store.put(
                    [
                        PutRequest(
                            document: document, producer: "producer", consumers: ["c"], workflow: "put-\(n)")
                    ])
            }
        }
        bench.report(
            "put, one handoff each, \(name)", Double(puts) / elapsed, "puts/s", "in process, durable")
    }

    // Claim+ack with worker processes, then the inbox as the store grows: on each backend, one after the
    // other, the ratio beside each pair.
    let perWorker = bench.count(300)
    let workerCounts = [1, 4, 8]
    let sizes = bench.options.quick ? [100_000] : [100_000, 1_000_000]
    var figures: [String: [String: Double]] = ["sqlite": [:], "postgresql": [:]]
    for (name, store) in [
        ("sqlite", try bench.temporaryStore("pg-in-process")),
        ("postgresql", try Store.create(at: database())),
    ] {
        for start in stride(from: 0, to: perWorker * workerCounts.reduce(0, +) + 100, by: 1_000) {
            try store.put(
                (start..<start + 1_000).map { n in
                    PutRequest(
                        document: document, producer: "producer", consumers: ["multi"], workflow: "multi-\(n)"
                    )
                })
        }
        for workers in workerCounts {
            let elapsed = try runClaimWorkers(workers, claiming: perWorker, from: store.path)
            figures[name]!["workers \(workers)"] = Double(workers * perWorker) / elapsed
        }
        // The inbox of one consumer among a thousand.
        try store.put(
            (0..<1_000).map { n in
                PutRequest(
                    document: document, producer: "producer", consumers: ["bench"], workflow: "bench-\(n)")
            })
        var filler = StoreFiller(document: document)
        for size in sizes {
            _ = try filler.grow(store, to: size)
            var latencies: [Double] = []
            for _ in 0..<bench.count(200) {
                latencies.append(
                    try seconds { _ = try store.inbox("bench", filter: HandoffFilter(limit: 50)) } * 1000)
            }
            figures[name]!["inbox \(size)"] = median(latencies)
        }
    }
    for workers in workerCounts {
        let label = "claim+ack, \(workers) worker process\(workers == 1 ? "" : "es")"
        let (sqlite, pg) = (
            figures["sqlite"]!["workers \(workers)"]!, figures["postgresql"]!["workers \(workers)"]!
        )
        bench.report("\(label), sqlite", sqlite, "cycles/s", "whole processes, including start-up")
        bench.report("\(label), postgresql", pg, "cycles/s", "whole processes, including start-up")
        bench.report("  \(label), postgresql / sqlite", pg / sqlite, "×")
    }
    for size in sizes {
        let label = "inbox (50 of the oldest) at \(size >= 1_000_000 ? "1M" : "\(size / 1_000)k") handoffs"
        bench.report("\(label), sqlite", figures["sqlite"]!["inbox \(size)"]!, "ms", "median")
        bench.report("\(label), postgresql", figures["postgresql"]!["inbox \(size)"]!, "ms", "median")
    }
}
