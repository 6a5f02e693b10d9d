import Foundation
import Testing

/// Several bot processes on one store at once is the normal case.
struct ConcurrencyCLITests {
    @Test(arguments: [2, 4, 8])
    func processesPuttingIntoOneStoreAllSucceed(processes: Int) throws {
        let scratch = Scratch()
        let putsPerProcess = 12
        // The store does not exist yet: the first puts race to create it.
        let failures = LockedList()
        let ids = LockedList()
        DispatchQueue.concurrentPerform(iterations: processes) { worker in
            for n in 0..<putsPerProcess {
                // Even puts are the same content in every process, odd ones are this process's own.
                let document =
                    n % 2 == 0
                    ? #"{"schema": "tool-result-v1", "tool": "shared", "input": {"args": [\#(n)], "kwargs": {}}, "status": "success", "duration_ms": 1}"#
                    : #"{"schema": "tool-result-v1", "tool": "own", "input": {"args": [\#(worker), \#(n)], "kwargs": {}}, "status": "success", "duration_ms": 1}"#
                do {
                    let result = try HandoffProcess.run(
                        ["put", "--from", "worker-\(worker)", "--to", "collector", "--store", scratch.store],
                        stdin: Data(document.utf8))
                    if result.status == 0 {
                        ids.append(result.output.trimmingCharacters(in: .newlines))
                    } else {
                        failures.append("worker \(worker) put \(n): exit \(result.status): \(result.stderr)")
                    }
                } catch {
                    failures.append("worker \(worker) put \(n): \(error)")
                }
            }
        }
        #expect(failures.items.isEmpty, "\(failures.items.prefix(5))")
        let distinct = Set(ids.items)
        #expect(distinct.count == putsPerProcess / 2 + processes * putsPerProcess / 2)
        let verify = try HandoffProcess.run(["verify", "--json", "--store", scratch.store])
        #expect(verify.status == 0, "\(verify.output)")
        let report = try #require(try verify.json() as? [String: Any])
        #expect(report["objects_checked"] as? Int == distinct.count)
        #expect((report["unindexed_objects"] as? [Any])?.isEmpty == true)
        let stats = try #require(
            try HandoffProcess.run(["stats", "--json", "--store", scratch.store]).json() as? [String: Any])
        #expect(stats["artifacts"] as? Int == distinct.count)
        // Every put made a handoff: the shared documents come from a different producer each time.
        #expect(stats["handoffs"] as? Int == processes * putsPerProcess)
        for id in distinct {
            #expect(try HandoffProcess.run(["get", id, "--store", scratch.store]).status == 0)
        }
    }
}

/// A list several threads append to.
final class LockedList: @unchecked Sendable {
    private var storage: [String] = []
    private let lock = NSLock()

    func append(_ item: String) { lock.withLock { storage.append(item) } }
    var items: [String] { lock.withLock { storage } }
}
