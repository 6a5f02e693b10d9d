import Foundation
import HandoffJSON
import HandoffSchema
import SharedTestData

/// Where the tests find their data: the repository (Schemas, Samples, fixtures) and the shared test data
/// (the JSON-Schema-Test-Suite), which CI checks out beside the repository as `../shared`.
enum TestData {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The shared test data, found as every suite finds it (`SharedTestData`).
    static var shared: URL? { SharedTestData.root }

    static var suite: URL? { SharedTestData.suite }

    /// The suite's test files under `tests/draft2020-12/<folder>`, sorted; empty when the suite is absent.
    static func suiteFiles(_ folder: String) -> [String] {
        guard let suite else { return [] }
        let directory = suite.appendingPathComponent("tests/draft2020-12").appendingPathComponent(folder)
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        var files: [String] = []
        while let path = enumerator.nextObject() as? String {
            if path.hasSuffix(".json") { files.append(folder.isEmpty ? path : folder + "/" + path) }
        }
        return files.filter { folder == "optional" || !$0.hasPrefix("optional/") }.sorted()
    }

    static func parse(_ url: URL) throws -> JSONValue {
        let bytes = try [UInt8](Data(contentsOf: url))
        return try JSONParser.parse(bytes, limits: JSONParser.Limits(maxDepth: 2_048))
    }

    /// For the optional suite files the strict parser refuses (numbers beyond a double, noncharacters):
    /// JSONSerialization's reading, numbers rounded to doubles.
    static func parseLeniently(_ url: URL) throws -> JSONValue {
        func convert(_ any: Any) -> JSONValue {
            switch any {
            case let number as NSNumber:
                String(cString: number.objCType) == "c"
                    ? .bool(number.boolValue) : .number(number.doubleValue)
            case let string as String: .string(string)
            case let array as [Any]: .array(array.map(convert))
            case let object as [String: Any]:
                .object(JSONObject(object.map { (key: $0.key, value: convert($0.value)) }))
            default: .null
            }
        }
        return convert(
            try JSONSerialization.jsonObject(with: Data(contentsOf: url), options: [.fragmentsAllowed]))
    }

}

/// Resolves the suite's `http://localhost:1234/...` references from its `remotes/` folder.
struct SuiteRemotes: SchemaLoader {
    let root: URL

    func loadSchema(at uri: String) throws -> JSONValue? {
        let prefix = "http://localhost:1234/"
        guard uri.hasPrefix(prefix) else { return nil }
        let file = root.appendingPathComponent(String(uri.dropFirst(prefix.count)))
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try TestData.parse(file)
    }
}
