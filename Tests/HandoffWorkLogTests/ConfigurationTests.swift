import HandoffJSON
import HandoffKit
import HandoffWorkLog
import Testing

/// The store's work-log configuration: what it keeps, and what it shares.
struct ConfigurationTests {
    @Test func theDefaultsAreTheNotes() throws {
        let defaults = WorkLogConfiguration()
        #expect(defaults.enabled && defaults.maskSecrets && !defaults.learningExchange.autoApprove)
        #expect(WorkspaceType.allCases.map { defaults.defaults(for: $0).retentionDays } == [7, 90, 30, 90])
        #expect(defaults.confidenceThreshold == 0.7 && defaults.learningExchange.minConfidence == 0.85)
        #expect(defaults.levels.count == 10 && defaults.categories == nil && defaults.infoSampleRate == 1)
        #expect(defaults.escalateTo == "user")
        #expect(try WorkLogConfiguration(json: defaults.json) == defaults, "the JSON form reads back")
    }

    @Test func aConfigurationSavedToAStoreIsTheOneItsWorkLogsUse() throws {
        let fixture = try WorkLogFixture()
        var configuration = WorkLogConfiguration()
        configuration.levels = [.decision, .error]
        configuration.workspaceDefaults[.open]?.retentionDays = 14
        try configuration.save(to: fixture.store)
        #expect(try WorkLogConfiguration.load(from: fixture.store) == configuration)
        #expect(try WorkLog(store: fixture.store).configuration == configuration)
    }

    @Test(
        arguments: [
            (#"{"enabled": "yes"}"#, "work_logs.enabled must be true or false, not \"yes\""),
            (
                #"{"log_levels": ["info", "debug"]}"#,
                "work_logs.log_levels has \"debug\", which is not one of"
            ),
            (
                #"{"info_sample_rate": 1.5}"#,
                "work_logs.info_sample_rate must be a number from 0 to 1, not 1.5"
            ),
            (
                #"{"workspace_defaults": {"open": {"retention_days": -1}}}"#,
                "work_logs.workspace_defaults.open.retention_days must be a whole number of days"
            ),
            (
                #"{"workspace_defaults": {"channel": {}}}"#,
                "work_logs.workspace_defaults has no setting \"channel\""
            ),
            (#"{"retention": 30}"#, "work_logs has no setting \"retention\""),
            (#"{"escalate_to": "a b"}"#, "work_logs.escalate_to has \"a b\""),
            (
                #"{"learning_exchange": {"shareable_categories": [1]}}"#,
                "work_logs.learning_exchange.shareable_categories must hold names"
            ),
        ])
    func badSettingsAreRefusedSayingWhich(json: String, message: String) throws {
        #expect {
            try WorkLogConfiguration(json: try JSONParser.parse(json))
        } throws: { error in
            guard let error = error as? HandoffError else { return false }
            return error.code == .invalidInput && error.message.hasPrefix(message)
        }
    }

    @Test func levelsAndCategoriesNotKeptAreDroppedButEscalationsStay() throws {
        var configuration = WorkLogConfiguration()
        configuration.levels = [.decision, .error, .tool]
        configuration.categories = ["routing", "tool_execution"]
        let fixture = try WorkLogFixture(configuration: configuration)
        let session = try #require(try fixture.workLog.start(Samples.exampleB))
        #expect(try session.add(.thinking, category: "routing", message: "level not kept") == nil)
        #expect(try session.add(.decision, category: "memory", message: "category not kept") == nil)
        #expect(try session.add(.decision, category: "routing", message: "kept")?.step == 1)
        #expect(try session.tool("bird")?.step == 2)
        #expect(try session.escalate("still escalated")?.step == 3, "an escalation is never dropped")
        try session.flush()
        #expect(try fixture.workLog.entries(ofSession: session.id).map(\.message).count == 3)
    }

    @Test func openWorkspacesDropBotChatterAndCoordinationUnlessConfigured() throws {
        let fixture = try WorkLogFixture()
        let open = try #require(try fixture.workLog.start(Samples.exampleA))
        #expect(try open.botMessage("researcher", "hi") == nil, "log_bot_conversations is false for open")
        #expect(try open.add(.coordination, category: "coordination", message: "c") == nil)
        #expect(try open.add(.info, category: "general", message: "m", coordinatorMode: true) == nil)
        let direct = try #require(try fixture.workLog.start(Samples.exampleC))
        #expect(try direct.botMessage("researcher", "hi") != nil, "kept in a direct workspace")
        #expect(try direct.add(.coordination, category: "coordination", message: "c") == nil)
        let project = try #require(try fixture.workLog.start(Samples.exampleB))
        #expect(try project.add(.coordination, category: "coordination", message: "c") != nil)
    }

    @Test func infoSamplingKeepsTheShareItSays() throws {
        var configuration = WorkLogConfiguration()
        configuration.infoSampleRate = 0.25
        let fixture = try WorkLogFixture(configuration: configuration)
        let session = try #require(try fixture.workLog.start(Samples.exampleB))
        var kept = 0
        for index in 0..<4000
        where try session.add(.info, category: "general", message: "tick \(index)") != nil {
            kept += 1
        }
        #expect((800...1200).contains(kept), "about a quarter of 4000, not \(kept)")
        #expect(try session.add(.decision, category: "routing", message: "never sampled") != nil)
        configuration.infoSampleRate = 0
        try configuration.save(to: fixture.store)
        let none = try #require(try WorkLog(store: fixture.store).start(Samples.exampleB))
        for _ in 0..<100 { #expect(try none.add(.info, category: "general", message: "tick") == nil) }
    }

    @Test func disabledWorkLogsRecordNothing() throws {
        var configuration = WorkLogConfiguration()
        configuration.enabled = false
        let fixture = try WorkLogFixture(configuration: configuration)
        #expect(try fixture.workLog.start(Samples.exampleA) == nil)
        #expect(try fixture.workLog.startStepwise(Samples.exampleA) == nil)
        #expect(try fixture.workLog.sessions().isEmpty)
    }
}
