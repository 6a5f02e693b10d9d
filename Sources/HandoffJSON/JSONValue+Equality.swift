/// JSON equality as JSON Schema defines it: numbers by mathematical value (`1` equals `1.0`, `0` equals
/// `-0`), strings by Unicode scalars, arrays element by element, objects as unordered sets of members.
extension JSONValue: Equatable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): scalarsEqual(a, b)
        case (.array(let a), .array(let b)): a.count == b.count && zip(a, b).allSatisfy { $0 == $1 }
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }
}

extension JSONObject: Equatable {
    /// Objects are equal when they have the same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        // Members are kept in canonical order, so equal objects line up member by member.
        guard lhs.count == rhs.count else { return false }
        for position in lhs.keys.indices {
            guard scalarsEqual(lhs.keys[position], rhs.keys[position]),
                lhs.values[position] == rhs.values[position]
            else { return false }
        }
        return true
    }
}

extension JSONValue: Hashable {
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null:
            hasher.combine(0 as UInt8)
        case .bool(let value):
            hasher.combine(1 as UInt8)
            hasher.combine(value)
        case .number(let value):
            hasher.combine(2 as UInt8)
            // -0 and 0 are equal, so they must hash alike.
            hasher.combine(value == 0 ? 0 : value)
        case .string(let value):
            hasher.combine(3 as UInt8)
            hasher.combine(ScalarKey(value))
        case .array(let elements):
            hasher.combine(4 as UInt8)
            hasher.combine(elements.count)
            for element in elements { hasher.combine(element) }
        case .object(let object):
            hasher.combine(5 as UInt8)
            hasher.combine(object)
        }
    }
}

extension JSONObject: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for (key, value) in self {
            hasher.combine(ScalarKey(key))
            hasher.combine(value)
        }
    }
}
