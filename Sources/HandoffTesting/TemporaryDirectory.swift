import Foundation

/// A fresh directory under the system's temporary directory, removed with everything in it when the last
/// reference goes.
public final class TemporaryDirectory: Sendable {
    /// The directory's path.
    public let path: String

    /// Creates the directory, named `<prefix>-<uuid>`.
    public init(prefix: String = "handoff") throws {
        path = FileManager.default.temporaryDirectory.path + "/\(prefix)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        // A store's objects are read-only; their directories must be writable for them to be removed.
        if let enumerator = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in enumerator {
                try? FileManager.default.setAttributes(
                    [.posixPermissions: 0o700], ofItemAtPath: path + "/" + relative)
            }
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}
