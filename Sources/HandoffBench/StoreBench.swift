import Foundation
import HandoffJSON
import HandoffKit

/// Durable puts (one per transaction, batched, large), gets, and bulk import.
@MainActor
func benchStore(_ bench: Bench) throws {
    bench.section("store: put, get, import")
    let store = try bench.temporaryStore("store")
    let small = workLog(decisions: 3, seed: 0)
    func document(_ n: Int) -> JSONValue {
        guard case .object(var object) = small else { fatalError("a work log is an object") }
        object["workflow_id"] = .string("bench-\(n)")
        return .object(object)
    }

    let singles = bench.count(400)
    var ids: [ArtifactID] = []
    let single = try seconds {
        for n in 0..<singles { ids.append(try store.put(document(n), from: "bench", to: ["consumer"]).id) }
    }
    bench.report(
        "put ~2 KB, one per transaction", Double(singles) / single, "puts/s",
        "each: object fsync + index commit")

    let batchSize = 100
    let batches = bench.count(50)
    // Each batch is timed: a batch flushes the whole file system twice (syncfs), so its cost includes every
    // other writer's dirty data there, and on a shared machine one slow flush can sway a short run.
    var batchTimes: [Double] = []
    for batch in 0..<batches {
        let requests = (0..<batchSize).map { index in
            PutRequest(
                document: document(100_000 + batch * batchSize + index), producer: "bench",
                consumers: ["consumer"])
        }
        batchTimes.append(try seconds { ids += try store.put(requests).map(\.id) })
    }
    let batched = batchTimes.reduce(0, +)
    bench.report("put ~2 KB, batches of \(batchSize)", Double(batches * batchSize) / batched, "puts/s")
    bench.report(
        "  median batch", Double(batchSize) / median(batchTimes), "puts/s",
        "slowest batch \(Int(Double(batchSize) / batchTimes.max()!)) puts/s")

    let large = workLog(decisions: 1_900, seed: 1)
    let largePuts = bench.count(20)
    let largeElapsed = try seconds {
        for n in 0..<largePuts {
            guard case .object(var object) = large else { return }
            object["workflow_id"] = .string("large-\(n)")
            _ = try store.put(.object(object), from: "bench")
        }
    }
    bench.report("put ~1 MB", Double(largePuts) / largeElapsed, "puts/s")

    var generator = SystemRandomNumberGenerator()
    let gets = bench.count(20_000)
    var touched = 0
    let getElapsed = try seconds {
        for _ in 0..<gets {
            touched += try store.document(ids.randomElement(using: &generator)!).objectValue?.count ?? 0
        }
    }
    bench.report("get ~2 KB (re-hash + parse)", Double(gets) / getElapsed, "gets/s")
    let rawElapsed = try seconds {
        for _ in 0..<gets {
            touched += try store.canonicalBytes(of: ids.randomElement(using: &generator)!).count
        }
    }
    bench.report("get ~2 KB canonical bytes (re-hash only)", Double(gets) / rawElapsed, "gets/s")

    let importCount = bench.count(5_000)
    var lines: [UInt8] = []
    for n in 0..<importCount {
        lines += CanonicalJSON.encode(document(900_000 + n)) + [0x0A]
    }
    let imports = try bench.temporaryStore("import")
    var report = ImportReport()
    let importElapsed = try seconds {
        report = try imports.importJSONLines(
            lines, source: "bench.jsonl", producer: "bench", consumers: ["consumer"])
    }
    precondition(report.imported == importCount, "import lost artifacts")
    bench.report(
        "import JSON Lines, ~2 KB artifacts", Double(importCount) / importElapsed, "artifacts/s",
        "batches of \(Store.importBatchSize)")
    if touched == -1 { print("") }
}
