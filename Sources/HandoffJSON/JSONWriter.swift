/// Writes JSON text, compact or indented, keys in the canonical order objects keep.
///
/// Whatever the layout, strings are escaped minimally and numbers are written in ECMAScript form, so the
/// output of any layout parses back to an equal value.
public enum JSONWriter {
    /// How the text is laid out. Keys always come in RFC 8785 order, the order `JSONObject` keeps.
    public struct Options: Sendable, Equatable {
        /// Break lines and indent nested values by `indent` spaces.
        public var pretty: Bool
        public var indent: Int

        public init(pretty: Bool = false, indent: Int = 2) {
            self.pretty = pretty
            self.indent = indent
        }

        /// One line, no spaces: the canonical layout.
        public static let compact = Options()
        /// Indented by two spaces.
        public static let pretty = Options(pretty: true)
    }

    /// The text of `value` as UTF-8 bytes, without a trailing newline.
    public static func encode(_ value: JSONValue, options: Options = .compact) -> [UInt8] {
        var output: [UInt8] = []
        write(value, into: &output, options: options)
        return output
    }

    /// Appends the text of `value` to `output`.
    public static func write(_ value: JSONValue, into output: inout [UInt8], options: Options = .compact) {
        var writer = Writer(options: options, capacity: 256)
        defer { writer.output.deallocate() }
        writer.write(value, depth: 0)
        output.append(contentsOf: writer.output.bytes)
    }

    /// The text of `value` in a new array sized for about `capacity` bytes.
    static func encode(_ value: JSONValue, options: Options, capacity: Int) -> [UInt8] {
        var writer = Writer(options: options, capacity: capacity)
        defer { writer.output.deallocate() }
        writer.write(value, depth: 0)
        return Array(writer.output.bytes)
    }
}

/// Compact JSON text written piece by piece, for output of a fixed shape: a listing of thousands of rows
/// is written straight from its records instead of building a `JSONValue` tree first. The caller writes the
/// punctuation and keys (in canonical order, to match `JSONWriter`) with `raw`; values are escaped as
/// `JSONWriter` escapes them.
package struct JSONTextBuilder: ~Copyable {
    private var writer: Writer

    package init(capacity: Int = 4096) {
        writer = Writer(options: .compact, capacity: capacity)
    }

    deinit { writer.output.deallocate() }

    /// Appends `text` as it is: punctuation and keys that need no escape.
    package mutating func raw(_ text: StaticString) { writer.output.append(text) }

    /// Appends `bytes` as they are: text that is already JSON.
    package mutating func raw(_ bytes: UnsafeBufferPointer<UInt8>) { writer.output.append(bytes) }

    package mutating func string(_ string: String) { writer.writeString(string) }

    /// A string from its UTF-8 bytes, such as text read in place from SQLite; bytes that are not UTF-8 are
    /// replaced as `String(decoding:as:)` replaces them.
    package mutating func string(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        if isASCII(bytes) {
            writer.writeString(utf8: bytes)
        } else {
            writer.writeString(String(decoding: bytes, as: UTF8.self))
        }
    }

    package mutating func integer(_ value: Int) {
        ECMAScriptNumber.write(Double(value), into: &writer.output)
    }

    package mutating func bool(_ value: Bool) { writer.output.append(value ? "true" : "false") }

    /// The text written so far.
    package var bytes: UnsafeBufferPointer<UInt8> { writer.output.bytes }

    /// The number of bytes written so far.
    package var count: Int { writer.output.count }

    /// Forgets the text written so far and keeps its memory, so a long document can be written out in parts.
    package mutating func clear() { writer.output.truncate(to: 0) }
}

/// RFC 8785 (JSON Canonicalization Scheme): the one byte sequence every equal document is written as.
///
/// ```swift
/// let bytes = try CanonicalJSON.canonicalize(Array(#"{"b": 1e3, "a": "x"}"#.utf8))
/// // {"a":"x","b":1000}
/// ```
public enum CanonicalJSON {
    /// The canonical bytes of `value`.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        JSONWriter.encode(value, options: .compact, capacity: 1024)
    }

    /// Parses `bytes` strictly and returns their canonical form.
    /// - Throws: `JSONParseError` when `bytes` is not a document the strict parser accepts.
    public static func canonicalize(_ bytes: [UInt8], limits: JSONParser.Limits = .init())
        throws(JSONParseError)
        -> [UInt8]
    {
        // Most documents are written straight from their bytes; the parser reads the rest, and says what is
        // wrong with those it refuses.
        if bytes.count <= limits.maxBytes,
            let canonical = bytes.withUnsafeBufferPointer({
                StreamingCanonicalizer.canonicalize($0, maxDepth: limits.maxDepth)
            })
        {
            return canonical
        }
        let value = try JSONParser.parse(bytes, limits: limits)
        // The canonical form is rarely larger than the input.
        return JSONWriter.encode(value, options: .compact, capacity: bytes.count)
    }
}

private struct Writer {
    let options: JSONWriter.Options
    var output: ByteBuffer

    init(options: JSONWriter.Options, capacity: Int) {
        self.options = options
        output = ByteBuffer(capacity: capacity)
    }

    mutating func write(_ value: JSONValue, depth: Int) {
        switch value {
        case .null: output.append("null")
        case .bool(true): output.append("true")
        case .bool(false): output.append("false")
        case .number(let number): ECMAScriptNumber.write(number, into: &output)
        case .string(let string): writeString(string)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                newline(depth: depth + 1)
                write(element, depth: depth + 1)
            }
            if !elements.isEmpty { newline(depth: depth) }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            // Members are kept in canonical order, so every layout writes them in it.
            let keys = object.keys
            let values = object.values
            for position in keys.indices {
                writeMember(keys[position], values[position], first: position == 0, depth: depth)
            }
            if !keys.isEmpty { newline(depth: depth) }
            output.append(UInt8(ascii: "}"))
        }
    }

    private mutating func writeMember(_ key: String, _ value: JSONValue, first: Bool, depth: Int) {
        if !first { output.append(UInt8(ascii: ",")) }
        newline(depth: depth + 1)
        writeString(key)
        output.append(UInt8(ascii: ":"))
        if options.pretty { output.append(UInt8(ascii: " ")) }
        write(value, depth: depth + 1)
    }

    @inline(__always)
    private mutating func newline(depth: Int) {
        guard options.pretty else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(repeating: UInt8(ascii: " "), count: depth * options.indent)
    }

    fileprivate mutating func writeString(_ string: String) {
        var string = string
        string.withUTF8 { writeString(utf8: $0) }
    }

    /// Writes `bytes`, which must be valid UTF-8, as a JSON string.
    fileprivate mutating func writeString(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        output.append(UInt8(ascii: "\""))
        var runStart = 0
        var position = 0
        let count = bytes.count
        while position < count {
            // Eight bytes at a time while none of them needs an escape.
            if position + 8 <= count,
                !needsEscape(
                    UnsafeRawPointer(bytes.baseAddress! + position).loadUnaligned(as: UInt64.self))
            {
                position += 8
                continue
            }
            let byte = bytes[position]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                position += 1
                continue
            }
            output.append(UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
            position += 1
            runStart = position
            output.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
            case 0x08: output.append(UInt8(ascii: "b"))
            case 0x09: output.append(UInt8(ascii: "t"))
            case 0x0A: output.append(UInt8(ascii: "n"))
            case 0x0C: output.append(UInt8(ascii: "f"))
            case 0x0D: output.append(UInt8(ascii: "r"))
            default:
                output.append("u00")
                output.append(hexDigit(byte >> 4))
                output.append(hexDigit(byte & 0xF))
            }
        }
        output.append(UnsafeBufferPointer(rebasing: bytes[runStart..<count]))
        output.append(UInt8(ascii: "\""))
    }
}

/// Whether every byte is below 0x80, eight at a time.
private func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    var position = 0
    while position + 8 <= bytes.count {
        if UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 {
            return false
        }
        position += 8
    }
    while position < bytes.count {
        if base[position] >= 0x80 { return false }
        position += 1
    }
    return true
}

/// Whether any of the eight bytes in `word` is below 0x20, a quote or a backslash (SWAR: a byte is found
/// when subtracting from it borrows into its top bit while its own top bit was clear).
@inline(__always)
func needsEscape(_ word: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let control = (word &- 0x2020_2020_2020_2020) & ~word & highs
    let quotes = word ^ (ones &* 0x22)
    let backslashes = word ^ (ones &* 0x5C)
    let quote = (quotes &- ones) & ~quotes & highs
    let backslash = (backslashes &- ones) & ~backslashes & highs
    return control | quote | backslash != 0
}

/// The high bit of each byte of `word` (little-endian) that is a quote, a backslash, a control or not
/// ASCII: the bytes a string scan must stop at. Bits above the lowest may be false alarms (the tests'
/// borrows only run upwards), so the lowest is always a real one.
@inline(__always)
func specialBytes(_ word: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let control = (word &- 0x2020_2020_2020_2020) & ~word
    let quotes = word ^ (ones &* 0x22)
    let backslashes = word ^ (ones &* 0x5C)
    return (control | ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes) | word) & highs
}

@inline(__always)
private func hexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
}
