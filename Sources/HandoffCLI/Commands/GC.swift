import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffWorkLog

extension HandoffCommand {
    struct GC: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gc",
            abstract: "Remove expired work logs and every artifact nothing live reaches.",
            discussion: """
                First the work sessions past their workspace type's retention go (the work_logs settings \
                workspace_defaults.<type>.retention_days: open 7, project 90, direct 30, coordination 90 days \
                after the session ended), with their entries and queued insights. An open session is never \
                collected while it had activity within the last day, nor while a recorder holds it (log \
                record, handoff mcp); one idle past its retention and a day goes as abandoned. Then every artifact \
                nothing live reaches goes, with its handoffs and object: live are pending and claimed handoffs, \
                the sessions kept, artifacts stored or handoffs finished within --keep-days (the setting \
                gc.keep_days, 7), the lineage of all of these, and the store's schemas. Leftovers of \
                interrupted writes older than an hour go too.

                It is safe to run while bots work: a put racing it is never lost. --dry-run reports what would go.

                  handoff gc --dry-run
                  handoff gc
                  handoff gc --keep-days 0          # keep only what is still in flight
                """)

        @Flag(name: .long, help: "Report what would be removed, removing nothing.")
        var dryRun = false

        @Option(
            name: .long,
            help: ArgumentHelp("Keep artifacts of work finished within this many days.", valueName: "days"))
        var keepDays: Double?

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let keepDays, !(0...36_500).contains(keepDays) {
                throw ValidationError("--keep-days must be 0 to 36500")
            }
        }

        func run() throws {
            let store = try store.open()
            let workLogs = try WorkLogConfiguration.load(from: store)
            var retention: [WorkspaceType: Int] = [:]
            for type in WorkspaceType.allCases {
                retention[type] = workLogs.defaults(for: type).retentionDays
            }
            let policy = GCPolicy(
                sessionRetentionDays: retention, keepDays: try keepDays ?? StoreSettings.keepDays(store))
            let progress = ProgressBar(label: "removing", unit: "objects", json: output.json)
            let report = try store.collectGarbage(policy, dryRun: dryRun) {
                progress.update(done: $0, total: $1)
            }
            progress.finish()
            if output.json {
                Terminal.printJSON([
                    "dry_run": .bool(report.dryRun),
                    "sessions": .array(report.sessions.map(JSONValue.string)),
                    "entries": .number(Double(report.entries)), "insights": .number(Double(report.insights)),
                    "artifacts": .array(report.artifacts.map { .string($0.description) }),
                    "handoffs": .number(Double(report.handoffs)),
                    "object_files": .number(Double(report.objectFiles)),
                    "bytes": .number(Double(report.bytes)),
                    "temporary_files": .number(Double(report.temporaryFiles)),
                ])
                return
            }
            let verb = report.dryRun ? "would remove" : "removed"
            Terminal.print(
                "\(verb) \(report.sessions.count) work sessions (\(report.entries) entries, \(report.insights) insights), "
                    + "\(report.artifacts.count) artifacts (\(report.handoffs) handoffs), "
                    + "\(report.objectFiles) object files (\(formatBytes(report.bytes)))"
                    + (report.temporaryFiles > 0 ? ", \(report.temporaryFiles) temporary files" : ""))
        }
    }
}
