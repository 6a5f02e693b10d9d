/// Why a document was refused, and where.
///
/// `description` reads `line 4, column 12: duplicate key "step"`; callers that know the input's name put it
/// in front.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem it is; stable, for callers that branch on it.
    public enum Code: String, Sendable {
        case empty
        case notUTF8
        case byteOrderMark
        case unexpectedCharacter
        case unexpectedEnd
        case invalidEscape
        case loneSurrogate
        case controlCharacter
        case noncharacter
        case invalidNumber
        case numberOutOfRange
        case inexactInteger
        case duplicateKey
        case tooDeep
        case tooLarge
        case trailingData
    }

    public let code: Code
    /// What is wrong, without the position.
    public let message: String
    /// Byte offset of the problem from the start of the input.
    public let offset: Int
    /// 1-based line of the problem.
    public let line: Int
    /// 1-based column of the problem, counted in Unicode scalars.
    public let column: Int

    public init(code: Code, message: String, offset: Int, line: Int, column: Int) {
        self.code = code
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}
