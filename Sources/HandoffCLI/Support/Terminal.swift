import HandoffJSON
import HandoffKit
import HandoffWorkLog

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where commands write: data to standard output, errors and progress to standard error.
enum Terminal {
    static let stdoutIsTerminal = isatty(STDOUT_FILENO) == 1
    static let stderrIsTerminal = isatty(STDERR_FILENO) == 1
    static let stdinIsTerminal = isatty(STDIN_FILENO) == 1

    /// Colour only on a terminal, and never under `NO_COLOR` set to anything but the empty string
    /// (no-color.org).
    static let colorEnabled: Bool =
        stdoutIsTerminal && (getenv("NO_COLOR").map { $0.pointee == 0 } ?? true)
        && getenv("TERM").map { String(cString: $0) } != "dumb"

    /// The first error writing standard output met, if any: the command's data did not all arrive, and
    /// `HandoffCommand.run` turns that into exit status 74.
    nonisolated(unsafe) private(set) static var outputError: HandoffError?
    /// Whether that error was the reader going away (EPIPE), as in `handoff ls | head`: a choice of the
    /// reader's, not worth a message unless something was undone because of it.
    nonisolated(unsafe) private(set) static var outputClosed = false

    /// Where data and errors go: standard output and standard error, unless a runner of many command lines
    /// in one process sends them elsewhere (`HandoffCommand.runInProcess`).
    nonisolated(unsafe) static var outputDescriptor = STDOUT_FILENO
    nonisolated(unsafe) static var errorDescriptor = STDERR_FILENO

    static func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { write($0) }
    }

    static func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard outputError == nil else { return }
        if let code = writeAll(outputDescriptor, UnsafeRawBufferPointer(bytes)) {
            outputError = HandoffError(
                .io, "cannot write to standard output: \(String(cString: strerror(code)))")
            outputClosed = code == EPIPE
        }
    }

    /// Forgets the last command's output failure, before another command runs in the same process.
    static func resetOutput() {
        outputError = nil
        outputClosed = false
        jsonErrors = false
    }

    static func writeError(_ text: String) {
        writeError(bytes: Array(text.utf8))
    }

    static func writeError(bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { writeAll(errorDescriptor, $0) }
    }

    /// Unbuffered, so output and errors interleave in the order they happen. Returns errno on failure.
    private static func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32? {
        var written = 0
        while written < buffer.count {
            let result = Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                return errno
            }
            written += result
        }
        return nil
    }

    static func print(_ text: String = "") {
        write(Array(text.utf8) + [0x0A])
    }

    /// Prints one JSON document: indented on a terminal, one line otherwise.
    static func printJSON(_ value: JSONValue) {
        let options: JSONWriter.Options = stdoutIsTerminal ? .pretty : .compact
        write(JSONWriter.encode(value, options: options) + [0x0A])
        // The command is about to exit: freeing a large listing's tree would cost as much as building it.
        ProcessLifetime.keep(value)
    }

    static func printError(_ text: String) {
        writeError("handoff: \(text)\n")
    }

    /// Whether errors are reported as JSON (the command line asked for `--json`).
    nonisolated(unsafe) static var jsonErrors = false

    /// Reports a failure on standard error: one line with details and a hint, or one JSON object.
    static func report(_ error: HandoffError) {
        if jsonErrors {
            writeError(String(decoding: JSONWriter.encode(["error": error.json]), as: UTF8.self) + "\n")
            return
        }
        // Messages quote inputs (file names, values, notes): their control characters are shown escaped.
        printError(Display.line(error.message))
        let lines = error.detailLines
        for detail in lines.prefix(50) { writeError("  \(Display.line(detail))\n") }
        if lines.count > 50 { writeError("  … and \(lines.count - 50) more\n") }
        if let hint = error.hint { writeError("  hint: \(Display.line(hint))\n") }
    }

    /// Prints a remark for a person on standard error, only when someone is watching it.
    static func note(_ text: String) {
        guard stderrIsTerminal else { return }
        writeError(text + "\n")
    }

    static func bold(_ text: String) -> String { styled(text, "1") }
    static func dim(_ text: String) -> String { styled(text, "2") }
    static func green(_ text: String) -> String { styled(text, "32") }
    static func yellow(_ text: String) -> String { styled(text, "33") }
    static func red(_ text: String) -> String { styled(text, "31") }
    static func cyan(_ text: String) -> String { styled(text, "36") }

    private static func styled(_ text: String, _ code: String) -> String {
        colorEnabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// A handoff state, coloured by what it asks of a person.
    static func state(_ state: Handoff.State) -> String {
        switch state {
        case .pending: yellow(state.rawValue)
        case .claimed: cyan(state.rawValue)
        case .done: green(state.rawValue)
        case .blocked, .rejected, .dead: red(state.rawValue)
        case .routed: dim(state.rawValue)
        }
    }
}

/// Columns of text aligned for reading; styling codes do not count towards widths.
struct TextTable {
    var rows: [[String]] = []

    mutating func append(_ row: [String]) { rows.append(row) }

    func render(indent: String = "") -> String {
        var widths: [Int] = []
        for row in rows {
            for (column, cell) in row.enumerated() {
                let width = visibleWidth(cell)
                if column < widths.count {
                    widths[column] = max(widths[column], width)
                } else {
                    widths.append(width)
                }
            }
        }
        return rows.map { row in
            var line = indent
            for (column, cell) in row.enumerated() {
                line += cell
                if column < row.count - 1 {
                    line += String(repeating: " ", count: widths[column] - visibleWidth(cell) + 2)
                }
            }
            return line
        }.joined(separator: "\n")
    }

    private func visibleWidth(_ text: String) -> Int {
        var width = 0
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                if scalar == "m" { inEscape = false }
            } else if scalar == "\u{1B}" {
                inEscape = true
            } else {
                width += 1
            }
        }
        return width
    }
}

/// `1.2 KB`, `3.4 MB`: sizes for people.
func formatBytes(_ count: Int) -> String {
    if count < 1024 { return "\(count) B" }
    let units = ["KB", "MB", "GB", "TB"]
    var value = Double(count) / 1024
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    let rounded = (value * 10).rounded() / 10
    return "\(rounded) \(units[unit])"
}
