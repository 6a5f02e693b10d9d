import ArgumentParser
import HandoffKit

/// A moment given on the command line: RFC 3339 (`2026-11-20T09:00:00Z`), a date (`2026-11-20`, midnight
/// UTC), or an age (`90s`, `15m`, `2h`, `7d`, `2w`) counted back from now.
struct TimeArgument: ExpressibleByArgument {
    let timestamp: Timestamp

    init?(argument: String) {
        if let timestamp = Timestamp(rfc3339: argument) {
            self.timestamp = timestamp
            return
        }
        guard let milliseconds = parseDuration(argument) else { return nil }
        timestamp = Timestamp.now().adding(milliseconds: -milliseconds)
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// `90s`, `15m`, `2h`, `7d`, `2w` in milliseconds; nil for anything else.
func parseDuration(_ text: String) -> Int64? {
    guard let unit = text.last, let amount = Int64(text.dropLast()), amount >= 0, amount < 1_000_000_000
    else {
        return nil
    }
    let scale: Int64
    switch unit {
    case "s": scale = 1000
    case "m": scale = 60_000
    case "h": scale = 3_600_000
    case "d": scale = 86_400_000
    case "w": scale = 604_800_000
    default: return nil
    }
    return amount * scale
}
