import Foundation
import SharedTestData
import Testing

/// The regex tests compare the engine with answers recorded in fixtures; these hold the fixtures to the
/// committed programs that make them, so that a fixture edited by hand (or an answer node would not give)
/// cannot pass. They need node, which `scripts/test` installs, and the shared suite; outside CI they are
/// skipped without them, in CI they fail.
struct FixtureGeneratorTests {
    static let root = SharedTestData.repositoryRoot

    static let hasNode =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/node")
        || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/node")

    /// Runs a program from PATH in the repository's root; its exit status and what it printed.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = root
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.enabled(if: hasNode || SharedTestData.isRequired, "node is not installed"))
    func theNodeOracleHoldsNodesAnswers() throws {
        let (status, output) = try Self.run([
            "node", "scripts/fixtures/gen_oracle.js", "--check",
            "Tests/HandoffSchemaTests/Fixtures/node-oracle.json",
        ])
        #expect(status == 0, "\(output)")
    }

    @Test(.enabled(if: hasNode || SharedTestData.isRequired, "node is not installed"))
    func theUnicodeTablesAreNodes() throws {
        let (status, output) = try Self.run([
            "node", "scripts/fixtures/gen_unicode_data.js", "--check",
            "Sources/HandoffSchema/Regex/ECMARegexUnicodeData.swift",
        ])
        #expect(status == 0, "\(output)")
    }

    @Test(.enabled(if: hasNode || SharedTestData.isRequired, "node is not installed"))
    func theRegexTableHoldsNodesAnswers() throws {
        let (status, output) = try Self.run([
            "python3", "scripts/fixtures/check_table.py",
            "Tests/HandoffSchemaTests/Regex/RegexTableTests.swift",
        ])
        #expect(status == 0, "\(output)")
    }

    @Test(.enabled(if: SharedTestData.runsSuiteTests, Comment(rawValue: SharedTestData.absent)))
    func theSuiteCasesAreTheSuites() throws {
        let suite = try #require(SharedTestData.suite, Comment(rawValue: SharedTestData.absent))
        let (status, output) = try Self.run([
            "python3", "scripts/fixtures/extract_suite.py", suite.path, "--check",
            "Tests/HandoffSchemaTests/Fixtures/suite-cases.json",
        ])
        #expect(status == 0, "\(output)")
    }
}
