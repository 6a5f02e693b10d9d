import HandoffJSON
import HandoffKit
import HandoffTesting
import HandoffWorkLog
import Testing

/// The learning exchange: which entries become insights, and who they are handed to once approved.
struct InsightTests {
    @Test func aConfidentFindingInADirectWorkspaceIsQueuedAndGoesToThatBot() throws {
        let fixture = try WorkLogFixture()
        try fixture.record(sample: "c-direct-research", Samples.exampleC)
        let pending = try fixture.workLog.insights()
        #expect(pending.count == 1)
        let insight = try #require(pending.first)
        #expect(
            insight.category == "research_finding" && insight.confidence == 0.92
                && insight.bot == "researcher")
        #expect(insight.step == 6 && insight.appliesTo == ["researcher"] && insight.state == .pending)
        #expect(insight.content.hasPrefix("Key finding: Shor's algorithm"))
        #expect(try fixture.store.inbox("researcher").isEmpty, "nothing is shared before approval")

        let approved = try fixture.workLog.approveInsight(
            insight.id, note: "useful for everyone doing crypto")
        #expect(approved.state == .approved && approved.note == "useful for everyone doing crypto")
        let artifact = try #require(approved.artifact)
        let handoffs = try fixture.store.inbox("researcher")
        #expect(handoffs.map(\.artifactID) == [artifact])
        let document = try fixture.store.document(artifact)
        #expect(document["schema"] == "insight-v1" && document["applies_to"] == ["researcher"])
        expectValidArtifact(document)
        #expect(try fixture.store.nextActions(of: artifact).map(\.action) == ["apply_insight"])
        #expect {
            try fixture.workLog.rejectInsight(insight.id)
        } throws: { ($0 as? HandoffError)?.code == .conflict }
        #expect(try fixture.workLog.insights().isEmpty)
    }

    @Test func theRuleFlagsConfidentEntriesInShareableCategoriesOnly() throws {
        let fixture = try WorkLogFixture()
        let session = try #require(try fixture.workLog.start(Samples.exampleB))
        let flagged = try #require(
            try session.add(
                .decision, category: "user_preference", message: "Prefers short answers", confidence: 0.9))
        #expect(flagged.shareableInsight && flagged.insightCategory == "user_preference")
        let unsure = try #require(
            try session.add(
                .decision, category: "user_preference", message: "Maybe likes emoji", confidence: 0.6))
        #expect(!unsure.shareableInsight)
        let elsewhere = try #require(
            try session.add(.decision, category: "routing", message: "Simple tier", confidence: 0.99))
        #expect(!elsewhere.shareableInsight)
        // Flagged by the bot, but below the exchange's minimum confidence: not queued.
        try session.record(
            WorkLogEntry(
                level: .decision, category: "tool_pattern", message: "Unsure pattern", confidence: 0.5,
                shareableInsight: true))
        try session.end()
        let queued = try fixture.workLog.insights()
        #expect(queued.map(\.content) == ["Prefers short answers"])
        #expect(queued.first?.appliesTo == ["nanobot", "researcher", "coder"], "a project's participants")
    }

    @Test func anOpenWorkspaceInsightGoesToEveryKnownBotAndRejectingSharesNothing() throws {
        let fixture = try WorkLogFixture()
        try fixture.record(sample: "d-coordination-website", Samples.exampleD)
        let session = try #require(try fixture.workLog.start(Samples.exampleA))
        try session.add(
            .decision, category: "user_preference", message: "User prefers concise responses",
            confidence: 0.95)
        try session.end()
        let insight = try #require(try fixture.workLog.insights().first)
        #expect(insight.appliesTo == ["coder", "creative", "nanobot", "researcher", "social"])
        let rejected = try fixture.workLog.rejectInsight(insight.id, note: "too personal")
        #expect(rejected.state == .rejected && rejected.artifact == nil)
        #expect(try fixture.store.artifacts(ArtifactFilter(schema: "insight-v1")).isEmpty)
        #expect(try fixture.workLog.insights(state: .rejected).map(\.note) == ["too personal"])
    }

    @Test func autoApprovalHandsInsightsOnWhenTheSessionEnds() throws {
        var configuration = WorkLogConfiguration()
        configuration.learningExchange.autoApprove = true
        let fixture = try WorkLogFixture(configuration: configuration)
        try fixture.record(sample: "c-direct-research", Samples.exampleC)
        #expect(try fixture.workLog.insights().isEmpty)
        let approved = try fixture.workLog.insights(state: .approved)
        #expect(approved.count == 1)
        #expect(
            try fixture.store.inbox("researcher").map(\.artifactID) == [
                try #require(approved.first?.artifact)
            ])
    }

    @Test func approvingAnUnknownInsightSaysSo() throws {
        let fixture = try WorkLogFixture()
        #expect {
            try fixture.workLog.approveInsight("01JD3XQ2K8B6W5N2M7T4R9C1ZP")
        } throws: { error in
            let error = error as? HandoffError
            return error?.code == .notFound
                && error?.message.hasPrefix("no insight \"01JD3XQ2K8B6W5N2M7T4R9C1ZP\"") == true
        }
    }
}
