import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffWorkLog

extension HandoffCommand {
    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "copy",
            abstract:
                "Copy the store into another: a folder to PostgreSQL, PostgreSQL to a folder, or alike.",
            discussion: """
                Copies everything the store named by --store holds into DEST: artifacts with their bytes, \
                lineage and next actions; handoffs with their states, leases and histories; store-local \
                schemas; work sessions with their entries, escalations and insights; settings. DEST is \
                created when absent. What DEST holds already stays, and what changed here since an earlier \
                copy (a handoff acked, a session ended) is brought up to date, so a copy repeated changes \
                nothing and a copy that was interrupted finishes when run again. Bots may keep working on \
                the store meanwhile; what they do after its part was read comes with the next copy.

                  handoff copy --store .handoff --to postgresql://bots@db.internal/work
                  handoff copy --store postgresql://bots@db.internal/work --to backup/
                """)

        @Option(
            name: .long,
            help: ArgumentHelp("Where to copy to: a folder, or a postgresql:// URL.", valueName: "dest"))
        var to: String

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard !to.isEmpty else { throw ValidationError("--to must name a store") }
        }

        func run() throws {
            try Store.checkLocation(to)
            let source = try store.openToRead()
            var destination = store.choice
            destination.store = to
            let target = try destination.openOrCreate()
            let progress = ProgressBar(label: "copying", json: output.json)
            let report = try source.copy(to: target) { report in
                progress.update(
                    "\(grouped(report.artifacts)) artifacts, \(grouped(report.handoffs)) handoffs, \(grouped(report.sessions)) work sessions"
                )
            }
            progress.finish()
            if output.json {
                Terminal.printJSON([
                    "from": .string(source.location), "to": .string(target.location),
                    "schemas": .number(Double(report.schemas)),
                    "artifacts": .number(Double(report.artifacts)),
                    "bytes": .number(Double(report.bytes)), "handoffs": .number(Double(report.handoffs)),
                    "handoffs_updated": .number(Double(report.handoffsUpdated)),
                    "sessions": .number(Double(report.sessions)),
                    "sessions_updated": .number(Double(report.sessionsUpdated)),
                    "entries": .number(Double(report.entries)), "settings": .number(Double(report.settings)),
                ])
                return
            }
            guard !report.isEmpty else {
                Terminal.print(
                    "Nothing to copy: \(Display.line(target.location)) holds everything in \(Display.line(source.location))."
                )
                return
            }
            var parts = ["\(report.artifacts) artifacts (\(formatBytes(report.bytes)))"]
            parts.append(
                "\(report.handoffs) handoffs"
                    + (report.handoffsUpdated > 0 ? " and \(report.handoffsUpdated) brought up to date" : ""))
            parts.append(
                "\(report.sessions) work sessions"
                    + (report.sessionsUpdated > 0 ? " and \(report.sessionsUpdated) brought up to date" : "")
                    + " with \(report.entries) entries")
            parts.append("\(report.schemas) schemas")
            parts.append("\(report.settings) settings")
            Terminal.print(
                "Copied \(Display.line(source.location)) to \(Display.line(target.location)): "
                    + joinedText(parts, separator: ", ") + ".")
        }
    }
}
