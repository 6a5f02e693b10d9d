import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffWorkLog

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension HandoffCommand {
    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "log",
            abstract: "Record a work session: what a bot thought, decided, ran and escalated.",
            discussion: """
                A whole session from JSON Lines in one process (any language can write the lines):
                  my-bot | handoff log record --bot researcher --workspace dm-researcher \\
                      --workspace-type direct --query "Post-quantum cryptography" --to reviewer

                Or one call per step, from a shell:
                  S=$(handoff log start --bot nanobot --query "What's the weather like?")
                  handoff log add "$S" --level decision --category routing \\
                      --message "Simple query" --confidence 0.95
                  handoff log end "$S" --final-output "It's 72°F and sunny!" --to suggester

                Then: handoff explain, handoff how "confidence", handoff logs.
                """,
            subcommands: [Record.self, Start.self, Add.self, End.self])
    }
}

/// What a session is about and where it runs: the options `log record` and `log start` share.
struct SessionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The bot recording the session.", valueName: "bot"))
    var bot: String

    @Option(
        name: .long, help: ArgumentHelp("The user query or bot trigger that started it.", valueName: "text"))
    var query: String

    @Option(
        name: .long,
        help: ArgumentHelp("The workspace, such as #general or dm-researcher.", valueName: "name"))
    var workspace = "#general"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "open, project, direct or coordination (sets retention and who learns from it).",
            valueName: "type"))
    var workspaceType = "open"

    @Option(name: .long, help: ArgumentHelp("A bot present in the workspace; repeatable.", valueName: "bot"))
    var participant: [String] = []

    @Option(name: .long, help: ArgumentHelp("The coordinating bot, if any.", valueName: "bot"))
    var coordinator: String?

    @Option(name: .long, help: ArgumentHelp("The workflow the session belongs to.", valueName: "id"))
    var workflow: String?

    func validate() throws {
        guard WorkspaceType(rawValue: workspaceType) != nil else {
            throw ValidationError(
                "--workspace-type must be one of \(WorkspaceType.allCases.map(\.rawValue).joined(separator: ", ")), not \(quotedForMessage(workspaceType))"
            )
        }
    }

    /// The session start these options describe, with its names checked.
    func start() throws(HandoffError) -> WorkSessionStart {
        let start = WorkSessionStart(
            workspace: workspace, workspaceType: WorkspaceType(rawValue: workspaceType)!, query: query,
            bot: bot,
            participants: participant, coordinator: coordinator, workflow: workflow)
        try Store.check(start)
        return start
    }
}

/// How an ended session is printed, by `log record` and `log end`.
func printEnded(_ ended: WorkSessionEnd, json: Bool) {
    if json {
        Terminal.printJSON(ended.json)
        return
    }
    Terminal.print(ended.workLog.id.description)
    Terminal.note(
        "session \(ended.session.id) ended: \(ended.session.steps) steps; work log \(ended.workLog.id), raw record \(ended.record)"
    )
    for handoff in ended.workLog.handoffs { Terminal.note("  → \(handoff.consumer)  handoff \(handoff.id)") }
}

extension HandoffCommand.Log {
    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
            abstract: "Record a whole session from JSON Lines: one entry per line, then an end line.",
            discussion: """
                Each line is one entry with the field names of the work-log notes' WorkLogEntry (schema \
                work-log-entry-v1: level, category, message, details, confidence, duration_ms, tool_name, \
                tool_input, tool_output, tool_status, tool_error, bot_name, bot_role, triggered_by, mentions, \
                response_to, coordinator_mode, escalation, shareable_insight, insight_category). The store \
                numbers the entries and stamps them with its clock; secrets are masked before anything is \
                stored. A line {"end": {"final_output": …, "summary": …, "next_actions": […]}} ends the session \
                and hands its work log to each --to; without it the session stays open (not ended).

                A bad line is reported with its number and skipped; the rest are kept, and the exit status is \
                then 1. Entries are written in batches, each durable within a second of being read.

                  my-bot | handoff log record --bot nanobot --query "Check my bookmarks" \\
                      --to action_suggester
                  handoff log record session.jsonl --bot coder --workspace "#refactor" \\
                      --workspace-type project --participant nanobot --participant coder \\
                      --query "Rate limiting"
                """)

        @Argument(help: ArgumentHelp("The JSON Lines file (default: standard input).", valueName: "file"))
        var file: String?

        @OptionGroup var session: SessionOptions

        @Option(
            name: .long,
            help: ArgumentHelp("A consumer to hand the work log to; repeatable.", valueName: "consumer"))
        var to: [String] = []

        @OptionGroup var store: StoreOptions
        @OptionGroup var limits: LimitOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let start = try session.start()
            for consumer in to { try Store.checkName(consumer, as: "consumer") }
            let (descriptor, source) = try Input.stream(
                file,
                noInput: HandoffError(
                    .usage, "no input: give a JSON Lines file, or pipe entries to standard input",
                    hint: "for example: my-bot | handoff log record --bot nanobot --query \"…\""))
            defer { if descriptor != STDIN_FILENO { close(descriptor) } }
            let workLog = try WorkLog(
                store: try store.openOrCreate(limits: limits.limits), recorder: "handoff log record")
            guard let recorder = try workLog.start(start) else {
                throw HandoffError(
                    .usage,
                    "work logs are disabled in the store at \(workLog.store.location); nothing was recorded",
                    hint: "enable them with `handoff config set work_logs.enabled true`")
            }
            var reader = LineReader(descriptor: descriptor, name: source, limit: limits.maxBytes)
            var stream = Stream()
            // A file is read as fast as it can be; a live stream on standard input shows itself.
            let progress = ProgressBar(
                label: "recording", unit: "lines", json: output.json || file == nil || file == "-")
            while true {
                progress.update(done: reader.linesRead)
                let next: LineReader.Line?
                do throws(HandoffError) {
                    next = try reader.next()
                } catch {
                    guard error.code == .invalidInput else { throw error }
                    // A NUL byte: the stream is not text from there on. What came before it is kept.
                    stream.refused.append(
                        (reader.linesRead + 1, "holds a NUL byte: nothing from it on is read"))
                    progress.finish()
                    if !output.json { Terminal.printError(Display.line(error.message)) }
                    break
                }
                guard let line = next else { break }
                let problem: String?
                switch line {
                case .tooLong(let number, let length):
                    stream.line = number
                    problem = "the line is \(length) bytes, more than the limit of \(limits.maxBytes)"
                case .text(let bytes, let number):
                    stream.line = number
                    problem = try take(
                        bytes, into: &stream, recorder: recorder, workLog: workLog, start: start)
                }
                if let problem {
                    stream.refused.append((stream.line, problem))
                    if !output.json {
                        progress.finish()
                        Terminal.printError(Display.line("\(source) line \(stream.line): \(problem)"))
                    }
                }
            }
            progress.finish()
            let (recorded, dropped, refused, ended) = (
                stream.recorded, stream.dropped, stream.refused, stream.ended
            )
            // Without an end line the session stays open, let go of, for any process to end.
            if ended == nil { try recorder.detach() }
            if output.json {
                Terminal.printJSON([
                    "session": try workLog.session(recorder.id).json, "recorded": .number(Double(recorded)),
                    "dropped": .number(Double(dropped)),
                    "refused": .array(
                        refused.map {
                            [
                                "source": .string("\(source) line \($0.line)"),
                                "line": .number(Double($0.line)),
                                "message": .string($0.message),
                            ]
                        }),
                    "ended": ended?.json ?? .null,
                ])
            } else if let ended {
                printEnded(ended, json: false)
            } else {
                Terminal.print(recorder.id)
                Terminal.note(
                    "session \(recorder.id) is not ended: end it with `handoff log end \(recorder.id)`")
            }
            if !output.json {
                var counts = "recorded \(recorded) entries"
                if dropped > 0 { counts += ", \(dropped) dropped by the store's configuration" }
                if !refused.isEmpty { counts += ", refused \(refused.count) lines" }
                Terminal.note(counts)
            }
            if !refused.isEmpty { throw ExitCode(HandoffError.Code.checkFailed.exitStatus) }
        }

        /// What a stream has done so far.
        private struct Stream {
            var line = 0
            var recorded = 0
            var dropped = 0
            var refused: [(line: Int, message: String)] = []
            var ended: WorkSessionEnd?
        }

        /// Records or ends with one line; returns why the line was refused, if it was.
        private func take(
            _ bytes: [UInt8], into stream: inout Stream, recorder: WorkLogRecorder, workLog: WorkLog,
            start: WorkSessionStart
        ) throws(HandoffError) -> String? {
            guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return nil }
            if let ended = stream.ended { return "the session already ended (work log \(ended.workLog.id))" }
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes, limits: limits.limits)
            } catch {
                return "column \(error.column): \(error.message)"
            }
            do {
                if let ending = try WorkLog.ending(fromJSON: value) {
                    stream.ended = try recorder.end(
                        finalOutput: ending.finalOutput, summary: ending.summary, to: to,
                        nextActions: ending.nextActions)
                } else if try recorder.record(json: value) != nil {
                    stream.recorded += 1
                } else {
                    stream.dropped += 1
                }
                return nil
            } catch  where error.code == .invalidInput || error.code == .usage {
                return error.hint.map { "\(error.message); \($0)" } ?? error.message
            }
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "start",
            abstract: "Start a session whose entries come one call at a time; prints its id.",
            discussion: """
                  S=$(handoff log start --bot nanobot --workspace "#general" --query "Weather")
                  handoff log add "$S" --category routing --message "Simple query"
                """)

        @OptionGroup var session: SessionOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let start = try session.start()
            let workLog = try WorkLog(store: try store.openOrCreate())
            guard let started = try workLog.startStepwise(start) else {
                throw HandoffError(
                    .usage,
                    "work logs are disabled in the store at \(workLog.store.location); no session was started",
                    hint: "enable them with `handoff config set work_logs.enabled true`")
            }
            if output.json {
                Terminal.printJSON(["session": started.json])
            } else {
                Terminal.print(started.id)
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add one entry to a session started with `log start`; prints its step.",
            discussion: """
                Give the entry as options, or whole as --entry JSON (a work-log-entry-v1 object); options \
                override its members. Several processes may add to one session at once: each entry gets the \
                next step.

                  handoff log add "$S" --level decision --category routing \\
                      --message "Classified as simple" --confidence 0.95
                  handoff log add "$S" --tool weather_lookup \\
                      --tool-input '{"location": "auto"}' --tool-output '{"temp": 72}' \\
                      --tool-status success --duration-ms 450
                  handoff log add "$S" --level coordination --category escalation \\
                      --escalation --message "Password policy: strict or passphrases?"
                """)

        @Argument(help: ArgumentHelp("The session, as `log start` printed it.", valueName: "session"))
        var session: String

        @Option(name: .long, help: ArgumentHelp("The whole entry as a JSON object.", valueName: "json"))
        var entry: String?

        @Option(
            name: .long,
            help: ArgumentHelp(
                "info (the default), thinking, decision, correction, uncertainty, warning, error, tool, handoff or coordination.",
                valueName: "level"))
        var level: String?

        @Option(
            name: .long, help: ArgumentHelp("Such as routing, memory, tool, research.", valueName: "name"))
        var category: String?

        @Option(name: .long, help: ArgumentHelp("What happened, for a person.", valueName: "text"))
        var message: String?

        @Option(name: .long, help: ArgumentHelp("Structured context, a JSON object.", valueName: "json"))
        var details: String?

        @Option(name: .long, help: ArgumentHelp("How sure the bot was, 0 to 1.", valueName: "number"))
        var confidence: Double?

        @Option(name: .long, help: ArgumentHelp("How long the step took.", valueName: "ms"))
        var durationMs: Int?

        @Option(
            name: .long, help: ArgumentHelp("The tool that ran (makes it a tool entry).", valueName: "name"))
        var tool: String?

        @Option(name: .long, help: ArgumentHelp("The tool's input, a JSON object.", valueName: "json"))
        var toolInput: String?

        @Option(name: .long, help: ArgumentHelp("The tool's output, any JSON.", valueName: "json"))
        var toolOutput: String?

        @Option(name: .long, help: ArgumentHelp("success, error or timeout.", valueName: "status"))
        var toolStatus: String?

        @Option(name: .long, help: ArgumentHelp("The tool's error message.", valueName: "text"))
        var toolError: String?

        @Option(
            name: .long,
            help: ArgumentHelp("The bot that recorded it (default: the session's).", valueName: "bot"))
        var bot: String?

        @Option(
            name: .long, help: ArgumentHelp("Its role, such as coordinator or specialist.", valueName: "role")
        )
        var role: String?

        @Option(
            name: .long, help: ArgumentHelp("Who set it off: user, a bot, @researcher.", valueName: "name"))
        var triggeredBy: String?

        @Option(
            name: .long,
            help: ArgumentHelp("A bot addressed, such as @researcher; repeatable.", valueName: "name"))
        var mention: [String] = []

        @Option(name: .long, help: ArgumentHelp("The step this one answers.", valueName: "step"))
        var responseTo: Int?

        @Flag(name: .long, help: "A coordinator acting on its own.")
        var coordinatorMode = false

        @Flag(name: .long, help: "Needs a decision: hands an escalation to the decider's inbox.")
        var escalation = false

        @Flag(name: .long, help: "What was learnt may be shared with other bots.")
        var insight = false

        @Option(
            name: .long,
            help: ArgumentHelp("user_preference, tool_pattern, research_finding, …", valueName: "name"))
        var insightCategory: String?

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            var object = try entry.map { text throws(HandoffError) in try jsonObject(text, "--entry") } ?? [:]
            func set(_ key: String, _ value: JSONValue?) { if let value { object[key] = value } }
            set("level", level.map(JSONValue.string))
            set("category", category.map(JSONValue.string))
            set("message", message.map(JSONValue.string))
            set(
                "details",
                try details.map { text throws(HandoffError) in .object(try jsonObject(text, "--details")) })
            set("confidence", confidence.map(JSONValue.number))
            set("duration_ms", durationMs.map { .number(Double($0)) })
            set("tool_name", tool.map(JSONValue.string))
            set(
                "tool_input",
                try toolInput.map { text throws(HandoffError) in .object(try jsonObject(text, "--tool-input"))
                })
            set(
                "tool_output",
                try toolOutput.map { text throws(HandoffError) in try jsonValue(text, "--tool-output") })
            set("tool_status", toolStatus.map(JSONValue.string))
            set("tool_error", toolError.map(JSONValue.string))
            set("bot_name", bot.map(JSONValue.string))
            set("bot_role", role.map(JSONValue.string))
            set("triggered_by", triggeredBy.map(JSONValue.string))
            if !mention.isEmpty { object["mentions"] = .array(mention.map(JSONValue.string)) }
            set("response_to", responseTo.map { .number(Double($0)) })
            if coordinatorMode { object["coordinator_mode"] = true }
            if escalation { object["escalation"] = true }
            if insight { object["shareable_insight"] = true }
            set("insight_category", insightCategory.map(JSONValue.string))
            if let status = object["tool_status"]?.stringValue, status == "error" || status == "timeout",
                (object["tool_error"]?.stringValue ?? "").isEmpty
            {
                // The entry schema refuses it too; this names the option to add.
                throw HandoffError(
                    .usage,
                    "a tool_status of \(status) needs a tool_error (--tool-error TEXT): what went wrong, not empty",
                    hint: "a failed or timed-out tool run says why, as a tool-result-v1 artifact does")
            }
            // From a shell, a message alone is an `info` entry; a tool entry has its own default.
            if object["level"] == nil, object["tool_name"] == nil { object["level"] = "info" }

            let workLog = try WorkLog(store: try store.open())
            let info = try workLog.session(session)
            let recorded = try workLog.add(
                workLog.entry(fromJSON: .object(object), for: info.start), toSession: session)
            if output.json {
                Terminal.printJSON([
                    "session": try workLog.session(session).json, "entry": recorded?.recordJSON ?? .null,
                ])
            } else if let recorded {
                Terminal.print(String(recorded.step))
            } else {
                Terminal.note("not kept: the store's work-log configuration drops this entry")
            }
        }

        private func jsonValue(_ text: String, _ option: String) throws(HandoffError) -> JSONValue {
            try ArtifactDocument.parse(Array(text.utf8), source: option)
        }

        private func jsonObject(_ text: String, _ option: String) throws(HandoffError) -> JSONObject {
            guard case .object(let object) = try jsonValue(text, option) else {
                throw HandoffError(.invalidInput, "\(option) must be a JSON object")
            }
            return object
        }
    }

    struct End: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "end",
            abstract: "End a session: store its record and work log, and hand the work log on.",
            discussion: """
                Stores the raw record (work-session-v1) and the work-log-v1 artifact the next bot reads, which \
                names the record as its parent, hands the work log to each --to in the same transaction, and \
                queues the session's insights. Prints the work log's id.

                A session that a live recorder streams into (log record, handoff mcp, a Swift recorder) is held \
                by it, under a lease its recorder renews: ending it from elsewhere would lose what the recorder \
                has not written yet, so it is refused with exit status 3, naming the holder. A recorder that \
                died lets its lease lapse within a minute; --force ends the session at once.

                With --receipt R, the session worked on a claimed handoff: it is finished as done in the same \
                transaction, and its artifact becomes a parent of the work log, so the bot's work log and the \
                step's end leave together. If the receipt no longer holds, nothing is stored and the session \
                stays open (exit 3).

                  handoff log end "$S" --final-output "It's 72°F and sunny!" \\
                      --to action_suggester
                  handoff log end "$S" --to reviewer --receipt "$RECEIPT"
                """)

        @Argument(help: ArgumentHelp("The session.", valueName: "session"))
        var session: String

        @Option(name: .long, help: ArgumentHelp("The session's final answer.", valueName: "text"))
        var finalOutput: String?

        @Option(
            name: .long,
            help: ArgumentHelp("A summary for people, such as an overnight report.", valueName: "text"))
        var summary: String?

        @Option(
            name: .long,
            help: ArgumentHelp("A consumer to hand the work log to; repeatable.", valueName: "consumer"))
        var to: [String] = []

        @Option(
            name: .long,
            help: ArgumentHelp("An action to recommend explicitly; repeatable.", valueName: "action"))
        var nextAction: [String] = []

        @Flag(
            name: .long,
            help: "End it even while a recorder holds it (what that recorder has not written yet is lost).")
        var force = false

        @Option(
            name: .long,
            help: ArgumentHelp(
                "The receipt of a claimed handoff the session worked on, finished with it.",
                valueName: "receipt"))
        var receipt: String?

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            for consumer in to { try Store.checkName(consumer, as: "consumer") }
            let receipt = try receipt.map { text throws(HandoffError) in try Receipt(parsing: text) }
            let workLog = try WorkLog(store: try store.open())
            let ended = try workLog.end(
                session: session, finalOutput: finalOutput, summary: summary, to: to, nextActions: nextAction,
                force: force, receipt: receipt)
            printEnded(ended, json: output.json)
        }
    }
}
