extension JSONValue {
    /// Whether arrays and objects nest more than `limit` levels deep (a scalar is at level 0, the members of
    /// a top-level object at level 1). Looks no deeper than `limit + 1` levels.
    public func nestingExceeds(_ limit: Int) -> Bool {
        switch self {
        case .null, .bool, .number, .string: false
        case .array(let elements): limit < 1 || elements.contains { $0.nestingExceeds(limit - 1) }
        case .object(let object): limit < 1 || object.values.contains { $0.nestingExceeds(limit - 1) }
        }
    }

    /// The first place where this value is not I-JSON (RFC 7493), which the parser would refuse to read back:
    /// a NaN or infinite number, or a string or key holding a Unicode noncharacter.
    ///
    /// Values the parser produced never have one; values built in code can.
    public func firstInterchangeProblem() -> (pointer: JSONPointer, message: String)? {
        // Most values have none: find that out without building a pointer at every level.
        guard hasInterchangeProblem else { return nil }
        return firstInterchangeProblem(at: .root)
    }

    private var hasInterchangeProblem: Bool {
        switch self {
        case .null, .bool: false
        case .number(let number): !number.isFinite
        case .string(let string): mayHoldNoncharacter(string) && noncharacter(in: string) != nil
        case .array(let elements): elements.contains { $0.hasInterchangeProblem }
        case .object(let object):
            object.keys.contains { mayHoldNoncharacter($0) && noncharacter(in: $0) != nil }
                || object.values.contains { $0.hasInterchangeProblem }
        }
    }

    private func firstInterchangeProblem(at pointer: JSONPointer) -> (pointer: JSONPointer, message: String)?
    {
        switch self {
        case .null, .bool:
            return nil
        case .number(let number):
            return number.isFinite ? nil : (pointer, "\(number) is not a JSON number")
        case .string(let string):
            return noncharacter(in: string).map { (pointer, "the string holds the noncharacter \($0)") }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                if let problem = element.firstInterchangeProblem(at: pointer.appending(index)) {
                    return problem
                }
            }
            return nil
        case .object(let object):
            for (key, value) in object {
                if let scalar = noncharacter(in: key) {
                    return (pointer, "the key \"\(key)\" holds the noncharacter \(scalar)")
                }
                if let problem = value.firstInterchangeProblem(at: pointer.appending(key)) { return problem }
            }
            return nil
        }
    }
}

/// Whether a string has a byte that may start a noncharacter: U+FDD0…U+FDEF and U+xFFFE, U+xFFFF all start
/// with a byte of 0xEF or more in UTF-8. Reads the bytes in place where the string has them.
@inline(__always)
private func mayHoldNoncharacter(_ string: String) -> Bool {
    let found = string.utf8.withContiguousStorageIfAvailable { bytes in
        for byte in bytes where byte >= 0xEF { return true }
        return false
    }
    return found ?? string.utf8.contains { $0 >= 0xEF }
}

private func noncharacter(in string: String) -> String? {
    guard mayHoldNoncharacter(string) else { return nil }
    for scalar in string.unicodeScalars {
        let value = scalar.value
        guard (0xFDD0...0xFDEF).contains(value) || value & 0xFFFE == 0xFFFE else { continue }
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
    return nil
}

/// `parts` with `separator` between them, as `joined(separator:)` gives them. The standard library's is
/// generic over `StringProtocol` and not specialized for callers in other modules: its first call in a
/// process looks an associated type up by name, which scans all of the binary's conformance records
/// (0.19M instructions, 7% of an inbox listing). Commands that run once per action use this instead.
package func joinedText(_ parts: [String], separator: String) -> String {
    var text = ""
    for (position, part) in parts.enumerated() {
        if position > 0 { text += separator }
        text += part
    }
    return text
}
