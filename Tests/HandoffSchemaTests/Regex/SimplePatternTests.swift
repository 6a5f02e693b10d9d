import Foundation
import Testing

@testable import HandoffSchema

/// The bit-parallel matcher for simple patterns must answer exactly as the engine does, from a string and
/// from bytes.
struct SimplePatternTests {
    @Test("Agrees with the engine on every simple pattern of the node oracle fixture and the table")
    func agreesWithEngine() throws {
        var cases: [String: [String]] = [:]
        for (pattern, input, _) in RegexTableTests.ecmaTable { cases[pattern, default: []].append(input) }
        for group in try RegexFixtures.load("node-oracle.json")["patterns"] as! [[String: Any]] {
            let pattern = group["pattern"] as! String
            for pair in group["inputs"] as! [[Any]] { cases[pattern, default: []].append(pair[0] as! String) }
        }
        // Random simple patterns over a small alphabet, with random inputs (fixed seed).
        var random = SplitMix(seed: 2_026)
        let atoms = ["a", "b", ".", "[a-c]", "[^b]", "\\d", "\\w", "[ab_-]", "\\.", "-"]
        let quantifiers = ["", "", "*", "+", "?", "{2}", "{1,3}", "{0,}", "{2,}"]
        let alphabet: [Character] = ["a", "b", "c", "1", "_", ".", "-", "\n", "é", "\u{2028}"]
        for _ in 0..<3_000 {
            var pattern = random.next(4) == 0 ? "" : "^"
            for _ in 0..<(1 + random.next(4)) {
                pattern += atoms[random.next(atoms.count)] + quantifiers[random.next(quantifiers.count)]
            }
            if random.next(3) != 0 { pattern += "$" }
            cases[pattern, default: []] += (0..<8).map { _ in
                String((0..<random.next(7)).map { _ in alphabet[random.next(alphabet.count)] })
            }
        }
        var checked = 0
        var simplePatterns = 0
        for (pattern, inputs) in cases {
            guard let regex = try? ECMARegex(pattern), let simple = SimplePattern(pattern) else { continue }
            simplePatterns += 1
            for input in inputs {
                checked += 1
                let expected = try regex.matches(input, budget: 10_000_000)
                #expect(simple.matches(input) == expected, "/\(pattern)/ on \(input.debugDescription)")
                // From bytes, as a tape's strings are matched: ASCII in one step per byte, the rest by scalar.
                var bytes = input
                let fromBytes = bytes.withUTF8 { simple.matches(utf8: $0) }
                #expect(fromBytes == expected, "/\(pattern)/ on the bytes of \(input.debugDescription)")
            }
        }
        print("simple patterns: \(simplePatterns) patterns, \(checked) inputs checked against the engine")
        #expect(simplePatterns > 1_000)
    }

    @Test(
        "The patterns of the artifact schemas are simple",
        arguments: [
            "^[a-z][a-z0-9_]*$", "^xxh128:[0-9a-f]{32}$", "^@?[A-Za-z0-9_.-]+$",
            "^[a-z][a-z0-9-]*-v[1-9][0-9]*$",
        ])
    func artifactPatternsAreSimple(pattern: String) throws {
        let simple = try #require(SimplePattern(pattern))
        let regex = try ECMARegex(pattern)
        for input in [
            "", "a", "review_errors", "Review-Errors", "xxh128:" + String(repeating: "ab", count: 16),
            "@creative team", "@bot.name-1", "work-log-v1", "work-log-v0", "é", "a\n",
        ] {
            #expect(
                simple.matches(input) == (try regex.matches(input)),
                "/\(pattern)/ on \(input.debugDescription)")
        }
    }

    @Test(
        "Patterns beyond the simple kind are left to the engine",
        arguments: ["a|b", "(ab)+", "\\p{L}", "a+?", "é", "\\s", "[[]"])
    func notSimple(pattern: String) {
        #expect(SimplePattern(pattern) == nil)
    }
}

/// A small deterministic random number generator (SplitMix64), so that failures reproduce.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
