import Foundation
import HandoffKit
import Testing

/// The core promise under contention: with several worker processes on one inbox, some killed in the
/// middle of a lease, every handoff is done exactly once, none is held by two live leases at once, and none
/// is lost.
struct ExactlyOnceCLITests {
    let scratch = Scratch()

    func fill(_ count: Int, consumer: String) throws {
        let lines = (0..<count).map {
            #"{"schema": "tool-result-v1", "tool": "bird", "input": {"args": [\#($0)], "kwargs": {}}, "status": "success", "duration_ms": 5}"#
        }
        let file = scratch.write("inbox.jsonl", lines.joined(separator: "\n") + "\n")
        let result = try HandoffProcess.run([
            "import", file, "--from", "producer", "--to", consumer, "--store", scratch.store,
        ])
        try #require(result.status == 0, "\(result.stderr)")
    }

    /// Checks the store's record of every handoff: done exactly once, and no claim while an earlier lease
    /// of the same handoff was still live (unless it had been acked or released).
    func checkExactlyOnce(expected: Int) throws -> (claims: Int, expired: Int) {
        let store = try Store.open(at: scratch.store)
        let handoffs = try store.handoffs(HandoffFilter(limit: expected + 10))
        #expect(handoffs.count == expected, "handoffs lost or added")
        #expect(
            handoffs.allSatisfy { $0.state == .done },
            "\(handoffs.filter { $0.state != .done }.map { "\($0.id) \($0.state)" })")
        var claims = 0
        var expired = 0
        for handoff in handoffs {
            let events = try store.events(ofHandoff: handoff.id)
            #expect(
                events.filter { $0.kind == "done" }.count == 1,
                "\(handoff.id) done \(events.filter { $0.kind == "done" }.count) times")
            var liveUntil: Timestamp?
            for event in events {
                switch event.kind {
                case "claimed":
                    claims += 1
                    if let liveUntil {
                        #expect(
                            event.at >= liveUntil,
                            "\(handoff.id) was claimed at \(event.at) under a lease live until \(liveUntil)")
                    }
                    liveUntil = event.leaseExpiresAt
                case "extended":
                    liveUntil = event.leaseExpiresAt
                case "expired":
                    expired += 1
                case "done", "released", "blocked", "rejected":
                    liveUntil = nil
                default:
                    break
                }
            }
        }
        return (claims, expired)
    }

    @Test func workersKilledMidLeaseLoseNothingAndDoNothingTwice() throws {
        let count = 2_000
        try fill(count, consumer: "worker")
        let log = scratch.path + "/executions.log"
        // Each execution appends one line, the handoff and the attempt, and takes a moment, so that a worker
        // spends most of its time holding a lease.
        let script = #"echo "$HANDOFF_ID $HANDOFF_ATTEMPT" >> "$1"; sleep 0.01"#
        func startWorker(_ name: String) throws -> ChildProcess {
            try HandoffProcess.start(
                [
                    "work", "worker", "--lease", "2", "--worker", name, "--store", scratch.store, "--", "sh",
                    "-c", script, "sh", log,
                ]
            ).0
        }
        var workers = try (0..<8).map { try startWorker("w\($0)") }
        // Let them get going, then twice kill some in the middle of their work and start others.
        usleep(700_000)
        for victim in workers[0..<3] { kill(victim.processIdentifier, SIGKILL) }
        workers += try (8..<11).map { try startWorker("w\($0)") }
        usleep(700_000)
        for victim in workers[3..<5] { kill(victim.processIdentifier, SIGKILL) }
        workers += try (11..<13).map { try startWorker("w\($0)") }
        for worker in workers { worker.waitUntilExit() }
        // Handoffs whose worker died stay claimed until their lease expires; a later round takes them.
        var rounds = 0
        while rounds < 10 {
            let left = try Store.open(at: scratch.store).handoffs(
                HandoffFilter(states: [.pending, .claimed])
            ).count
            if left == 0 { break }
            usleep(2_100_000)
            let sweep = try HandoffProcess.run([
                "work", "worker", "--lease", "2", "--store", scratch.store, "--", "sh", "-c", script, "sh",
                log,
            ])
            #expect(sweep.status == 0, "\(sweep.stderr)")
            rounds += 1
        }
        let (claims, expired) = try checkExactlyOnce(expected: count)
        #expect(claims >= count)
        #expect(expired >= 1, "no worker was killed while it held a lease, so nothing was tested")
        let executions = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        let distinct = Set(executions.map { $0.split(separator: " ")[0] })
        #expect(distinct.count == count, "every handoff's command ran")
        print(
            "exactly once: \(count) handoffs, \(claims) claims, \(expired) expired leases, \(executions.count) executions, \(rounds) sweeps"
        )
    }

    @Test func concurrentClaimAndAckCommandsNeverShareAHandoff() throws {
        let count = 120
        try fill(count, consumer: "racer")
        let acked = LockedList()
        let failures = LockedList()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            while true {
                do {
                    let claim = try HandoffProcess.run([
                        "claim", "racer", "--json", "--worker", "r\(worker)", "--store", scratch.store,
                    ])
                    if claim.status == 2 { return }
                    guard claim.status == 0, let object = try claim.json() as? [String: Any],
                        let receipt = object["receipt"] as? String
                    else {
                        failures.append("claim: \(claim.status) \(claim.stderr)")
                        return
                    }
                    let ack = try HandoffProcess.run(["ack", receipt, "--store", scratch.store])
                    if ack.status == 0 {
                        acked.append(String(receipt.prefix(26)))
                    } else {
                        failures.append("ack: \(ack.stderr)")
                    }
                } catch {
                    failures.append("\(error)")
                    return
                }
            }
        }
        #expect(failures.items.isEmpty, "\(failures.items.prefix(3))")
        #expect(acked.items.count == count)
        #expect(Set(acked.items).count == count)
        _ = try checkExactlyOnce(expected: count)
    }
}
