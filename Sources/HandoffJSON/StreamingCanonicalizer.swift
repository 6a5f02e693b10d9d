#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Canonical bytes straight from the input's bytes, without building a tree: the fast path of
/// `CanonicalJSON.canonicalize`.
///
/// It writes each value's canonical form as it reads it; an object's members are written one after another
/// and put in key order when the object closes. It takes only what it can be sure of: a valid document
/// whose numbers convert exactly on the fast path, nested no deeper than `maxNesting`. On anything else,
/// invalid or merely unusual, it returns nil and the caller parses the input with `JSONParser`, which
/// either accepts it (and its canonical form is written from the tree) or says exactly what is wrong. So
/// both ways give the same bytes for every input, and the same errors; the tests and a fuzz harness compare
/// them.
struct StreamingCanonicalizer {
    private let input: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var output: ByteBuffer
    /// The unescaped UTF-8 of the keys of the objects being read, innermost last: keys are ordered by what
    /// they say, not by how they were escaped.
    private var keys: ByteBuffer
    private var depth = 0
    /// The members read so far of the objects being read, innermost last.
    private var members = RawBuffer<Member>(capacity: 64)
    private let maxNesting: Int

    /// The deepest nesting this path takes; deeper documents go to the parser, whose own stack has no limit.
    static let maxNesting = 64

    private init(_ input: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.input = input
        output = ByteBuffer(capacity: input.count)
        keys = ByteBuffer(capacity: 256)
        maxNesting = min(maxDepth, Self.maxNesting)
    }

    /// The canonical bytes of `input`, or nil when the parser must decide.
    static func canonicalize(_ input: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> [UInt8]? {
        var canonicalizer = StreamingCanonicalizer(input, maxDepth: maxDepth)
        defer {
            canonicalizer.output.deallocate()
            canonicalizer.keys.deallocate()
            canonicalizer.members.deallocate()
        }
        canonicalizer.skipWhitespace()
        guard canonicalizer.value() else { return nil }
        canonicalizer.skipWhitespace()
        guard canonicalizer.index == input.count else { return nil }
        return Array(canonicalizer.output.bytes)
    }

    // MARK: Values

    private mutating func value() -> Bool {
        guard index < input.count else { return false }
        switch input[index] {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string(key: false)
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return false
        }
    }

    private mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count <= input.count,
            memcmp(input.baseAddress! + index, text.utf8Start, count) == 0
        else { return false }
        output.append(text)
        index += count
        return true
    }

    private mutating func array() -> Bool {
        depth += 1
        guard depth <= maxNesting else { return false }
        defer { depth -= 1 }
        if openIsEmpty(UInt8(ascii: "["), UInt8(ascii: "]")) { return true }
        while true {
            guard value() else { return false }
            skipWhitespace()
            guard index < input.count else { return false }
            let byte = input[index]
            index += 1
            if byte == UInt8(ascii: "]") {
                output.append(UInt8(ascii: "]"))
                return true
            }
            guard byte == UInt8(ascii: ",") else { return false }
            output.append(UInt8(ascii: ","))
            skipWhitespace()
        }
    }

    /// Reads and writes an array's or object's opening bracket and the space after it; true when the
    /// closing one follows (it is read and written too).
    private mutating func openIsEmpty(_ opening: UInt8, _ closing: UInt8) -> Bool {
        index += 1
        output.append(opening)
        skipWhitespace()
        guard index < input.count, input[index] == closing else { return false }
        index += 1
        output.append(closing)
        return true
    }

    /// One member as read: where its key's unescaped bytes are in `keys`, and where `"key":value` is in
    /// `output` (after the comma written before it).
    private struct Member: BitwiseCopyable {
        var keyStart: Int
        var keyEnd: Int
        var start: Int
        var end: Int
    }

    private mutating func object() -> Bool {
        depth += 1
        guard depth <= maxNesting else { return false }
        defer { depth -= 1 }
        let objectStart = output.count
        let keysStart = keys.count
        defer { keys.truncate(to: keysStart) }
        if openIsEmpty(UInt8(ascii: "{"), UInt8(ascii: "}")) { return true }
        // This object's members are the end of `members`, from here on.
        let membersStart = members.count
        defer { members.truncate(to: membersStart) }
        while true {
            guard index < input.count, input[index] == UInt8(ascii: "\"") else { return false }
            // Commas as read; a reordering writes its own.
            if members.count > membersStart { output.append(UInt8(ascii: ",")) }
            let keyStart = keys.count
            let start = output.count
            guard string(key: true) else { return false }
            let keyEnd = keys.count
            skipWhitespace()
            guard index < input.count, input[index] == UInt8(ascii: ":") else { return false }
            index += 1
            output.append(UInt8(ascii: ":"))
            skipWhitespace()
            guard value() else { return false }
            members.append(Member(keyStart: keyStart, keyEnd: keyEnd, start: start, end: output.count))
            skipWhitespace()
            guard index < input.count else { return false }
            let byte = input[index]
            index += 1
            if byte == UInt8(ascii: "}") { break }
            guard byte == UInt8(ascii: ",") else { return false }
            skipWhitespace()
        }
        return close(membersFrom: membersStart, objectStart: objectStart)
    }

    /// Closes the object, its members in key order: as read when they are (as in documents written by a
    /// canonical writer), else rewritten in that order. Equal keys are a duplicate, which only the parser
    /// reports.
    private mutating func close(membersFrom first: Int, objectStart: Int) -> Bool {
        let keyBytes = keys.bytes
        func key(_ member: Member) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: keyBytes[member.keyStart..<member.keyEnd])
        }
        var sorted = true
        for position in first + 1..<members.count
        where keyOrder(key(members[position - 1]), key(members[position])) >= 0 {
            sorted = false
            break
        }
        if sorted {
            output.append(UInt8(ascii: "}"))
            return true
        }
        var order = Array(members.elements[first...])
        order.sort { utf16Precedes(key($0), key($1)) }
        for position in 1..<order.count where !utf16Precedes(key(order[position - 1]), key(order[position])) {
            return false
        }
        // The members' bytes, reordered with commas between them, replace what was written.
        var rewritten = ByteBuffer(capacity: output.count - objectStart + order.count)
        defer { rewritten.deallocate() }
        for (position, member) in order.enumerated() {
            if position > 0 { rewritten.append(UInt8(ascii: ",")) }
            rewritten.append(UnsafeBufferPointer(rebasing: output.bytes[member.start..<member.end]))
        }
        rewritten.append(UInt8(ascii: "}"))
        output.truncate(to: objectStart + 1)
        output.append(rewritten.bytes)
        return true
    }

    // MARK: Strings

    /// Reads a string and writes its canonical form; a key's unescaped bytes also go to `keys`.
    private mutating func string(key: Bool) -> Bool {
        let opening = index
        index += 1
        var runStart = index
        // Until an escape, nothing is written: a string without one is its own canonical form, and is copied
        // whole, quotes and all, when it closes.
        var escaped = false
        while true {
            // Eight bytes at a time to the first that needs a look: a quote, backslash, control or non-ASCII
            // byte. The lowest flagged byte is always a real one (the tests' borrows only run upwards).
            while index + 8 <= input.count {
                let word = UnsafeRawPointer(input.baseAddress! + index).loadUnaligned(as: UInt64.self)
                let flagged = specialBytes(word)
                if flagged != 0 {
                    index += flagged.trailingZeroBitCount >> 3
                    break
                }
                index += 8
            }
            guard index < input.count else { return false }
            let byte = input[index]
            if byte == UInt8(ascii: "\"") {
                if escaped {
                    flush(from: runStart, key: key)
                    output.append(UInt8(ascii: "\""))
                } else {
                    output.append(UnsafeBufferPointer(rebasing: input[opening...index]))
                    if key { keys.append(UnsafeBufferPointer(rebasing: input[runStart..<index])) }
                }
                index += 1
                return true
            }
            if byte < 0x20 { return false }
            if byte == UInt8(ascii: "\\") {
                if !escaped {
                    output.append(UInt8(ascii: "\""))
                    escaped = true
                }
                flush(from: runStart, key: key)
                guard escape(key: key) else { return false }
                runStart = index
                continue
            }
            if byte >= 0x80 {
                guard let length = multibyteLength(at: index) else { return false }
                index += length
                continue
            }
            index += 1
        }
    }

    /// Copies the input bytes from `start` up to here, which need no escape, to the output (and the key).
    private mutating func flush(from start: Int, key: Bool) {
        guard start < index else { return }
        let run = UnsafeBufferPointer(rebasing: input[start..<index])
        output.append(run)
        if key { keys.append(run) }
    }

    /// Reads one escape and writes the character's canonical form.
    private mutating func escape(key: Bool) -> Bool {
        guard index + 1 < input.count else { return false }
        let letter = input[index + 1]
        index += 2
        let scalar: UInt32
        switch letter {
        case UInt8(ascii: "\""): scalar = 0x22
        case UInt8(ascii: "\\"): scalar = 0x5C
        case UInt8(ascii: "/"): scalar = 0x2F
        case UInt8(ascii: "b"): scalar = 0x08
        case UInt8(ascii: "f"): scalar = 0x0C
        case UInt8(ascii: "n"): scalar = 0x0A
        case UInt8(ascii: "r"): scalar = 0x0D
        case UInt8(ascii: "t"): scalar = 0x09
        case UInt8(ascii: "u"):
            guard let unit = hex4() else { return false }
            if (0xD800...0xDBFF).contains(unit) {
                // A high surrogate must be followed by a low one, escaped.
                guard index + 1 < input.count, input[index] == UInt8(ascii: "\\"),
                    input[index + 1] == UInt8(ascii: "u")
                else { return false }
                index += 2
                guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return false }
                scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(unit) {
                return false
            } else {
                scalar = unit
            }
        default:
            return false
        }
        if (0xFDD0...0xFDEF).contains(scalar) || scalar & 0xFFFE == 0xFFFE { return false }
        writeCanonical(scalar, key: key)
        return true
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= input.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = input[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// Writes one character as the canonical form spells it: only `"`, `\` and controls escaped.
    private mutating func writeCanonical(_ scalar: UInt32, key: Bool) {
        var utf8: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &utf8) { bytes in
            switch scalar {
            case 0..<0x80:
                bytes[0] = UInt8(scalar)
                count = 1
            case 0x80..<0x800:
                bytes[0] = 0xC0 | UInt8(scalar >> 6)
                bytes[1] = 0x80 | UInt8(scalar & 0x3F)
                count = 2
            case 0x800..<0x10000:
                bytes[0] = 0xE0 | UInt8(scalar >> 12)
                bytes[1] = 0x80 | UInt8(scalar >> 6 & 0x3F)
                bytes[2] = 0x80 | UInt8(scalar & 0x3F)
                count = 3
            default:
                bytes[0] = 0xF0 | UInt8(scalar >> 18)
                bytes[1] = 0x80 | UInt8(scalar >> 12 & 0x3F)
                bytes[2] = 0x80 | UInt8(scalar >> 6 & 0x3F)
                bytes[3] = 0x80 | UInt8(scalar & 0x3F)
                count = 4
            }
        }
        withUnsafeBytes(of: &utf8) { bytes in
            let encoded = UnsafeBufferPointer(
                start: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count)
            if key { keys.append(encoded) }
            switch scalar {
            case 0x22: output.append("\\\"")
            case 0x5C: output.append("\\\\")
            case 0x08: output.append("\\b")
            case 0x09: output.append("\\t")
            case 0x0A: output.append("\\n")
            case 0x0C: output.append("\\f")
            case 0x0D: output.append("\\r")
            case 0..<0x20:
                output.append("\\u00")
                output.append(Self.hexDigit(UInt8(scalar >> 4)))
                output.append(Self.hexDigit(UInt8(scalar & 0xF)))
            default:
                output.append(encoded)
            }
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// The length of the valid UTF-8 character at `position` that is not a noncharacter, or nil.
    private func multibyteLength(at position: Int) -> Int? {
        let lead = input[position]
        guard let (length, second) = utf8SequenceShape(lead: lead) else { return nil }
        guard position + length <= input.count else { return nil }
        var scalar = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for offset in 1..<length {
            let byte = input[position + offset]
            guard offset == 1 ? second.contains(byte) : (0x80...0xBF).contains(byte) else {
                return nil
            }
            scalar = scalar << 6 | UInt32(byte & 0x3F)
        }
        if (0xFDD0...0xFDEF).contains(scalar) || scalar & 0xFFFE == 0xFFFE { return nil }
        return length
    }

    // MARK: Numbers

    /// Reads a number the parser would read the same on its fast paths, and writes its canonical form.
    private mutating func number() -> Bool {
        let start = index
        let negative = input[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < input.count, isDigit(input[index]) else { return false }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var integerDigits = 0
        if input[index] == UInt8(ascii: "0") {
            index += 1
            integerDigits = 1
            if index < input.count, isDigit(input[index]) { return false }
        } else {
            while index < input.count, isDigit(input[index]) {
                // Past 19 digits the mantissa is not kept: such a number is read from its text below.
                if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(input[index] - UInt8(ascii: "0"))
                }
                significantDigits += 1
                integerDigits += 1
                index += 1
            }
        }
        var fractionDigits = 0
        var isInteger = true
        if index < input.count, input[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < input.count, isDigit(input[index]) else { return false }
            while index < input.count, isDigit(input[index]) {
                if significantDigits < 19 {
                    if mantissa != 0 || input[index] != UInt8(ascii: "0") { significantDigits += 1 }
                    mantissa = mantissa &* 10 &+ UInt64(input[index] - UInt8(ascii: "0"))
                    fractionDigits += 1
                } else {
                    significantDigits += 1
                }
                index += 1
            }
        }
        var exponent = 0
        if index < input.count, input[index] == UInt8(ascii: "e") || input[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            var exponentNegative = false
            if index < input.count, input[index] == UInt8(ascii: "-") || input[index] == UInt8(ascii: "+") {
                exponentNegative = input[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < input.count, isDigit(input[index]) else { return false }
            while index < input.count, isDigit(input[index]) {
                guard exponent < 1_000 else { return false }
                exponent = exponent * 10 + Int(input[index] - UInt8(ascii: "0"))
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        if index < input.count, input[index] == UInt8(ascii: "x") || input[index] == UInt8(ascii: "X") {
            return false
        }
        if isInteger {
            if integerDigits > 15 {
                // As the parser reads it: an integer of up to 19 digits that a double holds exactly is that
                // double (written in its shortest form); any other goes to the parser, which reads or refuses
                // it. One such id in a large document no longer sends all of it the slow way.
                guard integerDigits <= 19, UInt64(exactly: Double(mantissa)) == mantissa else { return false }
                ECMAScriptNumber.write(negative ? -Double(mantissa) : Double(mantissa), into: &output)
                return true
            }
            // An integer of up to 15 digits is its own shortest form; -0 is 0.
            if mantissa == 0 {
                output.append(UInt8(ascii: "0"))
            } else {
                output.append(UnsafeBufferPointer(rebasing: input[start..<index]))
            }
            return true
        }
        let decimalExponent = exponent - fractionDigits
        if significantDigits <= 15, (-22...22).contains(decimalExponent) {
            // The parser reads this one exactly (Clinger's fast path), and a double read from at most 15
            // digits writes back as those digits: no conversion either way.
            ECMAScriptNumber.write(
                mantissa: mantissa, exponent: decimalExponent, negative: negative, into: &output)
            return true
        }
        // Computed values such as 0.5700000000000001 are common: read correctly rounded, as the parser does.
        guard
            let value = doubleFromDecimal(
                UnsafeBufferPointer(rebasing: input[start..<index]), mantissa: mantissa,
                exponent: decimalExponent,
                significantDigits: significantDigits, negative: negative),
            value.isFinite
        else { return false }
        ECMAScriptNumber.write(value, into: &output)
        return true
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        index = whitespaceEnd(input, from: index)
    }
}
