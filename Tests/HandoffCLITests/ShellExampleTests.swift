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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        // Any failing command fails the whole example.
        process.arguments = ["-e", "-o", "pipefail", "-c", script]
        process.currentDirectoryURL = HandoffProcess.repositoryRoot
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] =
            HandoffProcess.executable.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "")
        environment["NO_COLOR"] = "1"
        environment.removeValue(forKey: "HANDOFF_STORE")
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let errorData = DataReader(errors.fileHandleForReading)
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let messages = errorData.text()
        #expect(process.terminationStatus == 0, "stdout:\n\(printed)\nstderr:\n\(messages)")
        // The claimed scan was read, then `work` read the second delivery: risk score 15 both times.
        #expect(printed.components(separatedBy: "\n").filter { $0 == "15" }.count == 2, "\(printed)")
        #expect(printed.contains("Processed 1 handoffs for reviewer: done 1."))
        #expect(printed.contains("handed on from coder to security_reviewer"))
        #expect(printed.contains("The store is sound."))
    }
}

/// Reads a pipe to its end on another thread, so that a chatty process cannot fill it and block.
private final class DataReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        DispatchQueue.global().async {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }
    }

    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
