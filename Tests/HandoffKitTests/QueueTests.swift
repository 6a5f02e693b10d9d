import Foundation
import HandoffJSON
import HandoffTesting
import Testing

@testable import HandoffKit

/// Claims, leases, acks, releases, dead letters, retries and routes through the Swift API, on a clock the
/// tests move by hand.
struct QueueTests {
    let clock = ManualClock(start: 1_800_000_000_000)
    let temporary: TemporaryStore
    var store: Store { temporary.store }

    init() throws {
        temporary = try TemporaryStore(configuration: .init(clock: clock.now))
    }

    @discardableResult
    func put(_ n: Int, to consumers: [String] = ["reviewer"], from producer: String = "scanner") throws
        -> PutResult
    {
        defer { clock.advance(by: 1) }
        return try store.put(scanResult(risk: n), from: producer, to: consumers)
    }

    @Test func claimsTakeTheOldestPendingHandoffAndNobodyElseGetsIt() throws {
        let first = try put(1)
        let second = try put(2)
        try put(3, to: ["auditor"])
        let claim = try #require(try store.claim(for: "reviewer", worker: "w1"))
        #expect(claim.handoff.id == first.handoffs[0].id)
        #expect(claim.handoff.state == .claimed)
        #expect(claim.handoff.attempts == 1)
        #expect(claim.handoff.worker == "w1")
        #expect(claim.handoff.leaseExpiresAt == clock.now().adding(milliseconds: 300_000))
        #expect(claim.receipt.handoffID == first.handoffs[0].id)
        let next = try #require(try store.claim(for: "reviewer"))
        #expect(next.handoff.id == second.handoffs[0].id)
        #expect(try store.claim(for: "reviewer") == nil)
        #expect(try store.inbox("reviewer").isEmpty)
        #expect(try store.inbox("reviewer", filter: HandoffFilter(states: [.claimed])).count == 2)
    }

    @Test func aClaimCanNameTheOneHandoffItTakes() throws {
        let first = try put(1)
        let second = try put(2)
        let chosen = second.handoffs[0].id
        let claim = try #require(try store.claim(for: "reviewer", worker: "person", handoff: chosen))
        #expect(claim.handoff.id == chosen)
        // Held now: nobody takes it again, by name or as the oldest; the oldest is still the first.
        #expect(try store.claim(for: "reviewer", handoff: chosen) == nil)
        // Another consumer's handoff is not claimed under this one's name.
        #expect(try store.claim(for: "auditor", handoff: first.handoffs[0].id) == nil)
        #expect(try store.claim(for: "reviewer")?.handoff.id == first.handoffs[0].id)
        try store.ack(claim.receipt, note: "decided")
        #expect(try store.claim(for: "reviewer", handoff: chosen) == nil)
    }

    @Test func handoffCountsAreByConsumerAndState() throws {
        try put(1)
        try put(2)
        try put(3, to: ["auditor", "reviewer"])
        let claim = try #require(try store.claim(for: "reviewer"))
        try store.ack(claim.receipt)
        let counts = Set(try store.handoffCounts())
        #expect(
            counts == [
                ConsumerCount(consumer: "reviewer", state: .pending, count: 2),
                ConsumerCount(consumer: "reviewer", state: .done, count: 1),
                ConsumerCount(consumer: "auditor", state: .pending, count: 1),
            ])
    }

    @Test func anExpiredLeaseIsClaimedAgainAndTheOldReceiptNoLongerHolds() throws {
        let handoff = try put(1).handoffs[0]
        let first = try #require(try store.claim(for: "reviewer", leaseSeconds: 10, worker: "crashed"))
        clock.advance(by: 9_999)
        #expect(try store.claim(for: "reviewer") == nil)
        clock.advance(by: 1)
        let second = try #require(try store.claim(for: "reviewer", leaseSeconds: 10, worker: "w2"))
        #expect(second.handoff.id == handoff.id)
        #expect(second.handoff.attempts == 2)
        #expect {
            try store.ack(first.receipt)
        } throws: { error in
            let error = error as! HandoffError
            return error.code == .conflict
                && error.message
                    == "the receipt no longer holds: its lease expired and handoff \(handoff.id) was claimed again (attempt 2)"
        }
        #expect(try store.handoff(id: handoff.id).state == .claimed)
        let done = try store.ack(second.receipt, note: "reviewed")
        #expect(done.state == .done)
        #expect(done.note == "reviewed")
        #expect(done.leaseExpiresAt == nil)
        #expect {
            try store.ack(second.receipt)
        } throws: { error in
            (error as! HandoffError).message
                == "the receipt no longer holds: handoff \(handoff.id) is already done"
        }
        let history = try store.events(ofHandoff: handoff.id).map(\.kind)
        #expect(history == ["claimed", "expired", "claimed", "done"])
    }

    @Test func anExpiredLeaseThatNobodyClaimedCanStillBeAcked() throws {
        try put(1)
        let claim = try #require(try store.claim(for: "reviewer", leaseSeconds: 1))
        clock.advance(by: 60_000)
        #expect(try store.ack(claim.receipt, outcome: .blocked, note: "needs a person").state == .blocked)
    }

    @Test func releaseWithADelayHidesTheHandoffUntilThen() throws {
        let handoff = try put(1).handoffs[0]
        let claim = try #require(try store.claim(for: "reviewer"))
        let released = try store.release(claim.receipt, delaySeconds: 30, note: "rate limited")
        #expect(released.state == .pending)
        #expect(released.attempts == 1)
        #expect(try store.claim(for: "reviewer") == nil)
        #expect {
            try store.extend(claim.receipt, leaseSeconds: 10)
        } throws: { error in
            (error as! HandoffError).message
                == "the receipt no longer holds: handoff \(handoff.id) was released back to the inbox"
        }
        clock.advance(by: 30_000)
        #expect(try store.claim(for: "reviewer")?.handoff.attempts == 2)
    }

    @Test func extendingALeaseKeepsOthersOut() throws {
        try put(1)
        let claim = try #require(try store.claim(for: "reviewer", leaseSeconds: 10))
        clock.advance(by: 8_000)
        let extended = try store.extend(claim.receipt, leaseSeconds: 10)
        #expect(extended.leaseExpiresAt == clock.now().adding(milliseconds: 10_000))
        clock.advance(by: 5_000)
        #expect(try store.claim(for: "reviewer") == nil)
        #expect(try store.ack(claim.receipt).state == .done)
    }

    @Test func handoffsAreDeadLetteredAfterTheirAttemptsAndRetriedByHand() throws {
        let handoff = try put(1).handoffs[0]
        for attempt in 1...3 {
            let claim = try #require(try store.claim(for: "reviewer", leaseSeconds: 1, maxAttempts: 3))
            #expect(claim.handoff.attempts == attempt)
            clock.advance(by: 1_000)
        }
        #expect(try store.claim(for: "reviewer", maxAttempts: 3) == nil)
        let dead = try store.inbox("reviewer", filter: HandoffFilter(states: [.dead]))
        #expect(dead.map(\.id) == [handoff.id])
        #expect(dead.first?.note == "dead-lettered after 3 attempts")
        #expect {
            try store.retry(handoffID: try put(2).handoffs[0].id)
        } throws: { error in
            (error as! HandoffError).code == .conflict
        }
        let retried = try store.retry(handoffID: handoff.id, note: "fixed the parser")
        #expect(retried.state == .pending)
        #expect(retried.attempts == 0)
        #expect(try store.claim(for: "reviewer")?.handoff.id == handoff.id)
    }

    @Test func claimsCanBeLimitedToASchema() throws {
        try put(1)
        let log = try store.put(
            ["schema": "work-log-v1", "query": "q"], from: "analyzer", to: ["reviewer"], validate: false)
        #expect(try store.claim(for: "reviewer", schema: "work-log-v1")?.handoff.artifactID == log.id)
        #expect(try store.claim(for: "reviewer", schema: "work-log-v1") == nil)
    }

    @Test func aPendingDeliveryIsNotDuplicatedButAFinishedOneIsDeliveredAgain() throws {
        let first = try put(1)
        #expect(try put(1).pendingDuplicates.map(\.id) == first.handoffs.map(\.id))
        let claim = try #require(try store.claim(for: "reviewer"))
        try store.ack(claim.receipt)
        let again = try put(1)
        #expect(again.handoffs.count == 1)
        #expect(again.handoffs[0].id != first.handoffs[0].id)
    }

    @Test func routingRecordsWhereAHandoffWent() throws {
        let original = try put(1).handoffs[0]
        let routed = try store.route(
            handoffID: original.id, to: "security_reviewer", note: "touches credentials")
        #expect(routed.producer == "reviewer")
        #expect(routed.consumer == "security_reviewer")
        #expect(routed.routedFrom == original.id)
        #expect(routed.note == "touches credentials")
        let after = try store.handoff(id: original.id)
        #expect(after.state == .routed)
        #expect(after.note == "routed to security_reviewer by reviewer: touches credentials")
        #expect(try store.claim(for: "reviewer") == nil)
        #expect(try store.claim(for: "security_reviewer")?.handoff.id == routed.id)

        let artifact = try put(2).id
        #expect {
            try store.route(artifact: artifact, to: "auditor")
        } throws: { error in
            (error as! HandoffError).message == "routing an artifact needs the bot that hands it on"
        }
        let fresh = try store.route(artifact: artifact, to: "auditor", from: "coordinator")
        #expect(fresh.routedFrom == nil)
        #expect(fresh.producer == "coordinator")
    }

    @Test func lineageAndTheChainBothWays() throws {
        let root = try store.put(
            ["schema": "work-log-v1", "n": 1], from: "analyzer", to: ["suggester"], validate: false)
        let middle = try store.put(
            ["schema": "handoff-request-v1", "n": 2], from: "suggester", to: ["reviewer"], parents: [root.id],
            validate: false)
        let leaf = try store.put(
            ["schema": "tool-result-v1", "n": 3], from: "reviewer", parents: [middle.id], validate: false)
        let other = try store.put(
            ["schema": "tool-result-v1", "n": 4], from: "reviewer", parents: [root.id, middle.id],
            validate: false)
        #expect(try store.parents(of: other.id).map(\.id) == [root.id, middle.id])
        #expect(try store.children(of: root.id).map(\.id) == [middle.id, other.id])

        let chain = try store.chain(of: middle.id)
        #expect(chain.focus == middle.id)
        #expect(chain.nodes.map(\.artifact.id) == [root.id, middle.id, leaf.id, other.id])
        #expect(chain.nodes.map(\.generation) == [-1, 0, 1, 1])
        #expect(
            Set(chain.edges) == [
                .init(parent: root.id, child: middle.id), .init(parent: middle.id, child: leaf.id),
                .init(parent: middle.id, child: other.id),
            ])
        #expect(chain.node(root.id)?.handoffs.map(\.consumer) == ["suggester"])
        #expect(!chain.truncated)

        let shallow = try store.chain(of: leaf.id, depth: 1)
        #expect(shallow.nodes.map(\.artifact.id) == [middle.id, leaf.id])
        #expect(shallow.truncated)

        #expect {
            try store.put(
                ["schema": "x-v1"], from: "p", parents: [ArtifactID(high: 1, low: 2)], validate: false)
        } throws: { error in
            (error as! HandoffError).code == .notFound
        }
        #expect {
            try store.put(["schema": "work-log-v1", "n": 1], from: "p", parents: [root.id], validate: false)
        } throws: { error in
            (error as! HandoffError).message == "artifact \(root.id) cannot be its own parent"
        }
    }

    @Test func aLineageCycleIsWalkedOnce() throws {
        let a = try store.put(["schema": "x-v1", "n": 1], from: "p", validate: false)
        let b = try store.put(["schema": "x-v1", "n": 2], from: "p", parents: [a.id], validate: false)
        // Content-addressed artifacts can be given more parents later, which can close a cycle.
        try store.put(["schema": "x-v1", "n": 1], from: "p", parents: [b.id], validate: false)
        let chain = try store.chain(of: a.id)
        #expect(chain.nodes.count == 2)
        #expect(Set(chain.edges) == [.init(parent: a.id, child: b.id), .init(parent: b.id, child: a.id)])
    }

    @Test func nextActionsComeFromTheDeclaredPlacesAndAreInferredFromErrorsAndLowConfidence() throws {
        let workLog: JSONValue = [
            "schema": "work-log-v1", "workflow_id": nil, "query": "q",
            "decisions": [
                [
                    "step": 1, "tool": "bird", "status": "success", "confidence": 0.9, "error": nil,
                    "output": ["next_actions": ["summarize_top_categories"]],
                ],
                [
                    "step": 2, "tool": "web_search", "status": "error", "confidence": 0.4,
                    "error": "rate limited",
                    "output": nil,
                ],
            ],
            "summary": ["errors": 1],
            "recommendations": ["summarize_top_categories", "review_errors"],
            "next_actions": ["suggest_actions"],
        ]
        let result = try store.put(workLog, from: "analyzer", to: ["suggester"], validate: false)
        let actions = try store.nextActions(of: result.id)
        #expect(
            actions == [
                NextAction(action: "suggest_actions", source: "/next_actions/0", inferred: false),
                NextAction(action: "summarize_top_categories", source: "/recommendations/0", inferred: false),
                NextAction(action: "review_errors", source: "/recommendations/1", inferred: false),
                NextAction(
                    action: "summarize_top_categories", source: "/decisions/0/output/next_actions/0",
                    inferred: false),
                NextAction(action: "review_errors", source: "/decisions/1/status", inferred: true),
                NextAction(
                    action: "verify_low_confidence_decisions", source: "/decisions/1/confidence",
                    inferred: true),
            ])
        try put(1)
        let matching = try store.inbox(
            "suggester", filter: HandoffFilter(action: "verify_low_confidence_decisions"))
        #expect(matching.map(\.artifactID) == [result.id])
        #expect(
            try store.inbox("reviewer", filter: HandoffFilter(action: "verify_low_confidence_decisions"))
                .isEmpty)
        #expect(try store.inbox("reviewer", filter: HandoffFilter(action: "manual_review")).count == 1)
    }

    @Test func aPageStartsAfterTheHandoffThatEndedTheLastOne() throws {
        // Several in one millisecond: the order within it is the order they were stored in.
        var ids: [String] = []
        for n in 0..<12 {
            ids += try store.put(scanResult(risk: n), from: "scanner", to: ["reviewer"]).handoffs.map(\.id)
            if n % 4 == 3 { clock.advance(by: 1) }
        }
        var seen: [String] = []
        var after: String?
        repeat {
            var filter = HandoffFilter(limit: 5)
            filter.after = after
            let page = try store.inbox("reviewer", filter: filter)
            seen += page.map(\.id)
            after = page.count == 5 ? page.last?.id : nil
        } while after != nil
        #expect(seen == ids)
        var newest = HandoffFilter(consumer: "reviewer", limit: 3, newestFirst: true)
        newest.after = ids[6]
        #expect(try store.handoffs(newest).map(\.id) == [ids[5], ids[4], ids[3]])
        // A handoff that is not there selects none, rather than starting over.
        var unknown = HandoffFilter(limit: 5)
        unknown.after = "01J00000000000000000000000"
        #expect(try store.inbox("reviewer", filter: unknown).isEmpty)
    }

    @Test(.storesAreFolders) func aPageAfterAHandoffSeeksTheIndex() throws {
        for n in 0..<50 { try put(n, to: ["reviewer", "auditor"]) }
        var filter = HandoffFilter(consumer: "reviewer", states: [.pending], limit: 10)
        filter.after = try store.inbox("reviewer")[20].id
        let plan = try store.sqlite!.queryPlan(filter)
        // A seek on the inbox's index from where the page starts (SQLite shows the row value's first column),
        // and the handoff it starts after found by its id.
        #expect(
            plan.first?.hasPrefix(
                "SEARCH h USING INDEX handoff_by_consumer (consumer=? AND state=? AND created_at>")
                == true, "\(plan)")
        #expect(plan.contains("SEARCH c USING INDEX sqlite_autoindex_handoff_1 (id=?)"), "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN") }, "\(plan)")
    }

    @Test(.storesAreFolders) func inboxAndClaimQueriesUseIndexesNotScans() throws {
        for n in 0..<50 { try put(n, to: ["reviewer", "auditor"]) }
        let filters = [
            HandoffFilter(consumer: "reviewer", states: [.pending], limit: 10),
            HandoffFilter(consumer: "reviewer", states: [.pending], schema: "security-scan-v1", limit: 10),
            HandoffFilter(
                consumer: "reviewer", producer: "scanner", states: [.pending], action: "manual_review",
                limit: 10),
            HandoffFilter(consumer: "reviewer", states: [.dead], limit: 10),
        ]
        for filter in filters {
            let plan = try store.sqlite!.queryPlan(filter)
            #expect(plan.contains { $0.contains("SEARCH h USING INDEX handoff_") }, "\(plan)")
            #expect(!plan.contains { $0.hasPrefix("SCAN") }, "\(plan)")
        }
        // What is asked of each plan, not its wording, which differs between SQLite versions (the system's,
        // and the one linked into the release binary): each table is searched by an index or its key, and the
        // handoffs by the index meant for the query.
        func searchesOnly(_ plan: [String]) -> Bool {
            plan.allSatisfy { !$0.hasPrefix("SCAN") }
                && plan.filter { $0.hasPrefix("SEARCH") }.allSatisfy {
                    $0.contains("USING INDEX") || $0.contains("USING INTEGER PRIMARY KEY")
                        || $0.contains("USING COVERING INDEX") || $0.contains("USING PRIMARY KEY")
                }
        }
        let inbox = try store.sqlite!.queryPlan(HandoffFilter(consumer: "reviewer", states: [.pending]))
        #expect(searchesOnly(inbox), "\(inbox)")
        #expect(
            inbox.first?.hasPrefix("SEARCH h USING INDEX handoff_by_consumer (consumer=? AND state=?") == true
        )
        let (pending, expired) = try #require(try store.sqlite!.claimQueryPlans(consumer: "reviewer").splat())
        #expect(searchesOnly(pending) && searchesOnly(expired), "\(pending) \(expired)")
        #expect(
            pending.first?.hasPrefix("SEARCH h USING INDEX handoff_by_consumer (consumer=? AND state=?")
                == true)
        #expect(
            expired.first?.hasPrefix("SEARCH h USING INDEX handoff_leased (consumer=? AND lease_expires_at<?")
                == true)
    }
}

extension Array {
    /// The two elements of a two-element array.
    func splat() -> (Element, Element)? { count == 2 ? (self[0], self[1]) : nil }
}

struct ImportedTimeTests {
    @Test func aHandoffCreatedInTheFutureIsClaimableNow() throws {
        let temporary = try TemporaryStore()
        let future = Timestamp.now().adding(milliseconds: 7_200_000)
        try temporary.store.put([
            PutRequest(document: scanResult(), producer: "p", consumers: ["c"], createdAt: future)
        ])
        let claim = try #require(try temporary.store.claim(for: "c"))
        #expect(claim.handoff.createdAt == future)
    }
}
