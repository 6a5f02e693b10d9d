import Foundation
import HandoffJSON
import HandoffSchema
import Testing

/// The sample artifacts in Samples/: each valid one validates against its schema in Schemas/, and each
/// invalid one fails with exactly the keyword and place that Samples/invalid/expectations.json names.
struct SampleTests {
    static let samples = TestData.repositoryRoot.appendingPathComponent("Samples")

    /// `<schema>/<file>.json` for every sample under `Samples/<folder>`.
    static func files(_ folder: String) -> [String] {
        let root = samples.appendingPathComponent(folder)
        let schemas = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return schemas.sorted().flatMap { schema in
            let files =
                (try? FileManager.default.contentsOfDirectory(
                    atPath: root.appendingPathComponent(schema).path)) ?? []
            return files.filter { $0.hasSuffix(".json") }.sorted().map { "\(schema)/\($0)" }
        }
    }

    /// The four artifact schemas, compiled once with format assertion on (as artifacts are checked).
    static let schemas: [String: CompiledSchema] = {
        let folder = TestData.repositoryRoot.appendingPathComponent("Schemas")
        var compiled: [String: CompiledSchema] = [:]
        for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        where file.hasSuffix(".schema.json") {
            let document = try! TestData.parse(folder.appendingPathComponent(file))
            compiled[String(file.dropLast(".schema.json".count))] = try! CompiledSchema(
                document, options: ValidationOptions(formatAssertion: true))
        }
        return compiled
    }()

    static func validate(_ sample: String, in folder: String) throws -> ValidationResult {
        let schemaName = String(sample.prefix { $0 != "/" })
        let schema = try #require(schemas[schemaName], "no schema \(schemaName)")
        let document = try TestData.parse(
            samples.appendingPathComponent(folder).appendingPathComponent(sample))
        return schema.validate(document)
    }

    @Test("Valid samples validate", arguments: files("valid"))
    func valid(sample: String) throws {
        let result = try Self.validate(sample, in: "valid")
        #expect(result.isValid, "\(result.errors.map(\.description))")
    }

    @Test("Invalid samples fail where expectations.json says", arguments: files("invalid"))
    func invalid(sample: String) throws {
        let expectations = try TestData.parse(
            Self.samples.appendingPathComponent("invalid/expectations.json"))
        let expected = try #require(expectations[sample], "no expectation for \(sample)")
        let result = try Self.validate(sample, in: "invalid")
        #expect(!result.isValid)
        let found = result.errors.map { "\($0.keyword) at \($0.instanceLocation)" }
        #expect(
            found == [
                "\(expected["keyword"]?.stringValue ?? "?") at \(expected["instanceLocation"]?.stringValue ?? "?")"
            ],
            "\(result.errors.map(\.description))")
    }

    @Test("Every invalid sample has an expectation, and every expectation a sample")
    func expectationsMatchFiles() throws {
        let expectations = try TestData.parse(
            Self.samples.appendingPathComponent("invalid/expectations.json"))
        let named = Set(expectations.objectValue?.keys ?? [String]())
        #expect(named == Set(Self.files("invalid")))
    }
}
