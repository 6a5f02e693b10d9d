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
///
/// The store is where `TestBackend.current` keeps stores: in the directory, or in a PostgreSQL schema of
/// its own that goes with it.
public final class TemporaryStore: Sendable {
    /// The store.
    public let store: Store
    private let directory: TemporaryDirectory

    /// A directory for the test's files; the store's folder when stores are folders.
    public var path: String { directory.path }

    /// Where the store is, to open it again: `path`, or the URL of its schema.
    public let location: String

    /// Creates the store with `configuration`.
    public init(configuration: Store.Configuration = .init()) throws {
        directory = try TemporaryDirectory(prefix: "handoff-store")
        location = TestBackend.current.freshLocation(folder: directory.path)
        store = try Store.create(at: location, configuration: configuration)
    }

    deinit { TestBackend.remove(location) }
}
