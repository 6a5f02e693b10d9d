import Foundation
import HandoffJSON
import SharedTestData
import Testing

@testable import HandoffSchema

/// The JSON-Schema-Test-Suite, draft 2020-12: every required test must pass; the optional ones are
/// reported, not enforced.
struct ConformanceTests {
    struct Outcome {
        var passed = 0
        var failures: [String] = []
        var total: Int { passed + failures.count }
    }

    /// Runs one suite file; every test is checked through both `isValid` and `validate`, from the value and
    /// from its bytes.
    static func run(_ file: String, options: ValidationOptions, lenient: Bool = false) throws -> Outcome {
        let suite = try #require(TestData.suite)
        let registry = SchemaRegistry(loaders: [SuiteRemotes(root: suite.appendingPathComponent("remotes"))])
        let url = suite.appendingPathComponent("tests/draft2020-12/" + file)
        let groups = lenient ? try TestData.parseLeniently(url) : try TestData.parse(url)
        var outcome = Outcome()
        for group in groups.arrayValue ?? [] {
            let description = group["description"]?.stringValue ?? "?"
            let tests = group["tests"]?.arrayValue ?? []
            let schema: CompiledSchema
            do {
                schema = try CompiledSchema(group["schema"] ?? .null, registry: registry, options: options)
            } catch {
                for test in tests {
                    outcome.failures.append(
                        "\(file): \(description) / \(test["description"]?.stringValue ?? "?"): "
                            + "schema did not compile: \(error)")
                }
                continue
            }
            for test in tests {
                let expected = test["valid"] == .bool(true)
                let data = test["data"] ?? .null
                let fast = schema.isValid(data)
                let result = schema.validate(data)
                var problem: String?
                if fast != expected || result.isValid != expected {
                    problem =
                        "expected \(expected ? "valid" : "invalid"), isValid \(fast), validate \(result.isValid)"
                        + (result.errors.isEmpty ? "" : " \(result.errors.map(\.description))")
                } else if !expected && result.errors.isEmpty {
                    problem = "invalid but no error reported"
                }
                // From bytes, through a tape: the same answer and the very same errors.
                let bytes = JSONWriter.encode(data)
                let fromBytes = bytes.withUnsafeBytes { bytes in
                    Result { () throws(JSONParseError) in
                        (try schema.isValid(json: bytes), try schema.validate(json: bytes))
                    }
                }
                switch fromBytes {
                case .success(let (tapeValid, tapeResult)):
                    if problem == nil, tapeValid != fast || tapeResult != result {
                        problem =
                            "from bytes: isValid \(tapeValid), errors \(tapeResult.errors.map(\.description)); "
                            + "from the value: isValid \(fast), errors \(result.errors.map(\.description))"
                    }
                case .failure(let error):
                    problem = "from bytes: \(error)"
                }
                if let problem {
                    outcome.failures.append(
                        "\(file): \(description) / \(test["description"]?.stringValue ?? "?"): \(problem)")
                } else {
                    outcome.passed += 1
                }
            }
        }
        return outcome
    }

    static let absent = SharedTestData.absent

    /// Without the suite the conformance tests are reported as skipped, with why, and the rest of the suite
    /// runs; in CI a missing suite fails here.
    @Test(
        "The JSON-Schema-Test-Suite is present",
        .enabled(if: SharedTestData.runsSuiteTests, Comment(rawValue: absent)))
    func suiteIsPresent() throws {
        _ = try #require(TestData.suite, Comment(rawValue: Self.absent))
        #expect(TestData.suiteFiles("").count >= 40)
    }

    @Test(
        "Required draft 2020-12 tests", .enabled(if: TestData.suite != nil, Comment(rawValue: absent)),
        arguments: TestData.suiteFiles(""))
    func required(file: String) throws {
        let outcome = try Self.run(file, options: ValidationOptions())
        for failure in outcome.failures { Issue.record(Comment(rawValue: failure)) }
        #expect(outcome.total > 0)
        print("\(file): \(outcome.passed)/\(outcome.total)")
    }

    /// How many optional tests passed when this was last raised: fewer is a regression.
    static let optionalPassedAtLeast = 924

    @Test(
        "Optional draft 2020-12 tests, format assertion on (no fewer pass than before)",
        .enabled(if: SharedTestData.runsSuiteTests, Comment(rawValue: absent)))
    func optional() throws {
        _ = try #require(TestData.suite, Comment(rawValue: Self.absent))
        let files = TestData.suiteFiles("optional")
        #expect(files.count >= 30)
        var passed = 0
        var total = 0
        var lines: [String] = []
        for file in files {
            var outcome: Outcome
            do {
                outcome = try Self.run(file, options: ValidationOptions(formatAssertion: true))
            } catch {
                // The strict parser refuses the file; run it as JSONSerialization reads it.
                lines.append(
                    "  \(file): refused by the strict parser (\(error)); run as read by JSONSerialization")
                outcome = try Self.run(file, options: ValidationOptions(formatAssertion: true), lenient: true)
            }
            passed += outcome.passed
            total += outcome.total
            if !outcome.failures.isEmpty {
                lines.append("  \(file): \(outcome.passed)/\(outcome.total)")
                lines += outcome.failures.map { "    " + $0 }
            }
        }
        print("optional/ with format assertion: \(passed)/\(total) passed")
        for line in lines { print(line) }
        #expect(passed >= Self.optionalPassedAtLeast, "\(passed) of \(total) optional tests passed")
    }
}
