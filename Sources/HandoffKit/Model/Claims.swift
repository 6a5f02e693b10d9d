import HandoffJSON

/// Proof that a consumer holds the lease on a handoff: `<handoff id>.<attempt>.<token>`.
///
/// A receipt is good for one claim only: once the lease expires and the handoff is claimed again, or once
/// it is acked or released, it no longer holds and using it is a conflict.
public struct Receipt: Sendable, Hashable, CustomStringConvertible {
    public let handoffID: String
    /// Which claim of the handoff this is (its attempt number).
    public let attempt: Int
    /// A random token that only this claim knows.
    public let token: String

    package init(handoffID: String, attempt: Int, token: String) {
        self.handoffID = handoffID
        self.attempt = attempt
        self.token = token
    }

    /// Parses a receipt as `claim` printed it.
    /// - Throws: `HandoffError` `.usage` when `text` is not a receipt.
    public init(parsing text: String) throws(HandoffError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, HandoffID.isWellFormed(String(parts[0])), let attempt = Int(parts[1]),
            attempt > 0,
            parts[2].utf8.count == 32,
            parts[2].utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else {
            throw HandoffError(
                .usage, "\(quotedForMessage(text)) is not a receipt",
                hint: "use the receipt `handoff claim` printed: <handoff id>.<attempt>.<token>")
        }
        self.init(handoffID: String(parts[0]), attempt: attempt, token: String(parts[2]))
    }

    public var description: String { "\(handoffID).\(attempt).\(token)" }

    package static func make(handoffID: String, attempt: Int) -> Receipt {
        Receipt(handoffID: handoffID, attempt: attempt, token: newToken())
    }

    /// 128 random bits in hex: a token only the claim that drew it knows.
    package static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return joinedText(
            [generator.next(), generator.next()].map { value in
                let hex = String(value, radix: 16)
                return String(repeating: "0", count: 16 - hex.count) + hex
            }, separator: "")
    }
}

/// A handoff a consumer has claimed, with the receipt that lets it ack, release or extend it.
public struct Claim: Sendable {
    public let handoff: Handoff
    public let receipt: Receipt

    package init(handoff: Handoff, receipt: Receipt) {
        self.handoff = handoff
        self.receipt = receipt
    }
}

/// How a consumer finished a handoff.
public enum Outcome: String, Sendable, CaseIterable {
    /// It did the work.
    case done
    /// It could not proceed (missing input, a dependency failed); a person or another bot should look.
    case blocked
    /// It refused the artifact (wrong kind, invalid content).
    case rejected

    package var state: Handoff.State {
        switch self {
        case .done: .done
        case .blocked: .blocked
        case .rejected: .rejected
        }
    }
}

/// One thing that happened to a handoff after it was created.
public struct HandoffEvent: Sendable, Hashable {
    /// `claimed`, `expired`, `done`, `blocked`, `rejected`, `released`, `extended`, `dead`, `retried`, `routed`.
    public let kind: String
    public let at: Timestamp
    public let worker: String?
    public let attempt: Int?
    public let leaseExpiresAt: Timestamp?
    public let note: String?

    package init(
        kind: String, at: Timestamp, worker: String?, attempt: Int?, leaseExpiresAt: Timestamp?, note: String?
    ) {
        self.kind = kind
        self.at = at
        self.worker = worker
        self.attempt = attempt
        self.leaseExpiresAt = leaseExpiresAt
        self.note = note
    }
}

/// An action an artifact recommends to whoever reads it next, and where in the document it came from.
public struct NextAction: Sendable, Hashable {
    /// The action's name, such as `manual_review`.
    public let action: String
    /// JSON Pointer to the string that names it, or for an inferred action, to the value it was inferred from.
    public let source: String
    /// Whether it was inferred (errors → `review_errors`, low confidence → `verify_low_confidence_decisions`)
    /// rather than written in the artifact.
    public let inferred: Bool

    public init(action: String, source: String, inferred: Bool) {
        self.action = action
        self.source = source
        self.inferred = inferred
    }
}

extension Receipt {
    /// Why a receipt no longer holds its handoff, in `state` after `attempts` claims: the conflict every
    /// backend reports, nothing changed.
    package static func conflict(_ receipt: Receipt, state: String, attempts: Int) -> HandoffError {
        let message: String
        if receipt.attempt > attempts {
            // No claim has had this attempt's number yet: made up or mistyped, never printed by `claim`.
            let claims =
                attempts == 0
                ? "has never been claimed" : "has been claimed \(attempts) time\(attempts == 1 ? "" : "s")"
            return HandoffError(
                .conflict,
                "no such receipt was issued: handoff \(receipt.handoffID) \(claims), so there is no attempt \(receipt.attempt)",
                hint: "nothing was changed; use the receipt `handoff claim` printed, whole")
        } else if state == "claimed", attempts == receipt.attempt {
            // The same claim, another token: not a receipt `claim` printed (mistyped, or forged).
            return HandoffError(
                .conflict,
                "the receipt's token does not match: handoff \(receipt.handoffID) is claimed (attempt \(attempts)) under another receipt",
                hint: "nothing was changed; use the receipt `handoff claim` printed, whole")
        } else if state == "claimed" || attempts > receipt.attempt {
            message =
                "the receipt no longer holds: its lease expired and handoff \(receipt.handoffID) was claimed again (attempt \(attempts))"
        } else if state == "pending" {
            message =
                "the receipt no longer holds: handoff \(receipt.handoffID) was released back to the inbox"
        } else {
            message = "the receipt no longer holds: handoff \(receipt.handoffID) is already \(state)"
        }
        return HandoffError(.conflict, message, hint: "nothing was changed; claim again to work on it")
    }
}
