import HandoffJSON

/// What the validator reads of the value it checks: a `JSONValue` tree, or a value of a `JSONTape` when
/// validating straight from bytes. The validator is generic over it, so each is walked by code made for
/// it: the tape's without any reference counting.
///
/// Objects' members are in canonical key order in both, so errors come in the same order either way.
protocol Instance {
    var kind: JSONTape.Kind { get }
    /// The number, for a number.
    var doubleValue: Double { get }
    /// Elements of an array, members of an object.
    var count: Int { get }
    /// The element at `position` of an array.
    func element(_ position: Int) -> Self
    /// The key of the member at `position` of an object, as a string value.
    func key(_ position: Int) -> Self
    /// The value of the member at `position` of an object.
    func value(_ position: Int) -> Self
    /// The position of the member named `name`, for an object.
    func position(ofKey name: String) -> Int?
    /// Calls `body` with the UTF-8 bytes of a string.
    func withUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result
    /// The string, for a string.
    var textValue: String { get }
    /// The value as a tree, for messages and the rare keywords that compare whole values.
    var jsonValue: JSONValue { get }
    /// JSON equality with a value of the schema.
    func equals(_ other: JSONValue) -> Bool
    /// JSON equality with another value of the same instance.
    func equals(_ other: Self) -> Bool
}

extension JSONValue: Instance {
    var kind: JSONTape.Kind {
        switch self {
        case .null: .null
        case .bool: .bool
        case .number: .number
        case .string: .string
        case .array: .array
        case .object: .object
        }
    }

    var count: Int {
        switch self {
        case .array(let elements): elements.count
        case .object(let object): object.count
        default: 0
        }
    }

    func element(_ position: Int) -> JSONValue {
        guard case .array(let elements) = self else { preconditionFailure("not an array") }
        return elements[position]
    }

    func key(_ position: Int) -> JSONValue {
        guard case .object(let object) = self else { preconditionFailure("not an object") }
        return .string(object.keys[position])
    }

    func value(_ position: Int) -> JSONValue {
        guard case .object(let object) = self else { preconditionFailure("not an object") }
        return object.values[position]
    }

    func position(ofKey name: String) -> Int? {
        guard case .object(let object) = self else { return nil }
        return object.position(of: name)
    }

    func withUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        guard case .string(var string) = self else { preconditionFailure("not a string") }
        return string.withUTF8(body)
    }

    var textValue: String {
        guard case .string(let string) = self else { preconditionFailure("not a string") }
        return string
    }

    var doubleValue: Double {
        guard case .number(let number) = self else { preconditionFailure("not a number") }
        return number
    }

    var jsonValue: JSONValue { self }

    func equals(_ other: JSONValue) -> Bool { self == other }
}

extension TapeValue: Instance {
    func position(ofKey name: String) -> Int? {
        var name = name
        return name.withUTF8 { position(ofKey: $0) }
    }

    func withUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result { body(utf8) }
}
