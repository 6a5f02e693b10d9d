import Dispatch
import HandoffKit

/// Runs the pages' store work one piece at a time on a thread of its own: the store's calls block (SQLite,
/// libpq), and must neither hold up the server's threads nor run two at once on one connection.
final class StoreQueue: Sendable {
    private let queue = DispatchQueue(label: "handoff-ui.store")

    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
