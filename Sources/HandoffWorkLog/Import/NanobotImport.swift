import HandoffJSON
import HandoffKit

/// What an import of the seed's work-log database did.
public struct NanobotImportReport: Sendable {
    /// Work logs in the database.
    public var sessions = 0
    /// Sessions created by this import.
    public var imported = 0
    /// Sessions an earlier import created already.
    public var alreadyImported = 0
    /// Entries stored.
    public var entries = 0
    /// Sessions ended by this import (their record and work log stored).
    public var ended = 0
    /// Entries that could not be imported (`work log "ID" step N`), and why.
    public var refused: [ImportReport.Refusal] = []
}

extension WorkLog {
    /// Imports the seed's own `work_logs.db` (the `work_logs` and `work_log_entries` tables of the single-bot
    /// note, with the multi-agent note's columns where present): each work log becomes a session with its
    /// entries, times and steps kept, secrets masked, ended (record and work log stored) when it ended there.
    /// Running it again imports only what is new.
    ///
    /// A single-bot log, which names no workspace, goes to the direct workspace `dm-nanobot` of the bot
    /// `nanobot`. Escalations are kept as entries but not handed on again: they are history.
    public func importNanobotWorkLogs(at path: String) throws(HandoffError) -> NanobotImportReport {
        try importNanobotWorkLogs(try NanobotWorkLogReader.read(path: path))
    }

    /// Imports work logs already read from the seed's database.
    package func importNanobotWorkLogs(_ logs: [NanobotWorkLog]) throws(HandoffError) -> NanobotImportReport {
        var report = NanobotImportReport()
        report.sessions = logs.count
        for log in logs {
            let id = Self.sessionID(for: log.sessionID)
            report.refused += log.refused
            let workspace = log.workspace.flatMap {
                (try? Store.checkName($0, as: "workspace")) == nil ? nil : $0
            }
            let start = WorkSessionStart(
                workspace: workspace ?? "dm-nanobot",
                workspaceType: log.workspaceType.flatMap { WorkspaceType(rawValue: $0.lowercased()) }
                    ?? (workspace == nil ? .direct : .open),
                query: configuration.masker?.mask(log.query) ?? log.query,
                bot: log.coordinator.flatMap { (try? Store.checkName($0, as: "bot")) == nil ? nil : $0 }
                    ?? "nanobot",
                participants: log.participants.filter {
                    (try? Store.checkName($0, as: "participant")) != nil
                },
                coordinator: log.coordinator.flatMap {
                    (try? Store.checkName($0, as: "bot")) == nil ? nil : $0
                })
            var steps = Set<Int>()
            var entries: [WorkLogEntry] = []
            for var entry in log.entries {
                if entry.botName == nil { entry.botName = start.bot }
                do {
                    try entry.check()
                } catch {
                    report.refused.append(
                        ImportReport.Refusal(
                            source: "work log \(quotedForMessage(log.sessionID)) step \(entry.step)",
                            message: error.message))
                    continue
                }
                guard steps.insert(entry.step).inserted else {
                    report.refused.append(
                        ImportReport.Refusal(
                            source: "work log \(quotedForMessage(log.sessionID)) step \(entry.step)",
                            message: "a second entry with this step"))
                    continue
                }
                entries.append(configuration.masker.map { entry.masked(by: $0) } ?? entry)
            }
            if try store.importWorkSession(start, id: id, at: log.startTime, entries: entries) {
                report.imported += 1
                report.entries += entries.count
            } else {
                report.alreadyImported += 1
            }
            if let endTime = log.endTime, !(try store.workSession(id).isEnded) {
                try end(
                    session: id, finalOutput: log.finalOutput, summary: log.summary, to: [], nextActions: [],
                    at: endTime)
                report.ended += 1
            }
        }
        return report
    }

    /// The seed's session id when Handoff accepts it as a name, else one derived from it, the same every run.
    private static func sessionID(for original: String) -> String {
        if (try? Store.checkName(original, as: "session")) != nil { return original }
        let digest = ArtifactID(canonicalBytes: Array(original.utf8)).hex
        return "nanobot-" + digest.prefix(20)
    }
}
