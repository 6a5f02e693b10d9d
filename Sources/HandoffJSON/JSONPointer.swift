/// A JSON Pointer (RFC 6901): a path to a value inside a document, such as `/decisions/3/confidence`.
///
/// ```swift
/// let pointer = try JSONPointer("/decisions/0/tool")
/// document[pointer]  // .string("bird")
/// ```
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    /// The unescaped reference tokens, outermost first.
    public private(set) var tokens: [String]

    /// The pointer to the whole document.
    public static let root = JSONPointer(tokens: [])

    public init(tokens: [String]) { self.tokens = tokens }

    /// Parses the pointer's string form.
    /// - Throws: `JSONPointerError` when the text is not a pointer: it does not start with `/`, or has a `~`
    ///   not followed by `0` or `1`.
    public init(_ text: String) throws(JSONPointerError) {
        guard !text.isEmpty else {
            self.tokens = []
            return
        }
        guard text.hasPrefix("/") else {
            throw JSONPointerError(pointer: text, message: "a JSON Pointer must be empty or start with '/'")
        }
        var tokens: [String] = []
        for rawToken in text.utf8.dropFirst().split(
            separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        {
            var token: [UInt8] = []
            var iterator = rawToken.makeIterator()
            while let byte = iterator.next() {
                guard byte == UInt8(ascii: "~") else {
                    token.append(byte)
                    continue
                }
                switch iterator.next() {
                case UInt8(ascii: "0"): token.append(UInt8(ascii: "~"))
                case UInt8(ascii: "1"): token.append(UInt8(ascii: "/"))
                default:
                    throw JSONPointerError(pointer: text, message: "'~' must be followed by '0' or '1'")
                }
            }
            tokens.append(String(decoding: token, as: UTF8.self))
        }
        self.tokens = tokens
    }

    /// The pointer one level down.
    public func appending(_ token: String) -> JSONPointer {
        var copy = self
        copy.tokens.append(token)
        return copy
    }

    /// The pointer one level down, into an array element.
    public func appending(_ index: Int) -> JSONPointer { appending(String(index)) }

    /// The pointer's string form, with `~` and `/` escaped.
    public var description: String {
        var text = ""
        for token in tokens {
            text += "/"
            for character in token.unicodeScalars {
                switch character {
                case "~": text += "~0"
                case "/": text += "~1"
                default: text.unicodeScalars.append(character)
                }
            }
        }
        return text
    }

    /// The array index a reference token names: decimal digits without a leading zero (RFC 6901).
    static func arrayIndex(_ token: String) -> Int? {
        let utf8 = token.utf8
        guard let first = utf8.first, utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        guard first != UInt8(ascii: "0") || utf8.count == 1 else { return nil }
        return Int(token)
    }
}

/// A string that is not a JSON Pointer.
public struct JSONPointerError: Error, Sendable, Equatable, CustomStringConvertible {
    public let pointer: String
    public let message: String

    public init(pointer: String, message: String) {
        self.pointer = pointer
        self.message = message
    }

    public var description: String { "invalid JSON Pointer \"\(pointer)\": \(message)" }
}

extension JSONValue {
    /// The value the pointer addresses, or `nil` when there is none.
    public subscript(pointer: JSONPointer) -> JSONValue? {
        var current = self
        for token in pointer.tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let elements):
                guard let index = JSONPointer.arrayIndex(token), index < elements.count else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }
}
