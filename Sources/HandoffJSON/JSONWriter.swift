/// Writes JSON text: compact or indented, keys in document order or sorted.
///
/// Whatever the layout, strings are escaped minimally and numbers are written in ECMAScript form, so the
/// output of any layout parses back to an equal value.
public enum JSONWriter {
    /// How the text is laid out.
    public struct Options: Sendable, Equatable {
        /// Sort object keys by UTF-16 code units (RFC 8785 order) instead of keeping document order.
        public var sortKeys: Bool
        /// Break lines and indent nested values by `indent` spaces.
        public var pretty: Bool
        public var indent: Int

        public init(sortKeys: Bool = false, pretty: Bool = false, indent: Int = 2) {
            self.sortKeys = sortKeys
            self.pretty = pretty
            self.indent = indent
        }

        /// Compact, keys in document order.
        public static let compact = Options()
        /// Indented by two spaces, keys in document order.
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
        var writer = Writer(options: options)
        swap(&writer.output, &output)
        writer.write(value, depth: 0)
        swap(&writer.output, &output)
    }
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
        var output: [UInt8] = []
        output.reserveCapacity(256)
        JSONWriter.write(value, into: &output, options: JSONWriter.Options(sortKeys: true))
        return output
    }

    /// Parses `bytes` strictly and returns their canonical form.
    /// - Throws: `JSONParseError` when `bytes` is not a document the strict parser accepts.
    public static func canonicalize(_ bytes: [UInt8], limits: JSONParser.Limits = .init())
        throws(JSONParseError)
        -> [UInt8]
    {
        encode(try JSONParser.parse(bytes, limits: limits))
    }
}

private struct Writer {
    let options: JSONWriter.Options
    var output: [UInt8] = []

    init(options: JSONWriter.Options) { self.options = options }

    mutating func write(_ value: JSONValue, depth: Int) {
        switch value {
        case .null: output.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(true): output.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        case .bool(false): output.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
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
            let order = options.sortKeys ? sortedPositions(object) : Array(object.indices)
            for (count, position) in order.enumerated() {
                if count > 0 { output.append(UInt8(ascii: ",")) }
                newline(depth: depth + 1)
                writeString(object.keys[position])
                output.append(UInt8(ascii: ":"))
                if options.pretty { output.append(UInt8(ascii: " ")) }
                write(object.values[position], depth: depth + 1)
            }
            if !object.isEmpty { newline(depth: depth) }
            output.append(UInt8(ascii: "}"))
        }
    }

    private func sortedPositions(_ object: JSONObject) -> [Int] {
        let keys = object.keys
        var positions = Array(keys.indices)
        // Documents read back from the store are canonical already; checking is cheaper than sorting.
        var sorted = true
        for position in positions.dropFirst() where !utf16Precedes(keys[position - 1], keys[position]) {
            sorted = false
            break
        }
        if !sorted { positions.sort { utf16Precedes(keys[$0], keys[$1]) } }
        return positions
    }

    @inline(__always)
    private mutating func newline(depth: Int) {
        guard options.pretty else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * options.indent))
    }

    private mutating func writeString(_ string: String) {
        var string = string
        string.withUTF8 { bytes in
            output.append(UInt8(ascii: "\""))
            var runStart = 0
            for position in bytes.indices {
                let byte = bytes[position]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                    continue
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
                runStart = position + 1
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
                    output.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    output.append(hexDigit(byte >> 4))
                    output.append(hexDigit(byte & 0xF))
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
            output.append(UInt8(ascii: "\""))
        }
    }
}

@inline(__always)
private func hexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
}
