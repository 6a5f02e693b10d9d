import Foundation
import Testing

@testable import HandoffSchema

struct RegexSuiteCaseTests {
    /// Regex-relevant cases of the JSON-Schema-Test-Suite (draft 2020-12), extracted by
    /// scripts/fixtures/extract_suite.py from pattern.json, patternProperties.json,
    /// optional/ecmascript-regex.json and optional/format/regex.json. Only groups this test can evaluate
    /// without a validator are taken, and only the instances their keyword looks at. From the repository
    /// root, regenerate and check the fixture with
    ///
    ///     python3 scripts/fixtures/extract_suite.py ../shared/testdata/JSON-Schema-Test-Suite \
    ///         > Tests/HandoffSchemaTests/Fixtures/suite-cases.json
    ///     python3 scripts/fixtures/extract_suite.py ../shared/testdata/JSON-Schema-Test-Suite \
    ///         --check Tests/HandoffSchemaTests/Fixtures/suite-cases.json
    @Test("JSON-Schema-Test-Suite regex cases")
    func jsonSchemaSuiteCases() throws {
        let cases = try RegexFixtures.load("suite-cases.json")["cases"] as! [[String: Any]]
        var passed = 0
        var byKind: [String: (Int, Int)] = [:]
        for c in cases {
            let kind = c["kind"] as! String
            let expected = c["valid"] as! Bool
            let actual: Bool
            switch kind {
            case "pattern":
                actual = try ECMARegex(c["pattern"] as! String).matches(c["input"] as! String)
            case "format":
                actual = (try? ECMARegex(c["pattern"] as! String)) != nil
            case "patternProperties":
                actual = try evaluatePatternProperties(c)
            default:
                Issue.record("unknown kind \(kind)")
                continue
            }
            #expect(actual == expected, "\((c["where"] as! String))")
            let ok = actual == expected
            if ok { passed += 1 }
            let (p, t) = byKind[kind] ?? (0, 0)
            byKind[kind] = (p + (ok ? 1 : 0), t + 1)
        }
        let detail = byKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.0)/\($0.value.1)" }.joined(
            separator: ", ")
        print("JSON-Schema-Test-Suite regex cases: \(passed)/\(cases.count) passed (\(detail))")
        #expect(passed == cases.count)
    }

    /// Evaluates {"patternProperties": {...}, "additionalProperties": false?} against an object whose values are
    /// described by JSON type (and numeric value), with subschemas limited to true/false/{"type"}/{"maximum"}.
    private func evaluatePatternProperties(_ c: [String: Any]) throws -> Bool {
        let pps = c["patternProperties"] as! [[String: Any]]
        let additionalFalse = c["additionalPropertiesFalse"] as! Bool
        let compiled = try pps.map { (try ECMARegex($0["pattern"] as! String), $0["schema"]!) }
        for prop in c["properties"] as! [[String: Any]] {
            let name = prop["name"] as! String
            let type = prop["type"] as! String
            var matchedAny = false
            for (regex, schema) in compiled where try regex.matches(name) {
                matchedAny = true
                if !subschemaAccepts(schema, type: type, number: prop["number"] as? Double) { return false }
            }
            if additionalFalse && !matchedAny { return false }
        }
        return true
    }

    private func subschemaAccepts(_ schema: Any, type: String, number: Double?) -> Bool {
        guard let s = schema as? [String: Any] else { return schema as! Bool }
        if let t = s["type"] as? String {
            let ok = t == type || (t == "number" && type == "integer")
            if !ok { return false }
        }
        if let max = s["maximum"] as? Double, let n = number, n > max { return false }
        return true
    }
}
