import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffWorkLog

extension HandoffCommand {
    struct Logs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "logs",
            abstract: "List work sessions across workspaces, most recent first.",
            discussion: """
                One row per session: workspace, type, bots, steps, duration, state (ended, or open while it runs \
                or after its bot died) and escalations.

                  handoff logs
                  handoff logs --workspace "#general" --limit 20
                  handoff logs --bot researcher --type direct --since 2026-11-01
                """)

        @Option(name: .long, help: ArgumentHelp("Only this workspace.", valueName: "name"))
        var workspace: String?

        @Option(
            name: .long,
            help: ArgumentHelp("Only sessions this bot recorded or took part in.", valueName: "bot"))
        var bot: String?

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Only this workspace type: open, project, direct, coordination.", valueName: "type"))
        var type: String?

        @Option(
            name: .long, help: ArgumentHelp("Only sessions started at or after this time.", valueName: "time")
        )
        var since: TimeArgument?

        @Option(name: .long, help: ArgumentHelp("At most this many.", valueName: "n"))
        var limit = Paging.DefaultLimit.sessions

        @Option(name: .long, help: ArgumentHelp(offsetHelp, valueName: "n"))
        var offset = 0

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            try validatePage(limit: limit, offset: offset)
            if let type, WorkspaceType(rawValue: type) == nil {
                throw ValidationError(
                    "--type must be one of \(WorkspaceType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() throws {
            let workLog = try WorkLog(store: try store.openToRead())
            let bot = bot.map { $0.hasPrefix("@") ? String($0.dropFirst()) : $0 }
            // One more than asked, to know whether the list was cut.
            let sessions = try workLog.sessions(
                WorkSessionFilter(
                    workspace: workspace, bot: bot,
                    workspaceType: type.flatMap(WorkspaceType.init(rawValue:)),
                    since: since?.timestamp, limit: Paging.fetchCount(limit), offset: offset))
            let page = Page(sessions, limit: limit, offset: offset)
            let shown = page.shown
            if output.json {
                Terminal.printJSON(page.json("sessions", shown.map(\.json)))
                return
            }
            guard !shown.isEmpty else {
                Terminal.print("No work sessions.")
                return
            }
            var table = TextTable()
            table.append(
                ["SESSION", "WORKSPACE", "TYPE", "BOTS", "STEPS", "DURATION", "STATE", "ESCALATIONS"].map(
                    Terminal.dim))
            for session in shown {
                let end = session.endedAt ?? session.lastEntryAt ?? session.startedAt
                table.append([
                    session.id, session.start.workspace, session.start.workspaceType.rawValue,
                    session.bots.prefix(4).joined(separator: ",") + (session.bots.count > 4 ? ",…" : ""),
                    String(session.steps), WorkLogView.formatDuration(from: session.startedAt, to: end),
                    session.isEnded ? Terminal.green("ended") : Terminal.yellow("open"),
                    session.escalations == 0 ? "" : Terminal.red(String(session.escalations)),
                ])
            }
            Terminal.print(table.render())
            page.printContinuation()
        }
    }

    struct Escalations: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "escalations",
            abstract: "List escalations waiting for a decision.",
            discussion: """
                Each escalation is an escalation-v1 artifact in the decider's inbox (the work-log setting \
                escalate_to, "user" by default). Decide one by claiming and acking it, with a note saying what \
                was decided:

                  handoff escalations
                  C=$(handoff claim user --json) &&
                      handoff ack "$(jq -r .receipt <<<"$C")" --note "Use passphrases"
                  handoff escalations --all          # decided ones too
                """)

        @Flag(name: .long, help: "Decided ones too.")
        var all = false

        @Option(name: .long, help: ArgumentHelp("At most this many.", valueName: "n"))
        var limit = Paging.DefaultLimit.escalations

        @Option(name: .long, help: ArgumentHelp(offsetHelp, valueName: "n"))
        var offset = 0

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            try validatePage(limit: limit, offset: offset)
        }

        func run() throws {
            let workLog = try WorkLog(store: try store.openToRead())
            let page = Page(
                try workLog.escalations(all: all, limit: Paging.fetchCount(limit), offset: offset),
                limit: limit,
                offset: offset)
            let shown = page.shown
            if output.json {
                Terminal.printJSON(page.json("escalations", shown.map(\.json)))
                return
            }
            guard !shown.isEmpty else {
                Terminal.print(all ? "No escalations." : "Nothing waits for a decision.")
                return
            }
            for escalation in shown {
                let handoff = escalation.handoff
                Terminal.print(
                    Terminal.bold(handoff.id) + "  " + Terminal.state(handoff.state)
                        + "  for \(handoff.consumer)  "
                        + Terminal.dim(
                            "\(escalation.workspace) · session \(escalation.session), step \(escalation.step) · \(handoff.createdAt)"
                        ))
                Terminal.print("  \(escalation.bot): \(Display.line(escalation.message))")
                if let note = handoff.note, handoff.isFinished {
                    Terminal.print("  decided: \(Display.line(note))")
                }
            }
            page.printContinuation()
        }
    }
}
