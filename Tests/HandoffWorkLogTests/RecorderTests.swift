import Foundation
import HandoffJSON
import HandoffKit
import HandoffTesting
import HandoffWorkLog
import Testing

/// Recording sessions through the Swift API and ending them into artifacts.
struct RecorderTests {
    @Test func exampleBEndsIntoTheWorkLogTheNoteDefines() throws {
        let fixture = try WorkLogFixture()
        let ended = try fixture.record(sample: "b-project-refactor", Samples.exampleB, to: ["reviewer"])
        let expected = try JSONParser.parse(
            """
            {"schema": "work-log-v1", "workflow_id": "wf-auth-refactor", "query": "Refactor the authentication module",
             "decisions": [{"step": 8, "category": "tool", "tool": "write_file", "input": {"path": "src/auth/rate_limiter.py"},
                            "output": null, "status": "success", "confidence": null, "duration_ms": 3200, "error": null}],
             "summary": {"total_steps": 9, "tool_calls": 1, "errors": 0, "total_duration_ms": 3200,
                         "final_output": "Progress made! See summary for details."},
             "recommendations": ["verify_low_confidence_decisions"]}
            """)
        let stored = try fixture.store.document(ended.workLog.id)
        #expect(stored.canonicalText == expected.canonicalText)
        #expect(ended.artifact.canonicalText == expected.canonicalText)
        #expect(ended.workLog.handoffs.map(\.consumer) == ["reviewer"])
        #expect(ended.workLog.artifact.validated)
        #expect(
            try fixture.store.nextActions(of: ended.workLog.id).map(\.action) == [
                "verify_low_confidence_decisions"
            ])

        // The work log names the raw record as its parent; the record holds every entry with every field.
        #expect(try fixture.store.parents(of: ended.workLog.id).map(\.id) == [ended.record])
        let record = try fixture.store.document(ended.record)
        #expect(record["schema"] == "work-session-v1")
        #expect(record["session_id"]?.stringValue == ended.session.id)
        #expect(record["coordinator"] == "nanobot")
        let entries = try #require(record["entries"]?.arrayValue)
        #expect(entries.map { $0["step"]?.intValue } == Array(1...9))
        #expect(entries[2]["response_to"] == 2)
        #expect(entries[3]["mentions"] == ["@coder", "@researcher"])
        #expect(entries[8]["escalation"] == true)
        #expect(entries.allSatisfy { $0.objectValue?.count == 22 }, "every field, nulls included")
        expectValidArtifact(record)

        // The escalation was handed to user while the session ran, and is the record's child now.
        let escalation = try #require(try fixture.store.inbox("user").first)
        #expect(escalation.schema == "escalation-v1")
        #expect(try fixture.store.parents(of: escalation.artifactID).map(\.id) == [ended.record])
        let chain = try fixture.store.chain(of: escalation.artifactID)
        #expect(Set(chain.nodes.map(\.artifact.schema)) == ["escalation-v1", "work-session-v1"])
        #expect(chain.parents(of: escalation.artifactID) == [ended.record])
    }

    @Test func stepsCountFromOneAndTimesComeFromTheStoreClock() throws {
        let fixture = try WorkLogFixture()
        let session = try #require(try fixture.workLog.start(Samples.exampleA))
        let first = try #require(
            try session.add(.thinking, category: "memory", message: "Retrieving context"))
        let second = try #require(try session.add(.decision, category: "routing", message: "Simple query"))
        #expect((first.step, second.step) == (1, 2))
        #expect(try #require(first.timestamp) < second.timestamp!)
        #expect(first.timestamp! > session.session.startedAt)
        #expect(first.botName == "nanobot" && first.triggeredBy == nil)
        try session.flush()
        let stored = try fixture.workLog.entries(ofSession: session.id)
        #expect(stored.map(\.step) == [1, 2])
        #expect(stored.map(\.timestamp) == [first.timestamp, second.timestamp])
        #expect(stored[0].triggeredBy == "user", "stored with the note's default")
    }

    @Test func theNotesHelpersRecordWhatTheNoteSays() throws {
        let fixture = try WorkLogFixture()
        let session = try #require(try fixture.workLog.start(Samples.exampleB))
        let tool = try #require(
            try session.tool(
                "bird", input: ["command": "bookmarks"], output: ["count": 12], status: .success,
                durationMs: 1200))
        #expect(tool.level == .tool && tool.category == "tool_execution" && tool.message == "Executed bird")
        #expect(tool.details == ["tool": "bird", "status": "success"])
        #expect(tool.isToolEntry)
        let message = try #require(
            try session.botMessage("researcher", "Found 2 issues", responseTo: 1, mentions: ["@coder"]))
        #expect(message.message == "researcher: Found 2 issues")
        #expect(message.category == "bot_conversation" && message.level == .info)
        #expect(
            message.triggeredBy == "researcher" && message.coordinatorMode, "the session has a coordinator")
        #expect(message.responseTo == 1 && message.mentions == ["@coder"])
        #expect(message.isBotConversation)
        let escalation = try #require(try session.escalate("Password policy?"))
        #expect(escalation.message == "🚨 Escalation: Password policy?")
        #expect(escalation.level == .coordination && escalation.category == "escalation")
        #expect(escalation.escalation && escalation.coordinatorMode && escalation.botName == "nanobot")
    }

    @Test func toAgentArtifactFollowsTheNoteToTheLetter() throws {
        let entries: [WorkLogEntry] = [
            WorkLogEntry(level: .decision, category: "routing", message: "route", confidence: 0),
            WorkLogEntry(
                level: .tool, category: "tool", message: "scan", durationMs: 10, toolName: "scan_skill",
                toolOutput: ["next_actions": ["manual_review", "approve_if_trusted"]], toolStatus: .success),
            WorkLogEntry(level: .error, category: "tool", message: "boom", durationMs: 5),
            WorkLogEntry(
                level: .tool, category: "tool", message: "scan again", toolName: "scan_skill",
                toolOutput: ["next_actions": ["manual_review"]], toolStatus: .error, toolError: "timeout"),
        ].enumerated().map { index, entry in
            var entry = entry
            entry.step = index + 1
            return entry
        }
        let long = String(repeating: "é", count: 499) + "e\u{301}x"
        let artifact = WorkLogArtifacts.agentArtifact(
            query: "q", workflow: nil, entries: entries, finalOutput: long, nextActions: ["suggest_actions"])
        #expect(artifact["workflow_id"] == .null)
        #expect(artifact["decisions"]?.arrayValue?.map { $0["step"] } == [2, 4])
        #expect(artifact["decisions"]?[1]?["error"] == "timeout")
        #expect(artifact["summary"]?["total_steps"] == 4)
        #expect(artifact["summary"]?["tool_calls"] == 2)
        #expect(artifact["summary"]?["errors"] == 1)
        #expect(artifact["summary"]?["total_duration_ms"] == 15)
        // 500 code points: 499 é, then the e of "e\u{301}".
        #expect(artifact["summary"]?["final_output"]?.stringValue?.unicodeScalars.count == 500)
        #expect(
            artifact["recommendations"]
                == [
                    "manual_review", "approve_if_trusted", "review_errors", "verify_low_confidence_decisions",
                ])
        #expect(artifact["next_actions"] == ["suggest_actions"])
        expectValidArtifact(artifact)
        let nothing = WorkLogArtifacts.agentArtifact(query: "q", workflow: "w", entries: [], finalOutput: nil)
        #expect(nothing["summary"]?["final_output"] == .null)
        #expect(nothing["recommendations"] == [])
        #expect(nothing["next_actions"] == nil)
        expectValidArtifact(nothing)
    }

    @Test func entriesTheSchemasRefuseAreRefusedWhenRecorded() throws {
        let fixture = try WorkLogFixture()
        let session = try #require(try fixture.workLog.start(Samples.exampleA))
        let cases: [(WorkLogEntry, String)] = [
            (
                WorkLogEntry(level: .decision, message: "m", confidence: 1.5),
                "confidence must be a number from 0 to 1, not 1.5"
            ),
            (
                WorkLogEntry(level: .decision, message: "m", confidence: .nan),
                "confidence must be a number from 0 to 1, not nan"
            ),
            (
                WorkLogEntry(level: .tool, message: "m", durationMs: -1),
                "duration_ms must not be negative, not -1"
            ),
            (
                WorkLogEntry(level: .info, category: "has space", message: "m"),
                "category: invalid category name \"has space\""
            ),
            (
                WorkLogEntry(level: .info, message: "m", mentions: ["@a\nb"]),
                "mentions: invalid mentions name \"@a\\u000ab\""
            ),
            (
                WorkLogEntry(
                    level: .tool, message: "m", toolName: "t", toolOutput: ["next_actions": ["Manual Review"]]
                ),
                "tool_output.next_actions has \"Manual Review\", which is not an action name"
            ),
            (
                WorkLogEntry(level: .info, message: "m", responseTo: 0),
                "response_to must be a step number (1 or more), not 0"
            ),
            (
                WorkLogEntry(level: .info, message: "\u{FFFF}"),
                "message: the string holds the noncharacter U+FFFF"
            ),
        ]
        for (entry, message) in cases {
            #expect {
                try session.record(entry)
            } throws: { error in
                guard let error = error as? HandoffError else { return false }
                return error.code == .invalidInput && error.message.hasPrefix(message)
            }
        }
        try session.flush()
        #expect(try fixture.workLog.entries(ofSession: session.id).isEmpty, "nothing refused was stored")
    }

    @Test func anEndedSessionTakesNoMoreEntriesAndEndsOnce() throws {
        let fixture = try WorkLogFixture()
        let session = try #require(try fixture.workLog.start(Samples.exampleA))
        try session.add(.info, category: "general", message: "hello")
        try session.end(finalOutput: "bye")
        #expect(throws: HandoffError.self) { try session.add(.info, category: "general", message: "late") }
        #expect {
            try fixture.workLog.end(session: session.id)
        } throws: { ($0 as? HandoffError)?.code == .conflict }
        #expect {
            try fixture.workLog.end(session: "no-such-session")
        } throws: { ($0 as? HandoffError)?.code == .notFound }
    }

    @Test func entriesAreDurableWithinASecondWithoutAFlush() throws {
        let fixture = try WorkLogFixture()
        let session = try #require(try fixture.workLog.start(Samples.exampleA))
        for index in 1...50 { try session.add(.info, category: "general", message: "entry \(index)") }
        // Another connection to the same store sees them once the batch is written, without any flush.
        let other = try Store.open(at: fixture.store.path)
        let deadline = Date().addingTimeInterval(1)
        var seen = 0
        while Date() < deadline {
            seen = try other.workEntries(ofSession: session.id).count
            if seen == 50 { break }
            usleep(20_000)
        }
        #expect(seen == 50)
        #expect(try !other.workSession(session.id).isEnded)
    }

    @Test func escalationsGoToTheConfiguredDecider() throws {
        var configuration = WorkLogConfiguration()
        configuration.escalateTo = "alice"
        let fixture = try WorkLogFixture(configuration: configuration)
        let session = try #require(try fixture.workLog.start(Samples.exampleD))
        try session.escalate(
            "Design conflict", details: ["options": ["minimalist", "visual"]], mentions: ["@user"])
        try session.flush()
        let handoff = try #require(try fixture.store.inbox("alice").first)
        let document = try fixture.store.document(handoff.artifactID)
        #expect(document["decider"] == "alice")
        #expect(document["message"] == "🚨 Escalation: Design conflict")
        #expect(document["details"]?["options"] == ["minimalist", "visual"])
        #expect(document["step"] == 1 && document["workspace_id"] == "#coordination-website")
        #expect(try fixture.store.nextActions(of: handoff.artifactID).map(\.action) == ["decide"])
        let waiting = try fixture.workLog.escalations()
        #expect(waiting.map(\.step) == [1] && waiting.first?.handoff.consumer == "alice")
        // Deciding it: claim and ack with the decision.
        let claim = try #require(try fixture.store.claim(for: "alice"))
        try fixture.store.ack(claim.receipt, note: "A/B test both")
        #expect(try fixture.workLog.escalations().isEmpty)
        #expect(try fixture.workLog.escalations(all: true).first?.handoff.note == "A/B test both")
    }
}
