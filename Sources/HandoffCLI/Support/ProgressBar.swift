import HandoffKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Long work's progress on one line of standard error, redrawn in place: counts, a bar when the total is
/// known, and the rate. Drawn only for a person watching — standard error a terminal, and no `--json` — so
/// pipes, files and programs never see it; redrawn at most ten times a second, so it costs nothing.
final class ProgressBar {
    private let label: String
    private let unit: String
    private let enabled: Bool
    private var drawn = false
    private let started = ProgressBar.now()
    private var lastDrawn = 0.0

    /// - Parameters:
    ///   - label: What is going on, such as `importing`.
    ///   - unit: What is counted, plural, such as `lines`.
    ///   - json: Whether the command prints JSON, which turns the line off.
    init(label: String, unit: String = "", json: Bool = false) {
        self.label = label
        self.unit = unit
        enabled = !json && Terminal.stderrIsTerminal
    }

    /// Shows `done` of `total` (a bar), or `done` alone when `total` is nil or 0.
    func update(done: Int, total: Int? = nil) {
        guard enabled, due() else { return }
        let elapsed = ProgressBar.now() - started
        let rate = elapsed > 0.2 ? "  \(grouped(Int(Double(done) / elapsed)))/s" : ""
        let counted = unit.isEmpty ? grouped(done) : "\(grouped(done)) \(unit)"
        if let total, total > 0 {
            let width = 30
            let filled = width * min(done, total) / total
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            draw("\(label) \(bar) \(grouped(done))/\(grouped(total))\(unit.isEmpty ? "" : " " + unit)\(rate)")
        } else {
            draw("\(label) \(counted)\(rate)")
        }
    }

    /// Shows counts of several kinds: `copying 1,200 artifacts, 300 handoffs`.
    func update(_ counts: String) {
        guard enabled, due() else { return }
        draw("\(label) \(counts)")
    }

    /// Clears the line, leaving standard error as it was.
    func finish() {
        if drawn { Terminal.writeError("\r\u{1B}[2K") }
        drawn = false
    }

    private func draw(_ line: String) {
        Terminal.writeError("\r\u{1B}[2K" + line)
        drawn = true
    }

    /// Whether a tenth of a second went by since the line was last drawn.
    private func due() -> Bool {
        let now = ProgressBar.now()
        guard now - lastDrawn >= 0.1 else { return false }
        lastDrawn = now
        return true
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// `1234567` as `1,234,567`.
func grouped(_ number: Int) -> String {
    let digits = String(number.magnitude)
    var result = ""
    for (index, digit) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
        result.append(digit)
    }
    return number < 0 ? "-" + result : result
}
