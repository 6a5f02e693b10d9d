import Foundation

/// The regex engine's JSON fixtures in Tests/HandoffSchemaTests/Fixtures. They are read with
/// JSONSerialization: some inputs hold noncharacters, which the strict JSONParser refuses.
enum RegexFixtures {
    static func load(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: TestData.fixtures.appendingPathComponent(name))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
}
