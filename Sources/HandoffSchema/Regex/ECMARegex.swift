// ECMA-262 regular expressions (with `u`-flag semantics) for JSON Schema `pattern`, `patternProperties` and
// `format: "regex"`. Standard library only (no Foundation).
//
// Design
// ------
// * `ECMARegexParser.swift` parses the pattern with the ES2024 `u`-mode grammar (no Annex B leniency) into an
//   AST. The parser keeps open groups on an explicit stack; the compilers recurse over the AST, so group nesting
//   is limited to `maxNestingDepth` (100), which keeps even a debug build within a 512 KiB thread stack.
// * Matching returns only a Bool (JSON Schema never needs match positions or captures), which lets us pick
//   between two matchers that give identical answers:
//
//   1. Pike VM (`ECMARegexPikeVM.swift`) — used for every pattern WITHOUT backreferences whose unrolled NFA is at
//      most `pikeProgramLimit` instructions. It simulates all NFA threads in lock step (a set of program
//      counters per input position, deduplicated), so the time is O(input length × program size): patterns
//      such as `^(a+)+$`, `(a|aa)+$` or `(.*a){20}` that are catastrophic for backtracking engines finish in
//      linear time with the correct answer. Lookarounds are evaluated by running their own sub-program from the
//      current position (forwards for lookahead, backwards for lookbehind), memoized per (lookaround, position).
//      Without backreferences the answer of ECMA-262's backtracking semantics is exactly "does some path
//      through the NFA reach the end", so the Pike VM is exact (including the rule that an optional iteration
//      matching the empty string fails: such an iteration revisits a (pc, position) state and is dropped).
//   2. Backtracking VM (`ECMARegexBacktracker.swift`) — used for patterns with backreferences (not regular, so
//      no automaton can decide them) or with very large counted repetitions. It runs compiled byte code over an
//      explicit, heap-allocated backtrack stack (an undo log of capture/counter writes plus choice points), so
//      it never recurses: a 100,000-character input against `^(a|b)*$` is just a long loop.
//
// * Boundedness: both matchers count steps (one per instruction executed / thread step / backtrack pop /
//   character compared) against `budget` and throw `ECMARegexBudgetExceeded` when it is exceeded. Memory is
//   bounded too: the backtrack stack grows by at most one 32-byte frame per step (so at most 32 MB with the
//   default budget) and is capped at `maxBacktrackFrames` whatever the budget; the Pike VM uses O(program size)
//   per lookaround level plus at most `PikeRunner.maxMemoBytes` (16 MiB) of lookaround memo; the input is
//   converted to an array of code points (4 bytes per scalar).

/// A compiled ECMA-262 regular expression, matched with the `u` (unicode) flag semantics, as JSON Schema requires.
package struct ECMARegex: Sendable {
    /// Default step budget for `matches`. Roughly 3–8 steps per input character for ordinary patterns, so this
    /// admits strings of a few hundred thousand characters; pass a larger budget for bigger inputs.
    package static let defaultBudget = 1_000_000

    /// Largest unrolled NFA (in instructions) the Pike VM is used for; beyond it the backtracker is used.
    static let pikeProgramLimit = 20_000
    /// Hard cap on backtrack stack frames (32 bytes each), independent of the budget.
    static let maxBacktrackFrames = 4_000_000

    package let pattern: String
    let backtracker: Backtracker
    let pike: PikeProgramSet?

    /// Number of capturing groups in the pattern.
    package let captureGroupCount: Int

    /// True when `matches` uses the linear-time Pike VM (pattern has no backreferences and is not huge).
    package var isLinearTime: Bool { pike != nil }

    /// Compiles; throws ECMARegexSyntaxError with the offset (in unicode scalars) and a readable message.
    package init(_ pattern: String) throws(ECMARegexSyntaxError) {
        self.pattern = pattern
        var parser = Parser(pattern)
        let ast = try parser.parse()
        captureGroupCount = parser.captureCount
        let anchored = Self.isAnchoredAtStart(ast)
        backtracker = Backtracker.compile(
            ast, sets: parser.sets, captureCount: parser.captureCount,
            needCaptures: parser.backreferenceCount > 0, anchoredStart: anchored)
        if parser.backreferenceCount == 0 {
            pike = PikeProgramSet.compile(
                ast, sets: parser.sets, anchoredStart: anchored, limit: Self.pikeProgramLimit)
        } else {
            pike = nil
        }
    }

    /// Unanchored search (like JS `new RegExp(p, "u").test(s)`). Bounded: throws ECMARegexBudgetExceeded if
    /// matching would take more than `budget` steps.
    package func matches(_ string: String, budget: Int = ECMARegex.defaultBudget)
        throws(ECMARegexBudgetExceeded) -> Bool
    {
        try matches(string, budget: budget, engine: .automatic)
    }

    enum Engine: Sendable { case automatic, backtracking, pike }

    /// Internal entry point that lets tests force one matcher. `.pike` falls back to backtracking when the
    /// pattern is not eligible for the Pike VM.
    func matches(_ string: String, budget: Int, engine: Engine) throws(ECMARegexBudgetExceeded) -> Bool {
        var steps = 0
        return try matches(string, budget: budget, steps: &steps, engine: engine)
    }

    /// Unanchored search that adds the steps it took to `steps`, so a caller can hold many matches to one
    /// budget.
    package func matches(_ string: String, budget: Int, steps: inout Int) throws(ECMARegexBudgetExceeded)
        -> Bool
    {
        try matches(string, budget: budget, steps: &steps, engine: .automatic)
    }

    func matches(_ string: String, budget: Int, steps total: inout Int, engine: Engine)
        throws(ECMARegexBudgetExceeded) -> Bool
    {
        let input = string.unicodeScalars.map { $0.value }
        let usePike = engine != .backtracking && pike != nil
        var taken = 0
        defer { total += taken }
        do {
            return try input.withUnsafeBufferPointer { buffer throws(Abort) -> Bool in
                if usePike {
                    var runner = PikeRunner(set: pike!, input: buffer, budget: budget)
                    defer { taken = runner.steps }
                    return try runner.search()
                }
                return try backtracker.search(buffer, budget: budget, steps: &taken)
            }
        } catch {
            let what =
                error.isMemory
                ? "exceeded the backtrack stack limit" : "exceeded its budget of \(budget) steps"
            let scalars = pattern.unicodeScalars
            let shown =
                scalars.count <= 80 ? pattern : String(String.UnicodeScalarView(scalars.prefix(77))) + "..."
            throw ECMARegexBudgetExceeded(
                message: "matching /\(shown)/ against a string of \(input.count) characters \(what)",
                budget: budget)
        }
    }

    /// Whether every match must start at position 0 (all alternatives begin with `^`).
    static func isAnchoredAtStart(_ node: Node) -> Bool {
        switch node {
        case .lineStart: return true
        case .sequence(let xs):
            for x in xs {
                if isAnchoredAtStart(x) { return true }
                // Zero-width items that cannot move the position may precede the anchor.
                switch x {
                case .look, .wordBoundary, .lineEnd, .empty: continue
                default: return false
                }
            }
            return false
        case .alternation(let xs):
            for x in xs where !isAnchoredAtStart(x) { return false }
            return true
        case .capture(let x, _): return isAnchoredAtStart(x)
        case .quantified(let x, let min, _, _, _, _): return min > 0 && isAnchoredAtStart(x)
        default: return false
        }
    }
}

/// A pattern that is not a valid ECMA-262 regular expression under the `u` flag.
package struct ECMARegexSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Human-readable message including the offset, e.g. "unterminated character class at offset 5".
    package let message: String
    /// What is wrong, without the offset.
    package let reason: String
    /// Offset in unicode scalars from the start of the pattern.
    package let offset: Int

    package init(reason: String, offset: Int) {
        self.reason = reason
        self.offset = offset
        self.message = "\(reason) at offset \(offset)"
    }

    package var description: String { message }
}

/// Matching was abandoned because it needed more steps (or memory) than allowed.
package struct ECMARegexBudgetExceeded: Error, Sendable, Equatable, CustomStringConvertible {
    package let message: String
    package let budget: Int

    package init(message: String, budget: Int) {
        self.message = message
        self.budget = budget
    }

    package var description: String { message }
}

extension ECMARegex {
    /// Internal error used inside the matchers; converted to ECMARegexBudgetExceeded at the API boundary.
    struct Abort: Error {
        var isMemory = false
        static let steps = Abort()
        static let memory = Abort(isMemory: true)
    }
}
