/// RFC 3339 dates, times and durations (`date-time`, `date`, `time`, `duration`).
enum DateTimeFormat {
    /// `full-date "T" full-time`, `T` in either case.
    static func isDateTime(_ scalars: [Unicode.Scalar]) -> Bool {
        guard scalars.count > 11, scalars[10] == "T" || scalars[10] == "t" else { return false }
        return isDate(scalars[..<10]) && isTime(scalars[11...])
    }

    /// `YYYY-MM-DD` with a day that exists in that month.
    static func isDate(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        let text = Array(scalars)
        guard text.count == 10, text[4] == "-", text[7] == "-",
            let year = digits(text[0..<4]), let month = digits(text[5..<7]), let day = digits(text[8..<10])
        else { return false }
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }

    /// `HH:MM:SS[.frac](Z|±HH:MM)`; second 60 only where the time is 23:59:60 in UTC.
    static func isTime(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        let text = Array(scalars)
        guard text.count >= 9, text[2] == ":", text[5] == ":",
            let hour = digits(text[0..<2]), let minute = digits(text[3..<5]), let second = digits(text[6..<8])
        else { return false }
        guard hour <= 23, minute <= 59, second <= 60 else { return false }
        var position = 8
        if text[position] == "." {
            position += 1
            let start = position
            while position < text.count, text[position].isASCIIDigit { position += 1 }
            guard position > start else { return false }
        }
        guard position < text.count else { return false }
        var offsetMinutes = 0
        switch text[position] {
        case "Z", "z":
            guard position == text.count - 1 else { return false }
        case "+", "-":
            let offset = text[(position + 1)...]
            guard offset.count == 5, offset[offset.startIndex + 2] == ":",
                let offsetHour = digits(offset.prefix(2)), let offsetMinute = digits(offset.suffix(2)),
                offsetHour <= 23, offsetMinute <= 59
            else { return false }
            offsetMinutes = (offsetHour * 60 + offsetMinute) * (text[position] == "+" ? 1 : -1)
        default:
            return false
        }
        if second == 60 {
            let utc = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
            return utc == 23 * 60 + 59
        }
        return true
    }

    /// ISO 8601 durations as RFC 3339 appendix A has them: `P` then years, months and days in that order
    /// without gaps, then `T` and hours, minutes, seconds likewise; or weeks alone.
    static func isDuration(_ scalars: [Unicode.Scalar]) -> Bool {
        guard scalars.first == "P", scalars.count > 1 else { return false }
        var position = 1
        func component() -> Unicode.Scalar? {
            let start = position
            while position < scalars.count, scalars[position].isASCIIDigit { position += 1 }
            guard position > start, position < scalars.count else { return nil }
            defer { position += 1 }
            return scalars[position]
        }
        if scalars.last == "W" {
            return component() == "W" && position == scalars.count
        }
        var dateUnits: [Unicode.Scalar] = []
        while position < scalars.count, scalars[position] != "T" {
            guard let unit = component() else { return false }
            dateUnits.append(unit)
        }
        guard isContiguous(dateUnits, in: ["Y", "M", "D"]) else { return false }
        if position < scalars.count {
            position += 1  // "T"
            var timeUnits: [Unicode.Scalar] = []
            while position < scalars.count {
                guard let unit = component() else { return false }
                timeUnits.append(unit)
            }
            return !timeUnits.isEmpty && isContiguous(timeUnits, in: ["H", "M", "S"])
        }
        return !dateUnits.isEmpty
    }

    /// Whether `units` is a run of consecutive entries of `order`.
    private static func isContiguous(_ units: [Unicode.Scalar], in order: [Unicode.Scalar]) -> Bool {
        guard let first = units.first else { return true }
        guard let start = order.firstIndex(of: first), start + units.count <= order.count else {
            return false
        }
        return Array(order[start..<(start + units.count)]) == units
    }

    private static func digits(_ scalars: some Collection<Unicode.Scalar>) -> Int? {
        var value = 0
        for scalar in scalars {
            guard scalar.isASCIIDigit else { return nil }
            value = value * 10 + Int(scalar.value - 48)
        }
        return value
    }
}
