import Foundation
import HandoffKit

/// A store in a fresh temporary directory, removed with everything in it when the last reference goes.
///
/// ```swift
/// @Test func reviewerGetsTheScan() throws {
///     let temporary = try TemporaryStore()
///     try temporary.store.put(scan, from: "scanner", to: ["reviewer"])
///     #expect(try temporary.store.inbox("reviewer").count == 1)
/// }
/// ```
public final class TemporaryStore: Sendable {
    /// The store.
    public let store: Store
    /// Its directory.
    public let path: String

    /// Creates the store with `configuration`.
    public init(configuration: Store.Configuration = .init()) throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/handoff-store-" + UUID().uuidString
        store = try Store.create(at: path, configuration: configuration)
    }

    deinit {
        // Objects are read-only; their directories are what must be writable to remove them.
        if let enumerator = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in enumerator {
                try? FileManager.default.setAttributes(
                    [.posixPermissions: 0o700], ofItemAtPath: path + "/" + relative)
            }
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}
