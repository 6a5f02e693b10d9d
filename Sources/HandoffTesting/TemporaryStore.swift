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
    private let directory: TemporaryDirectory

    /// The store's directory.
    public var path: String { directory.path }

    /// Creates the store with `configuration`.
    public init(configuration: Store.Configuration = .init()) throws {
        directory = try TemporaryDirectory(prefix: "handoff-store")
        store = try Store.create(at: directory.path, configuration: configuration)
    }
}
