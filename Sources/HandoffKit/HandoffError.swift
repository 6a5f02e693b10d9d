/// An error from the store that a caller can act on: a stable `code`, a message that names the input, an
/// optional hint, and the underlying cause when there is one.
///
/// ```swift
/// do { try store.put(document, from: "scanner") }
/// catch let error as HandoffError where error.code == .invalidInput { … }
/// ```
public struct HandoffError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it is. Each maps to one of the command line's exit statuses; its raw value,
    /// in snake_case like every name in the JSON output, is the `code` of a JSON error.
    public enum Code: String, Sendable, CaseIterable {
        /// A check found something wanting (an invalid artifact in `validate`, damage found by `verify`).
        case checkFailed = "check_failed"
        /// Nothing to claim.
        case nothingToClaim = "nothing_to_claim"
        /// The receipt no longer holds.
        case conflict
        /// A malformed argument: a bad id, name or option value.
        case usage
        /// Bad input data: not JSON, not UTF-8, too large or deep, no or unknown schema, invalid artifact.
        case invalidInput = "invalid_input"
        /// No such artifact, handoff, schema or store.
        case notFound = "not_found"
        /// Reading or writing failed, or stored data is damaged.
        case io
        /// The store stayed locked by other processes beyond the busy timeout.
        case busy

        /// The command line's exit status for this kind of failure.
        public var exitStatus: Int32 {
            switch self {
            case .checkFailed: 1
            case .nothingToClaim: 2
            case .conflict: 3
            case .usage: 64
            case .invalidInput: 65
            case .notFound: 66
            case .io: 74
            case .busy: 75
            }
        }
    }

    public let code: Code
    /// What went wrong and with which input.
    public let message: String
    /// What to do about it, when there is something to say.
    public let hint: String?
    /// Further lines: every error of an invalid artifact (the first of them included, though `message`
    /// names it too, so that a program reading the details sees them all), or lines that add to the message.
    public let details: [String]
    /// The lower-level error, when there was one.
    public let cause: (any Error & Sendable)?

    public init(
        _ code: Code, _ message: String, hint: String? = nil, details: [String] = [],
        cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.hint = hint
        self.details = details
        self.cause = cause
    }

    /// The details a person reads below the message: all of them but a first one the message ends with.
    public var detailLines: ArraySlice<String> {
        guard let first = details.first, message.hasSuffix(first) else { return details[...] }
        return details.dropFirst()
    }

    public var description: String {
        guard let hint else { return message }
        return "\(message) (\(hint))"
    }
}
