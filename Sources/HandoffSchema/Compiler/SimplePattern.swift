/// A fast matcher for the patterns schemas use most: an optional `^`, a sequence of ASCII literals,
/// `.`, `\d`, `\w` and ASCII character classes, each with an optional greedy quantifier, and an
/// optional `$`. Examples: `^[a-z][a-z0-9_]*$`, `^xxh128:[0-9a-f]{32}$`, `^@?[A-Za-z0-9_.-]+$`.
///
/// Such a pattern is a small NFA of at most 63 positions, simulated with one bit per position over the
/// string's scalars: no allocation, linear time. Anything else (alternation, groups, other escapes,
/// Unicode in the pattern, lazy quantifiers) is left to `ECMARegex`; tests check both agree on every
/// pattern of the engine's oracle fixture that this accepts.
struct SimplePattern: Sendable {
    /// One position: which scalars it accepts, and whether it may be skipped or repeated.
    private struct Element: Sendable {
        var low: UInt64
        var high: UInt64
        /// Accepts scalars beyond ASCII (a negated class, `.`).
        var acceptsNonASCII: Bool
        /// `.`, which refuses the line terminators U+2028 and U+2029 too.
        var isDot: Bool
        var optional: Bool
        var repeats: Bool

        func accepts(_ scalar: Unicode.Scalar) -> Bool {
            let value = scalar.value
            if value < 64 { return low & (1 << UInt64(value)) != 0 }
            if value < 128 { return high & (1 << UInt64(value - 64)) != 0 }
            return acceptsNonASCII && !(isDot && (value == 0x2028 || value == 0x2029))
        }
    }

    private var elements: [Element] = []
    private var anchoredStart = false
    private var anchoredEnd = false
    /// For each ASCII character, the positions that accept it, so that a step over ASCII text moves every
    /// state at once (the shift-and method).
    private var asciiPositions: [UInt64] = []
    /// The positions that may be skipped, and those that may repeat.
    private var optionalPositions: UInt64 = 0
    private var repeatingPositions: UInt64 = 0

    /// `nil` when the pattern is not of the simple kind.
    init?(_ pattern: String) {
        var scalars = Array(pattern.unicodeScalars)[...]
        guard scalars.allSatisfy(\.isASCII) else { return nil }
        if scalars.first == "^" {
            anchoredStart = true
            scalars = scalars.dropFirst()
        }
        if scalars.last == "$", !Self.endsWithEscape(scalars.dropLast()) {
            anchoredEnd = true
            scalars = scalars.dropLast()
        }
        while let first = scalars.first {
            var element: Element
            switch first {
            case "[":
                guard let (set, rest) = Self.parseClass(scalars.dropFirst()) else { return nil }
                element = set
                scalars = rest
            case "\\":
                guard scalars.count >= 2, let set = Self.escape(scalars[scalars.startIndex + 1]) else {
                    return nil
                }
                element = set
                scalars = scalars.dropFirst(2)
            case ".":
                element = Element(
                    low: ~(1 << 10 | 1 << 13), high: ~0, acceptsNonASCII: true, isDot: true, optional: false,
                    repeats: false)
                scalars = scalars.dropFirst()
            default:
                guard !"^$*+?()[]{}|/".unicodeScalars.contains(first) else { return nil }
                element = Self.single(first)
                scalars = scalars.dropFirst()
            }
            guard let (minimum, maximum, rest) = Self.parseQuantifier(scalars) else { return nil }
            scalars = rest
            for _ in 0..<minimum { elements.append(element) }
            if let maximum {
                element.optional = true
                for _ in minimum..<maximum { elements.append(element) }
            } else {
                element.optional = true
                element.repeats = true
                elements.append(element)
            }
            guard elements.count <= 62 else { return nil }
        }
        asciiPositions = (0..<128).map { character in
            var positions: UInt64 = 0
            for (position, element) in elements.enumerated()
            where element.accepts(Unicode.Scalar(UInt8(character))) {
                positions |= 1 << UInt64(position)
            }
            return positions
        }
        for (position, element) in elements.enumerated() {
            if element.optional { optionalPositions |= 1 << UInt64(position) }
            if element.repeats { repeatingPositions |= 1 << UInt64(position) }
        }
    }

    /// Whether the pattern matches somewhere in valid UTF-8.
    func matches(utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        let accept = UInt64(1) << UInt64(elements.count)
        let start = closure(1)
        var states = start
        if !anchoredEnd && states & accept != 0 { return true }
        for byte in utf8 {
            // Other text takes the scalar path from the start; ASCII moves all states in one step.
            guard byte < 0x80 else { return matches(String(decoding: utf8, as: UTF8.self)) }
            let moved = states & ~accept & asciiPositions[Int(byte)]
            states = closure(moved << 1 | moved & repeatingPositions)
            if !anchoredStart { states |= start }
            if !anchoredEnd && states & accept != 0 { return true }
            if states == 0 { return false }
        }
        return states & accept != 0
    }

    /// Whether the pattern matches somewhere in `string` (anywhere, unless anchored).
    func matches(_ string: String) -> Bool {
        let accept = UInt64(1) << UInt64(elements.count)
        let start = closure(1)
        var states = start
        if !anchoredEnd && states & accept != 0 { return true }
        for scalar in string.unicodeScalars {
            var next: UInt64 = 0
            var remaining = states & ~accept
            while remaining != 0 {
                let position = remaining.trailingZeroBitCount
                remaining &= remaining - 1
                let element = elements[position]
                guard element.accepts(scalar) else { continue }
                next |= 1 << UInt64(position + 1)
                if element.repeats { next |= 1 << UInt64(position) }
            }
            states = closure(next)
            if !anchoredStart { states |= start }
            if !anchoredEnd && states & accept != 0 { return true }
            if states == 0 { return false }
        }
        return states & accept != 0
    }

    /// `states` plus every position reachable from them by skipping optional elements.
    private func closure(_ states: UInt64) -> UInt64 {
        var result = states
        // In order, so that a run of optional elements is skipped as far as it goes.
        var optional = optionalPositions
        while optional != 0 {
            let position = UInt64(optional.trailingZeroBitCount)
            optional &= optional - 1
            if result & (1 << position) != 0 { result |= 1 << (position + 1) }
        }
        return result
    }

    private static func single(_ scalar: Unicode.Scalar) -> Element {
        var element = Element(
            low: 0, high: 0, acceptsNonASCII: false, isDot: false, optional: false, repeats: false)
        insert(scalar.value, into: &element)
        return element
    }

    private static func insert(_ value: UInt32, into element: inout Element) {
        if value < 64 { element.low |= 1 << UInt64(value) } else { element.high |= 1 << UInt64(value - 64) }
    }

    private static func endsWithEscape(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        var backslashes = 0
        for scalar in scalars.reversed() {
            guard scalar == "\\" else { break }
            backslashes += 1
        }
        return backslashes % 2 == 1
    }

    /// `\d`, `\w` and escaped syntax characters.
    private static func escape(_ scalar: Unicode.Scalar) -> Element? {
        var element = Element(
            low: 0, high: 0, acceptsNonASCII: false, isDot: false, optional: false, repeats: false)
        switch scalar {
        case "d":
            for value in UInt32(0x30)...0x39 { insert(value, into: &element) }
        case "w":
            for value in UInt32(0)..<128 {
                let scalar = Unicode.Scalar(value)!
                if scalar.isASCIILetter || scalar.isASCIIDigit || scalar == "_" {
                    insert(value, into: &element)
                }
            }
        default:
            guard "^$\\.*+?()[]{}|/-".unicodeScalars.contains(scalar) else { return nil }
            insert(scalar.value, into: &element)
        }
        return element
    }

    /// A class after its `[`: ASCII characters, ranges, `\d`, `\w` and escaped syntax characters.
    private static func parseClass(_ scalars: ArraySlice<Unicode.Scalar>)
        -> (Element, ArraySlice<Unicode.Scalar>)?
    {
        var rest = scalars
        var negated = false
        if rest.first == "^" {
            negated = true
            rest = rest.dropFirst()
        }
        var element = Element(
            low: 0, high: 0, acceptsNonASCII: false, isDot: false, optional: false, repeats: false)
        var items = 0
        while let first = rest.first, first != "]" {
            var low: UInt32
            if first == "\\" {
                guard rest.count >= 2 else { return nil }
                let escaped = rest[rest.startIndex + 1]
                rest = rest.dropFirst(2)
                if escaped == "d" || escaped == "w" {
                    guard rest.first != "-" || rest.dropFirst().first == "]" else { return nil }
                    let set = escape(escaped)!
                    element.low |= set.low
                    element.high |= set.high
                    items += 1
                    continue
                }
                guard "^$\\.*+?()[]{}|/-".unicodeScalars.contains(escaped) else { return nil }
                low = escaped.value
            } else {
                guard first != "[" else { return nil }
                low = first.value
                rest = rest.dropFirst()
            }
            var high = low
            if rest.first == "-", let end = rest.dropFirst().first, end != "]" {
                guard end != "\\", end != "[" else { return nil }
                high = end.value
                guard low <= high else { return nil }
                rest = rest.dropFirst(2)
            }
            for value in low...high { insert(value, into: &element) }
            items += 1
        }
        guard rest.first == "]", items > 0 else { return nil }
        if negated {
            element.low = ~element.low
            element.high = ~element.high
            element.acceptsNonASCII = true
        }
        return (element, rest.dropFirst())
    }

    /// `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` (greedy only), or none: (minimum, maximum or `nil`, rest).
    private static func parseQuantifier(_ scalars: ArraySlice<Unicode.Scalar>)
        -> (Int, Int?, ArraySlice<Unicode.Scalar>)?
    {
        var rest = scalars
        let result: (Int, Int?)
        switch rest.first {
        case "*":
            result = (0, nil)
            rest = rest.dropFirst()
        case "+":
            result = (1, nil)
            rest = rest.dropFirst()
        case "?":
            result = (0, 1)
            rest = rest.dropFirst()
        case "{":
            rest = rest.dropFirst()
            func number() -> Int? {
                var value = 0
                var digits = 0
                while let digit = rest.first, digit.isASCIIDigit, digits < 3 {
                    value = value * 10 + Int(digit.value - 48)
                    digits += 1
                    rest = rest.dropFirst()
                }
                return digits == 0 || rest.first?.isASCIIDigit == true ? nil : value
            }
            guard let minimum = number() else { return nil }
            var maximum: Int? = minimum
            if rest.first == "," {
                rest = rest.dropFirst()
                maximum = rest.first == "}" ? nil : number()
                if rest.first != "}" { return nil }
                if let upper = maximum, upper < minimum { return nil }
            }
            guard rest.first == "}" else { return nil }
            rest = rest.dropFirst()
            result = (minimum, maximum)
        default:
            return (1, 1, rest)
        }
        // A lazy quantifier or a quantified quantifier is not simple.
        guard let next = rest.first, "?*+{".unicodeScalars.contains(next) else {
            return (result.0, result.1, rest)
        }
        return nil
    }
}
