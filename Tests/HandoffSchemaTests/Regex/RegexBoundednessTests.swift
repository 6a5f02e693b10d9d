import Foundation
import Testing

@testable import HandoffSchema

/// Catastrophic patterns, budgets, long inputs and small stacks: matching always ends.
struct RegexBoundednessTests {
    /// Seconds after which matching counts as hung. Generous on purpose: these are microseconds to a
    /// fraction of a second, but the suite runs in parallel on small machines, and speed is the
    /// benchmark's business.
    static let hangGuard = 10.0

    private func clock<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = ContinuousClock.now
        let r = try body()
        let d = ContinuousClock.now - start
        return (r, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }

    private func attempt(_ body: () throws(ECMARegexBudgetExceeded) -> Bool) -> Result<
        Bool, ECMARegexBudgetExceeded
    > {
        do { return .success(try body()) } catch { return .failure(error) }
    }

    static let catastrophic: [(String, String)] = [
        (#"^(a+)+$"#, String(repeating: "a", count: 38) + "!"),
        (#"(a|aa)+$"#, String(repeating: "a", count: 60) + "!"),
        (#"(.*a){20}"#, String(repeating: "a", count: 19) + String(repeating: "b", count: 60)),
        (#"^(\w+\s?)*$"#, String(repeating: "ab ", count: 30) + "!"),
        (#"(x+x+)+y"#, String(repeating: "x", count: 50)),
        (#"^(a|a?)+$"#, String(repeating: "a", count: 40) + "b"),
    ]

    @Test("Catastrophic patterns: linear-time engine answers correctly and fast")
    func catastrophicPatternsPike() throws {
        for (p, s) in Self.catastrophic {
            let regex = try ECMARegex(p)
            #expect(regex.isLinearTime)
            let (result, seconds) = try clock { try regex.matches(s) }
            #expect(result == false, "/\(p)/")
            #expect(seconds < Self.hangGuard, "/\(p)/ took \(seconds)s")
        }
    }

    @Test("Catastrophic patterns: backtracker hits the budget quickly")
    func catastrophicPatternsBacktracker() throws {
        for (p, s) in Self.catastrophic {
            let regex = try ECMARegex(p)
            let (outcome, seconds) = clock {
                attempt { () throws(ECMARegexBudgetExceeded) in try regex.matches(s, engine: .backtracking) }
            }
            guard case .failure(let e) = outcome else {
                Issue.record("/\(p)/ should exceed the budget")
                continue
            }
            #expect(e.budget == ECMARegex.defaultBudget)
            #expect(e.description.contains("budget"))
            #expect(seconds < Self.hangGuard, "/\(p)/ took \(seconds)s to give up")
        }
    }

    @Test("Patterns with backreferences use the backtracker and are bounded by the budget")
    func catastrophicWithBackreferences() throws {
        let cases: [(String, String)] = [
            (#"^(a+)+\1$"#, String(repeating: "a", count: 40) + "!"),
            (#"^((a|aa)+)\2b$"#, String(repeating: "a", count: 60)),
            (#"^(?:(a)|a)*\1(a+)+$"#, String(repeating: "a", count: 40) + "!"),
        ]
        for (p, s) in cases {
            let regex = try ECMARegex(p)
            #expect(!regex.isLinearTime)
            let (outcome, seconds) = clock {
                attempt { () throws(ECMARegexBudgetExceeded) in try regex.matches(s) }
            }
            if case .success = outcome { Issue.record("/\(p)/ should exceed the budget") }
            #expect(seconds < Self.hangGuard, "/\(p)/ took \(seconds)s")
        }
        // A small budget is honoured exactly, for any pattern.
        #expect(throws: ECMARegexBudgetExceeded.self) {
            try ECMARegex("^(a|b)*$").matches(String(repeating: "ab", count: 1000), budget: 100)
        }
    }

    @Test("Deep inputs do not overflow the stack")
    func deepInputs() throws {
        let long = String(repeating: "ab", count: 50_000)  // 100,000 characters
        let budget = 10_000_000
        for p in [
            #"^(a|b)*$"#, #"^(?:a|b)*$"#, #"^(?:ab)*$"#, #"^(a|b)*?$"#, #"^((a)|(b))*\1$"#,
            #"^(?:(?=a)a|b)*$"#,
            #"^(?:(?<=b|^)a|b)*$"#, #"^[ab]*$"#, #"^.*$"#,
        ] {
            let regex = try ECMARegex(p)
            let expected = !p.contains(#"\1"#)
            #expect(
                try regex.matches(long, budget: budget, engine: .backtracking) == expected,
                "backtracker /\(p)/")
            if regex.isLinearTime {
                #expect(try regex.matches(long, budget: budget, engine: .pike) == expected, "pike /\(p)/")
            }
        }
        // Unanchored and failing: quadratic for a backtracker (as in node), linear for the Pike VM.
        #expect(try !ECMARegex(#"(a|b)*c"#).matches(long))
        // Default budget copes with 100,000 characters for a simple anchored loop.
        #expect(try ECMARegex(#"^(a|b)*$"#).matches(long))
        // Deeply nested groups in the pattern are bounded by a syntax error rather than recursion.
        let deep = String(repeating: "(", count: 10_000) + "a" + String(repeating: ")", count: 10_000)
        #expect(throws: ECMARegexSyntaxError.self) { try ECMARegex(deep) }
        let ok =
            String(repeating: "(?:", count: ECMARegex.maxNestingDepth) + "a"
            + String(repeating: ")*", count: ECMARegex.maxNestingDepth)
        let r = try ECMARegex(ok)
        #expect(try r.matches("aaaa", engine: .backtracking))
        #expect(try r.matches("aaaa", engine: .pike))
        // Nested lookarounds recurse in the Pike VM (one sub-simulation per level): the depth limit keeps that safe.
        let depth = ECMARegex.maxNestingDepth
        let looks = try ECMARegex(
            String(repeating: "(?=", count: depth / 2) + String(repeating: "(?<=", count: depth / 2)
                + "[xa]" + String(repeating: ")", count: depth) + "a")
        #expect(try looks.matches("xa", engine: .pike))
        #expect(try looks.matches("xa", engine: .backtracking))
        #expect(try !looks.matches("xb"))
        // Zero-width atoms with huge counts are simplified, not looped.
        #expect(try ECMARegex(#"^(?:){2147483647}$"#).matches(""))
        #expect(try ECMARegex(#"^(?:\b|$){99999999999}a"#).matches("a"))
        #expect(try ECMARegex(#"^(?:(?=(a))){3,}\1"#).matches("a"))
        #expect(try !ECMARegex(#"^(?:(?=(a))){0,5}\1b"#).matches("ab"))
        #expect(try ECMARegex(#"^(?:(?=(a))){0,5}\1b"#).matches("b"))
    }

    @Test("Large counted repetitions do not blow up the program")
    func largeCounts() throws {
        let r = try ECMARegex(#"^(?:[a-z]{1,1000}\.){1,1000}$"#)  // would be ~10^6 NFA states unrolled
        #expect(!r.isLinearTime)
        #expect(try r.matches("abc.def.ghi."))
        #expect(try !r.matches("abc.def.ghi"))
        let big = try ECMARegex(#"^a{100000}$"#)
        #expect(try big.matches(String(repeating: "a", count: 100_000)))
        #expect(try !big.matches(String(repeating: "a", count: 99_999)))
    }

    /// Compiling and matching the most deeply nested accepted patterns must fit a 512 KiB thread stack
    /// (the size of secondary threads on some platforms), even in a debug build.
    @Test("Deepest accepted nesting fits in a 512 KiB stack")
    func smallStack() async throws {
        let depth = ECMARegex.maxNestingDepth
        let patterns = [
            String(repeating: "(?:", count: depth) + "a" + String(repeating: ")*", count: depth),
            String(repeating: "(", count: depth) + "a" + String(repeating: ")+", count: depth) + #"\1"#,
            String(repeating: "(?=", count: depth / 2) + String(repeating: "(?<!", count: depth - depth / 2)
                + "[xa]"
                + String(repeating: ")", count: depth) + "a",
            String(repeating: "(?:a|", count: depth) + "b" + String(repeating: "){2}", count: depth),
            String(repeating: "(?<n>a|", count: 1) + String(repeating: "(?:a|", count: depth - 1) + "\\k<n>"
                + String(repeating: "){2}", count: depth),
        ]
        let finished = await withCheckedContinuation { (done: CheckedContinuation<[String], Never>) in
            let thread = Thread {
                var results: [String] = []
                for p in patterns {
                    do {
                        let r = try ECMARegex(p)
                        let a = try r.matches("xaaaab", budget: 10_000_000, engine: .backtracking)
                        let b = try r.matches("xaaaab", budget: 10_000_000, engine: .pike)
                        results.append("\(a)/\(b)")
                    } catch {
                        results.append("error: \(error)")
                    }
                }
                done.resume(returning: results)
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
        #expect(finished.count == patterns.count)
        for r in finished { #expect(!r.hasPrefix("error") || r.contains("budget"), "\(r)") }
    }
}

extension ECMARegex {
    func matches(_ s: String, engine: Engine) throws(ECMARegexBudgetExceeded) -> Bool {
        try matches(s, budget: ECMARegex.defaultBudget, engine: engine)
    }
}
