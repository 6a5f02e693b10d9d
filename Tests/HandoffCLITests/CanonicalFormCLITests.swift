import Foundation
import Testing

struct CanonicalFormCLITests {
    /// DESIGN.md's promise: `handoff hash F` equals `xxhsum -H2` of `handoff canonicalize F`, for every sample.
    @Test func hashIsXXHSumOfTheCanonicalBytesForEverySample() throws {
        guard let xxhsum = findExecutable("xxhsum") else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("xxhsum is not installed (Debian package xxhash); scripts/test installs it")
            }
            return
        }
        let files = sampleFiles()
        #expect(files.count >= 50)
        for relative in files {
            let path = HandoffProcess.samples.appendingPathComponent(relative).path
            let canonical = try HandoffProcess.run(["canonicalize", path])
            #expect(canonical.status == 0, "\(relative): \(canonical.stderr)")
            let hash = try HandoffProcess.run(["hash", path])
            #expect(hash.status == 0, "\(relative): \(hash.stderr)")
            let reference = ChildProcess()
            reference.executableURL = URL(fileURLWithPath: xxhsum)
            reference.arguments = ["-H2", "-"]
            let input = Pipe()
            let output = Pipe()
            reference.standardInput = input
            reference.standardOutput = output
            try reference.run()
            input.fileHandleForWriting.write(canonical.stdout)
            try input.fileHandleForWriting.close()
            let digest = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .split(separator: " ").first.map(String.init)
            reference.waitUntilExit()
            #expect(hash.output == "xxh128:\(digest ?? "?")\n", "\(relative)")
        }
    }

    @Test func canonicalizePrintsTheBytesWithoutATrailingNewline() throws {
        let result = try HandoffProcess.run(
            ["canonicalize"], stdin: "{\n  \"b\": [1.0, 2e1, \"\\u00e9\"],\n  \"a\": null\n}\n")
        #expect(result.status == 0)
        #expect(result.output == #"{"a":null,"b":[1,20,"é"]}"#)
    }

    @Test func hashOfEquivalentDocumentsIsTheSame() throws {
        let one = try HandoffProcess.run(["hash"], stdin: #"{"schema": "x-v1", "n": 1.0, "s": "\u00e9"}"#)
        let two = try HandoffProcess.run(["hash"], stdin: "{\"s\":\"é\",\"n\":1,\"schema\":\"x-v1\"}")
        #expect(one.status == 0)
        #expect(one.output == two.output)
        #expect(one.output.hasPrefix("xxh128:"))
        #expect(one.output.count == "xxh128:".count + 32 + 1)
    }

    @Test func hashJSONGivesIDAndSize() throws {
        let result = try HandoffProcess.run(["hash", "--json"], stdin: #"{"b": 2, "a": 1}"#)
        let object = try #require(try result.json() as? [String: Any])
        #expect(object["size"] as? Int == #"{"a":1,"b":2}"#.utf8.count)
        #expect((object["id"] as? String)?.hasPrefix("xxh128:") == true)
    }
}

func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}
