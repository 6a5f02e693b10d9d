import Foundation

// handoff-manual: writes the manual pages of `handoff`, one per command, from the command line's own
// description of itself (`handoff --experimental-dump-help`), in mdoc that `mandoc -T lint` passes:
//
//   handoff-manual HANDOFF DIRECTORY [DATE]
//
// DIRECTORY gets handoff.1 (the overview: every command, the store, exit statuses) and handoff-COMMAND.1
// for each command and subcommand (handoff-claim.1, handoff-log-add.1), so `man handoff-claim` shows one
// command. DATE (yyyy-mm-dd) is the pages' date, today by default.
//
// swift-argument-parser's generate-manual writes one page per command too, but as its help text: a
// paragraph per line, several sentences to a line, examples re-filled; mandoc warns about each.

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 2 || arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: handoff-manual HANDOFF DIRECTORY [yyyy-mm-dd]\n".utf8))
    exit(64)
}
let executable = arguments[arguments.startIndex]
let directory = arguments[arguments.startIndex + 1]
let date: Date = {
    guard arguments.count == 3 else { return Date() }
    let parser = DateFormatter()
    parser.dateFormat = "yyyy-MM-dd"
    parser.timeZone = TimeZone(identifier: "UTC")
    guard let date = parser.date(from: arguments[arguments.startIndex + 2]) else {
        FileHandle.standardError.write(Data("handoff-manual: the date must be yyyy-mm-dd\n".utf8))
        exit(64)
    }
    return date
}()

/// The description `handoff --experimental-dump-help` prints.
func dump() -> [String: Any] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = ["--experimental-dump-help"]
    let output = Pipe()
    process.standardOutput = output
    do { try process.run() } catch {
        FileHandle.standardError.write(Data("handoff-manual: cannot run \(executable): \(error)\n".utf8))
        exit(66)
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0,
        let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
        let command = root["command"] as? [String: Any]
    else {
        FileHandle.standardError.write(Data("handoff-manual: \(executable) did not describe itself\n".utf8))
        exit(65)
    }
    return command
}

/// Text as mdoc reads it: backslashes and hyphens escaped, and a character that would start a request at
/// the start of a line made plain. Non-ASCII characters the manual uses are written as mdoc's escapes.
func escaped(_ text: String) -> String {
    var result = ""
    for character in text {
        switch character {
        case "\\": result += "\\e"
        case "-": result += "\\-"
        case "→": result += "\\(->"
        case "←": result += "\\(<-"
        case "…": result += "\\&..."
        case "×": result += "\\(mu"
        case "—": result += "\\(em"
        case "–": result += "\\(en"
        case "≤": result += "\\(<="
        case "≥": result += "\\(>="
        case "·": result += "\\(pc"
        case "°": result += "\\(de"
        default: result.append(character)
        }
    }
    if result.hasPrefix(".") || result.hasPrefix("'") { result = "\\&" + result }
    return result
}

/// A paragraph as mdoc wants it: each sentence on a line of its own, lines no longer than 80 bytes.
func filled(_ paragraph: String) -> [String] {
    var sentences: [String] = []
    var current = ""
    let words = paragraph.split(separator: " ", omittingEmptySubsequences: true)
    for (index, word) in words.enumerated() {
        current += current.isEmpty ? String(word) : " " + word
        let next = index + 1 < words.count ? words[index + 1] : nil
        // A sentence ends at . ! or ? before a word that starts with a capital letter or a quote.
        if let last = word.last, ".!?".contains(last), let next, let first = next.first,
            first.isUppercase || first == "`" || first == "\""
        {
            sentences.append(current)
            current = ""
        }
    }
    if !current.isEmpty { sentences.append(current) }
    var lines: [String] = []
    for sentence in sentences {
        var line = ""
        for word in sentence.split(separator: " ") {
            let piece = escaped(String(word))
            if !line.isEmpty, line.utf8.count + 1 + piece.utf8.count > 80 {
                lines.append(line)
                line = ""
            }
            line += line.isEmpty ? piece : " " + piece
        }
        if !line.isEmpty { lines.append(line) }
    }
    // A line of its own may not start with a dot or a quote, even inside a paragraph.
    return lines.map { $0.hasPrefix(".") || $0.hasPrefix("'") ? "\\&" + $0 : $0 }
}

/// A command's discussion: paragraphs filled, indented lines (examples) kept exactly as written.
func discussion(_ text: String) -> [String] {
    var lines: [String] = []
    var paragraph: [String] = []
    var example: [String] = []
    func flushParagraph() {
        guard !paragraph.isEmpty else { return }
        if !lines.isEmpty { lines.append(".Pp") }
        lines += filled(paragraph.joined(separator: " "))
        paragraph = []
    }
    func flushExample() {
        guard !example.isEmpty else { return }
        lines += [".Bd -literal -offset indent"]
        lines += example.map { escaped(String($0.dropFirst(2))) }
        lines += [".Ed"]
        example = []
    }
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("  ") {
            flushParagraph()
            example.append(String(line))
        } else if line.trimmingCharacters(in: .whitespaces).isEmpty {
            flushParagraph()
            flushExample()
        } else {
            flushExample()
            paragraph.append(String(line))
        }
    }
    flushParagraph()
    flushExample()
    return lines
}

/// The long name (`--lease`) of an option or flag, or its short one.
func optionName(_ argument: [String: Any]) -> String? {
    guard let names = argument["names"] as? [[String: Any]] else { return nil }
    if let long = names.first(where: { $0["kind"] as? String == "long" })?["name"] as? String {
        return "-" + long
    }
    return (names.first?["name"] as? String)
}

/// The synopsis line and the list item of one argument, or nil for help and version.
func describe(_ argument: [String: Any]) -> (synopsis: String, item: String, help: String)? {
    guard argument["shouldDisplay"] as? Bool != false else { return nil }
    let kind = argument["kind"] as? String
    let value = (argument["valueName"] as? String).map { escaped($0) } ?? "value"
    let optional = argument["isOptional"] as? Bool == true
    let repeating = argument["isRepeating"] as? Bool == true
    var help = (argument["abstract"] as? String) ?? ""
    if let preset = argument["defaultValue"] as? String, !preset.isEmpty, kind == "option" {
        help += " (default: \(preset))"
    }
    let item: String
    switch kind {
    case "positional":
        item = "Ar \(value)"
    case "option":
        guard let name = optionName(argument) else { return nil }
        item = "Fl \(name) Ar \(value)"
    default:
        guard let name = optionName(argument), name != "-help", name != "-version", name != "h" else {
            return nil
        }
        item = "Fl \(name)"
    }
    var synopsis = item + (repeating ? " ..." : "")
    if optional { synopsis = "Op " + synopsis }
    return (synopsis, item, help)
}

/// The page of one command: `path` is its words after `handoff`.
func page(_ command: [String: Any], path: [String], children: [[String: Any]]) -> String {
    let name = (["handoff"] + path).joined(separator: "-")
    let abstract = (command["abstract"] as? String) ?? ""
    var nd = abstract
    while let last = nd.last, ".;:,?!".contains(last) { nd.removeLast() }
    let formatter = DateFormatter()
    formatter.dateFormat = "MMMM d, yyyy"
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    var lines = [
        ".Dd \(formatter.string(from: date))", ".Dt \(name.uppercased()) 1", ".Os", ".Sh NAME",
        ".Nm \(escaped(name))", ".Nd \(escaped(nd))", ".Sh SYNOPSIS",
    ]
    let described = ((command["arguments"] as? [[String: Any]]) ?? []).compactMap(describe)
    let words = (["handoff"] + path).joined(separator: " ")
    if !children.isEmpty {
        lines.append(".Nm \(escaped(words))")
        lines.append(".Ar command")
        lines.append(".Op Ar arguments ...")
    } else {
        lines.append(".Nm \(escaped(words))")
        lines += described.map { "." + $0.synopsis }
    }
    lines.append(".Sh DESCRIPTION")
    lines += filled(abstract)
    if let text = command["discussion"] as? String, !text.isEmpty {
        let body = discussion(text)
        // A display makes its own space; a paragraph break before one is one too many.
        if body.first != ".Bd -literal -offset indent" { lines.append(".Pp") }
        lines += body
    }
    if !children.isEmpty {
        lines += [".Sh COMMANDS", ".Bl -tag -width Ds"]
        for child in children {
            let childName = (child["commandName"] as? String) ?? ""
            lines.append(".It Xr \((["handoff"] + path + [childName]).joined(separator: "-")) 1")
            lines += filled((child["abstract"] as? String) ?? "")
        }
        lines.append(".El")
    }
    if !described.isEmpty {
        lines += [".Sh OPTIONS", ".Bl -tag -width Ds"]
        for argument in described {
            lines.append(".It \(argument.item)")
            lines += filled(argument.help.isEmpty ? "See above." : argument.help)
        }
        lines.append(".El")
    }
    if path.isEmpty {
        lines += [
            ".Sh ENVIRONMENT", ".Bl -tag -width Ds", ".It Ev HANDOFF_STORE",
            "The store when no", ".Fl \\-store", "is given: a folder, or a", ".Li postgresql://", "URL.",
            ".It Ev NO_COLOR", "Print no colours.", ".El",
        ]
        lines += [
            ".Sh EXIT STATUS", ".Bl -tag -width Ds",
            ".It 0", "Success.",
            ".It 1", "A check found something wanting.",
            ".It 2", "Nothing to claim.",
            ".It 3", "Conflict: the receipt no longer holds.",
            ".It 64", "Usage error.",
            ".It 65", "Bad input data.",
            ".It 66", "Not found.",
            ".It 74", "I/O error.",
            ".It 75", "The store is busy or unreachable; try again.",
            ".El",
        ]
    }
    var seeAlso = path.isEmpty ? [] : [("handoff", 1)]
    if path.count > 1 { seeAlso.append(((["handoff"] + path.dropLast()).joined(separator: "-"), 1)) }
    if path.isEmpty { seeAlso += [("handoff-mcp", 1)] }
    if !seeAlso.isEmpty {
        lines.append(".Sh SEE ALSO")
        for (index, (page, section)) in seeAlso.enumerated() {
            lines.append(".Xr \(page) \(section)" + (index < seeAlso.count - 1 ? " ," : ""))
        }
    }
    return lines.joined(separator: "\n") + "\n"
}

/// Writes the page of `command` and of every command under it.
func write(_ command: [String: Any], path: [String]) {
    let children = ((command["subcommands"] as? [[String: Any]]) ?? []).filter {
        $0["shouldDisplay"] as? Bool != false && $0["commandName"] as? String != "help"
    }
    let name = (["handoff"] + path).joined(separator: "-")
    let file = URL(fileURLWithPath: directory).appendingPathComponent("\(name).1")
    do {
        try Data(page(command, path: path, children: children).utf8).write(to: file)
    } catch {
        FileHandle.standardError.write(Data("handoff-manual: cannot write \(file.path): \(error)\n".utf8))
        exit(74)
    }
    for child in children {
        write(child, path: path + [(child["commandName"] as? String) ?? ""])
    }
}

write(dump(), path: [])
