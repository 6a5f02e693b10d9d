import Foundation
import HandoffKit
import Testing

/// The handoff engine through the command line: inbox, claim, ack, release, extend, retry, route, chain,
/// next, put --parent.
struct QueueCLITests {
    let scratch = Scratch()

    func handoff(_ arguments: [String], stdin: String? = nil) throws -> HandoffProcess.Result {
        try HandoffProcess.run(arguments + ["--store", scratch.store], stdin: stdin.map { Data($0.utf8) })
    }

    func json(_ arguments: [String], stdin: String? = nil) throws -> [String: Any] {
        let result = try handoff(arguments + ["--json"], stdin: stdin)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try #require(try result.json() as? [String: Any])
    }

    func putScan(_ risk: Int, to consumers: [String] = ["reviewer"], extra: [String] = []) throws -> String {
        let result = try handoff(
            ["put", "--from", "security_scanner"] + consumers.flatMap { ["--to", $0] } + extra,
            stdin:
                #"{"schema": "security-scan-v1", "skill_name": "x-bookmarks", "risk_score": \#(risk), "passed": false, "status": "needs_review", "findings": [], "critical_count": 0, "high_count": 0, "medium_count": 0, "low_count": 0, "next_actions": ["manual_review"]}"#
        )
        #expect(result.status == 0, "\(result.stderr)")
        return result.output.trimmingCharacters(in: .newlines)
    }

    /// A claim waiting on an empty inbox takes the handoff put while it waits, from another process, and
    /// returns long before its wait ends; a wait nothing ends exits 2 after the time asked, having claimed
    /// nothing.
    @Test func aWaitingClaimTakesWhatArrivesAndAnEmptyWaitExits2() throws {
        let started = Date()
        let (waiting, out, _) = try HandoffProcess.start(
            ["claim", "reviewer", "--wait", "60", "--json", "--store", scratch.store])
        usleep(500_000)
        #expect(waiting.isRunning, "it waits while the inbox is empty")
        let artifact = try putScan(7)
        waiting.waitUntilExit()
        let elapsed = Date().timeIntervalSince(started)
        #expect(waiting.terminationStatus == 0)
        let claimed = try #require(
            try JSONSerialization.jsonObject(with: out.fileHandleForReading.readDataToEndOfFile())
                as? [String: Any])
        #expect((claimed["handoff"] as? [String: Any])?["artifact"] as? String == artifact)
        #expect(elapsed < 30, "woken by the put, not by the end of its 60 s wait")

        let before = Date()
        let empty = try handoff(["claim", "reviewer", "--wait", "0.5", "--json"])
        #expect(empty.status == 2)
        #expect(try empty.json() as? NSDictionary == ["claimed": false, "consumer": "reviewer"])
        #expect(Date().timeIntervalSince(before) >= 0.5, "it waited the time asked")
        let text = try handoff(["claim", "reviewer", "--wait", "0.25"])
        #expect(
            text.status == 2 && text.stderr == "handoff: nothing to claim for reviewer after waiting 0.25 s\n"
        )
        for bad in ["-1", "3601", "nan", "inf", "1e999"] {
            let refused = try handoff(["claim", "reviewer", "--wait", bad])
            #expect(refused.status == 64, "--wait \(bad)")
            #expect(refused.stderr.contains("--wait"), "--wait \(bad): \(refused.stderr)")
        }
    }

    /// A worker polling an empty inbox is woken by a handoff put for it, well within its poll interval.
    @Test func aPollingWorkerIsWokenByAnArrival() throws {
        let started = Date()
        let (worker, _, err) = try HandoffProcess.start(
            ["work", "reviewer", "--poll", "60", "--limit", "1", "--store", scratch.store, "--", "cat"])
        usleep(500_000)
        #expect(worker.isRunning)
        _ = try putScan(3)
        worker.waitUntilExit()
        #expect(
            worker.terminationStatus == 0,
            "\(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        #expect(Date().timeIntervalSince(started) < 30, "woken by the put, not by its 60 s poll")
        let done = try json(["ls", "--handoffs", "--state", "done"])
        #expect((done["handoffs"] as? [Any])?.count == 1)
    }

    @Test func claimAckAndTheReceiptsContract() throws {
        let artifact = try putScan(15)
        let inbox = try json(["inbox", "reviewer"])
        let waiting = try #require(inbox["handoffs"] as? [[String: Any]])
        #expect(waiting.count == 1 && inbox["truncated"] as? Bool == false)
        #expect((waiting[0]["handoff"] as? [String: Any])?["artifact"] as? String == artifact)
        // Next actions are the same list in inbox, claim, next and show.
        let listed = try #require(waiting[0]["next_actions"] as? [[String: Any]])
        #expect(listed.map { $0["action"] as? String } == ["manual_review"])
        #expect(
            listed.first?["source"] as? String == "/next_actions/0"
                && listed.first?["inferred"] as? Bool == false)

        let claim = try json(["claim", "reviewer", "--worker", "bot-1", "--lease", "60"])
        let receipt = try #require(claim["receipt"] as? String)
        let claimed = try #require(claim["handoff"] as? [String: Any])
        #expect(claimed["state"] as? String == "claimed")
        #expect(claimed["worker"] as? String == "bot-1")
        #expect(claimed["attempts"] as? Int == 1)
        #expect((claim["document"] as? [String: Any])?["risk_score"] as? Int == 15)
        #expect((claim["next_actions"] as? [[String: Any]])?.first?["source"] as? String == "/next_actions/0")
        #expect(receipt.hasPrefix("\(claimed["id"] as! String).1."))

        let empty = try handoff(["claim", "reviewer"])
        #expect(empty.status == 2)
        #expect(empty.stderr == "handoff: nothing to claim for reviewer\n")
        #expect(empty.stdout.isEmpty)

        let extended = try json(["extend", receipt, "--lease", "120"])["handoff"] as? [String: Any]
        #expect(extended?["state"] as? String == "claimed")
        let acked =
            try json([
                "ack", receipt, "--outcome", "blocked", "--note", "needs the user's password policy",
            ])["handoff"] as? [String: Any]
        #expect(acked?["state"] as? String == "blocked")
        #expect(acked?["note"] as? String == "needs the user's password policy")

        let twice = try handoff(["ack", receipt])
        #expect(twice.status == 3)
        #expect(
            twice.stderr.hasPrefix(
                "handoff: the receipt no longer holds: handoff \(claimed["id"] as! String) is already blocked\n"
            ))
        #expect(
            try json(["show", claimed["id"] as! String])["handoff"].flatMap {
                ($0 as? [String: Any])?["state"] as? String
            } == "blocked")

        let retried =
            try json(["retry", claimed["id"] as! String, "--note", "policy added"])["handoff"]
            as? [String: Any]
        #expect(retried?["state"] as? String == "pending")
        #expect(retried?["attempts"] as? Int == 0)
        let events = try #require(try json(["show", claimed["id"] as! String])["events"] as? [[String: Any]])
        #expect(events.map { $0["kind"] as? String } == ["claimed", "extended", "blocked", "retried"])
    }

    @Test func anExpiredLeaseGoesToTheNextClaimAndTheOldReceiptExits3() throws {
        _ = try putScan(1)
        let first = try #require(try json(["claim", "reviewer", "--lease", "1"])["receipt"] as? String)
        usleep(1_100_000)
        let second = try #require(try json(["claim", "reviewer", "--lease", "60"])["receipt"] as? String)
        #expect(second.split(separator: ".")[1] == "2")
        let stale = try handoff(["ack", first])
        #expect(stale.status == 3)
        #expect(stale.stderr.contains("its lease expired and handoff"))
        #expect(stale.stderr.contains("was claimed again (attempt 2)"))
        #expect(try handoff(["release", first]).status == 3)
        #expect(try handoff(["extend", first, "--lease", "5"]).status == 3)
        #expect((try json(["ack", second])["handoff"] as? [String: Any])?["state"] as? String == "done")
    }

    @Test func aReceiptWithAnotherTokenSaysSoAndChangesNothing() throws {
        _ = try putScan(1)
        let receipt = try #require(try json(["claim", "reviewer"])["receipt"] as? String)
        let forged = String(receipt.dropLast(32)) + String(repeating: "0", count: 32)
        let refused = try handoff(["ack", forged])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("the receipt's token does not match: handoff "))
        #expect(refused.stderr.contains("is claimed (attempt 1) under another receipt"))
        #expect(!refused.stderr.contains("lease expired"))
        #expect(try handoff(["ack", receipt]).status == 0, "the real receipt still holds")
    }

    @Test func releaseWithADelayAndDeadLetters() throws {
        _ = try putScan(1)
        let receipt = try #require(try json(["claim", "reviewer"])["receipt"] as? String)
        let released = try json(["release", receipt, "--delay", "3600"])
        #expect((released["handoff"] as? [String: Any])?["state"] as? String == "pending")
        #expect(try handoff(["claim", "reviewer"]).status == 2)

        let id = try putScan(2)
        _ = id
        for _ in 0..<2 {
            #expect(
                try handoff(["claim", "reviewer", "--lease", "0.001", "--max-attempts", "2"]).status == 0)
            usleep(20_000)
        }
        #expect(try handoff(["claim", "reviewer", "--max-attempts", "2"]).status == 2)
        let dead = try #require(
            try json(["inbox", "reviewer", "--state", "dead"])["handoffs"] as? [[String: Any]])
        #expect(dead.count == 1)
        #expect(
            (dead.first?["handoff"] as? [String: Any])?["note"] as? String == "dead-lettered after 2 attempts"
        )
        let text = try handoff(["inbox", "reviewer", "--state", "dead"])
        #expect(text.output.contains("dead"))
    }

    @Test func routeChainAndNext() throws {
        let log = try handoff(
            [
                "put", "--from", "bookmark_analyzer", "--to", "action_suggester", "--workflow", "wf",
                "--no-validate",
            ],
            stdin:
                #"{"schema": "work-log-v1", "decisions": [{"status": "error", "confidence": 0.5}], "next_actions": ["suggest_actions"]}"#
        ).output.trimmingCharacters(in: .newlines)
        let prefix = String(log.dropFirst("xxh128:".count).prefix(10))
        let request = try handoff(
            ["put", "--from", "action_suggester", "--to", "reviewer", "--parent", prefix],
            stdin:
                #"{"schema": "handoff-request-v1", "task": "review", "expected_schema": "tool-result-v1", "priority": "normal", "next_actions": ["manual_review"]}"#
        )
        #expect(request.status == 0, "\(request.stderr)")
        let requestID = request.output.trimmingCharacters(in: .newlines)

        let pending = try #require(try json(["inbox", "reviewer"])["handoffs"] as? [[String: Any]])
        let pendingID = try #require((pending[0]["handoff"] as? [String: Any])?["id"] as? String)
        let routed = try #require(
            try json(["route", pendingID, "--to", "security_reviewer", "--note", "credentials"])["handoff"]
                as? [String: Any])
        #expect(routed["producer"] as? String == "reviewer")
        #expect(routed["routed_from"] as? String == pendingID)
        #expect(try handoff(["inbox", "reviewer"]).output == "Nothing pending for reviewer.\n")

        let chain = try json(["chain", requestID])
        let nodes = try #require(chain["nodes"] as? [[String: Any]])
        #expect(nodes.map { ($0["artifact"] as? [String: Any])?["id"] as? String } == [log, requestID])
        #expect(nodes.map { $0["generation"] as? Int } == [-1, 0])
        #expect(chain["edges"] as? [[String: String]] == [["parent": log, "child": requestID]])
        let requestHandoffs = try #require(nodes[1]["handoffs"] as? [[String: Any]]).compactMap {
            $0["handoff"] as? [String: Any]
        }
        #expect(requestHandoffs.count == 2)
        #expect(requestHandoffs.map { $0["state"] as? String } == ["routed", "pending"])
        #expect(
            requestHandoffs[0]["note"] as? String == "routed to security_reviewer by reviewer: credentials")

        let text = try handoff(["chain", requestID]).output
        let lines = text.split(separator: "\n").map(String.init)
        #expect(
            lines[0].hasPrefix("xxh128:\(log.dropFirst(7).prefix(12))  work-log-v1  by bookmark_analyzer"))
        #expect(lines.contains { $0.contains("↳ bookmark_analyzer → action_suggester  pending") })
        #expect(
            lines.contains {
                $0.hasPrefix("└─ xxh128:\(requestID.dropFirst(7).prefix(12))  handoff-request-v1")
                    && $0.hasSuffix("◀")
            })
        #expect(
            lines.contains {
                $0.contains("↳ reviewer → security_reviewer  pending") && $0.contains("routed from")
            })

        let dot = try handoff(["chain", requestID, "--format", "dot"]).output
        #expect(dot.hasPrefix("digraph handoff {\n"))
        #expect(dot.contains("\"\(log)\" -> \"\(requestID)\" [label=\"derived\"];"))
        #expect(
            dot.contains("\"\(requestID)\" -> \"bot:security_reviewer\" [style=dashed, label=\"pending\"];"))
        let mermaid = try handoff(["chain", requestID, "--format", "mermaid"]).output
        #expect(mermaid.hasPrefix("flowchart LR\n"))
        #expect(mermaid.contains("a0 -->|derived| a1"))
        #expect(mermaid.contains("a1 -.->|routed| b"))

        let next = try json(["next", log])
        let actions = try #require(next["next_actions"] as? [[String: Any]])
        #expect(
            actions.map { $0["action"] as? String } == [
                "suggest_actions", "review_errors", "verify_low_confidence_decisions",
            ])
        #expect(
            actions.map { $0["source"] as? String } == [
                "/next_actions/0", "/decisions/0/status", "/decisions/0/confidence",
            ])
        #expect(actions.map { $0["inferred"] as? Bool } == [false, true, true])
        let nextText = try handoff(["next", log]).output
        #expect(nextText.contains("review_errors"))
        #expect(nextText.contains("inferred from /decisions/0/status"))

        let byAction = try #require(
            try json(["inbox", "action_suggester", "--action", "review_errors"])["handoffs"]
                as? [[String: Any]])
        #expect(byAction.count == 1)
        #expect(
            (try json(["inbox", "action_suggester", "--action", "manual_review"])["handoffs"] as? [Any])?
                .isEmpty == true)

        let show = try json(["show", log])
        #expect(show["children"] as? [String] == [requestID])
        let showRequest = try json(["show", requestID])
        #expect(showRequest["parents"] as? [String] == [log])
    }

    @Test func badReceiptsAndParentsAreRefused() throws {
        _ = try putScan(1)
        let badReceipt = try handoff(["ack", "01JD3XQ2K8B6W5N2M7T4R9C1ZP.1.nothex"])
        #expect(badReceipt.status == 64)
        #expect(
            badReceipt.stderr.hasPrefix(#"handoff: "01JD3XQ2K8B6W5N2M7T4R9C1ZP.1.nothex" is not a receipt"#))
        let unknown = try handoff(["ack", "01JD3XQ2K8B6W5N2M7T4R9C1ZP.1.0123456789abcdef0123456789abcdef"])
        #expect(unknown.status == 66)
        let badOutcome = try handoff([
            "ack", "01JD3XQ2K8B6W5N2M7T4R9C1ZP.1.0123456789abcdef0123456789abcdef", "--outcome", "finished",
        ])
        #expect(badOutcome.status == 64)
        #expect(
            badOutcome.stderr.hasPrefix(
                "handoff: unknown outcome \"finished\"; outcomes are done, blocked, rejected"))
        let parent = try handoff(
            ["put", "--from", "a", "--parent", "0123456789abcdef"], stdin: #"{"schema": "x-v1"}"#)
        #expect(parent.status == 66)
        #expect(parent.stderr.hasPrefix("handoff: no artifact xxh128:0123456789abcdef"))
        let statsBefore = try handoff(["stats", "--json"]).output
        #expect(try handoff(["route", "0123456789abcdef", "--to", "x", "--from", "y"]).status == 66)
        #expect(try handoff(["retry", "not-a-handoff"]).status == 64)
        #expect(try handoff(["claim", "bad consumer"]).status == 64)
        #expect(try handoff(["stats", "--json"]).output == statsBefore)
    }
}
