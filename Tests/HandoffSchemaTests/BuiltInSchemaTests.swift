import Foundation
import HandoffJSON
import HandoffSchema
import Testing

/// Schemas/ is the one source of the built-in schemas: every file there is built into the library, byte
/// for byte, and nothing else is.
struct BuiltInSchemaTests {
    static let folder = TestData.repositoryRoot.appendingPathComponent("Schemas")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter {
            $0.hasSuffix(".schema.json")
        }.sorted()
    }

    @Test func everySchemaFileIsBuiltInAndNothingElse() {
        #expect(!Self.files.isEmpty)
        #expect(BuiltInSchemas.names == Self.files.map { String($0.dropLast(".schema.json".count)) })
    }

    @Test(arguments: files)
    func theBuiltInCopyIsTheFile(file: String) throws {
        let name = String(file.dropLast(".schema.json".count))
        let onDisk = try Data(contentsOf: Self.folder.appendingPathComponent(file))
        #expect(BuiltInSchemas.bytes(named: name) == Array(onDisk))
        let document = try #require(BuiltInSchemas.document(named: name))
        #expect(document["$id"]?.stringValue == BuiltInSchemas.uri(named: name))
        #expect(
            document["x-handoff-next-actions"]?.arrayValue?.isEmpty == false,
            "each declares where its next actions live")
        // Compiled from the document, it is checked against its metaschema: this is the check the store's
        // catalog relies on when it compiles built-in schemas without repeating it in every process.
        #expect(throws: Never.self) {
            try CompiledSchema(document, options: ValidationOptions(formatAssertion: true))
        }
    }
}
