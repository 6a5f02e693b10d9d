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
        firstInterchangeProblem(at: .root)
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

private func noncharacter(in string: String) -> String? {
    // Noncharacters are U+FDD0…U+FDEF and U+xFFFE, U+xFFFF; in UTF-8 they all start with a byte of 0xEF or more.
    guard string.utf8.contains(where: { $0 >= 0xEF }) else { return nil }
    for scalar in string.unicodeScalars {
        let value = scalar.value
        guard (0xFDD0...0xFDEF).contains(value) || value & 0xFFFE == 0xFFFE else { continue }
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
    return nil
}
