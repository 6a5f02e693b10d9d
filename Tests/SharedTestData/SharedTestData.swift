import Foundation

/// Where the test suites find the data shared beside the repository (the official JSON-Schema-Test-Suite and
/// the meta-schemas): one lookup for every suite that reads it, so that none looks elsewhere or passes
/// silently without it.
///
/// Outside CI a suite whose data is absent is skipped, with `absent` as the reason. With `CI=true` the data
/// is required: a test that needs it fails instead, so that a broken checkout cannot pass.
public enum SharedTestData {
    /// The repository's root.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `$HANDOFF_SHARED_DIR`, else `<repository>/../shared`, else `/work/shared`: the first that holds
    /// `testdata`.
    public static let root: URL? = {
        var candidates: [URL] = []
        if let configured = ProcessInfo.processInfo.environment["HANDOFF_SHARED_DIR"], !configured.isEmpty {
            candidates.append(URL(fileURLWithPath: configured))
        }
        candidates.append(repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared"))
        candidates.append(URL(fileURLWithPath: "/work/shared"))
        return candidates.first {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("testdata").path)
        }
    }()

    /// The shared test data folder, `testdata`.
    public static var testdata: URL? { root?.appendingPathComponent("testdata") }

    /// The JSON-Schema-Test-Suite, when it is there.
    public static var suite: URL? {
        guard let folder = testdata?.appendingPathComponent("JSON-Schema-Test-Suite"),
            FileManager.default.fileExists(atPath: folder.appendingPathComponent("tests/draft2020-12").path)
        else { return nil }
        return folder
    }

    /// Whether the shared data must be there: in CI (`CI=true`), where its absence is a broken checkout.
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Whether a test that needs the suite runs: when the suite is there, and always in CI (where it then
    /// fails, saying `absent`).
    public static var runsSuiteTests: Bool { suite != nil || isRequired }

    /// Why a suite test did not run, or failed in CI.
    public static let absent =
        "the JSON-Schema-Test-Suite is not there (looked in $HANDOFF_SHARED_DIR, ../shared, /work/shared)"
}
