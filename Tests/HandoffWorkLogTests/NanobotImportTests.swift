import Foundation
import HandoffJSON
import HandoffKit
import HandoffTesting
import HandoffWorkLog
import Testing

/// `import --nanobot-work-logs`: the seed's own database, written by the seed's own code.
struct NanobotImportTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/nanobot_work_logs.py")

    /// Runs the seed's WorkLogManager (Fixtures/nanobot_work_logs.py) to write a work_logs.db.
    static func seedDatabase(in directory: String) throws -> String {
        let path = directory + "/work_logs.db"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python3 must be installed (scripts/test installs it)")
        return path
    }

    @Test func theSeedsSessionsComeInWithTheirStepsTimesAndEnds() throws {
        let fixture = try WorkLogFixture()
        let database = try Self.seedDatabase(in: fixture.temporary.path)
        let report = try fixture.workLog.importNanobotWorkLogs(at: database)
        #expect(report.sessions == 3 && report.imported == 3 && report.alreadyImported == 0)
        #expect(report.entries == 12 && report.ended == 2 && report.refused.isEmpty)

        let bookmarks = try fixture.workLog.session("direct-1739356265.123")
        #expect(bookmarks.start.workspace == "dm-nanobot" && bookmarks.start.workspaceType == .direct)
        #expect(bookmarks.start.query == "Check my X bookmarks" && bookmarks.start.bot == "nanobot")
        #expect(bookmarks.startedAt.description == "2026-02-12T10:31:05.373Z")
        #expect(bookmarks.endedAt?.description == "2026-02-12T10:31:07.623Z")
        #expect(bookmarks.steps == 8 && bookmarks.errors == 1)
        let entries = try fixture.workLog.entries(ofSession: bookmarks.id)
        #expect(entries.map(\.step) == Array(1...8))
        #expect(
            entries.map(\.level) == [
                .info, .decision, .thinking, .warning, .tool, .uncertainty, .error, .info,
            ])
        #expect(entries[1].timestamp?.description == "2026-02-12T10:31:05.873Z")
        #expect(entries[1].details == ["tier": "medium", "model": "claude-sonnet", "confidence": 0.91])
        #expect(
            entries[4].toolName == "bird" && entries[4].toolStatus == .success
                && entries[4].durationMs == 1200)
        #expect(entries[4].toolInput?["auth"] == "Bearer [masked]", "masked on the way in")
        #expect(entries[6].message == "categorize failed: rate limited (api_key=[masked])")

        // Ended there, so ended here: its record and work log, with the original time.
        let workLog = try fixture.store.document(try #require(bookmarks.workLogArtifact))
        #expect(workLog["summary"]?["total_steps"] == 8 && workLog["summary"]?["errors"] == 1)
        #expect(
            workLog["recommendations"] == [
                "summarize_top_categories", "review_errors", "verify_low_confidence_decisions",
            ])
        #expect(
            try fixture.store.artifact(try #require(bookmarks.workLogArtifact)).createdAt == bookmarks.endedAt
        )
        #expect(
            try !fixture.workLog.session("direct-1739356500.0").isEnded, "its bot died: it stays not ended")

        let again = try fixture.workLog.importNanobotWorkLogs(at: database)
        #expect(again.imported == 0 && again.alreadyImported == 3 && again.entries == 0 && again.ended == 0)
        #expect(try fixture.workLog.sessions().count == 3)
        #expect(try fixture.store.artifacts().count == 4)
        #expect(try fixture.store.verify().isClean)
    }

    @Test func aDatabaseThatIsNotTheSeedsIsRefusedSayingWhy() throws {
        let fixture = try WorkLogFixture()
        let notSQLite = fixture.temporary.path + "/notes.db"
        try Data("just text".utf8).write(to: URL(fileURLWithPath: notSQLite))
        #expect {
            try fixture.workLog.importNanobotWorkLogs(at: notSQLite)
        } throws: { ($0 as? HandoffError)?.message == "\(notSQLite) is not an SQLite database" }
        #expect {
            try fixture.workLog.importNanobotWorkLogs(at: fixture.temporary.path + "/missing.db")
        } throws: { ($0 as? HandoffError)?.code == .notFound }
        let other = try Self.seedDatabase(in: fixture.temporary.path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('DROP TABLE work_log_entries'); c.commit()",
            other,
        ]
        try process.run()
        process.waitUntilExit()
        #expect {
            try fixture.workLog.importNanobotWorkLogs(at: other)
        } throws: {
            ($0 as? HandoffError)?.message
                == "\(other) is not nanobot's work_logs.db: it has no work_log_entries table"
        }
        #expect(try fixture.workLog.sessions().isEmpty)
    }
}
