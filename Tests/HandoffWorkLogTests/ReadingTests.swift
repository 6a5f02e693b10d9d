import Foundation
import HandoffJSON
import HandoffTesting
import HandoffWorkLog
import Testing

@testable import HandoffKit

/// Reading work logs back: `how`, `explain` in its modes, `logs`.
struct ReadingTests {
    static func recordAll() throws -> WorkLogFixture {
        let fixture = try WorkLogFixture()
        try fixture.record(sample: "a-general-weather", Samples.exampleA)
        try fixture.record(sample: "b-project-refactor", Samples.exampleB)
        try fixture.record(sample: "c-direct-research", Samples.exampleC)
        try fixture.record(sample: "d-coordination-website", Samples.exampleD)
        return fixture
    }

    @Test func howFindsEntriesByTheirWordsRankedWithWhereTheyWereRecorded() throws {
        let fixture = try Self.recordAll()
        let hits = try fixture.workLog.search("why did you escalate")
        #expect(hits.count == 2, "stemming: escalate finds Escalation; why, did and you are left out")
        #expect(Set(hits.map(\.workspace)) == ["#project-refactor", "#coordination-website"])
        #expect(hits.allSatisfy { $0.entry.escalation })
        let rate = try fixture.workLog.search("rate limit")
        #expect(rate.first?.workspace == "#project-refactor")
        #expect(
            rate.first?.entry.message.contains("rate") == true
                || rate.first?.entry.message.contains("Rate") == true)
        #expect(
            try fixture.workLog.search("web_search").map(\.entry.toolName).allSatisfy { $0 == "web_search" })
        #expect(try fixture.workLog.search("web_search").count == 3, "tool names are searched")
        let scoped = try fixture.workLog.search("design", workspace: "#coordination-website", bot: "creative")
        #expect(!scoped.isEmpty && scoped.allSatisfy { $0.entry.botName == "creative" })
        #expect(try fixture.workLog.search("design", workspace: "#general").isEmpty)
        #expect(try fixture.workLog.search("design", limit: 2).count == 2)
    }

    /// A hit's score is the sum, over the question's words and phrases it holds, of the weights of the
    /// fields holding them; a phrase is its words in a row, in one field.
    @Test func howScoresByFieldAndMatchesPhrasesInOrder() throws {
        let fixture = try WorkLogFixture()
        let session = try #require(try fixture.workLog.start(Samples.exampleA))
        try session.record(
            WorkLogEntry(level: .info, category: "throttle", message: "Hit the rate limit again"))
        try session.record(
            WorkLogEntry(level: .info, category: "general", message: "The limit on rate was fine"))
        try session.tool("rate_limiter", output: ["limit": 10], status: .success, message: "Checked quotas")
        try session.end()
        // The phrase is in the first message (10), and in the tool's name, rate_limiter (stems "rate limit",
        // 4), and in its details, which name the tool (1); not in "limit on rate".
        let phrase = try fixture.workLog.search(#""rate limit""#)
        #expect(phrase.map(\.entry.message) == ["Hit the rate limit again", "Checked quotas"])
        #expect(phrase.map(\.score) == [10, 5])
        // "rate" and "limit" each: 10 + 10 in the two messages, 4 + 4 + 1 + 1 for the tool; newest first among
        // equals.
        let words = try fixture.workLog.search("rate limit")
        #expect(words.map(\.score) == [20, 20, 10])
        #expect(
            words.map(\.entry.message) == [
                "The limit on rate was fine", "Hit the rate limit again", "Checked quotas",
            ])
        // The category counts 3: "throttle" alone.
        #expect(try fixture.workLog.search("throttled").map(\.score) == [3])
    }

    /// A store whose entries were indexed by SQLite's own stemming before: a command that only reads says
    /// `how` needs the upgrade, and the first command that writes makes it.
    @Test(.storesAreFolders) func howOnAStoreIndexedTheOldWayAsksForTheUpgrade() throws {
        let fixture = try Self.recordAll()
        let index = try #require(fixture.store.sqlite)
        try index.write { db in
            try db.execute(
                sql: """
                    DELETE FROM grdb_migrations WHERE identifier LIKE 'v5:%';
                    DROP TABLE work_entry_text;
                    CREATE VIRTUAL TABLE work_entry_text USING fts5(
                        message, category, details, tool_name, tool_error, bot,
                        content = 'work_entry', content_rowid = 'seq',
                        tokenize = 'porter unicode61 remove_diacritics 2');
                    INSERT INTO work_entry_text (work_entry_text) VALUES ('rebuild');
                    """)
        }
        var readOnly = Store.Configuration()
        readOnly.readOnly = true
        let reader = try WorkLog(store: try Store.open(at: fixture.store.path, configuration: readOnly))
        #expect(try reader.sessions().count == 4, "everything else reads as before")
        #expect {
            try reader.search("escalate")
        } throws: { ($0 as? HandoffError)?.message.contains("needs an upgrade to be searched") == true }
        let writer = try WorkLog(store: try Store.open(at: fixture.store.path))
        #expect(try writer.search("why did you escalate").count == 2)
    }

    @Test(arguments: [
        "\"", "(", "*", "NEAR(a b)", "a AND OR", "-x", "col:val", "'; DROP TABLE work_entry; --",
    ])
    func howTakesAnyTextWithoutReadingItAsSyntax(question: String) throws {
        let fixture = try Self.recordAll()
        do {
            _ = try fixture.workLog.search(question)
        } catch {
            #expect(error.code == .usage && error.message == "the question has no words to look for")
        }
        #expect(try fixture.workLog.sessions().count == 4)
    }

    @Test func summaryReadsLikeTheOvernightReport() throws {
        let fixture = try Self.recordAll()
        let explained = try fixture.workLog.explain(
            .latest(WorkSessionFilter(workspace: "#coordination-website")))
        let text = WorkLogView.text(explained, mode: .summary)
        #expect(
            text.hasPrefix(
                "Work log of #coordination-website (coordination) · session \(explained.info.id)\n"))
        #expect(
            text.contains(
                "  Bots: nanobot, researcher, creative, coder · coordinator nanobot · 10 steps, 0 errors, 1 escalation"
            ))
        #expect(text.contains("\nAnswer\n  Progress report generated. Awaiting user decision.\n"))
        #expect(text.contains("\nSummary\n  🌙 Overnight Progress Report (#coordination-website)\n"))
        #expect(text.contains("\nKey decisions\n  step 1  nanobot  Coordinator mode activated"))
        #expect(
            text.contains(
                "  step 7  nanobot  Choosing minimalist design - better performance aligns with competitor analysis findings  (85%)"
            ))
        #expect(
            text.contains(
                "\nWaiting for a decision\n  step 10  nanobot → user  🚨 Escalation: Design conflict"))
        let json = WorkLogView.json(explained, mode: .summary)
        #expect(json["decisions"]?.arrayValue?.map { $0["step"] } == [1, 6, 7])
        #expect(json["escalations"]?[0]?["handoff"]?["state"] == "pending")
        #expect(json["session"]?["state"] == "ended")
    }

    @Test func lowConfidenceAndErrorsAreCalledOut() throws {
        let fixture = try WorkLogFixture()
        let session = try #require(try fixture.workLog.start(Samples.exampleB))
        try session.add(
            .uncertainty, category: "routing", message: "Not sure about the tier", confidence: 0.55)
        try session.tool(
            "run_tests", output: ["failed": 1], status: .error, durationMs: 18734, error: "1 test failed")
        try session.add(.error, category: "general", message: "Could not reach the API")
        try session.end(finalOutput: "Partial")
        let text = WorkLogView.text(try fixture.workLog.explain(.session(session.id)), mode: .summary)
        #expect(
            text.contains("\nLow confidence (below 70%)\n  step 1  nanobot  Not sure about the tier  (55%)\n")
        )
        #expect(
            text.contains(
                "\nErrors\n  step 2  nanobot  Executed run_tests\n  step 3  nanobot  Could not reach the API\n"
            ))
        #expect(text.contains("\nTools\n  step 2  nanobot  run_tests  error  18.7 s  1 test failed\n"))
        #expect(text.hasSuffix("Next actions: review_errors, verify_low_confidence_decisions"))
    }

    @Test func coordinationShowsTheConversation() throws {
        let fixture = try Self.recordAll()
        let explained = try fixture.workLog.explain(
            .latest(WorkSessionFilter(workspace: "#project-refactor")))
        let lines = WorkLogView.text(explained, mode: .coordination).split(separator: "\n").dropFirst(4).map(
            String.init)
        #expect(
            lines == [
                "step 1  nanobot: Assessing task complexity and required expertise  [coordinator]",
                "step 2  nanobot → @researcher: @researcher Please analyze current auth implementation for security issues  [coordinator]",
                "step 3  researcher (re step 2): Found 2 issues: (1) Missing rate limiting, (2) Weak password policy  [coordinator]",
                "step 4  nanobot → @coder, @researcher: @coder Can you implement rate limiting? @researcher found it as priority #1  [coordinator]",
                "step 5  coder (re step 4): What rate limit should I use? 100 req/min or stricter?  [coordinator]",
                "step 6  nanobot: Rate limit choice unclear - defaulting to 100/min but user might prefer different  [coordinator, 60%]",
                "step 7  nanobot: Proceeding with 100 req/min, flagging for user confirmation  [coordinator]",
                "step 8  coder: Implementing rate limiting middleware",
                "step 9  nanobot: 🚨 Escalation: Password policy choice: Require special characters (strict) or allow passphrases (user-friendly)?  [escalation]",
            ])
        let messages = WorkLogView.json(explained, mode: .coordination)["messages"]?.arrayValue ?? []
        #expect(messages.map { $0["step"] } == [1, 2, 3, 4, 5, 6, 7, 8, 9], "step 8 was set off by @nanobot")
        #expect(messages[2]["response_to"] == 2 && messages[1]["mentions"] == ["@researcher"])
    }

    @Test func detailedDebugAndMarkdownShowEveryEntry() throws {
        let fixture = try Self.recordAll()
        let explained = try fixture.workLog.explain(.latest(WorkSessionFilter(workspace: "#general")))
        let detailed = WorkLogView.text(explained, mode: .detailed)
        #expect(detailed.contains("\nStep 2 · decision · tool · nanobot · "))
        #expect(
            detailed.contains(
                "\n  tool weather_lookup: success\n  input {\"location\":\"auto-detect\"}\n  output {\"condition\":\"sunny\",\"temp\":72}\n"
            ))
        let debug = WorkLogView.json(explained, mode: .debug)
        #expect(debug["entries"]?.arrayValue?.count == 3)
        #expect(debug["entries"]?[1]?["tool_input"] == ["location": "auto-detect"])
        let markdown = WorkLogView.markdown(explained)
        #expect(
            markdown.hasPrefix(
                "It's 72°F and sunny!\n\n<details>\n<summary>🔍 How I decided this</summary>\n\n"))
        #expect(
            markdown.contains(
                "- **Step 2** (decision, tool, nanobot): Calling weather API — `weather_lookup` success in 450 ms\n"
            ))
        #expect(markdown.hasSuffix("\n</details>\n"))
        // --bot picks the latest session the bot took part in, and shows only its entries.
        let latest = try fixture.workLog.explain(
            .latest(WorkSessionFilter(bot: "researcher")), bot: "researcher")
        #expect(latest.info.start.workspace == "#coordination-website")
        #expect(latest.entries.map(\.step) == [3])
        let direct = try fixture.workLog.explain(
            .latest(WorkSessionFilter(workspace: "dm-researcher")), bot: "researcher")
        #expect(direct.entries.count == 6 && direct.entries.allSatisfy { $0.botName == "researcher" })
    }

    @Test func anArtifactLeadsToItsSessionEvenWithoutTheIndexRows() throws {
        let fixture = try Self.recordAll()
        let session = try #require(
            try fixture.workLog.sessions(WorkSessionFilter(workspace: "#project-refactor")).first)
        let workLog = try #require(session.workLogArtifact)
        let record = try #require(session.sessionArtifact)
        #expect(try fixture.workLog.explain(.artifact(workLog)).info.id == session.id)
        #expect(try fixture.workLog.explain(.artifact(record)).info.id == session.id)
        let escalation = try #require(try fixture.workLog.escalations().first { $0.session == session.id })
        #expect(try fixture.workLog.explain(.artifact(escalation.artifact)).info.id == session.id)

        // A second store holding only the handed-on work log and its record (as another machine would).
        let other = try WorkLogFixture()
        let recordPut = try other.store.put(try fixture.store.document(record), from: "nanobot")
        try other.store.put(try fixture.store.document(workLog), from: "nanobot", parents: [recordPut.id])
        let rebuilt = try other.workLog.explain(.artifact(workLog))
        #expect(rebuilt.fromRecord == record)
        #expect(rebuilt.info.id == session.id && rebuilt.entries.count == 9)
        #expect(rebuilt.info.summary == session.summary && rebuilt.info.escalations == 1)
        #expect(
            WorkLogView.text(rebuilt, mode: .summary).contains(
                "\nEscalations\n  step 9  nanobot  🚨 Escalation"))

        let tool = try fixture.store.put(
            [
                "schema": "tool-result-v1", "tool": "x", "input": ["args": [], "kwargs": [:]],
                "status": "success", "duration_ms": 5,
            ], from: "a")
        #expect {
            try fixture.workLog.explain(.artifact(tool.id))
        } throws: { ($0 as? HandoffError)?.message.hasSuffix("is a tool-result-v1, not a work log") == true }
    }

    @Test func logsListsSessionsNewestFirstWithTheirCounts() throws {
        let fixture = try Self.recordAll()
        let open = try #require(try fixture.workLog.start(Samples.exampleA))
        try open.add(.info, category: "general", message: "still going")
        try open.flush()
        let sessions = try fixture.workLog.sessions()
        #expect(
            sessions.map(\.start.workspace) == [
                "#general", "#coordination-website", "dm-researcher", "#project-refactor", "#general",
            ])
        #expect(sessions.map(\.isEnded) == [false, true, true, true, true])
        #expect(sessions.map(\.steps) == [1, 10, 6, 9, 3])
        #expect(sessions.map(\.escalations) == [0, 1, 0, 1, 0])
        #expect(sessions[1].bots == ["nanobot", "researcher", "creative", "coder"])
        #expect(try fixture.workLog.sessions(WorkSessionFilter(bot: "creative")).count == 1)
        #expect(
            try fixture.workLog.sessions(WorkSessionFilter(workspaceType: .direct)).map(\.start.bot) == [
                "researcher"
            ])
        #expect(try fixture.workLog.sessions(WorkSessionFilter(limit: 2)).count == 2)
        #expect {
            try fixture.workLog.explain(.latest(WorkSessionFilter(workspace: "#nowhere")))
        } throws: { ($0 as? HandoffError)?.code == .notFound }
    }
}
