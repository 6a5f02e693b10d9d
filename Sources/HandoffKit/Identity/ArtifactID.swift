/// The identity of an artifact: `xxh128:` and 32 lowercase hex digits of XXH3-128 over its RFC 8785 bytes.
///
/// The same content has the same id on every machine. Parsing accepts nothing else, so an id is safe to
/// turn into a path.
///
/// ```swift
/// let id = try ArtifactID(parsing: "xxh128:99aa06d3014798d86001c324468d497f")
/// ```
public struct ArtifactID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The high 64 bits of the digest (the first 16 hex digits).
    public let high: UInt64
    /// The low 64 bits of the digest.
    public let low: UInt64

    /// The prefix every id starts with; it names the hash function.
    public static let scheme = "xxh128:"

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses a complete id.
    /// - Throws: `HandoffError` with code `.usage` saying what is wrong with `text`.
    public init(parsing text: String) throws(HandoffError) {
        let reference = try ArtifactReference(parsing: text)
        guard let id = reference.completeID else {
            throw HandoffError(
                .usage, "\(quotedForMessage(text)) is not a complete artifact id",
                hint: "an artifact id is xxh128: followed by 32 hex digits")
        }
        self = id
    }

    /// The id `bytes` spell in its written form, `xxh128:` and 32 lowercase hex digits, read without building
    /// strings (listings read thousands); nil for any other spelling.
    init?(written bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 39, bytes.starts(with: Self.scheme.utf8), let high = readHex(bytes[7..<23]),
            let low = readHex(bytes[23..<39])
        else { return nil }
        self.init(high: high, low: low)
    }

    /// The 32 hex digits without the scheme.
    /// The id cut to 12 hex digits, as listings, chains and notes show it; any prefix of 4 or more resolves.
    public var short: String { "xxh128:" + hex.prefix(12) }

    public var hex: String {
        String(unsafeUninitializedCapacity: 32) { digits in
            writeHex(high, into: digits, at: 0)
            writeHex(low, into: digits, at: 16)
            return 32
        }
    }

    /// `xxh128:` and the hex digits; written straight into the string, as listings print thousands.
    public var description: String {
        String(unsafeUninitializedCapacity: 39) { text in
            for (position, byte) in "xxh128:".utf8.enumerated() { text[position] = byte }
            writeHex(high, into: text, at: 7)
            writeHex(low, into: text, at: 23)
            return 39
        }
    }

    public static func < (lhs: ArtifactID, rhs: ArtifactID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

/// What a user may type for an artifact: a complete id, or a unique prefix of at least 8 hex digits,
/// with or without `xxh128:`.
public struct ArtifactReference: Sendable, Hashable, CustomStringConvertible {
    /// The lowercase hex digits given, 8 to 32 of them.
    public let hexPrefix: String

    /// The fewest hex digits a prefix may have.
    public static let minimumPrefixLength = 8

    /// Parses what a user typed.
    /// - Throws: `HandoffError` with code `.usage` saying what is wrong with `text`.
    public init(parsing text: String) throws(HandoffError) {
        var digits = Substring(text)
        if digits.hasPrefix(ArtifactID.scheme) {
            digits = digits.dropFirst(ArtifactID.scheme.count)
        } else if let colon = digits.firstIndex(of: ":") {
            let scheme = digits[..<colon]
            if scheme.lowercased() == "xxh128" {
                throw HandoffError(
                    .usage, "artifact id \(quotedForMessage(text)) must be lowercase",
                    hint: "write xxh128: and lowercase hex")
            }
            throw HandoffError(
                .usage,
                "\(quotedForMessage(text)) is not an artifact id: unknown hash \(quotedForMessage(String(scheme)))",
                hint: "artifact ids start with xxh128:")
        }
        let utf8 = digits.utf8
        if utf8.allSatisfy(isHexDigit), utf8.contains(where: { (0x41...0x46).contains($0) }) {
            throw HandoffError(
                .usage, "artifact id \(quotedForMessage(text)) must be lowercase",
                hint: "write the hex digits in lowercase")
        }
        guard !utf8.isEmpty, utf8.count <= 32, utf8.allSatisfy(isLowercaseHexDigit) else {
            throw HandoffError(
                .usage, "\(quotedForMessage(text)) is not an artifact id",
                hint:
                    "an artifact id is xxh128: followed by 32 hex digits; a unique prefix of 8 or more digits also works"
            )
        }
        guard utf8.count >= Self.minimumPrefixLength else {
            throw HandoffError(
                .usage, "artifact id prefix \(quotedForMessage(text)) is too short",
                hint: "give at least \(Self.minimumPrefixLength) hex digits")
        }
        hexPrefix = String(digits)
    }

    /// The id itself, when all 32 digits were given.
    public var completeID: ArtifactID? {
        guard hexPrefix.utf8.count == 32 else { return nil }
        let utf8 = Array(hexPrefix.utf8)
        guard let high = readHex(utf8[0..<16]), let low = readHex(utf8[16..<32]) else { return nil }
        return ArtifactID(high: high, low: low)
    }

    public var description: String { ArtifactID.scheme + hexPrefix }
}

private func isHexDigit(_ byte: UInt8) -> Bool {
    isLowercaseHexDigit(byte) || (0x41...0x46).contains(byte)
}

private func isLowercaseHexDigit(_ byte: UInt8) -> Bool {
    (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
}

private func writeHex(_ value: UInt64, into digits: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
    for position in 0..<16 {
        let nibble = UInt8(truncatingIfNeeded: value >> (60 - 4 * UInt64(position))) & 0xF
        digits[start + position] = nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10
    }
}

/// The value of up to 16 lowercase hex digits; nil when one is anything else.
private func readHex(_ digits: some Collection<UInt8>) -> UInt64? {
    var value: UInt64 = 0
    for digit in digits {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt64(digit &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"):
            value = value << 4 | UInt64(digit &- UInt8(ascii: "a") &+ 10)
        default: return nil
        }
    }
    return value
}

/// `text` in quotes for an error message, with control characters escaped and long input shortened, so that
/// hostile input cannot garble the terminal.
package func quotedForMessage(_ text: String, limit: Int = 80) -> String {
    var result = "\""
    var count = 0
    for scalar in text.unicodeScalars {
        if count == limit {
            result += "…"
            break
        }
        count += 1
        switch scalar.value {
        case 0x22: result += "\\\""
        case 0x5C: result += "\\\\"
        case 0..<0x20, 0x7F, 0x80..<0xA0:
            let hex = String(scalar.value, radix: 16)
            result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}
