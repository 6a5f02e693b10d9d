import HandoffJSON

/// How `how` reads text: words of letters and digits, lower case, Latin accents folded (`café` is `cafe`),
/// each reduced to its stem by Porter's algorithm (`escalation`, `escalated` and `escalate` are `escal`).
///
/// Both what entries say and what questions ask are read this way, by Handoff itself rather than by a
/// backend's full-text tokenizer, so that every backend finds exactly the same entries and ranks them alike:
/// a store copied from SQLite to PostgreSQL answers `how` with the same JSON.
public enum SearchText {
    /// The stems of `text`'s words, in order, separated by single spaces: the form entries are indexed in.
    public static func stems(of text: String) -> String {
        joinedText(words(of: text).map(PorterStemmer.stem), separator: " ")
    }

    /// The words of `text`: runs of letters and digits, lower case, accents folded.
    public static func words(of text: some StringProtocol) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func finish() {
            guard !current.isEmpty else { return }
            words.append(String(current).lowercased())
            current = String.UnicodeScalarView()
        }
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                // A combining mark alone (what follows a decomposed letter) is dropped; it is not a letter.
                if scalar.properties.generalCategory == .nonspacingMark { continue }
                current.append(contentsOf: folded(scalar).unicodeScalars)
            } else if scalar.properties.generalCategory != .nonspacingMark {
                finish()
            }
        }
        finish()
        return words
    }

    /// Latin letters with accents, U+00C0 to U+017F, as the letters they are written on; others as they are.
    private static func folded(_ scalar: Unicode.Scalar) -> String {
        let value = scalar.value
        guard value >= 0xC0, value <= 0x17F else { return String(scalar) }
        let index = Int(value - 0xC0)
        let base = latinBases[index]
        return base == "." ? String(scalar) : String(base)
    }

    /// For each code point from U+00C0: the letter it folds to, or "." for one kept as it is. Letters whose
    /// canonical decomposition is an ASCII letter and accents fold to that letter, and so do the few with a
    /// stroke (Ø, Đ, Ħ, ı, Ŀ, Ł, Ŧ); ligatures, ß, þ, ĸ and the like stay.
    private static let latinBases: [Character] = Array(
        "AAAAAA.CEEEEIIII" + "DNOOOOO.OUUUUY.." + "aaaaaa.ceeeeiiii" + "dnooooo.ouuuuy.y"
            + "AaAaAaCcCcCcCcDd" + "DdEeEeEeEeEeGgGg" + "GgGgHhHhIiIiIiIi" + "Ii..JjKk.LlLlLlL"
            + "lLlNnNnNn...OoOo" + "Oo..RrRrRrSsSsSs" + "SsTtTtTtUuUuUuUu" + "UuUuWwYyYZzZzZz.")
}

/// Porter's stemming algorithm (M. F. Porter, "An algorithm for suffix stripping", 1980), as its author
/// published it, for English words of lower-case ASCII letters; other words are left as they are.
enum PorterStemmer {
    static func stem(_ word: String) -> String {
        guard word.utf8.count > 2, word.utf8.allSatisfy({ (0x61...0x7A).contains($0) }) else { return word }
        var stemmer = State(Array(word.utf8))
        stemmer.step1ab()
        stemmer.step1c()
        stemmer.step2()
        stemmer.step3()
        stemmer.step4()
        stemmer.step5()
        return String(decoding: stemmer.b[0...stemmer.k], as: UTF8.self)
    }

    /// The word being stemmed, `b[0...k]`, and the end of the stem a suffix test found, `j`.
    private struct State {
        var b: [UInt8]
        var k: Int
        var j = 0

        init(_ word: [UInt8]) {
            b = word
            k = word.count - 1
        }

        /// Whether `b[i]` is a consonant.
        func isConsonant(_ i: Int) -> Bool {
            switch b[i] {
            case UInt8(ascii: "a"), UInt8(ascii: "e"), UInt8(ascii: "i"), UInt8(ascii: "o"),
                UInt8(ascii: "u"):
                return false
            case UInt8(ascii: "y"):
                return i == 0 ? true : !isConsonant(i - 1)
            default:
                return true
            }
        }

        /// The number of vowel-consonant sequences in `b[0...j]`: m in [C](VC)^m[V].
        func measure() -> Int {
            var n = 0
            var i = 0
            while true {
                if i > j { return n }
                if !isConsonant(i) { break }
                i += 1
            }
            i += 1
            while true {
                while true {
                    if i > j { return n }
                    if isConsonant(i) { break }
                    i += 1
                }
                i += 1
                n += 1
                while true {
                    if i > j { return n }
                    if !isConsonant(i) { break }
                    i += 1
                }
                i += 1
            }
        }

        /// Whether `b[0...j]` holds a vowel.
        func vowelInStem() -> Bool {
            (0...max(0, j)).contains { j >= 0 && !isConsonant($0) }
        }

        /// Whether `b[i-1...i]` is a double consonant.
        func doubleConsonant(_ i: Int) -> Bool {
            i >= 1 && b[i] == b[i - 1] && isConsonant(i)
        }

        /// Whether `b[i-2...i]` is consonant-vowel-consonant, the last not w, x or y (`hop`, not `snow`).
        func cvc(_ i: Int) -> Bool {
            guard i >= 2, isConsonant(i), !isConsonant(i - 1), isConsonant(i - 2) else { return false }
            return ![UInt8(ascii: "w"), UInt8(ascii: "x"), UInt8(ascii: "y")].contains(b[i])
        }

        /// Whether `b[0...k]` ends with `suffix`; if so, `j` is where the stem before it ends.
        mutating func ends(_ suffix: String) -> Bool {
            let s = Array(suffix.utf8)
            guard s.count <= k + 1, b[(k - s.count + 1)...k].elementsEqual(s) else { return false }
            j = k - s.count
            return true
        }

        /// Replaces `b[j+1...k]` with `replacement`.
        mutating func setTo(_ replacement: String) {
            let r = Array(replacement.utf8)
            // A half-open range: with nothing after the stem (j == k), the replacement is appended.
            b.replaceSubrange((j + 1)..<(k + 1), with: r)
            k = j + r.count
        }

        mutating func replace(_ replacement: String) {
            if measure() > 0 { setTo(replacement) }
        }

        /// Plurals and -ed or -ing: caresses → caress, ponies → poni, feed → feed, agreed → agree,
        /// plastered → plaster, motoring → motor, hopping → hop.
        mutating func step1ab() {
            if b[k] == UInt8(ascii: "s") {
                if ends("sses") {
                    k -= 2
                } else if ends("ies") {
                    setTo("i")
                } else if b[k - 1] != UInt8(ascii: "s") {
                    k -= 1
                }
            }
            if ends("eed") {
                if measure() > 0 { k -= 1 }
            } else if (ends("ed") || ends("ing")) && vowelInStem() {
                k = j
                if ends("at") {
                    setTo("ate")
                } else if ends("bl") {
                    setTo("ble")
                } else if ends("iz") {
                    setTo("ize")
                } else if doubleConsonant(k) {
                    k -= 1
                    if [UInt8(ascii: "l"), UInt8(ascii: "s"), UInt8(ascii: "z")].contains(b[k]) { k += 1 }
                } else if measure() == 1 && cvc(k) {
                    setTo("e")
                }
            }
        }

        /// A final y after a vowel in the stem becomes i: happy → happi.
        mutating func step1c() {
            if ends("y") && vowelInStem() { b[k] = UInt8(ascii: "i") }
        }

        /// Double suffixes to single ones: -ization → -ize, -ational → -ate, …
        mutating func step2() {
            guard k >= 1 else { return }
            let pairs: [(String, String)]
            switch b[k - 1] {
            case UInt8(ascii: "a"): pairs = [("ational", "ate"), ("tional", "tion")]
            case UInt8(ascii: "c"): pairs = [("enci", "ence"), ("anci", "ance")]
            case UInt8(ascii: "e"): pairs = [("izer", "ize")]
            case UInt8(ascii: "l"):
                pairs = [("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous")]
            case UInt8(ascii: "o"): pairs = [("ization", "ize"), ("ation", "ate"), ("ator", "ate")]
            case UInt8(ascii: "s"):
                pairs = [("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous")]
            case UInt8(ascii: "t"): pairs = [("aliti", "al"), ("iviti", "ive"), ("biliti", "ble")]
            case UInt8(ascii: "g"): pairs = [("logi", "log")]
            default: return
            }
            for (suffix, replacement) in pairs where ends(suffix) {
                replace(replacement)
                return
            }
        }

        /// -ic-, -full, -ness and the like.
        mutating func step3() {
            let pairs: [(String, String)]
            switch b[k] {
            case UInt8(ascii: "e"): pairs = [("icate", "ic"), ("ative", ""), ("alize", "al")]
            case UInt8(ascii: "i"): pairs = [("iciti", "ic")]
            case UInt8(ascii: "l"): pairs = [("ical", "ic"), ("ful", "")]
            case UInt8(ascii: "s"): pairs = [("ness", "")]
            default: return
            }
            for (suffix, replacement) in pairs where ends(suffix) {
                replace(replacement)
                return
            }
        }

        /// -ant, -ence and the like, where the stem is long enough: m > 1.
        mutating func step4() {
            guard k >= 1 else { return }
            let suffixes: [String]
            switch b[k - 1] {
            case UInt8(ascii: "a"): suffixes = ["al"]
            case UInt8(ascii: "c"): suffixes = ["ance", "ence"]
            case UInt8(ascii: "e"): suffixes = ["er"]
            case UInt8(ascii: "i"): suffixes = ["ic"]
            case UInt8(ascii: "l"): suffixes = ["able", "ible"]
            case UInt8(ascii: "n"): suffixes = ["ant", "ement", "ment", "ent"]
            case UInt8(ascii: "o"):
                if ends("ion") && j >= 0 && (b[j] == UInt8(ascii: "s") || b[j] == UInt8(ascii: "t")) {
                    if measure() > 1 { k = j }
                    return
                }
                suffixes = ["ou"]
            case UInt8(ascii: "s"): suffixes = ["ism"]
            case UInt8(ascii: "t"): suffixes = ["ate", "iti"]
            case UInt8(ascii: "u"): suffixes = ["ous"]
            case UInt8(ascii: "v"): suffixes = ["ive"]
            case UInt8(ascii: "z"): suffixes = ["ize"]
            default: return
            }
            for suffix in suffixes where ends(suffix) {
                if measure() > 1 { k = j }
                return
            }
        }

        /// A final -e where the stem is long enough, and -ll to -l: probate → probat, controll → control.
        mutating func step5() {
            j = k
            if b[k] == UInt8(ascii: "e") {
                let m = measure()
                if m > 1 || (m == 1 && !cvc(k - 1)) { k -= 1 }
            }
            if b[k] == UInt8(ascii: "l") && doubleConsonant(k) && measure() > 1 { k -= 1 }
        }
    }
}
