import Foundation
import HandoffTesting
import Testing

/// Several bot processes on one store at once is the normal case.
struct ConcurrencyCLITests {
    /// Eight processes whose first put creates the store at once, twenty times over: each succeeds. (Each
    /// wants the new index alone to turn its write-ahead log on, and SQLite answers that deadlock at once
    /// with "busy" instead of waiting: about one put in forty failed so before.)
    @Test func processesCreatingAStoreAtOnceAllSucceed() throws {
        let scratch = Scratch()
        var failures: [String] = []
        for round in 0..<20 {
            let store =
                TestBackend.storesAreFolders ? scratch.path + "/store-\(round)" : scratch.store + "_\(round)"
            defer { TestBackend.remove(store) }
            let puts = try (0..<8).map { worker in
                try HandoffProcess.start(
                    ["put", "--from", "p\(worker)", "--to", "c", "--no-validate", "--store", store],
                    stdin: Data(#"{"schema": "x-v1", "n": \#(worker)}"#.utf8))
            }
            for (process, _, errors) in puts {
                process.waitUntilExit()
                if process.terminationStatus != 0 {
                    failures.append(
                        String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) puts failed: \(failures.prefix(2))")
    }

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
