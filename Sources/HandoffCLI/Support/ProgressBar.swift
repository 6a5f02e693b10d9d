import HandoffKit

/// A one-line progress bar on standard error, drawn only when standard error is a terminal.
final class ProgressBar {
    private let label: String
    private var drawn = false

    init(label: String) { self.label = label }

    func update(done: Int, total: Int) {
        guard Terminal.stderrIsTerminal, total > 0 else { return }
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        Terminal.writeError("\r\(label) \(bar) \(done)/\(total)")
        drawn = true
    }

    /// Shows counts where no total is known: `copying 1200 artifacts, 300 handoffs`.
    func update(_ counts: String) {
        guard Terminal.stderrIsTerminal else { return }
        Terminal.writeError("\r\u{1B}[2K\(label) \(counts)")
        drawn = true
    }

    func finish() {
        if drawn { Terminal.writeError("\r\u{1B}[2K") }
    }
}
