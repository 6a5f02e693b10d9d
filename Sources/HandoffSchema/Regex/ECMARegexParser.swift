// Parser for ECMA-262 regular expression patterns with the `u` flag (ES2024 grammar, no `v`, no Annex B).
// Produces an AST (`ECMARegex.Node`). Offsets in errors are unicode-scalar offsets into the pattern.

extension ECMARegex {

    /// Maximum nesting of groups / lookarounds. The parser is iterative, but the compilers and the Pike VM's
    /// lookaround evaluation recurse once or twice per nesting level; 100 levels fit comfortably (about 1/2 to
    /// 2/3 of it in a debug build) in a 512 KiB secondary-thread stack. Real patterns nest a handful of levels.
    static let maxNestingDepth = 100

    /// A repeat count written in the pattern larger than this is clamped (it can never be reached by a match
    /// on a string that fits in memory anyway, because every iteration beyond `min` must consume input).
    static let maxRepeatCount = Int(Int32.max)
    static let unbounded = Int.max

    indirect enum Node: Sendable {
        case empty
        case char(UInt32)
        /// Index into `Parser.sets` (shared by both compiled programs).
        case set(Int)
        case sequence([Node])
        case alternation([Node])
        /// Capturing group with 1-based index.
        case capture(Node, index: Int)
        /// `max == ECMARegex.unbounded` means no upper bound. Captures `firstCapture ..< firstCapture + captureCount`
        /// are inside the quantified atom (they are reset at each iteration).
        case quantified(Node, min: Int, max: Int, greedy: Bool, firstCapture: Int, captureCount: Int)
        case lineStart
        case lineEnd
        case wordBoundary(negated: Bool)
        /// `id` is unique per lookaround written in the pattern (copies made by unrolling share it).
        case look(Node, behind: Bool, negated: Bool, id: Int)
        case backreference(Int)
    }

    struct Parser {
        let src: [UInt32]
        var pos = 0
        var captureCount = 0
        var totalCaptures = 0
        var groupNames: [String: Int] = [:]
        var namedReferences: [(name: String, offset: Int)] = []
        var backreferenceCount = 0
        var sets: [CharSet] = []
        var lookaroundCount = 0
        /// Deduplicates identical sets (e.g. every `.` shares one).
        var setIndex: [CharSet: Int] = [:]
        /// Parsed `\p{...}` bodies, so repeated property escapes do not re-parse the Unicode tables.
        var propertyCache: [String: Property] = [:]
        var propertySetCache: [String: CharSet] = [:]

        init(_ pattern: String) {
            src = pattern.unicodeScalars.map { $0.value }
        }

        // MARK: helpers

        func error(_ reason: String, at offset: Int) -> ECMARegexSyntaxError {
            ECMARegexSyntaxError(reason: reason, offset: offset)
        }

        var atEnd: Bool { pos >= src.count }

        func peek(_ k: Int = 0) -> UInt32? {
            let i = pos + k
            return i < src.count ? src[i] : nil
        }

        func peekIs(_ ch: Unicode.Scalar, _ k: Int = 0) -> Bool { peek(k) == ch.value }

        static func isDecimal(_ c: UInt32?) -> Bool { c.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }

        static func hexValue(_ c: UInt32?) -> UInt32? {
            guard let c else { return nil }
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }

        static func isSyntaxCharacter(_ c: UInt32) -> Bool {
            switch Unicode.Scalar(c) ?? " " {
            case "^", "$", "\\", ".", "*", "+", "?", "(", ")", "[", "]", "{", "}", "|": return true
            default: return false
            }
        }

        mutating func addSet(_ s: CharSet) -> Int {
            if let i = setIndex[s] { return i }
            sets.append(s)
            setIndex[s] = sets.count - 1
            return sets.count - 1
        }

        // MARK: entry

        mutating func parse() throws(ECMARegexSyntaxError) -> Node {
            totalCaptures = Self.countCaptures(src)
            let node = try parseDisjunction()
            for ref in namedReferences where groupNames[ref.name] == nil {
                throw error("reference to undefined group name '\(ref.name)'", at: ref.offset)
            }
            if namedReferences.isEmpty { return node }
            let targets = namedReferences.map { groupNames[$0.name]! }
            return Self.resolveNamedReferences(node, targets: targets)
        }

        /// Pre-scan: number of capturing groups in the whole pattern (needed to validate `\N` before the group).
        static func countCaptures(_ s: [UInt32]) -> Int {
            var i = 0
            var n = 0
            var inClass = false
            while i < s.count {
                let c = s[i]
                if c == 0x5C {
                    i += 2
                    continue
                }  // backslash
                if inClass {
                    if c == 0x5D { inClass = false }
                } else if c == 0x5B {
                    inClass = true
                } else if c == 0x28 {  // (
                    if i + 1 < s.count && s[i + 1] == 0x3F {  // (?
                        if i + 2 < s.count && s[i + 2] == 0x3C && i + 3 < s.count && s[i + 3] != 0x3D
                            && s[i + 3] != 0x21
                        {
                            n += 1  // (?<name>
                        }
                    } else {
                        n += 1
                    }
                }
                i += 1
            }
            return n
        }

        /// Named backreferences are parsed as `.backreference(-(k+1))` placeholders indexing `namedReferences`;
        /// replace them with the group index.
        static func resolveNamedReferences(_ n: Node, targets: [Int]) -> Node {
            switch n {
            case .backreference(let k) where k < 0: return .backreference(targets[-k - 1])
            case .sequence(let xs):
                var out: [Node] = []
                out.reserveCapacity(xs.count)
                for x in xs { out.append(resolveNamedReferences(x, targets: targets)) }
                return .sequence(out)
            case .alternation(let xs):
                var out: [Node] = []
                out.reserveCapacity(xs.count)
                for x in xs { out.append(resolveNamedReferences(x, targets: targets)) }
                return .alternation(out)
            case .capture(let x, let i):
                return .capture(resolveNamedReferences(x, targets: targets), index: i)
            case .quantified(let x, let lo, let hi, let g, let fc, let cc):
                return .quantified(
                    resolveNamedReferences(x, targets: targets), min: lo, max: hi, greedy: g,
                    firstCapture: fc, captureCount: cc)
            case .look(let x, let b, let ng, let id):
                return .look(resolveNamedReferences(x, targets: targets), behind: b, negated: ng, id: id)
            default: return n
            }
        }

        /// True if the node can only ever match the empty string (assertions, lookarounds, empty groups).
        static func isZeroWidth(_ node: Node) -> Bool {
            switch node {
            case .empty, .lineStart, .lineEnd, .wordBoundary, .look: return true
            case .char, .set, .backreference: return false
            case .sequence(let xs), .alternation(let xs):
                for x in xs where !isZeroWidth(x) { return false }
                return true
            case .capture(let x, _): return isZeroWidth(x)
            case .quantified(let x, _, _, _, _, _): return isZeroWidth(x)
            }
        }

        // MARK: disjunction / alternative / term

        /// One open group while parsing (the pattern itself is the bottom entry).
        struct OpenGroup {
            enum Kind {
                case pattern
                case nonCapturing
                case capturing(index: Int)
                case lookaround(behind: Bool, negated: Bool, id: Int)
            }
            var kind: Kind
            /// Offset of the '('.
            var start: Int
            /// Capture count before this group opened (so a quantifier on it knows which captures it contains).
            var capturesBefore: Int
            var alternatives: [Node] = []
            var terms: [Node] = []

            mutating func endAlternative() {
                switch terms.count {
                case 0: alternatives.append(.empty)
                case 1: alternatives.append(terms[0])
                default: alternatives.append(.sequence(terms))
                }
                terms = []
            }

            mutating func body() -> Node {
                endAlternative()
                return alternatives.count == 1 ? alternatives[0] : .alternation(alternatives)
            }
        }

        /// Parses the whole pattern. Iterative: groups are kept on an explicit stack, so the parser's own stack
        /// use does not grow with nesting.
        mutating func parseDisjunction() throws(ECMARegexSyntaxError) -> Node {
            var stack = [OpenGroup(kind: .pattern, start: 0, capturesBefore: 0)]
            while true {
                guard let c = peek() else {
                    if stack.count > 1 { throw error("unterminated group", at: stack[stack.count - 1].start) }
                    return stack[0].body()
                }
                switch c {
                case 0x7C:  // |
                    pos += 1
                    stack[stack.count - 1].endAlternative()
                case 0x29:  // )
                    if stack.count == 1 { throw error("unmatched ')'", at: pos) }
                    pos += 1
                    var group = stack.removeLast()
                    let body = group.body()
                    let node: Node
                    var quantifiable = true
                    switch group.kind {
                    case .pattern, .nonCapturing: node = body
                    case .capturing(let index): node = .capture(body, index: index)
                    case .lookaround(let behind, let negated, let id):
                        node = .look(body, behind: behind, negated: negated, id: id)
                        quantifiable = false
                    }
                    let quantified = try parseQuantifier(
                        after: node, quantifiable: quantifiable, capturesBefore: group.capturesBefore)
                    stack[stack.count - 1].terms.append(quantified)
                case 0x28:  // (
                    if stack.count > ECMARegex.maxNestingDepth {
                        throw error("groups nested too deeply (limit \(ECMARegex.maxNestingDepth))", at: pos)
                    }
                    stack.append(try openGroup())
                default:
                    let term = try parseTerm()
                    stack[stack.count - 1].terms.append(term)
                }
            }
        }

        /// Consumes a group opener: `(`, `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!` or `(?<name>`.
        mutating func openGroup() throws(ECMARegexSyntaxError) -> OpenGroup {
            let start = pos
            let capturesBefore = captureCount
            pos += 1  // (
            var kind: OpenGroup.Kind
            if peekIs("?") {
                if peekIs(":", 1) {
                    pos += 2
                    kind = .nonCapturing
                } else if peekIs("=", 1) || peekIs("!", 1) {
                    let negated = peekIs("!", 1)
                    pos += 2
                    lookaroundCount += 1
                    kind = .lookaround(behind: false, negated: negated, id: lookaroundCount)
                } else if peekIs("<", 1) && (peekIs("=", 2) || peekIs("!", 2)) {
                    let negated = peekIs("!", 2)
                    pos += 3
                    lookaroundCount += 1
                    kind = .lookaround(behind: true, negated: negated, id: lookaroundCount)
                } else if peekIs("<", 1) {
                    pos += 2
                    let nameStart = pos
                    let name = try parseGroupName()
                    if groupNames[name] != nil {
                        throw error("duplicate capture group name '\(name)'", at: nameStart)
                    }
                    captureCount += 1
                    groupNames[name] = captureCount
                    kind = .capturing(index: captureCount)
                } else {
                    throw error(
                        "invalid group: '(?' must be followed by ':', '=', '!', '<=', '<!' or '<name>'",
                        at: start)
                }
            } else {
                captureCount += 1
                kind = .capturing(index: captureCount)
            }
            return OpenGroup(kind: kind, start: start, capturesBefore: capturesBefore)
        }

        /// A term that is not a group: assertion, character, escape, class or dot, with its quantifier.
        mutating func parseTerm() throws(ECMARegexSyntaxError) -> Node {
            let start = pos
            let c = src[pos]
            let capturesBefore = captureCount
            var atom: Node
            var quantifiable = true
            switch Unicode.Scalar(c) ?? " " {
            case "^":
                pos += 1
                atom = .lineStart
                quantifiable = false
            case "$":
                pos += 1
                atom = .lineEnd
                quantifiable = false
            case "\\":
                if peekIs("b", 1) || peekIs("B", 1) {
                    atom = .wordBoundary(negated: peekIs("B", 1))
                    pos += 2
                    quantifiable = false
                } else {
                    pos += 1
                    atom = try parseAtomEscape(escapeStart: start)
                }
            case ".":
                pos += 1
                atom = .set(addSet(CharSet(ranges: ECMARegex.dotRanges)))
            case "[":
                atom = .set(addSet(try parseClass()))
            case "*", "+", "?":
                throw error("nothing to repeat", at: pos)
            case "{":
                if isQuantifierBrace() { throw error("nothing to repeat", at: pos) }
                throw error("lone '{' must be escaped in unicode mode", at: pos)
            case "}":
                throw error("lone '}' must be escaped in unicode mode", at: pos)
            case "]":
                throw error("lone ']' must be escaped in unicode mode", at: pos)
            default:
                pos += 1
                atom = .char(c)
            }
            return try parseQuantifier(
                after: atom, quantifiable: quantifiable, capturesBefore: capturesBefore)
        }

        /// Parses an optional quantifier following `atom` and returns the (possibly) quantified node.
        mutating func parseQuantifier(after atom: Node, quantifiable: Bool, capturesBefore: Int)
            throws(ECMARegexSyntaxError) -> Node
        {
            guard let q = peek() else { return atom }
            var min = 0
            var max = 0
            let qStart = pos
            switch Unicode.Scalar(q) ?? " " {
            case "*":
                min = 0
                max = ECMARegex.unbounded
                pos += 1
            case "+":
                min = 1
                max = ECMARegex.unbounded
                pos += 1
            case "?":
                min = 0
                max = 1
                pos += 1
            case "{":
                guard let (lo, hi) = try parseBraceQuantifier() else {
                    throw error("incomplete quantifier", at: qStart)
                }
                min = lo
                max = hi
            default:
                return atom
            }
            if !quantifiable {
                throw error("nothing to repeat", at: qStart)
            }
            var greedy = true
            if peekIs("?") {
                greedy = false
                pos += 1
            }
            if max == 0 {
                // x{0} / x{0,0}: never runs; captures inside stay undefined.
                return .empty
            }
            if Self.isZeroWidth(atom) {
                // An atom that cannot consume input: iterations beyond the minimum fail the empty check, and
                // repeated mandatory iterations see the same position, so x{0,m} == empty and x{n,m} == x.
                // (Also keeps `(?:){2147483647}` from looping two billion times.)
                return min == 0 ? .empty : atom
            }
            if min == 1 && max == 1 { return atom }
            return .quantified(
                atom, min: min, max: max, greedy: greedy,
                firstCapture: capturesBefore + 1, captureCount: captureCount - capturesBefore)
        }

        func isQuantifierBrace() -> Bool {
            var p = self
            do { return try p.parseBraceQuantifier() != nil } catch { return true }
        }

        /// Parses `{n}`, `{n,}`, `{n,m}` at `pos` (which is at '{'). Returns nil (without consuming) if the text
        /// is not a well-formed quantifier.
        mutating func parseBraceQuantifier() throws(ECMARegexSyntaxError) -> (Int, Int)? {
            let start = pos
            var p = pos + 1
            func digits(_ p: inout Int) -> (value: Int, text: [UInt32])? {
                var text: [UInt32] = []
                while p < src.count, Parser.isDecimal(src[p]) {
                    text.append(src[p])
                    p += 1
                }
                if text.isEmpty { return nil }
                var v = 0
                for d in text {
                    v = v * 10 + Int(d - 0x30)
                    if v > ECMARegex.maxRepeatCount { v = ECMARegex.maxRepeatCount }
                }
                return (v, text)
            }
            guard let lo = digits(&p) else { return nil }
            var hi = lo
            if p < src.count, src[p] == 0x2C {  // ,
                p += 1
                if let h = digits(&p) {
                    hi = h
                } else {
                    hi = (ECMARegex.unbounded, [])
                }
            }
            guard p < src.count, src[p] == 0x7D else { return nil }  // }
            p += 1
            if hi.value != ECMARegex.unbounded && Parser.compareDecimal(lo.text, hi.text) > 0 {
                throw error("numbers out of order in {} quantifier", at: start)
            }
            pos = p
            return (lo.value, hi.value)
        }

        static func compareDecimal(_ a: [UInt32], _ b: [UInt32]) -> Int {
            let a = Array(a.drop { $0 == 0x30 })
            let b = Array(b.drop { $0 == 0x30 })
            if a.count != b.count { return a.count < b.count ? -1 : 1 }
            for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
            return 0
        }

        // MARK: groups

        /// Parses `name>` (after '<') per RegExpIdentifierName, with \u escapes allowed.
        mutating func parseGroupName() throws(ECMARegexSyntaxError) -> String {
            let start = pos
            var scalars = String.UnicodeScalarView()
            while true {
                guard var c = peek() else { throw error("unterminated group name", at: start) }
                if c == 0x3E {
                    pos += 1
                    break
                }  // >
                let charStart = pos
                if c == 0x5C {  // backslash: only \u escapes
                    guard peekIs("u", 1) else { throw error("invalid escape in group name", at: charStart) }
                    pos += 2
                    guard let v = try parseUnicodeEscapeBody(escapeStart: charStart) else {
                        throw error("invalid unicode escape in group name", at: charStart)
                    }
                    c = v
                } else {
                    pos += 1
                }
                guard let s = Unicode.Scalar(c) else {
                    throw error("invalid character in group name", at: charStart)
                }
                let ok: Bool
                if scalars.isEmpty {
                    ok = c == 0x24 || c == 0x5F || s.properties.isIDStart
                } else {
                    ok = c == 0x24 || c == 0x5F || c == 0x200C || c == 0x200D || s.properties.isIDContinue
                }
                if !ok { throw error("invalid character in group name", at: charStart) }
                scalars.append(s)
            }
            if scalars.isEmpty { throw error("empty group name", at: start) }
            return String(scalars)
        }

        // MARK: escapes

        /// After the backslash, outside a class.
        mutating func parseAtomEscape(escapeStart: Int) throws(ECMARegexSyntaxError) -> Node {
            guard let c = peek() else { throw error("\\ at end of pattern", at: escapeStart) }
            switch Unicode.Scalar(c) ?? " " {
            case "1"..."9":
                var n = 0
                while Parser.isDecimal(peek()) {
                    n = min(n * 10 + Int(peek()! - 0x30), ECMARegex.maxRepeatCount)
                    pos += 1
                }
                if n > totalCaptures {
                    throw error(
                        "invalid escape: backreference \\\(n) but the pattern has \(totalCaptures) capturing group(s)",
                        at: escapeStart)
                }
                backreferenceCount += 1
                return .backreference(n)
            case "k":
                pos += 1
                guard peekIs("<") else {
                    throw error("invalid named reference: expected '<' after \\k", at: escapeStart)
                }
                pos += 1
                let name = try parseGroupName()
                backreferenceCount += 1
                namedReferences.append((name, escapeStart))
                // Placeholder: resolved after the whole pattern is parsed (the group may come later).
                return .backreference(-namedReferences.count)
            default:
                if let set = try parseClassEscapeSet(escapeStart: escapeStart) { return .set(addSet(set)) }
                return .char(try parseCharacterEscape(escapeStart: escapeStart, inClass: false))
            }
        }

        /// `\d \D \s \S \w \W \p{..} \P{..}` (pos at the letter). Returns nil if not one of those.
        mutating func parseClassEscapeSet(escapeStart: Int) throws(ECMARegexSyntaxError) -> CharSet? {
            guard let c = peek() else { return nil }
            switch Unicode.Scalar(c) ?? " " {
            case "d":
                pos += 1
                return CharSet(ranges: ECMARegex.digitRanges)
            case "D":
                pos += 1
                return CharSet(ranges: ECMARegex.digitRanges, negated: true)
            case "w":
                pos += 1
                return CharSet(ranges: ECMARegex.wordRanges)
            case "W":
                pos += 1
                return CharSet(ranges: ECMARegex.wordRanges, negated: true)
            case "s":
                pos += 1
                return CharSet(ranges: ECMARegex.spaceRanges)
            case "S":
                pos += 1
                return CharSet(ranges: ECMARegex.spaceRanges, negated: true)
            case "p", "P":
                let negated = c == 0x50
                pos += 1
                let bodyStart = pos
                let property = try parsePropertyExpression(escapeStart: escapeStart)
                let key =
                    String(String.UnicodeScalarView(src[bodyStart..<pos].compactMap(Unicode.Scalar.init)))
                    + (negated ? "-" : "+")
                if let cached = propertySetCache[key] { return cached }
                let set = CharSet(property: property, negated: negated)
                propertySetCache[key] = set
                return set
            default:
                return nil
            }
        }

        mutating func parsePropertyExpression(escapeStart: Int) throws(ECMARegexSyntaxError) -> Property {
            guard peekIs("{") else { throw error("invalid property escape: expected '{'", at: escapeStart) }
            pos += 1
            var text = ""
            while let c = peek(), c != 0x7D {
                guard let s = Unicode.Scalar(c), s.isASCII,
                    s.properties.isAlphabetic || Parser.isDecimal(c) || c == 0x5F || c == 0x3D
                else { throw error("invalid property escape", at: escapeStart) }
                text.unicodeScalars.append(s)
                pos += 1
            }
            guard peekIs("}") else { throw error("invalid property escape: missing '}'", at: escapeStart) }
            pos += 1
            if let cached = propertyCache[text] { return cached }
            let property = try resolveProperty(text, escapeStart: escapeStart)
            propertyCache[text] = property
            return property
        }

        func resolveProperty(_ text: String, escapeStart: Int) throws(ECMARegexSyntaxError) -> Property {
            let parts = text.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 2 {
                let (name, value) = (parts[0], parts[1])
                switch name {
                case "General_Category", "gc":
                    if let m = ECMARegex.generalCategoryByName[value] { return .generalCategory(mask: m) }
                case "Script", "sc", "Script_Extensions", "scx":
                    let ext = name == "Script_Extensions" || name == "scx"
                    if let r = ECMARegex.scriptRanges(value, extensions: ext) { return .table(r) }
                default:
                    throw error("invalid property name '\(name)'", at: escapeStart)
                }
                throw error("invalid property value '\(value)' for \(name)", at: escapeStart)
            } else if parts.count == 1 && !text.isEmpty {
                if let m = ECMARegex.generalCategoryByName[text] { return .generalCategory(mask: m) }
                if let b = BinaryProperty.byName[text] { return .binary(b) }
                throw error("invalid property name '\(text)'", at: escapeStart)
            }
            throw error("invalid property escape", at: escapeStart)
        }

        /// CharacterEscape[+U] (pos at the character after the backslash). In a class, also `\b` and `\-`.
        mutating func parseCharacterEscape(escapeStart: Int, inClass: Bool) throws(ECMARegexSyntaxError)
            -> UInt32
        {
            guard let c = peek() else { throw error("\\ at end of pattern", at: escapeStart) }
            pos += 1
            switch Unicode.Scalar(c) ?? " " {
            case "f": return 0x0C
            case "n": return 0x0A
            case "r": return 0x0D
            case "t": return 0x09
            case "v": return 0x0B
            case "c":
                if let l = peek(), (l >= 0x41 && l <= 0x5A) || (l >= 0x61 && l <= 0x7A) {
                    pos += 1
                    return l % 32
                }
                throw error(
                    "invalid control escape: \\c must be followed by an ASCII letter", at: escapeStart)
            case "0":
                if Parser.isDecimal(peek()) {
                    throw error(inClass ? "invalid class escape" : "invalid decimal escape", at: escapeStart)
                }
                return 0
            case "x":
                if let h1 = Parser.hexValue(peek()), let h2 = Parser.hexValue(peek(1)) {
                    pos += 2
                    return h1 * 16 + h2
                }
                throw error("invalid \\x escape: expected two hex digits", at: escapeStart)
            case "u":
                if let v = try parseUnicodeEscapeBody(escapeStart: escapeStart) { return v }
                throw error("invalid unicode escape", at: escapeStart)
            case "b" where inClass:
                return 0x08
            case "-" where inClass:
                return 0x2D
            default:
                if Parser.isSyntaxCharacter(c) || c == 0x2F { return c }
                if inClass && (c >= 0x31 && c <= 0x39) {
                    throw error("invalid class escape", at: escapeStart)
                }
                let shown = Unicode.Scalar(c).map { String($0) } ?? "?"
                throw error(
                    "invalid escape '\\\(shown)' (identity escapes are limited to syntax characters in unicode mode)",
                    at: escapeStart)
            }
        }

        /// After `\u`: `{X...}` or `XXXX` (with a following `\uXXXX` trail surrogate combined into one code point).
        mutating func parseUnicodeEscapeBody(escapeStart: Int) throws(ECMARegexSyntaxError) -> UInt32? {
            if peekIs("{") {
                var p = pos + 1
                var v: UInt32 = 0
                var count = 0
                while p < src.count, let h = Parser.hexValue(src[p]) {
                    v = v > 0x10FFFF ? v : v * 16 + h
                    count += 1
                    p += 1
                }
                guard count > 0, p < src.count, src[p] == 0x7D else { return nil }
                if v > 0x10FFFF {
                    throw error("unicode escape out of range (max \\u{10FFFF})", at: escapeStart)
                }
                pos = p + 1
                return v
            }
            guard let v = hex4(at: pos) else { return nil }
            pos += 4
            if v >= 0xD800 && v <= 0xDBFF, peekIs("\\"), peekIs("u", 1), let t = hex4(at: pos + 2),
                t >= 0xDC00 && t <= 0xDFFF
            {
                pos += 6
                return 0x10000 + ((v - 0xD800) << 10) + (t - 0xDC00)
            }
            return v
        }

        func hex4(at p: Int) -> UInt32? {
            guard p + 4 <= src.count else { return nil }
            var v: UInt32 = 0
            for k in 0..<4 {
                guard let h = Parser.hexValue(src[p + k]) else { return nil }
                v = v * 16 + h
            }
            return v
        }

        // MARK: character classes

        enum ClassAtom {
            case char(UInt32)
            case set(CharSet)
        }

        mutating func parseClass() throws(ECMARegexSyntaxError) -> CharSet {
            let start = pos
            pos += 1  // [
            var set = CharSet()
            if peekIs("^") {
                set.negated = true
                pos += 1
            }
            while true {
                guard let c = peek() else { throw error("unterminated character class", at: start) }
                if c == 0x5D {
                    pos += 1
                    break
                }  // ]
                let atomStart = pos
                let a = try parseClassAtom(classStart: start)
                if peekIs("-"), let next = peek(1), next != 0x5D {
                    pos += 1
                    let b = try parseClassAtom(classStart: start)
                    guard case .char(let lo) = a, case .char(let hi) = b else {
                        throw error(
                            "character class escape cannot be used as a range endpoint", at: atomStart)
                    }
                    if lo > hi { throw error("range out of order in character class", at: atomStart) }
                    set.addRange(lo, hi)
                } else {
                    switch a {
                    case .char(let ch): set.addRange(ch, ch)
                    case .set(let s): set.addSet(s)
                    }
                }
            }
            set.finalize()
            return set
        }

        mutating func parseClassAtom(classStart: Int) throws(ECMARegexSyntaxError) -> ClassAtom {
            guard let c = peek() else { throw error("unterminated character class", at: classStart) }
            if c != 0x5C {
                pos += 1
                return .char(c)
            }
            let escapeStart = pos
            pos += 1
            guard peek() != nil else { throw error("unterminated character class", at: classStart) }
            if let s = try parseClassEscapeSet(escapeStart: escapeStart) { return .set(s) }
            if peekIs("B") { throw error("invalid class escape '\\B'", at: escapeStart) }
            if peekIs("k") { throw error("invalid class escape '\\k'", at: escapeStart) }
            return .char(try parseCharacterEscape(escapeStart: escapeStart, inClass: true))
        }
    }
}
