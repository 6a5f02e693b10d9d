#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A moment in UTC with millisecond precision, written as RFC 3339 (`2026-11-20T23:42:01.123Z`).
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public let millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    /// The current time from the system clock.
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(millisecondsSince1970: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    /// This moment moved by `milliseconds`.
    public func adding(milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSince1970: millisecondsSince1970 + milliseconds)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSince1970 < rhs.millisecondsSince1970
    }

    /// RFC 3339 in UTC with milliseconds.
    public var description: String {
        let common = String(unsafeUninitializedCapacity: Self.commonLength) { format(into: $0) ?? 0 }
        return common.isEmpty ? uncommonDescription : common
    }

    /// The length of the common form, years 0 to 9999.
    static let commonLength = 24

    /// Writes the common form into the first `commonLength` bytes of `buffer`, digit by digit: listings
    /// format several per row. Returns nil, writing nothing, for years before 0 or after 9999.
    func format(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        let (days, milliseconds) = millisecondsSince1970.floorDivided(by: 86_400_000)
        let (year, month, day) = civilDate(fromDays: days)
        guard (0...9999).contains(year) else { return nil }
        func put(_ value: Int64, _ width: Int, at start: Int) {
            var value = value
            for offset in stride(from: start + width - 1, through: start, by: -1) {
                buffer[offset] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        let seconds = milliseconds / 1000
        put(year, 4, at: 0)
        buffer[4] = UInt8(ascii: "-")
        put(month, 2, at: 5)
        buffer[7] = UInt8(ascii: "-")
        put(day, 2, at: 8)
        buffer[10] = UInt8(ascii: "T")
        put(seconds / 3600, 2, at: 11)
        buffer[13] = UInt8(ascii: ":")
        put(seconds / 60 % 60, 2, at: 14)
        buffer[16] = UInt8(ascii: ":")
        put(seconds % 60, 2, at: 17)
        buffer[19] = UInt8(ascii: ".")
        put(milliseconds % 1000, 3, at: 20)
        buffer[23] = UInt8(ascii: "Z")
        return Self.commonLength
    }

    /// Years before 0 or after 9999, which only a hand-made timestamp has.
    private var uncommonDescription: String {
        let (days, milliseconds) = millisecondsSince1970.floorDivided(by: 86_400_000)
        let (year, month, day) = civilDate(fromDays: days)
        let seconds = milliseconds / 1000
        return
            "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):"
            + "\(pad(seconds % 60, 2)).\(pad(milliseconds % 1000, 3))Z"
    }

    /// Parses RFC 3339 (`2026-11-20T23:42:01Z`, `…01.5+02:00`), and also a date and time without a zone,
    /// as Python's `isoformat()` writes them, which is taken as UTC.
    public init?(rfc3339 text: String) {
        let bytes = Array(text.utf8)
        var position = 0
        func number(_ digits: Int) -> Int64? {
            guard position + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[position..<position + digits] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            position += digits
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard position < bytes.count, characters.utf8.contains(bytes[position]) else { return false }
            position += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var milliseconds: Int64 = 0
        if position < bytes.count {
            guard expect("Tt "), let hour = number(2), expect(":"), let minute = number(2), expect(":"),
                let second = number(2), hour < 24, minute < 60, second < 61
            else { return nil }
            milliseconds = ((hour * 60 + minute) * 60 + min(second, 59)) * 1000
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                position += 1
                var scale: Int64 = 100
                let start = position
                while position < bytes.count, (0x30...0x39).contains(bytes[position]) {
                    milliseconds += Int64(bytes[position] - 0x30) * scale
                    scale /= 10
                    position += 1
                }
                guard position > start else { return nil }
            }
            if position < bytes.count {
                if expect("Zz") {
                } else {
                    let sign: Int64 = bytes[position] == UInt8(ascii: "-") ? -1 : 1
                    guard expect("+-"), let offsetHours = number(2), expect(":"),
                        let offsetMinutes = number(2),
                        offsetHours < 24, offsetMinutes < 60
                    else { return nil }
                    milliseconds -= sign * (offsetHours * 60 + offsetMinutes) * 60_000
                }
            }
        }
        guard position == bytes.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        self.init(millisecondsSince1970: days * 86_400_000 + milliseconds)
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let quotient = self >= 0 ? self / divisor : (self - divisor + 1) / divisor
        return (quotient, self - quotient * divisor)
    }
}

private func pad(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

private func isLeap(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

private func daysIn(month: Int64, year: Int64) -> Int64 {
    switch month {
    case 2: isLeap(year) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
}

/// Howard Hinnant's days-from-civil, for the proleptic Gregorian calendar.
private func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
}

private func civilDate(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
}
