import Foundation
import HandoffTesting
import Testing

/// `handoff ack RECEIPT --put FILE --to NEXT`: a pipeline step's result is handed on in the same transaction
/// as the ack — all of it and the ack, or nothing — through the command line, with real processes.
struct HandOnCLITests {
    let scratch = Scratch()

    static func input(_ n: Int) -> String {
        #"{"schema": "tool-result-v1", "tool": "fetch", "input": {"args": [\#(n)], "kwargs": {}}, "status": "success", "duration_ms": 1}"#
    }

    static func output(_ n: Int) -> String {
        #"{"schema": "tool-result-v1", "tool": "summarize", "input": {"args": [\#(n)], "kwargs": {}}, "status": "success", "duration_ms": 2}"#
    }

    func handoff(_ arguments: [String], stdin: String? = nil) throws -> HandoffProcess.Result {
        try HandoffProcess.run(arguments + ["--store", scratch.store], stdin: stdin.map { Data($0.utf8) })
    }

    func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try handoff(arguments + ["--json"])
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try #require(try result.json() as? [String: Any])
    }

    func claim(_ consumer: String) throws -> (receipt: String, handoff: String, artifact: String) {
        let claimed = try json(["claim", consumer])
        let handoff = try #require(claimed["handoff"] as? [String: Any])
        return (
            try #require(claimed["receipt"] as? String), try #require(handoff["id"] as? String),
            try #require(handoff["artifact"] as? String)
        )
    }

    func inbox(_ consumer: String) throws -> [[String: Any]] {
        (try json(["inbox", consumer])["handoffs"] as? [[String: Any]] ?? []).compactMap {
            $0["handoff"] as? [String: Any]
        }
    }

    @Test func anAckHandsOnTheStepsResultsWithIt() throws {
        #expect(
            try handoff(
                ["put", "--from", "source", "--to", "stage1", "--workflow", "w1"], stdin: Self.input(1)
            ).status == 0)
        let claimed = try claim("stage1")
        let first = scratch.write("first.json", Self.output(1))
        let second = scratch.write("second.json", Self.output(2))
        let acked = try json([
            "ack", claimed.receipt, "--put", first, "--put", second, "--to", "stage2", "--to", "audit",
            "--note", "summarized",
        ])
        let finished = try #require(acked["handoff"] as? [String: Any])
        #expect(finished["state"] as? String == "done")
        let handedOn = try #require(acked["handed_on"] as? [[String: Any]])
        #expect(handedOn.count == 2)
        let ids = handedOn.compactMap { ($0["artifact"] as? [String: Any])?["id"] as? String }
        #expect(ids.count == 2)
        for result in handedOn {
            let handoffs = (result["handoffs"] as? [[String: Any]] ?? []).compactMap {
                $0["handoff"] as? [String: Any]
            }
            #expect(handoffs.map { $0["consumer"] as? String } == ["stage2", "audit"])
            // From the bot that did the step, in its workflow.
            #expect(
                handoffs.allSatisfy {
                    $0["producer"] as? String == "stage1" && $0["workflow"] as? String == "w1"
                })
        }
        #expect(try inbox("stage2").compactMap { $0["artifact"] as? String } == ids)
        // The step is one event of the handoff's history, and the chain shows it: what went on, to whom.
        let step =
            "handed on "
            + ids.map { "xxh128:" + $0.dropFirst(7).prefix(12) + " to stage2, audit" }
            .joined(separator: "; ")
        #expect(finished["note"] as? String == "summarized; " + step)
        let history = try json(["show", claimed.handoff])["events"] as? [[String: Any]] ?? []
        #expect(history.map { $0["kind"] as? String } == ["claimed", "done"])
        #expect(history.last?["note"] as? String == "summarized; " + step)
        let chain = try handoff(["chain", claimed.artifact])
        #expect(chain.output.contains("source → stage1  done"))
        #expect(chain.output.contains(step))
        // Each result was derived from the claimed artifact.
        for id in ids {
            let shown = try json(["show", id])
            #expect(shown["parents"] as? [String] == [claimed.artifact])
        }
        // Plain acks say they handed nothing on.
        #expect(try handoff(["put", "--from", "source", "--to", "stage1"], stdin: Self.input(2)).status == 0)
        let plain = try json(["ack", try claim("stage1").receipt])
        #expect((plain["handed_on"] as? [Any])?.isEmpty == true)
    }

    @Test func aReceiptThatNoLongerHoldsHandsNothingOn() throws {
        #expect(try handoff(["put", "--from", "source", "--to", "stage1"], stdin: Self.input(1)).status == 0)
        let stale = try json(["claim", "stage1", "--lease", "0.2"])
        let staleReceipt = try #require(stale["receipt"] as? String)
        usleep(400_000)
        let current = try claim("stage1")
        let before = try handoff(["ls", "--json"]).output
        let refused = try handoff([
            "ack", staleReceipt, "--put", scratch.write("out.json", Self.output(1)), "--to", "stage2",
        ])
        #expect(refused.status == 3)
        #expect(refused.stderr.hasPrefix("handoff: the receipt no longer holds"))
        #expect(try handoff(["ls", "--json"]).output == before, "nothing was stored")
        #expect(try inbox("stage2").isEmpty)
        // The current claim still hands on, once.
        #expect(
            try handoff([
                "ack", current.receipt, "--put", scratch.write("out.json", Self.output(1)), "--to", "stage2",
            ]).status == 0)
        #expect(try inbox("stage2").count == 1)
    }

    @Test func aWorkLogEndedWithTheReceiptLeavesWithTheStep() throws {
        #expect(try handoff(["put", "--from", "source", "--to", "stage1"], stdin: Self.input(1)).status == 0)
        let claimed = try claim("stage1")
        let session = try handoff(["log", "start", "--bot", "stage1", "--query", "summarize input 1"]).output
            .trimmingCharacters(in: .newlines)
        #expect(
            try handoff(["log", "add", session, "--level", "decision", "--message", "short summary"]).status
                == 0)
        let ended = try json(["log", "end", session, "--to", "stage2", "--receipt", claimed.receipt])
        let workLog = try #require(ended["work_log"] as? String)
        #expect(
            (try json(["show", claimed.handoff])["handoff"] as? [String: Any])?["state"] as? String == "done")
        #expect(try inbox("stage2").compactMap { $0["artifact"] as? String } == [workLog])
        // The work log names both the session's record and the artifact the step worked on.
        let parents = try json(["show", workLog])["parents"] as? [String] ?? []
        #expect(parents.contains(claimed.artifact) && parents.count == 2, "\(parents)")
        // explain shows the step and the session as one.
        let explained = try handoff(["explain", "--session", session]).output
        #expect(
            explained.contains(
                "  Worked on: xxh128:\(claimed.artifact.dropFirst(7).prefix(12)) (a claimed handoff, finished with this session)"
            ))

        // A receipt that no longer holds stores nothing: the session stays open, every entry kept.
        #expect(try handoff(["put", "--from", "source", "--to", "stage1"], stdin: Self.input(2)).status == 0)
        let stale = try json(["claim", "stage1", "--lease", "0.2"])
        usleep(400_000)
        let current = try claim("stage1")
        let open = try handoff(["log", "start", "--bot", "stage1", "--query", "summarize input 2"]).output
            .trimmingCharacters(in: .newlines)
        #expect(try handoff(["log", "add", open, "--level", "info", "--message", "working"]).status == 0)
        let refused = try handoff([
            "log", "end", open, "--to", "stage2", "--receipt", try #require(stale["receipt"] as? String),
        ])
        #expect(refused.status == 3)
        #expect(refused.stderr.hasPrefix("handoff: the receipt no longer holds"))
        let session2 = try json(["explain", "--session", open])["session"] as? [String: Any]
        #expect(session2?["state"] as? String == "open" && session2?["steps"] as? Int == 1)
        #expect(try inbox("stage2").count == 1)
        // With the current receipt it ends, once.
        #expect(
            try handoff(["log", "end", open, "--to", "stage2", "--receipt", current.receipt]).status == 0)
        #expect(try inbox("stage2").count == 2)
    }

    @Test func aResultThatIsRefusedLeavesTheHandoffClaimed() throws {
        #expect(try handoff(["put", "--from", "source", "--to", "stage1"], stdin: Self.input(1)).status == 0)
        let claimed = try claim("stage1")
        let invalid = scratch.write("bad.json", #"{"schema": "tool-result-v1", "tool": ""}"#)
        let refused = try handoff(["ack", claimed.receipt, "--put", invalid, "--to", "stage2"])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("is not a valid tool-result-v1 artifact"))
        let shown = try json(["show", claimed.handoff])
        #expect((shown["handoff"] as? [String: Any])?["state"] as? String == "claimed")
        #expect(try inbox("stage2").isEmpty)
        // Options that do not go together are refused before anything is read.
        let blocked = try handoff([
            "ack", claimed.receipt, "--outcome", "blocked", "--put", invalid, "--to", "stage2",
        ])
        #expect(blocked.status == 64)
        #expect(blocked.stderr.contains("--put hands on what a finished step produced"))
        let noPut = try handoff(["ack", claimed.receipt, "--to", "stage2"])
        #expect(noPut.status == 64)
        #expect(noPut.stderr.contains("--to names consumers of what --put hands on"))
        let missing = try handoff(["ack", claimed.receipt, "--put", scratch.path + "/nosuch.json"])
        #expect(missing.status == 66)
        #expect(
            (try json(["show", claimed.handoff])["handoff"] as? [String: Any])?["state"] as? String
                == "claimed")
    }

    /// Workers killed at random points of `claim` and `ack --put`: every input is, in the end, either done with
    /// exactly one result handed on, or not done with none — never a result without its ack, nor two.
    @Test(.timeLimit(.minutes(3))) func workersKilledAtAnyPointHandOnAllOrNothing() throws {
        let inputs = 40
        for n in 0..<inputs {
            #expect(
                try handoff(["put", "--from", "source", "--to", "stage1"], stdin: Self.input(n)).status == 0)
        }
        var random = SeededRandom(for: "workersKilledAtAnyPointHandOnAllOrNothing")
        var kills = 0
        let deadline = Date().addingTimeInterval(150)
        /// Starts `handoff ARGUMENTS`; kills it at a random moment when the draw says so.
        func run(_ arguments: [String], killOneIn odds: UInt64) -> (
            status: Int32, output: Data, killed: Bool
        )? {
            guard let (process, out, _) = try? HandoffProcess.start(arguments + ["--store", scratch.store])
            else {
                return nil
            }
            var killed = false
            if random.next() % odds == 0 {
                usleep(UInt32(random.next() % 30_000))
                kill(process.processIdentifier, SIGKILL)
                killed = true
                kills += 1
            }
            let output = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, output, killed)
        }
        var step = 0
        while Date() < deadline {
            let listed = try json(["ls", "--handoffs", "--to", "stage1", "--limit", "1000"])["handoffs"]
            let open = (listed as? [[String: Any]] ?? []).compactMap { $0["handoff"] as? [String: Any] }
                .filter {
                    ["pending", "claimed"].contains($0["state"] as? String)
                }
            guard !open.isEmpty else { break }
            guard
                let claimed = run(
                    ["claim", "stage1", "--lease", "1", "--max-attempts", "1000", "--json"], killOneIn: 4),
                !claimed.killed, claimed.status == 0,
                let document = try? JSONSerialization.jsonObject(with: claimed.output) as? [String: Any],
                let receipt = document["receipt"] as? String,
                let n = ((document["document"] as? [String: Any])?["input"] as? [String: Any])?["args"]
                    as? [Int]
            else {
                usleep(50_000)
                continue
            }
            step += 1
            let result = scratch.write("out-\(step).json", Self.output(n[0]))
            _ = run(["ack", receipt, "--put", result, "--to", "stage2"], killOneIn: 2)
        }
        #expect(kills > 5, "the loop killed workers")
        let stage1 =
            (try json(["ls", "--handoffs", "--to", "stage1", "--limit", "1000"])["handoffs"]
            as? [[String: Any]] ?? [])
            .compactMap { $0["handoff"] as? [String: Any] }
        let stage2 =
            (try json(["ls", "--handoffs", "--to", "stage2", "--limit", "1000"])["handoffs"]
            as? [[String: Any]] ?? [])
            .compactMap { $0["handoff"] as? [String: Any] }
        #expect(stage1.count == inputs)
        #expect(stage1.allSatisfy { $0["state"] as? String == "done" }, "every input was worked through")
        #expect(stage2.count == inputs, "one result per input, no more")
        // Each result's parent is a distinct input's artifact.
        var parents: [String] = []
        for result in stage2 {
            let shown = try json(["show", try #require(result["artifact"] as? String)])
            parents += shown["parents"] as? [String] ?? []
        }
        #expect(Set(parents) == Set(stage1.compactMap { $0["artifact"] as? String }))
        #expect(parents.count == inputs)
    }
}
