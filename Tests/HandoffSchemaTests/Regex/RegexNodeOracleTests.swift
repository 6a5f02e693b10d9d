import Foundation
import Testing

@testable import HandoffSchema

struct RegexNodeOracleTests {
    /// Compares with node 20 (`new RegExp(p, "u").test(s)`, or "SyntaxError" when node refuses the
    /// pattern): realistic JSON-Schema patterns, Unicode property escapes on sample code points, random
    /// patterns (including invalid ones) with random inputs, and syntax-only cases. The fixture's patterns
    /// and inputs are the corpus (the program that first chose them is lost); scripts/fixtures/gen_oracle.js
    /// recomputes every answer with this machine's node, adds patterns from a text file (one a line, tried
    /// on its probe strings) and checks the answers. From the repository root:
    ///
    ///     node scripts/fixtures/gen_oracle.js -o Tests/HandoffSchemaTests/Fixtures/node-oracle.json
    ///     node scripts/fixtures/gen_oracle.js --add PATTERNS.txt \
    ///         -o Tests/HandoffSchemaTests/Fixtures/node-oracle.json
    ///     node scripts/fixtures/gen_oracle.js --check Tests/HandoffSchemaTests/Fixtures/node-oracle.json
    @Test("node oracle fixture (both matchers)")
    func nodeOracle() throws {
        try runOracle(try RegexFixtures.load("node-oracle.json"))
    }

    private func runOracle(_ fixture: [String: Any]) throws {
        let groups = fixture["patterns"] as! [[String: Any]]
        var total = 0
        var passed = 0
        var perSource: [String: (Int, Int)] = [:]
        var failures: [String] = []
        var backtrackerGaveUp: [String] = []
        for g in groups {
            let pattern = g["pattern"] as! String
            let source = g["source"] as! String
            let compiled: ECMARegex?
            do { compiled = try ECMARegex(pattern) } catch { compiled = nil }
            for pair in g["inputs"] as! [[Any]] {
                let input = pair[0] as! String
                let expected: String = (pair[1] as? String) ?? ((pair[1] as! Bool) ? "true" : "false")
                var actual: String
                if let regex = compiled {
                    // The public entry point must always answer within the default budget.
                    let auto = try regex.matches(input)
                    actual = auto ? "true" : "false"
                    // Both matchers must agree with it (the backtracker may legitimately run out of budget on
                    // catastrophic patterns; those are counted, not failed).
                    let pike = try regex.matches(input, budget: 10_000_000, engine: .pike)
                    if pike != auto { actual = "auto \(auto) but pike \(pike)" }
                    do {
                        let bt = try regex.matches(input, budget: 10_000_000, engine: .backtracking)
                        if bt != auto { actual = "auto \(auto) but backtracker \(bt)" }
                    } catch {
                        backtrackerGaveUp.append("/\(pattern)/ on \(input.debugDescription)")
                    }
                } else {
                    actual = "SyntaxError"
                }
                total += 1
                let ok = actual == expected
                if ok {
                    passed += 1
                } else if failures.count < 60 {
                    failures.append(
                        "[\(source)] /\(pattern)/ on \(input.debugDescription): node \(expected), ours \(actual)"
                    )
                }
                let (p, t) = perSource[source] ?? (0, 0)
                perSource[source] = (p + (ok ? 1 : 0), t + 1)
            }
        }
        for f in failures { Issue.record(Comment(rawValue: f)) }
        let detail = perSource.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.0)/\($0.value.1)" }
            .joined(separator: ", ")
        print(
            "node oracle: \(passed)/\(total) passed (\(detail)); node \(fixture["node"]!), Unicode \(fixture["unicode"]!)"
        )
        print(
            "node oracle: forced backtracker exceeded 10M steps on \(backtrackerGaveUp.count) case(s): \(backtrackerGaveUp.joined(separator: ", "))"
        )
        #expect(total == fixture["count"] as! Int)
        #expect(passed == total)
    }
}
