import Foundation
import Testing

/// The README's shell section is a promise: it runs as written, from the repository's root, against the
/// samples it names.
struct ShellExampleTests {
    /// The `sh` block under "Using it from a shell".
    static func example() throws -> String {
        let readme = try String(
            contentsOf: HandoffProcess.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## Using it from a shell\n"))
        let rest = readme[section.upperBound...]
        let start = try #require(rest.range(of: "```sh\n"))
        let end = try #require(rest[start.upperBound...].range(of: "\n```\n"))
        return String(rest[start.upperBound..<end.lowerBound])
    }

    @Test func theReadmeShellSectionRunsAsWritten() throws {
        let script = try Self.example()
        #expect(script.contains("handoff claim") && script.contains("handoff work"))
        let path = HandoffProcess.executable.deletingLastPathComponent().path
        // Any failing command fails the whole example.
        let result = try HandoffProcess.run(
            ["-e", "-o", "pipefail", "-c", script],
            environment: ["PATH": path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")],
            directory: HandoffProcess.repositoryRoot.path, program: URL(fileURLWithPath: "/bin/bash"))
        let printed = result.output
        #expect(result.status == 0, "stdout:\n\(printed)\nstderr:\n\(result.stderr)")
        // The claimed scan was read, then `work` read the second delivery: risk score 15 both times.
        #expect(printed.components(separatedBy: "\n").filter { $0 == "15" }.count == 2, "\(printed)")
        #expect(printed.components(separatedBy: "Processed 1 handoffs for reviewer: done 1.").count == 3)
        // The pipeline step handed its review on to the summarizer.
        #expect(printed.contains("from reviewer  tool-result-v1"), "\(printed)")
        #expect(printed.contains("handed on from coder to security_reviewer"))
        #expect(printed.contains("The store is sound."))
    }
}
