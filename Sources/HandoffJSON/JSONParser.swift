/// A strict JSON parser: RFC 8259 with the I-JSON (RFC 7493) restrictions.
///
/// It refuses what would make two readers disagree about a document, because the document's bytes are
/// hashed into its identity: invalid UTF-8, unpaired surrogates, noncharacters, duplicate keys, `NaN` and
/// `Infinity`, numbers beyond a double, integers a double cannot hold exactly, and anything after the
/// document. The parser keeps its own stack, so no input depth can overflow the thread's stack.
///
/// ```swift
/// let value = try JSONParser.parse(#"{"schema": "tool-result-v1"}"#)
/// ```
public enum JSONParser {
    /// Bounds on what a parse accepts.
    public struct Limits: Sendable, Equatable {
        /// Deepest nesting of arrays and objects accepted.
        ///
        /// Clamped to `depthCeiling`: values are walked recursively elsewhere (writing, comparing, validating),
        /// and the ceiling keeps those walks well inside a thread's stack.
        public var maxDepth: Int {
            get { storedMaxDepth }
            set { storedMaxDepth = min(max(newValue, 1), Self.depthCeiling) }
        }
        /// Largest document accepted, in bytes.
        public var maxBytes: Int

        private var storedMaxDepth: Int

        /// The deepest nesting any parse accepts, whatever `maxDepth` asks for.
        public static let depthCeiling = 2_048

        public init(maxDepth: Int = 256, maxBytes: Int = 64 << 20) {
            self.storedMaxDepth = min(max(maxDepth, 1), Self.depthCeiling)
            self.maxBytes = maxBytes
        }
    }

    /// Parses one JSON document.
    /// - Throws: `JSONParseError` naming the line and column of the first problem.
    public static func parse(_ bytes: UnsafeRawBufferPointer, limits: Limits = .init()) throws(JSONParseError)
        -> JSONValue
    {
        var parser = Parser(
            bytes: bytes.assumingMemoryBound(to: UInt8.self), limits: limits, builder: TreeBuilder())
        defer { parser.deallocate() }
        return try parser.parseDocument()
    }

    /// Parses one JSON document into a tape and calls `body` with its root: the same checks and errors as
    /// `parse`, without a tree. The tape refers to `bytes`, so it lives only as long as the call.
    package static func withTape<Result>(
        _ bytes: UnsafeRawBufferPointer, limits: Limits = .init(), _ body: (TapeValue) -> Result
    ) throws(JSONParseError) -> Result {
        let input = bytes.assumingMemoryBound(to: UInt8.self)
        var parser = Parser(bytes: input, limits: limits, builder: TapeBuilder(input: input))
        defer { parser.deallocate() }
        let root = try parser.parseDocument()
        return parser.builder.withValue(root, body)
    }

    /// Parses one JSON document.
    public static func parse(_ bytes: [UInt8], limits: Limits = .init()) throws(JSONParseError) -> JSONValue {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) in try parse(buffer, limits: limits) }
        }
        return try result.get()
    }

    /// Parses one JSON document from text.
    public static func parse(_ text: String, limits: Limits = .init()) throws(JSONParseError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { buffer in
            Result { () throws(JSONParseError) in try parse(UnsafeRawBufferPointer(buffer), limits: limits) }
        }
        return try result.get()
    }
}

private enum Byte {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let slash = UInt8(ascii: "/")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
    static let lowerE = UInt8(ascii: "e")
    static let upperE = UInt8(ascii: "E")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
}

/// An open array or object: where its values (and keys) start on the parser's stacks.
private struct Frame: BitwiseCopyable {
    var isObject: Bool
    var valueStart: Int
    var keyStart: Int
}

/// The reading half of a parse, shared by the tree and the tape: every check and every error is here, and
/// `Builder` only keeps what was read.
private struct Parser<Builder: JSONBuilder> {
    let bytes: UnsafeBufferPointer<UInt8>
    let limits: JSONParser.Limits
    var index = 0
    var frames = RawBuffer<Frame>(capacity: 64)
    var builder: Builder
    /// Where each key of the open objects starts in the input, to point at a duplicate.
    var keyOffsets = RawBuffer<Int>(capacity: 64)
    /// A string's bytes once escapes are decoded, when it has any.
    var scratch = ByteBuffer(capacity: 256)

    init(bytes: UnsafeBufferPointer<UInt8>, limits: JSONParser.Limits, builder: Builder) {
        self.bytes = bytes
        self.limits = limits
        self.builder = builder
    }

    func deallocate() {
        scratch.deallocate()
        frames.deallocate()
        keyOffsets.deallocate()
        builder.deallocate()
    }

    mutating func parseDocument() throws(JSONParseError) -> Builder.Value {
        guard bytes.count <= limits.maxBytes else {
            throw error(
                .tooLarge, "document is \(bytes.count) bytes, more than the limit of \(limits.maxBytes)",
                at: 0)
        }
        try checkEncoding()
        skipWhitespace()
        guard index < bytes.count else {
            throw error(
                .empty,
                bytes.isEmpty ? "empty input: expected a JSON document" : "no JSON document, only whitespace")
        }
        let value = try parseValues()
        skipWhitespace()
        if index < bytes.count {
            throw error(
                .trailingData, "unexpected \(describeByte(at: index)) after the end of the JSON document")
        }
        return value
    }

    private func checkEncoding() throws(JSONParseError) {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            throw error(
                .byteOrderMark,
                "input starts with a UTF-8 byte order mark, which JSON does not allow; remove it", at: 0)
        }
        let utf16BOM =
            bytes.count >= 2 && (bytes[0] == 0xFF && bytes[1] == 0xFE || bytes[0] == 0xFE && bytes[1] == 0xFF)
        let wideASCII =
            bytes.count >= 2 && bytes[0] == 0 || bytes.count >= 4 && bytes[1] == 0 && bytes[3] == 0
        if utf16BOM || wideASCII {
            throw error(
                .notUTF8, "input is not UTF-8 (it looks like UTF-16 or UTF-32); convert it to UTF-8", at: 0)
        }
    }

    /// Parses a value and everything nested in it, without recursion.
    private mutating func parseValues() throws(JSONParseError) -> Builder.Value {
        while true {
            var value: Builder.Value
            switch bytes[index] {
            case Byte.openBracket, Byte.openBrace:
                let isObject = bytes[index] == Byte.openBrace
                guard frames.count < limits.maxDepth else {
                    throw error(.tooDeep, "nesting is deeper than the limit of \(limits.maxDepth) levels")
                }
                index += 1
                frames.append(
                    Frame(isObject: isObject, valueStart: builder.valueCount, keyStart: keyOffsets.count))
                skipWhitespace()
                guard index < bytes.count else {
                    throw unexpectedEnd(isObject ? "a key or '}'" : "a value or ']'")
                }
                let close = isObject ? Byte.closeBrace : Byte.closeBracket
                if bytes[index] == close {
                    index += 1
                    frames.truncate(to: frames.count - 1)
                    value = isObject ? builder.emptyObject() : builder.emptyArray()
                } else {
                    if isObject { try parseKey() }
                    continue
                }
            case Byte.quote:
                value = builder.string(try parseString())
            case Byte.minus, Byte.zero...Byte.nine:
                value = builder.number(try parseNumber())
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                value = builder.bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                value = builder.bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                value = builder.null()
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                throw invalidLiteral()
            default:
                throw unexpected("a value")
            }

            // Attach the finished value to its container, closing containers as far as they end here.
            while true {
                guard frames.count > 0 else { return value }
                let frame = frames[frames.count - 1]
                builder.push(value)
                let isObject = frame.isObject
                skipWhitespace()
                guard index < bytes.count else {
                    throw unexpectedEnd(isObject ? "',' or '}'" : "',' or ']'")
                }
                let byte = bytes[index]
                if byte == Byte.comma {
                    index += 1
                    skipWhitespace()
                    guard index < bytes.count else {
                        throw unexpectedEnd(isObject ? "a key" : "a value")
                    }
                    if isObject { try parseKey() }
                    break
                }
                if isObject, byte == Byte.closeBrace {
                    index += 1
                    frames.truncate(to: frames.count - 1)
                    value = try closeObject(frame)
                } else if !isObject, byte == Byte.closeBracket {
                    index += 1
                    frames.truncate(to: frames.count - 1)
                    value = builder.closeArray(valuesFrom: frame.valueStart)
                } else {
                    throw unexpected(isObject ? "',' or '}'" : "',' or ']'")
                }
            }
            guard index < bytes.count else { throw unexpectedEnd("a value") }
        }
    }

    /// Parses `"key" :` inside the innermost object.
    @inline(__always)
    private mutating func parseKey() throws(JSONParseError) {
        guard bytes[index] == Byte.quote else { throw unexpected("a string key") }
        let keyOffset = index
        let key = try parseString()
        builder.key(key)
        keyOffsets.append(keyOffset)
        skipWhitespace()
        guard index < bytes.count else { throw unexpectedEnd("':'") }
        guard bytes[index] == Byte.colon else {
            throw unexpected("':' after the key \(quoted(String(decoding: key, as: UTF8.self)))")
        }
        index += 1
        skipWhitespace()
        guard index < bytes.count else { throw unexpectedEnd("a value") }
    }

    /// Closes the innermost object; the builder puts its members in canonical order, and finds any
    /// duplicate key in the same sort.
    private mutating func closeObject(_ frame: Frame) throws(JSONParseError) -> Builder.Value {
        let value: Builder.Value
        do throws(DuplicateKey) {
            value = try builder.closeObject(valuesFrom: frame.valueStart, keysFrom: frame.keyStart)
        } catch {
            throw self.error(
                .duplicateKey, "duplicate key \(quoted(error.key))",
                at: keyOffsets[frame.keyStart + error.position])
        }
        keyOffsets.truncate(to: frame.keyStart)
        return value
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        index = whitespaceEnd(bytes, from: index)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let matches =
            bytes.count - index >= count
            && (0..<count).allSatisfy { bytes[index + $0] == literal.utf8Start[$0] }
        guard matches else { throw invalidLiteral() }
        index += count
    }

    /// The error for a word where a value should be, such as `NaN`, `True` or `nul`.
    private func invalidLiteral() -> JSONParseError {
        var end = index
        while end < bytes.count, end - index < 12,
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[end])
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(bytes[end])
        {
            end += 1
        }
        let word = String(
            decoding: UnsafeBufferPointer(rebasing: bytes[index..<max(end, index + 1)]), as: UTF8.self)
        return error(.unexpectedCharacter, "invalid literal \(quoted(word)); expected a value")
    }

    // MARK: Strings

    /// Parses a string starting at its opening quote: its bytes, in the input or, when it has escapes, in
    /// `scratch` until the next string.
    @inline(__always)
    private mutating func parseString() throws(JSONParseError) -> UnsafeBufferPointer<UInt8> {
        index += 1
        let start = index
        // Fast path: printable ASCII without escapes, by far the most common key and value; eight bytes at a
        // time to the first that is a quote, a backslash, a control character or outside ASCII.
        if let base = bytes.baseAddress {
            while index + 8 <= bytes.count {
                let flagged = specialBytes(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                if flagged != 0 {
                    index += flagged.trailingZeroBitCount >> 3
                    break
                }
                index += 8
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == Byte.quote {
                let string = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                return string
            }
            if byte == Byte.backslash || byte < 0x20 || byte >= 0x80 { break }
            index += 1
        }
        scratch.truncate(to: 0)
        scratch.append(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case Byte.quote:
                index += 1
                return scratch.bytes
            case Byte.backslash:
                try parseEscape()
            case 0..<0x20:
                throw error(
                    .controlCharacter,
                    "control character \(scalarName(UInt32(byte))) in a string; write it as an escape such as \\n or \\u00\(hex2(byte))"
                )
            case 0x80...:
                try copyMultibyteScalar()
            default:
                scratch.append(byte)
                index += 1
            }
        }
        throw error(
            .unexpectedEnd, "unterminated string: the input ends before its closing quote", at: start - 1)
    }

    private mutating func parseEscape() throws(JSONParseError) {
        let escapeStart = index
        index += 1
        guard index < bytes.count else { throw unexpectedEnd("an escape character after '\\'") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case Byte.quote: scratch.append(Byte.quote)
        case Byte.backslash: scratch.append(Byte.backslash)
        case Byte.slash: scratch.append(Byte.slash)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4(escapeStart: escapeStart)
            if (0xD800...0xDBFF).contains(scalar) {
                let pairStart = index
                guard index + 1 < bytes.count, bytes[index] == Byte.backslash,
                    bytes[index + 1] == UInt8(ascii: "u")
                else {
                    throw error(
                        .loneSurrogate,
                        "unpaired high surrogate \\u\(hex4(scalar)) in a string: it must be followed by a low surrogate escape",
                        at: escapeStart)
                }
                index += 2
                let low = try parseHex4(escapeStart: pairStart)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error(
                        .loneSurrogate,
                        "high surrogate \\u\(hex4(scalar)) is followed by \\u\(hex4(low)), which is not a low surrogate",
                        at: escapeStart)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error(
                    .loneSurrogate, "unpaired low surrogate \\u\(hex4(scalar)) in a string", at: escapeStart)
            }
            try checkNotNoncharacter(scalar, at: escapeStart)
            appendUTF8(scalar)
        default:
            index -= 1
            throw error(
                .invalidEscape,
                "invalid escape '\\\(describeScalarAt(index))' in a string; valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX",
                at: escapeStart)
        }
    }

    private mutating func parseHex4(escapeStart: Int) throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw unexpectedEnd("4 hex digits after \\u") }
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case Byte.zero...Byte.nine: digit = UInt32(byte - Byte.zero)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default:
                throw error(.invalidEscape, "\\u must be followed by 4 hex digits", at: escapeStart)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// Validates one multi-byte UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing above
    /// U+10FFFF) and copies it.
    private mutating func copyMultibyteScalar() throws(JSONParseError) {
        let start = index
        let lead = bytes[index]
        guard let (length, second) = utf8SequenceShape(lead: lead) else {
            throw error(.notUTF8, "invalid UTF-8: byte 0x\(hex2(lead)) cannot start a character", at: start)
        }
        var scalar = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for offset in 1..<length {
            guard start + offset < bytes.count else {
                throw error(
                    .notUTF8, "invalid UTF-8: the input ends inside a multi-byte character", at: start)
            }
            let byte = bytes[start + offset]
            let valid = offset == 1 ? second.contains(byte) : (0x80...0xBF).contains(byte)
            guard valid else {
                throw error(
                    .notUTF8,
                    "invalid UTF-8: byte 0x\(hex2(byte)) after 0x\(hex2(lead)) (overlong, surrogate or truncated sequence)",
                    at: start)
            }
            scalar = scalar << 6 | UInt32(byte & 0x3F)
        }
        try checkNotNoncharacter(scalar, at: start)
        scratch.append(UnsafeBufferPointer(rebasing: bytes[start..<start + length]))
        index = start + length
    }

    private func checkNotNoncharacter(_ scalar: UInt32, at offset: Int) throws(JSONParseError) {
        if (0xFDD0...0xFDEF).contains(scalar) || scalar & 0xFFFE == 0xFFFE {
            throw error(
                .noncharacter, "the noncharacter \(scalarName(scalar)) is not allowed in I-JSON text",
                at: offset)
        }
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = index
        let negative = bytes[index] == Byte.minus
        if negative { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else {
            if index < bytes.count, bytes[index] == UInt8(ascii: "I") {
                throw error(.invalidNumber, "Infinity is not a JSON number", at: start)
            }
            throw error(.invalidNumber, "expected a digit after '-'", at: index)
        }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var integerDigits = 0
        if bytes[index] == Byte.zero {
            index += 1
            integerDigits = 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw error(.invalidNumber, "numbers must not have leading zeros", at: start)
            }
        } else {
            while index < bytes.count, isDigit(bytes[index]) {
                if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(bytes[index] - Byte.zero)
                    significantDigits += 1
                } else {
                    significantDigits += 1
                }
                integerDigits += 1
                index += 1
            }
        }
        var fractionDigits = 0
        var isInteger = true
        if index < bytes.count, bytes[index] == Byte.dot {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error(.invalidNumber, "expected a digit after the decimal point", at: index)
            }
            while index < bytes.count, isDigit(bytes[index]) {
                if significantDigits < 19 {
                    if mantissa != 0 || bytes[index] != Byte.zero {
                        significantDigits += 1
                    }
                    mantissa = mantissa &* 10 &+ UInt64(bytes[index] - Byte.zero)
                    fractionDigits += 1
                } else {
                    significantDigits += 1
                }
                index += 1
            }
        }
        var exponent = 0
        if index < bytes.count, bytes[index] == Byte.lowerE || bytes[index] == Byte.upperE {
            isInteger = false
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == Byte.minus || bytes[index] == Byte.plus {
                exponentNegative = bytes[index] == Byte.minus
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error(.invalidNumber, "expected a digit in the exponent", at: index)
            }
            while index < bytes.count, isDigit(bytes[index]) {
                // Saturate: anything past 10^±100000 is zero or out of range either way.
                if exponent < 100_000 { exponent = exponent * 10 + Int(bytes[index] - Byte.zero) }
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "x") || bytes[index] == UInt8(ascii: "X") {
            throw error(.invalidNumber, "hexadecimal numbers are not JSON", at: start)
        }

        if isInteger {
            if integerDigits <= 15 {
                let value = Double(mantissa)
                return negative ? -value : value
            }
            return try inexactIntegerCheck(
                start: start, negative: negative, digits: integerDigits, mantissa: mantissa)
        }
        // Clinger's fast path: both operands are exact doubles, so one rounding gives the correctly rounded result.
        let decimalExponent = exponent - fractionDigits
        if significantDigits <= 15, mantissa < 1 << 53, (-22...22).contains(decimalExponent) {
            var value = Double(mantissa)
            if decimalExponent < 0 {
                value /= powersOfTen[-decimalExponent]
            } else {
                value *= powersOfTen[decimalExponent]
            }
            return negative ? -value : value
        }
        guard
            let value = doubleFromDecimal(
                UnsafeBufferPointer(rebasing: bytes[start..<index]), mantissa: mantissa,
                exponent: decimalExponent,
                significantDigits: significantDigits, negative: negative),
            value.isFinite
        else {
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            throw error(
                .numberOutOfRange, "number \(text) is beyond the range of an IEEE double (about ±1.8e308)",
                at: start)
        }
        return value
    }

    private func inexactIntegerCheck(start: Int, negative: Bool, digits: Int, mantissa: UInt64)
        throws(JSONParseError) -> Double
    {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        let exact: Bool
        let value: Double
        if digits <= 19, UInt64(exactly: Double(mantissa)) == mantissa {
            value = Double(mantissa)
            exact = true
        } else if digits <= 21, let parsed = Double(text),
            writesAsLiteral(parsed.magnitude, text, negative: negative)
        {
            // The canonical form writes doubles up to 1e21 as integers of their shortest digits padded with zeros,
            // and reading those back must give the same double.
            value = parsed.magnitude
            exact = true
        } else if digits <= 19 {
            value = Double(mantissa)
            exact = false
        } else {
            guard let parsed = Double(text), parsed.isFinite else {
                throw error(
                    .numberOutOfRange,
                    "number \(text) is beyond the range of an IEEE double (about ±1.8e308)",
                    at: start)
            }
            value = parsed.magnitude
            let literalDigits = negative ? text.utf8.dropFirst() : text.utf8[...]
            exact = exactDecimalDigits(of: value).elementsEqual(literalDigits)
        }
        guard exact else {
            throw error(
                .inexactInteger,
                "integer \(text) cannot be held exactly by a JSON number (an IEEE double); send it as a string",
                at: start)
        }
        return negative ? -value : value
    }

    private func writesAsLiteral(_ value: Double, _ text: String, negative: Bool) -> Bool {
        ECMAScriptNumber.bytes(value).elementsEqual(negative ? text.utf8.dropFirst() : text.utf8[...])
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool { byte >= Byte.zero && byte <= Byte.nine }

    // MARK: Errors

    private func unexpected(_ expectation: String) -> JSONParseError {
        error(.unexpectedCharacter, "unexpected \(describeByte(at: index)); expected \(expectation)")
    }

    private func unexpectedEnd(_ expectation: String) -> JSONParseError {
        error(.unexpectedEnd, "unexpected end of input; expected \(expectation)", at: bytes.count)
    }

    private func describeByte(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        let byte = bytes[offset]
        if byte >= 0x80 {
            return "character \(describeScalarAt(offset))"
        }
        if byte < 0x20 || byte == 0x7F { return "control character \(scalarName(UInt32(byte)))" }
        return "character '\(Character(Unicode.Scalar(byte)))'"
    }

    /// The scalar at `offset`, printed, or its byte value when the bytes there are not UTF-8.
    private func describeScalarAt(_ offset: Int) -> String {
        var iterator = UnsafeBufferPointer(rebasing: bytes[offset...]).makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) {
            if scalar.value < 0x20 || scalar.value == 0x7F { return scalarName(scalar.value) }
            return String(Character(scalar))
        }
        return "byte 0x\(hex2(bytes[offset]))"
    }

    private func error(_ code: JSONParseError.Code, _ message: String, at offset: Int? = nil)
        -> JSONParseError
    {
        let offset = min(offset ?? index, bytes.count)
        var line = 1
        var lineStart = 0
        for position in 0..<offset where bytes[position] == Byte.newline {
            line += 1
            lineStart = position + 1
        }
        // Columns count scalars, so skip UTF-8 continuation bytes.
        var column = 1
        for position in lineStart..<offset where bytes[position] & 0xC0 != 0x80 { column += 1 }
        return JSONParseError(code: code, message: message, offset: offset, line: line, column: column)
    }
}

private let powersOfTen: [Double] = (0...22).map { exponent in
    var value = 1.0
    for _ in 0..<exponent { value *= 10 }
    return value
}

private func hex2(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef".utf8)
    return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
}

private func hex4(_ value: UInt32) -> String {
    hex2(UInt8(value >> 8 & 0xFF)) + hex2(UInt8(value & 0xFF))
}

private func scalarName(_ value: UInt32) -> String {
    let hex = String(value, radix: 16, uppercase: true)
    return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
}

private func quoted(_ string: String) -> String {
    var result = "\""
    for scalar in string.unicodeScalars.prefix(80) {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case _ where scalar.value < 0x20: result += "\\u" + hex4(scalar.value)
        default: result.unicodeScalars.append(scalar)
        }
    }
    if string.unicodeScalars.count > 80 { result += "…" }
    return result + "\""
}

/// The exact decimal digits of a finite, non-negative, integral double, however large.
///
/// Used only for integer literals of 20 digits or more, to tell whether the double holds them exactly.
func exactDecimalDigits(of value: Double) -> [UInt8] {
    precondition(value.isFinite && value >= 0 && value.rounded(.towardZero) == value)
    if value < 0x1p64 { return Array(String(UInt64(value)).utf8) }
    // value = significand × 2^shift with an integral significand; multiply out in base 10^9 limbs.
    let shift = Int(value.exponent) - Double.significandBitCount
    let significand = value.significandBitPattern | (1 << UInt64(Double.significandBitCount))
    var limbs: [UInt64] = [significand % 1_000_000_000, significand / 1_000_000_000 % 1_000_000_000]
    let top = significand / 1_000_000_000_000_000_000
    if top > 0 { limbs.append(top) }
    for _ in 0..<shift {
        var carry: UInt64 = 0
        for position in limbs.indices {
            let doubled = limbs[position] * 2 + carry
            limbs[position] = doubled % 1_000_000_000
            carry = doubled / 1_000_000_000
        }
        if carry > 0 { limbs.append(carry) }
    }
    while limbs.count > 1, limbs.last == 0 { limbs.removeLast() }
    var text = String(limbs.last!)
    for limb in limbs.dropLast().reversed() {
        let part = String(limb)
        text += String(repeating: "0", count: 9 - part.count) + part
    }
    return Array(text.utf8)
}
