import Foundation
import HandoffJSON
import HandoffKit

/// Inbox latency and claim+ack throughput as the store grows to 10k, 100k and 1M handoffs, and claim+ack
/// with several worker processes at once.
@MainActor
func benchQueue(_ bench: Bench) throws {
    bench.section("queue: inbox and claims as the store grows")
    let store = try bench.temporaryStore("queue")
    let document: JSONValue = [
        "schema": "tool-result-v1", "tool": "bird",
        "input": ["args": [], "kwargs": ["command": "bookmarks"]],
        "output": ["count": 50], "status": "success", "duration_ms": 1200,
    ]
    // The consumers measured: distinct workflows make distinct handoffs of one artifact.
    func deliver(_ count: Int, to consumer: String, tag: String) throws {
        for start in stride(from: 0, to: count, by: 1_000) {
            try store.put(
                (start..<min(count, start + 1_000)).map { n in
                    PutRequest(
                        document: document, producer: "producer", consumers: [consumer],
                        workflow: "\(tag)-\(n)")
                })
        }
    }
    let cyclesPerSize = bench.count(500)
    let sizes = bench.options.quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000]
    let workerCounts = [1, 4, 8]
    let perWorker = bench.count(300)
    try deliver(cyclesPerSize * sizes.count + 1_000, to: "bench", tag: "bench")
    try deliver(perWorker * workerCounts.reduce(0, +) + 100, to: "multi", tag: "multi")
    var filler = StoreFiller(document: document)
    var total = 0
    for size in sizes {
        total = try filler.grow(store, to: size)
        let label = size >= 1_000_000 ? "\(size / 1_000_000)M" : "\(size / 1_000)k"
        var latencies: [Double] = []
        for _ in 0..<bench.count(200) {
            latencies.append(
                try seconds { _ = try store.inbox("bench", filter: HandoffFilter(limit: 50)) } * 1000)
        }
        bench.report("inbox (50 of the oldest) at \(label) handoffs", median(latencies), "ms", "median")
        let elapsed = try seconds {
            for _ in 0..<cyclesPerSize {
                guard let claim = try store.claim(for: "bench") else { fatalError("the bench inbox ran dry") }
                try store.ack(claim.receipt)
            }
        }
        bench.report("claim+ack at \(label) handoffs, 1 process", Double(cyclesPerSize) / elapsed, "cycles/s")
    }
    for workers in workerCounts {
        let elapsed = try runClaimWorkers(workers, claiming: perWorker, from: store.path)
        bench.report(
            "claim+ack, \(workers) worker process\(workers == 1 ? "" : "es") at \(total / 1000)k",
            Double(workers * perWorker) / elapsed,
            "cycles/s", "whole processes, including start-up")
    }
}

/// Starts `workers` processes that each claim and ack `count` of consumer `multi`'s handoffs in the store
/// at `path`; returns the seconds until the last has exited.
func runClaimWorkers(_ workers: Int, claiming count: Int, from path: String) throws -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    let pids = try (0..<workers).map { _ in
        try spawn(CommandLine.arguments[0], ["--claim-worker", path, "multi", String(count)])
    }
    for pid in pids {
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        precondition(status == 0, "a claim worker failed")
    }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// `handoff-bench --claim-worker STORE CONSUMER COUNT`: claims and acks COUNT handoffs, then exits.
func runClaimWorker(_ arguments: [String]) -> Int32 {
    guard arguments.count == 3, let count = Int(arguments[2]) else { return 64 }
    do {
        let store = try Store.open(at: arguments[0], configuration: .init(busyTimeout: 60))
        for _ in 0..<count {
            guard let claim = try store.claim(for: arguments[1], worker: "bench-\(getpid())") else {
                return 2
            }
            try store.ack(claim.receipt)
        }
        return 0
    } catch {
        FileHandle.standardError.write(Data("claim worker: \(error)\n".utf8))
        return 1
    }
}

/// Starts a process without Foundation's Process, whose wait adds tens of milliseconds of polling.
func spawn(_ executable: String, _ arguments: [String], stdout: String? = nil, stderr: String? = nil) throws
    -> pid_t
{
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if let stdout { posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY, 0) }
    if let stderr { posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY, 0) }
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else {
        throw HandoffError(.io, "cannot start \(executable)")
    }
    return pid
}
