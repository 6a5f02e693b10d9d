import HandoffJSON
import HandoffKit

/// The ways `explain` shows a session: the work-log notes' summary, detailed, debug and coordination
/// views, as text for people, JSON for programs, or Markdown for a bot to paste under its reply.
public enum WorkLogView {
    public enum Mode: String, Sendable, CaseIterable {
        /// Like an overnight report: the answer, key decisions and tools, errors, low-confidence steps,
        /// escalations waiting for a decision, insights.
        case summary
        /// Every entry with its details.
        case detailed
        /// Every field of every entry.
        case debug
        /// Coordinator decisions and bot-to-bot messages as a conversation.
        case coordination
    }

    // MARK: Text

    /// The session as people read it. Control characters in recorded text are escaped, so a message cannot
    /// forge lines or restyle the terminal.
    public static func text(_ session: ExplainedSession, mode: Mode, confidenceThreshold: Double = 0.7)
        -> String
    {
        var lines = header(session.info)
        if !session.workedOn.isEmpty {
            // A session ended with its step's receipt: the step and the session are one event.
            lines.append(
                "  Worked on: "
                    + session.workedOn.map(\.short).joined(separator: ", ")
                    + " (a claimed handoff, finished with this session)")
        }
        switch mode {
        case .summary: lines += summaryLines(session, threshold: confidenceThreshold)
        case .detailed: lines += detailedLines(session.entries, indent: "")
        case .debug:
            lines.append("")
            lines += Display.block(
                String(
                    decoding: JSONWriter.encode(json(session, mode: .debug), options: .pretty), as: UTF8.self)
            ).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        case .coordination: lines += coordinationLines(session)
        }
        return lines.joined(separator: "\n")
    }

    private static func header(_ info: WorkSessionInfo) -> [String] {
        let start = info.start
        var state =
            info.endedAt.map { "ended \($0), after \(formatDuration(from: info.startedAt, to: $0))" }
            ?? "not ended (started \(info.startedAt), last entry \(info.lastEntryAt?.description ?? "none"))"
        if let workflow = start.workflow { state += " · workflow \(workflow)" }
        var lines = [
            "Work log of \(start.workspace) (\(start.workspaceType)) · session \(info.id)",
            "  Query: \(Display.line(start.query))",
            "  \(state)",
        ]
        var bots = "  Bots: " + info.bots.joined(separator: ", ")
        if let coordinator = start.coordinator { bots += " · coordinator \(coordinator)" }
        bots +=
            " · \(count(info.steps, "step")), \(count(info.errors, "error")), \(count(info.escalations, "escalation"))"
        lines.append(bots)
        return lines
    }

    private static func summaryLines(_ session: ExplainedSession, threshold: Double) -> [String] {
        let entries = session.entries
        var lines: [String] = []
        func section(_ title: String, _ rows: [String]) {
            guard !rows.isEmpty else { return }
            lines += ["", title] + rows.map { "  " + $0 }
        }
        if let answer = session.info.finalOutput {
            lines += ["", "Answer"] + indented(Display.block(answer))
        }
        if let summary = session.info.summary {
            lines += ["", "Summary"] + indented(Display.block(summary))
        }
        section(
            "Key decisions",
            entries.filter {
                $0.level == .decision || $0.level == .correction
                    || ($0.level == .coordination && !$0.escalation)
            }
            .map { entryLine($0) })
        section(
            "Tools",
            entries.filter(\.isToolEntry).map { entry in
                var line = "step \(entry.step)  \(entry.botName ?? "")  \(entry.toolName ?? "")"
                if let status = entry.toolStatus { line += "  \(status)" }
                if let duration = entry.durationMs { line += "  \(milliseconds(duration))" }
                if let error = entry.toolError { line += "  \(Display.line(error))" }
                return line
            })
        section(
            "Errors",
            entries.filter(\.isError).map { entryLine($0) })
        section(
            "Low confidence (below \(percent(threshold)))",
            entries.filter { ($0.confidence ?? 1) < threshold }.map { entryLine($0) })
        var waiting = session.escalations.filter { !$0.handoff.isFinished }.map { escalation in
            "step \(escalation.step)  \(escalation.bot) → \(escalation.handoff.consumer)  \(Display.line(escalation.message))"
                + "  (\(escalation.handoff.state), handoff \(escalation.handoff.id))"
        }
        if session.fromRecord != nil {
            waiting = entries.filter(\.escalation).map { entryLine($0) }
        }
        section(session.fromRecord == nil ? "Waiting for a decision" : "Escalations", waiting)
        section(
            "Decided",
            session.escalations.filter(\.handoff.isFinished).map { escalation in
                "step \(escalation.step)  \(Display.line(escalation.message))  → \(escalation.handoff.state)"
                    + (escalation.handoff.note.map { ": \(Display.line($0))" } ?? "")
            })
        section(
            "Insights",
            session.insights.map { insight in
                "step \(insight.step)  \(insight.bot)  \(insight.category)"
                    + (insight.confidence.map { "  \(percent($0))" } ?? "")
                    + "  \(Display.line(insight.content))  (\(insight.state), \(insight.id))"
            })
        let recommendations = WorkLogArtifacts.recommendations(
            session.entries, confidenceThreshold: threshold)
        if !recommendations.isEmpty {
            lines += ["", "Next actions: " + recommendations.joined(separator: ", ")]
        }
        if lines.isEmpty { lines = ["", "No entries."] }
        return lines
    }

    private static func detailedLines(_ entries: [WorkLogEntry], indent: String) -> [String] {
        guard !entries.isEmpty else { return ["", "No entries."] }
        var lines: [String] = []
        for entry in entries {
            lines.append("")
            var title =
                "\(indent)Step \(entry.step) · \(entry.level) · \(entry.category) · \(entry.botName ?? "")"
            if let time = entry.timestamp { title += " · \(time)" }
            lines.append(title)
            let inner = indent + "  "
            lines += Display.block(entry.message).split(separator: "\n", omittingEmptySubsequences: false)
                .map { inner + $0 }
            var facts: [String] = []
            if let confidence = entry.confidence { facts.append("confidence \(percent(confidence))") }
            if let duration = entry.durationMs { facts.append(milliseconds(duration)) }
            if let role = entry.botRole { facts.append("role \(role)") }
            if let trigger = entry.triggeredBy, trigger != "user" { facts.append("triggered by \(trigger)") }
            if !entry.mentions.isEmpty { facts.append("mentions " + entry.mentions.joined(separator: " ")) }
            if let step = entry.responseTo { facts.append("answers step \(step)") }
            if entry.coordinatorMode { facts.append("coordinator mode") }
            if entry.escalation { facts.append("escalation") }
            if entry.shareableInsight {
                facts.append("shareable insight (\(entry.insightCategory ?? entry.category))")
            }
            if !facts.isEmpty { lines.append(inner + facts.joined(separator: " · ")) }
            if let tool = entry.toolName {
                var line = "\(inner)tool \(tool)"
                if let status = entry.toolStatus { line += ": \(status)" }
                if let error = entry.toolError { line += " — \(Display.line(error))" }
                lines.append(line)
                if let input = entry.toolInput { lines.append("\(inner)input \(compact(.object(input)))") }
                if let output = entry.toolOutput { lines.append("\(inner)output \(compact(output))") }
            }
            if !entry.details.isEmpty { lines.append("\(inner)details \(compact(.object(entry.details)))") }
        }
        return lines
    }

    /// Entries that are part of the conversation between bots and their coordinator.
    static func isConversation(_ entry: WorkLogEntry) -> Bool {
        entry.isBotConversation || entry.category == "bot_conversation" || entry.level == .coordination
            || entry.level == .handoff || !entry.mentions.isEmpty || entry.escalation
    }

    private static func coordinationLines(_ session: ExplainedSession) -> [String] {
        let messages = session.entries.filter(isConversation)
        guard !messages.isEmpty else { return ["", "No coordinator decisions or bot-to-bot messages."] }
        var lines = [""]
        for entry in messages {
            var speaker = entry.botName ?? session.info.start.bot
            if !entry.mentions.isEmpty { speaker += " → " + entry.mentions.joined(separator: ", ") }
            if let step = entry.responseTo { speaker += " (re step \(step))" }
            var tags: [String] = []
            if entry.escalation {
                tags.append("escalation")
            } else if entry.coordinatorMode {
                tags.append("coordinator")
            }
            if entry.level == .handoff { tags.append("handoff") }
            if let confidence = entry.confidence { tags.append(percent(confidence)) }
            let prefix = "step \(entry.step)".padding(8)
            lines.append(
                "\(prefix)\(speaker): \(Display.line(spoken(entry)))"
                    + (tags.isEmpty ? "" : "  [\(tags.joined(separator: ", "))]"))
        }
        return lines
    }

    /// An entry's message without the `<bot>: ` the notes' `add_bot_message` puts in front, for views that
    /// already name the bot.
    public static func spoken(_ entry: WorkLogEntry) -> String {
        guard let bot = entry.botName, entry.message.hasPrefix(bot + ": ") else { return entry.message }
        return String(entry.message.dropFirst(bot.count + 2))
    }

    private static func entryLine(_ entry: WorkLogEntry) -> String {
        var line = "step \(entry.step)  \(entry.botName ?? "")  \(Display.line(entry.message))"
        if let confidence = entry.confidence { line += "  (\(percent(confidence)))" }
        return line
    }

    // MARK: Markdown

    /// The notes' progressive disclosure, for a bot to paste under its chat reply: the answer, then a
    /// collapsed "How I decided this" block holding the detailed view.
    public static func markdown(_ session: ExplainedSession, confidenceThreshold: Double = 0.7) -> String {
        var text = (session.info.finalOutput ?? "*(no final answer recorded)*") + "\n\n"
        text += "<details>\n<summary>🔍 How I decided this</summary>\n\n"
        for entry in session.entries {
            var line =
                "- **Step \(entry.step)** (\(entry.level), \(entry.category), \(entry.botName ?? "")): "
            line += markdownEscaped(entry.message)
            if let tool = entry.toolName {
                line += " — `\(tool)`" + (entry.toolStatus.map { " \($0)" } ?? "")
                if let duration = entry.durationMs { line += " in \(milliseconds(duration))" }
            }
            if let confidence = entry.confidence {
                line += " — confidence \(percent(confidence))"
                if confidence < confidenceThreshold { line += " ⚠️" }
            }
            text += line + "\n"
        }
        let recommendations = WorkLogArtifacts.recommendations(
            session.entries, confidenceThreshold: confidenceThreshold)
        if !recommendations.isEmpty {
            text += "\nNext actions: " + recommendations.map { "`\($0)`" }.joined(separator: ", ") + "\n"
        }
        return text + "\n</details>\n"
    }

    private static func markdownEscaped(_ text: String) -> String {
        var result = ""
        for scalar in Display.line(text).unicodeScalars {
            if "\\`*_[]<>|#".unicodeScalars.contains(scalar) { result += "\\" }
            result.unicodeScalars.append(scalar)
        }
        return result
    }

    // MARK: JSON

    /// The view as one JSON document: `session` and, by mode, `entries` (detailed, debug), the summary's
    /// sections, or `messages` (coordination).
    public static func json(_ session: ExplainedSession, mode: Mode, confidenceThreshold: Double = 0.7)
        -> JSONValue
    {
        var object: JSONObject = [
            "mode": .string(mode.rawValue), "session": session.info.json,
            "record": session.fromRecord.map { .string($0.description) } ?? .null,
        ]
        let entries = session.entries
        switch mode {
        case .detailed, .debug:
            object["entries"] = .array(entries.map(\.recordJSON))
            if mode == .debug {
                object["escalations"] = .array(session.escalations.map(\.json))
                object["insights"] = .array(session.insights.map(\.json))
            }
        case .summary:
            func steps(_ filter: (WorkLogEntry) -> Bool) -> JSONValue {
                .array(entries.filter(filter).map(\.recordJSON))
            }
            object["decisions"] = steps {
                $0.level == .decision || $0.level == .correction
                    || ($0.level == .coordination && !$0.escalation)
            }
            object["tools"] = steps(\.isToolEntry)
            object["errors"] = steps(\.isError)
            object["low_confidence"] = steps { ($0.confidence ?? 1) < confidenceThreshold }
            object["escalations"] = .array(session.escalations.map(\.json))
            object["insights"] = .array(session.insights.map(\.json))
            object["recommendations"] = .array(
                WorkLogArtifacts.recommendations(entries, confidenceThreshold: confidenceThreshold).map(
                    JSONValue.string))
        case .coordination:
            object["messages"] = .array(
                entries.filter(isConversation).map { entry in
                    [
                        "step": .number(Double(entry.step)),
                        "from": .string(entry.botName ?? session.info.start.bot),
                        "mentions": .array(entry.mentions.map(JSONValue.string)),
                        "response_to": entry.responseTo.map { .number(Double($0)) } ?? .null,
                        "message": .string(entry.message), "level": .string(entry.level.rawValue),
                        "coordinator_mode": .bool(entry.coordinatorMode),
                        "escalation": .bool(entry.escalation),
                        "confidence": entry.confidence.map(JSONValue.number) ?? .null,
                    ]
                })
        }
        return .object(object)
    }

    // MARK: Formatting

    /// A confidence for people: `0.62` is `62%`.
    public static func percent(_ value: Double) -> String { "\(Int((value * 100).rounded()))%" }

    /// A tool's duration for people: `850 ms`, `4.2 s`.
    public static func milliseconds(_ value: Int) -> String {
        value < 1000 ? "\(value) ms" : "\(Double(value / 100) / 10) s"
    }

    /// How long from `start` to `end`, for people: `850 ms`, `4.2 s`, `3m 12s`, `2h 5m`.
    public static func formatDuration(from start: Timestamp, to end: Timestamp) -> String {
        let milliseconds = max(0, end.millisecondsSince1970 - start.millisecondsSince1970)
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        let seconds = milliseconds / 1000
        if seconds < 60 { return "\(Double(milliseconds / 100) / 10) s" }
        if seconds < 3600 { return "\(seconds / 60)m \(seconds % 60)s" }
        return "\(seconds / 3600)h \(seconds / 60 % 60)m"
    }

    private static func count(_ value: Int, _ noun: String) -> String {
        "\(value) \(noun)\(value == 1 ? "" : "s")"
    }

    private static func indented(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
    }

    /// JSON on one line, shortened for reading.
    private static func compact(_ value: JSONValue) -> String {
        let text = Display.line(String(decoding: JSONWriter.encode(value), as: UTF8.self))
        return text.unicodeScalars.count > 300
            ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(300))) + "…" : text
    }
}

/// Recorded text made safe to print: control characters escaped, so nothing a bot recorded can forge lines
/// or send escape sequences to a terminal.
public enum Display {
    /// One line: every control character, newlines included, escaped as `\n` or `\u{1b}`.
    public static func line(_ text: String) -> String { escaped(text, keepingNewlines: false) }

    /// A block of lines: newlines kept, every other control character escaped.
    public static func block(_ text: String) -> String { escaped(text, keepingNewlines: true) }

    private static func escaped(_ text: String, keepingNewlines: Bool) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n" where keepingNewlines: result += "\n"
            case "\n": result += "\\n"
            case "\t": result += keepingNewlines ? "\t" : "\\t"
            case "\r": result += "\\r"
            case _ where isControl(scalar): result += "\\u{\(String(scalar.value, radix: 16))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) || scalar.value == 0x2028
            || scalar.value == 0x2029 || (0x202A...0x202E).contains(scalar.value)
            || (0x2066...0x2069).contains(scalar.value)
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}

extension WorkLogSearchHit {
    /// Its stable JSON form: where the entry was recorded, and the entry with every field.
    public var json: JSONValue {
        [
            "session": .string(session), "workspace": .string(workspace),
            "workspace_type": .string(workspaceType.rawValue), "score": .number(Double(score)),
            "entry": entry.recordJSON,
        ]
    }
}
