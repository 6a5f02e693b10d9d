import Testing

@testable import HandoffSchema

/// The ECMARegex engine against hand-written ECMA-262 (u flag) rows, each cross-checked against node.
struct RegexTableTests {
    // Hand-written ECMA-262 (u flag) behaviour table. Every row is cross-checked against node 20
    // (`new RegExp(p, "u").test(s)`) by scripts/fixtures/check_table.py, which reads the rows (and the two
    // pattern lists below) from this file; run from the repository root:
    //     python3 scripts/fixtures/check_table.py Tests/HandoffSchemaTests/Regex/RegexTableTests.swift
    // Format: one row per line (a row too long for one is wrapped), (#"pattern"#, "input", expected).
    static let ecmaTable: [(String, String, Bool)] = [
        // Literals, unanchored search
        (#"abc"#, "abc", true),
        (#"abc"#, "xxabcxx", true),
        (#"abc"#, "ab", false),
        (#""#, "", true),
        (#""#, "anything", true),
        (#"a"#, "A", false),
        (#"é"#, "café", true),
        (#"😀"#, "hi 😀!", true),
        (#"a😀b"#, "a😀b", true),
        (#"-,:;'"<>=!@#%&~`"#, "-,:;'\"<>=!@#%&~`", true),
        // Anchors without the m flag
        (#"^abc$"#, "abc", true),
        (#"^abc$"#, "abc\n", false),
        (#"^abc$"#, "\nabc", false),
        (#"abc$"#, "xabc", true),
        (#"^abc"#, "xabc", false),
        (#"^$"#, "", true),
        (#"^$"#, "\n", false),
        (#"a^b"#, "a^b", false),
        (#"a$|b"#, "ab", true),
        (#"$a"#, "a", false),
        (#"^^a$$"#, "a", true),
        // Dot
        (#"^.$"#, "a", true),
        (#"^.$"#, "\n", false),
        (#"^.$"#, "\r", false),
        (#"^.$"#, "\u{2028}", false),
        (#"^.$"#, "\u{2029}", false),
        (#"^.$"#, "\u{85}", true),
        (#"^.$"#, "😀", true),
        (#"^..$"#, "😀", false),
        (#"^.$"#, "\u{10FFFF}", true),
        (#"^.$"#, "\t", true),
        (#"a.c"#, "a\nc", false),
        // Character classes
        (#"^[abc]+$"#, "abcba", true),
        (#"^[abc]+$"#, "abcd", false),
        (#"^[a-z]+$"#, "hello", true),
        (#"^[a-z]+$"#, "Hello", false),
        (#"^[^a-z]+$"#, "HELLO1", true),
        (#"^[^a-z]+$"#, "HELLo", false),
        (#"^[a-]+$"#, "a-a", true),
        (#"^[-a]+$"#, "-a", true),
        (#"^[a-c-e]+$"#, "-e", true),
        (#"^[a-c-e]+$"#, "d", false),
        (#"^[\-]$"#, "-", true),
        (#"^[\]]$"#, "]", true),
        (#"^[[]$"#, "[", true),
        (#"^[\\]$"#, "\\", true),
        (#"^[.]$"#, "x", false),
        (#"^[.]$"#, ".", true),
        (#"^[$^]+$"#, "^$", true),
        (#"^[\b]$"#, "\u{8}", true),
        (#"^[\d]+$"#, "123", true),
        (#"^[\D]$"#, "a", true),
        (#"^[\w.]+$"#, "a.b_c", true),
        (#"^[\s]$"#, "\u{3000}", true),
        (#"^[^\s]$"#, " ", false),
        (#"^[]$"#, "", false),
        (#"[]"#, "a", false),
        (#"^[^]$"#, "\n", true),
        (#"^[😀-😂]$"#, "😁", true),
        (#"^[😀-😂]$"#, "😃", false),
        (#"^[\u{1F600}-\u{1F64F}]+$"#, "😀🙏", true),
        (#"^[\uD83D\uDE00-\uD83D\uDE4F]$"#, "😎", true),
        (#"^[^😀]$"#, "😀", false),
        (#"^[^😀]$"#, "a", true),
        (#"^[\0-\x1F]$"#, "\u{1F}", true),
        (#"^[\cA-\cZ]$"#, "\u{1A}", true),
        (#"^[\p{Lu}\d]+$"#, "AB12", true),
        (#"^[\p{Lu}\d]+$"#, "aB12", false),
        (#"^[^\p{L}]+$"#, "123", true),
        (#"^[^\p{L}]+$"#, "1a", false),
        (#"^[\P{L}a]+$"#, "1a2", true),
        (#"^[\P{L}a]+$"#, "1b2", false),
        (#"^[^\P{L}]+$"#, "abc", true),
        // Class escapes
        (#"^\d+$"#, "0123456789", true),
        (#"^\d$"#, "٣", false),
        (#"^\D$"#, "٣", true),
        (#"^\w+$"#, "azAZ09_", true),
        (#"^\w$"#, "é", false),
        (#"^\w$"#, "ſ", false),
        (#"^\w$"#, "\u{212A}", false),
        (#"^\W$"#, "-", true),
        (
            #"^\s+$"#,
            " \t\n\r\u{B}\u{C}\u{A0}\u{1680}\u{2000}\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}\u{FEFF}",
            true
        ),
        (#"^\s$"#, "\u{180E}", false),
        (#"^\s$"#, "\u{200B}", false),
        (#"^\s$"#, "\u{85}", false),
        (#"^\S$"#, "\u{85}", true),
        (#"^\S$"#, "\u{A0}", false),
        // Word boundaries
        (#"\bfoo\b"#, "a foo b", true),
        (#"\bfoo\b"#, "afoo", false),
        (#"\bfoo\b"#, "foo_", false),
        (#"\bfoo\b"#, "foo-bar", true),
        (#"\Boo\B"#, "foob", true),
        (#"\Boo\B"#, "oo", false),
        (#"^\b$"#, "", false),
        (#"^\B$"#, "", true),
        (#"\bé"#, "é", false),
        (#"é\b"#, "aé", false),
        (#"a\b"#, "aé", true),
        // Quantifiers
        (#"^a*$"#, "", true),
        (#"^a*$"#, "aaaa", true),
        (#"^a+$"#, "", false),
        (#"^a+$"#, "aaa", true),
        (#"^a?$"#, "a", true),
        (#"^a?$"#, "aa", false),
        (#"^a{3}$"#, "aaa", true),
        (#"^a{3}$"#, "aa", false),
        (#"^a{3}$"#, "aaaa", false),
        (#"^a{2,}$"#, "aa", true),
        (#"^a{2,}$"#, "a", false),
        (#"^a{2,3}$"#, "aaa", true),
        (#"^a{2,3}$"#, "aaaa", false),
        (#"^a{0,0}$"#, "", true),
        (#"^a{0}b$"#, "b", true),
        (#"^a{1,1}$"#, "a", true),
        (#"^a*?$"#, "aaa", true),
        (#"^a+?b$"#, "aaab", true),
        (#"^a??b$"#, "ab", true),
        (#"^a{2,3}?$"#, "aaa", true),
        (#"^a{2,}?b$"#, "aaaab", true),
        (#"^(?:ab)+$"#, "ababab", true),
        (#"^(?:ab)+$"#, "ababa", false),
        (#"^(?:a|bc){2,3}$"#, "abca", true),
        (#"^(?:a|bc){2,3}$"#, "abcabc", false),
        (#"^😀{2}$"#, "😀😀", true),
        (#"^\u{1F600}{2}$"#, "😀😀", true),
        (#"^(?:a{2}){3}$"#, "aaaaaa", true),
        (#"^(?:a{2}){3}$"#, "aaaaa", false),
        (#"^[ab]{1,100}$"#, "abababababab", true),
        (#"^x{0,99999999999}$"#, "xxxx", true),
        (#"^x{99999999999}$"#, "xxxx", false),
        (#"^(?:a*)*$"#, "aaa", true),
        (#"^(?:a*)*b$"#, "aaab", true),
        (#"^(?:a*)+$"#, "", true),
        (#"^(?:a?)*$"#, "aa", true),
        (#"^(?:a|)*b$"#, "aab", true),
        (#"^(?:(?:a|)+b)+$"#, "abab", true),
        (#"(?:){5}"#, "", true),
        // Alternation
        (#"^(?:cat|dog)$"#, "dog", true),
        (#"^(?:cat|dog)$"#, "cow", false),
        (#"^(?:a|ab)c$"#, "abc", true),
        (#"a|"#, "xyz", true),
        (#"^(?:|a)$"#, "a", true),
        (#"^(?:a|b|c|d|e)+$"#, "edcba", true),
        // Groups
        (#"^(ab)+$"#, "abab", true),
        (#"^(?<word>\w+)$"#, "hello", true),
        (#"^(?<a>x)(?<b>y)$"#, "xy", true),
        (#"^(?<$x_1>a)$"#, "a", true),
        (#"^(?<π>a)\k<π>$"#, "aa", true),
        (#"^(?<\u0061b>.)\k<ab>$"#, "zz", true),
        (#"^()$"#, "", true),
        (#"^(((((((((((a)))))))))))$"#, "a", true),
        // Backreferences
        (#"^(a)\1$"#, "aa", true),
        (#"^(a)\1$"#, "ab", false),
        (#"^(\w+) \1$"#, "hey hey", true),
        (#"^(\w+) \1$"#, "hey hex", false),
        (#"^(a)|\1b$"#, "b", true),
        (#"^\1(a)$"#, "a", true),
        (#"^(?:\1(a))+$"#, "aa", true),
        (#"^(a)?\1b$"#, "b", true),
        (#"^(a)?\1b$"#, "aab", true),
        (#"^(?:(a)|b)\1$"#, "b", true),
        (#"^(?<n>[ab])\k<n>$"#, "bb", true),
        (#"^(?<n>[ab])\k<n>$"#, "ba", false),
        (#"^\k<n>(?<n>a)$"#, "a", true),
        (#"^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\10$"#, "abcdefghijj", true),
        (#"^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\10$"#, "abcdefghija0", false),
        (#"^(?:(a)|b)*\1$"#, "ab", true),
        (#"^(?:(a)|b)*\1$"#, "aba", false),
        (#"^(?:(a)|b)*\1$"#, "abb", true),
        (#"^(a*)b\1+$"#, "baaaac", false),
        (#"^(a*)b\1+"#, "baaaac", true),
        (#"^(.)(?:(?!\1).)*\1$"#, "abca", true),
        (#"^(.)(?:(?!\1).)*\1$"#, "abaa", false),
        (#"^(😀)\1$"#, "😀😀", true),
        (#"^(z)((a+)?(b+)?(c))*\4$"#, "zaacbbbcac", true),
        (#"^(z)((a+)?(b+)?(c))*\4$"#, "zaacbbbcacbbb", false),
        (#"^(?:(a)b|ac)\1$"#, "ac", true),
        // Lookahead
        (#"^(?=abc)ab"#, "abc", true),
        (#"^(?=abc)ab"#, "abd", false),
        (#"^(?!abc)ab"#, "abd", true),
        (#"^(?!abc)ab"#, "abc", false),
        (#"^(?=(a+))a*b\1"#, "aaab", false),
        (#"(?=(a+))a*b\1"#, "baaabac", true),
        (#"^(?=(a+?))\1b"#, "aab", false),
        (#"^(?=(a+?))\1b"#, "ab", true),
        (#"^(?!(a)b)\1c"#, "ac", false),
        (#"^(?!(a)b)\w\1"#, "aa", true),
        (#"^(.*?)a(?!(a+)b\2c)\2(.*)$"#, "baaabaac", true),
        (#"^(?=.*\d)(?=.*[a-z]).{6,}$"#, "abc123", true),
        (#"^(?=.*\d)(?=.*[a-z]).{6,}$"#, "abcdef", false),
        (#"^(?=(?=a)a)a$"#, "a", true),
        (#"^(?!(?!a)b)a$"#, "a", true),
        (#"a(?=b)$"#, "ab", false),
        (#"(?=b)$"#, "ab", false),
        (#"^(?:(?=(\w))\1)+$"#, "abc", true),
        // Lookbehind
        (#"(?<=\$)\d+"#, "cost: $42", true),
        (#"(?<=\$)\d+"#, "cost: 42", false),
        (#"(?<!\$)\b\d+"#, "$42", false),
        (#"(?<!\$)\b\d+"#, "€42", true),
        (#"(?<=^a)b"#, "ab", true),
        (#"(?<=^a)b"#, "aab", false),
        (#"(?<=a{2})b"#, "aab", true),
        (#"(?<=a{2})b"#, "ab", false),
        (#"(?<=😀)x"#, "😀x", true),
        (#"(?<=.)x"#, "😀x", true),
        (#"^.(?<=^😀)x$"#, "😀x", true),
        (#"(?<=(\d+)(\d+))$"#, "1053", true),
        (#"^1053(?<=(\d+)(\d+))\1$"#, "10531", true),
        (#"^1053(?<=(\d+)(\d+))\1$"#, "1053105", false),
        (#"^1053(?<=(\d+)(\d+))\2$"#, "1053053", true),
        (#"(?<=\1(a))b"#, "aab", true),
        (#"(?<=\1(a))b"#, "ab", false),
        (#"(?<=(?<!x)a)b"#, "ab", true),
        (#"(?<=(?<!x)a)b"#, "xab", false),
        (#"(?<=(?=a)a)b"#, "ab", true),
        (#"(?<=a(?=b))b"#, "ab", true),
        (#"(?<=ab|c)d"#, "abd", true),
        (#"(?<=ab|c)d"#, "bd", false),
        (#"(?<=[a-c]+)d"#, "xcd", true),
        (#"(?<=\w\b)\W"#, "a-", true),
        (#"(?<=^|,)x(?=,|$)"#, "a,x,b", true),
        (#"(?<=^|,)x(?=,|$)"#, "a,xy,b", false),
        (#"(?<=(?:ab)+?)c"#, "ababc", true),
        (#"^(?:a(?<=a))+$"#, "aaa", true),
        (#"(?<!a+)b"#, "aab", false),
        (#"(?<!a+)b"#, "cb", true),
        // Escapes
        (#"^\t$"#, "\t", true),
        (#"^\t$"#, "\\t", false),
        (#"^\n$"#, "\n", true),
        (#"^\v$"#, "\u{B}", true),
        (#"^\f$"#, "\u{C}", true),
        (#"^\r$"#, "\r", true),
        (#"^\0$"#, "\0", true),
        (#"^\cJ$"#, "\n", true),
        (#"^\cj$"#, "\n", true),
        (#"^\cC$"#, "\u{3}", true),
        (#"^\x41$"#, "A", true),
        (#"^\x4a$"#, "J", true),
        (#"^\u0041$"#, "A", true),
        (#"^\u00e9$"#, "é", true),
        (#"^\u{41}$"#, "A", true),
        (#"^\u{0000000041}$"#, "A", true),
        (#"^\u{1F600}$"#, "😀", true),
        (#"^\u{10FFFF}$"#, "\u{10FFFF}", true),
        (#"^\uD83D\uDE00$"#, "😀", true),
        (#"^\ud83d\ude00$"#, "😀", true),
        (#"^\uD83D$"#, "😀", false),
        (#"^\/$"#, "/", true),
        (#"^\^\$\\\.\*\+\?\(\)\[\]\{\}\|$"#, "^$\\.*+?()[]{}|", true),
        (#"^a\.b$"#, "a.b", true),
        (#"^a\.b$"#, "axb", false),
        // Unicode: matching is over code points
        (#"^.{3}$"#, "a😀b", true),
        (#"^[^x]$"#, "😀", true),
        (#"^\S$"#, "😀", true),
        (#"^\W$"#, "😀", true),
        (#"^.$"#, "e\u{301}", false),
        (#"^..$"#, "e\u{301}", true),
        (#"^é$"#, "e\u{301}", false),
        (#"^\u{1F1EB}\u{1F1F7}$"#, "🇫🇷", true),
        // Unicode property escapes
        (#"^\p{L}+$"#, "héllo", true),
        (#"^\p{Letter}+$"#, "Ωμέγα", true),
        (#"^\p{L}+$"#, "abc1", false),
        (#"^\p{Lu}$"#, "A", true),
        (#"^\p{Lu}$"#, "a", false),
        (#"^\p{Uppercase_Letter}$"#, "É", true),
        (#"^\p{Ll}$"#, "ß", true),
        (#"^\p{Lt}$"#, "ǅ", true),
        (#"^\p{Lm}$"#, "ʰ", true),
        (#"^\p{Lo}$"#, "漢", true),
        (#"^\p{LC}$"#, "a", true),
        (#"^\p{LC}$"#, "漢", false),
        (#"^\p{M}$"#, "\u{301}", true),
        (#"^\p{Mark}$"#, "\u{903}", true),
        (#"^\p{Mn}$"#, "\u{301}", true),
        (#"^\p{Mc}$"#, "\u{903}", true),
        (#"^\p{Me}$"#, "\u{20DD}", true),
        (#"^\p{N}+$"#, "1²½Ⅻ٣", true),
        (#"^\p{Number}$"#, "x", false),
        (#"^\p{Nd}$"#, "٣", true),
        (#"^\p{Nd}$"#, "²", false),
        (#"^\p{digit}+$"#, "৪২", true),
        (#"^\p{Decimal_Number}$"#, "7", true),
        (#"^\p{Nl}$"#, "Ⅻ", true),
        (#"^\p{No}$"#, "½", true),
        (#"^\p{P}+$"#, "!?.,;:-()[]{}«»", true),
        (#"^\p{Punctuation}$"#, "a", false),
        (#"^\p{Pd}$"#, "–", true),
        (#"^\p{Ps}$"#, "(", true),
        (#"^\p{Pe}$"#, ")", true),
        (#"^\p{Pi}$"#, "«", true),
        (#"^\p{Pf}$"#, "»", true),
        (#"^\p{Pc}$"#, "_", true),
        (#"^\p{Po}$"#, "!", true),
        (#"^\p{S}+$"#, "+$^©", true),
        (#"^\p{Symbol}$"#, "a", false),
        (#"^\p{Sm}$"#, "∑", true),
        (#"^\p{Sc}$"#, "€", true),
        (#"^\p{Sk}$"#, "^", true),
        (#"^\p{So}$"#, "©", true),
        (#"^\p{Z}$"#, " ", true),
        (#"^\p{Separator}$"#, "\u{2028}", true),
        (#"^\p{Zs}$"#, "\u{3000}", true),
        (#"^\p{Zl}$"#, "\u{2028}", true),
        (#"^\p{Zp}$"#, "\u{2029}", true),
        (#"^\p{C}$"#, "\u{0}", true),
        (#"^\p{Other}$"#, "a", false),
        (#"^\p{Cc}$"#, "\u{7F}", true),
        (#"^\p{Cf}$"#, "\u{200B}", true),
        (#"^\p{Co}$"#, "\u{E000}", true),
        (#"^\p{Cn}$"#, "\u{378}", true),
        (#"^\p{Cs}$"#, "a", false),
        (#"^\p{gc=Lu}$"#, "A", true),
        (#"^\p{General_Category=Letter}$"#, "a", true),
        (#"^\P{L}$"#, "1", true),
        (#"^\P{L}$"#, "a", false),
        (#"^\P{Lu}+$"#, "abc", true),
        (#"^\p{Script=Latin}+$"#, "Ünïcödé", true),
        (#"^\p{sc=Latn}+$"#, "abc", true),
        (#"^\p{Script=Greek}+$"#, "αβγ", true),
        (#"^\p{Script=Greek}+$"#, "abc", false),
        (#"^\p{sc=Grek}$"#, "Ω", true),
        (#"^\p{Script=Cyrillic}+$"#, "привет", true),
        (#"^\p{sc=Cyrl}$"#, "p", false),
        (#"^\p{Script=Han}+$"#, "漢字", true),
        (#"^\p{sc=Hani}$"#, "ひ", false),
        (#"^\p{Script=Hiragana}+$"#, "ひらがな", true),
        (#"^\p{sc=Hira}$"#, "カ", false),
        (#"^\p{Script=Katakana}+$"#, "カタカナ", true),
        (#"^\p{sc=Kana}$"#, "ー", false),
        (#"^\p{scx=Kana}$"#, "ー", true),
        (#"^\p{scx=Hira}$"#, "ー", true),
        (#"^\p{Script=Arabic}+$"#, "مرحبا", true),
        (#"^\p{sc=Arab}$"#, "a", false),
        (#"^\p{Script=Hebrew}+$"#, "שלום", true),
        (#"^\p{sc=Hebr}$"#, "a", false),
        (#"^\p{Script=Common}+$"#, "1 !", true),
        (#"^\p{sc=Zinh}$"#, "\u{301}", true),
        (#"^\p{Script_Extensions=Devanagari}$"#, "\u{964}", true),
        (#"^\p{sc=Deva}$"#, "\u{964}", false),
        (#"^\p{Script=Thai}$"#, "ก", true),
        (#"^\p{Any}$"#, "\u{10FFFF}", true),
        (#"^\P{Any}$"#, "a", false),
        (#"^\p{ASCII}+$"#, "hello", true),
        (#"^\p{ASCII}$"#, "é", false),
        (#"^\p{Assigned}$"#, "a", true),
        (#"^\p{Assigned}$"#, "\u{378}", false),
        (#"^\p{Alphabetic}$"#, "Ⅻ", true),
        (#"^\p{Alpha}$"#, "1", false),
        (#"^\p{White_Space}$"#, "\u{85}", true),
        (#"^\p{space}$"#, " ", true),
        (#"^\p{Uppercase}$"#, "Ⓐ", true),
        (#"^\p{Lowercase}$"#, "ª", true),
        (#"^\p{Emoji}$"#, "😀", true),
        (#"^\p{Emoji_Presentation}$"#, "😀", true),
        (#"^\p{Emoji_Presentation}$"#, "©", false),
        (#"^\p{Extended_Pictographic}$"#, "©", true),
        (#"^\p{ExtPict}$"#, "a", false),
        (#"^\p{Emoji_Component}$"#, "\u{200D}", true),
        (#"^\p{EComp}$"#, "a", false),
        (#"^\p{Emoji_Modifier}$"#, "🏻", true),
        (#"^\p{Regional_Indicator}{2}$"#, "🇫🇷", true),
        (#"^\p{RI}$"#, "F", false),
        (#"^\p{ID_Start}\p{ID_Continue}*$"#, "ab_1", true),
        (#"^\p{ID_Start}$"#, "1", false),
        (#"^\p{Hex_Digit}+$"#, "09afAF", true),
        (#"^\p{AHex}$"#, "ａ", false),
        (#"^\p{Hex}$"#, "ａ", true),
        (#"^\p{Math}$"#, "+", true),
        (#"^\p{Dash}$"#, "—", true),
        (#"^\p{Ideographic}$"#, "〇", true),
        (#"^\p{Noncharacter_Code_Point}$"#, "\u{FFFF}", true),
        (#"^\p{Default_Ignorable_Code_Point}$"#, "\u{AD}", true),
        (#"^\p{Variation_Selector}$"#, "\u{FE0F}", true),
        (#"^\p{Join_Control}$"#, "\u{200D}", true),
        (#"^[\p{L}\p{N}]+$"#, "abc123", true),
        (#"\p{L}cole"#, "l'école", true),
        (#"\wcole"#, "l'école", false),
    ]

    @Test("ECMA-262 behaviour table (both matchers)")
    func ecmaBehaviourTable() throws {
        var passed = 0
        for (pattern, input, expected) in Self.ecmaTable {
            let regex: ECMARegex
            do { regex = try ECMARegex(pattern) } catch {
                Issue.record("/\(pattern)/ failed to compile: \(error)")
                continue
            }
            let auto = try regex.matches(input)
            let bt = try regex.matches(input, budget: ECMARegex.defaultBudget, engine: .backtracking)
            let pike = try regex.matches(input, budget: ECMARegex.defaultBudget, engine: .pike)
            #expect(auto == expected, "/\(pattern)/ on \(input.debugDescription): expected \(expected)")
            #expect(
                bt == expected, "backtracker: /\(pattern)/ on \(input.debugDescription): expected \(expected)"
            )
            #expect(pike == expected, "pike: /\(pattern)/ on \(input.debugDescription): expected \(expected)")
            if auto == expected && bt == expected && pike == expected { passed += 1 }
        }
        print("ECMA table: \(passed)/\(Self.ecmaTable.count) passed")
    }

    // Patterns that are SyntaxErrors under the u flag (each checked against node).
    static let invalidPatterns: [String] = [
        #"("#, #")"#, #"a)"#, #"(a"#, #"((a)"#, #"(?:a"#, #"["#, #"[a"#, #"[\"#, #"a\"#, #"\"#,
        #"*a"#, #"+"#, #"?"#, #"a**"#, #"a++"#, #"a{2}{3}"#, #"a|*"#, #"(*)"#, #"^*"#, #"$+"#, #"\b*"#,
        #"\B+"#,
        #"(?=a)*"#, #"(?!a)+"#, #"(?=a){2}"#, #"(?<=a)?"#, #"(?<!a)*"#,
        #"{"#, #"}"#, #"]"#, #"a{"#, #"a{1"#, #"a{1,"#, #"a{,5}"#, #"a{x}"#, #"x{2,1}"#,
        #"x{99999999999999,1}"#,
        #"[z-a]"#, #"[😂-😀]"#, #"[\d-z]"#, #"[a-\d]"#, #"[\w-\d]"#, #"[%-\d]"#, #"[a--]"#,
        #"\a"#, #"\e"#, #"\z"#, #"\q"#, #"\_"#, #"\ "#, #"\""#, #"\'"#, #"\-"#, #"\i"#, #"\Z"#, #"\A"#,
        #"\c"#, #"\c1"#, #"[\c]"#, #"[\c_]"#, #"[\c1]"#, #"\x"#, #"\x1"#, #"\xG0"#, #"\u"#, #"\u12"#,
        #"\u123"#, #"\u{}"#,
        #"\u{110000}"#, #"\u{FFFFFFFFF}"#, #"\u{61"#, #"\u{g}"#,
        #"\00"#, #"\01"#, #"[\00]"#, #"[\1]"#, #"\1"#, #"\2(a)"#, #"(a)\2"#, #"\8"#, #"\9"#, #"(a)\10"#,
        #"[\B]"#, #"[\k<a>](?<a>x)"#,
        #"\k"#, #"\k<a>"#, #"\k<a"#, #"(?<a>x)\k<b>"#, #"(?<a>x)\k"#, #"(?<a>x)(?<a>y)"#, #"(?<a>x)|(?<a>y)"#,
        #"(?<>a)"#, #"(?<1a>x)"#, #"(?<a-b>x)"#, #"(?<a"#, #"(?<a)"#, #"(?"#, #"(?P<n>x)"#, #"(?#c)"#,
        #"(?i:a)"#, #"(?i)"#,
        #"\p"#, #"\pL"#, #"\p{"#, #"\p{L"#, #"\p{}"#, #"\p{Foo}"#, #"\p{lu}"#, #"\p{Han}"#, #"\p{Latin}"#,
        #"\p{=L}"#,
        #"\p{gc=}"#, #"\p{Script=Foo}"#, #"\p{Script=}"#, #"\p{Block=Basic_Latin}"#, #"\p{General_Category}"#,
        #"\p{Any=Yes}"#, #"\p{Letter=Yes}"#, #"\p{RGI_Emoji}"#, #"\p{Basic_Emoji}"#, #"\P{RGI_Emoji}"#,
        #"\p{L}{2,1}"#,
        #"\p{Script_Extensions}"#, #"\p{ L}"#, #"\p{L }"#,
    ]

    @Test("Patterns that are syntax errors under the u flag")
    func invalidPatternsThrow() {
        var rejected = 0
        for p in Self.invalidPatterns {
            do {
                _ = try ECMARegex(p)
                Issue.record("/\(p)/ should be a syntax error")
            } catch {
                rejected += 1
                #expect(error.offset >= 0 && error.offset <= p.unicodeScalars.count)
                #expect(error.message.hasSuffix("at offset \(error.offset)"))
            }
        }
        print("invalid patterns: \(rejected)/\(Self.invalidPatterns.count) rejected")
    }

    // Patterns that are valid under the u flag (each checked against node).
    static let validPatterns: [String] = [
        #""#, #"|"#, #"||"#, #"()"#, #"(?:)"#, #"(|)"#, #"[]"#, #"[^]"#, #"[[]"#, #"[a[]"#, #"[-]"#, #"[--]"#,
        #"[a-]"#,
        #"[\]]"#, #"[\b-\n]"#, #"[\-]"#, #"[\/]"#, #"\/"#, #"[\w-]"#, #"[-\w]"#, #"\0"#, #"[\0]"#, #"\cA"#,
        #"\cz"#,
        #"\u{0}"#, #"\u{10FFFF}"#, #"\uD800"#, #"\uDC00"#, #"[\uD800-\uDFFF]"#, #"\ud83d\ude00"#, #"a??"#,
        #"a+?"#,
        #"a{0}"#, #"a{0,}"#, #"a{1,1}"#, #"a{99999999999999}"#, #"a{0,99999999999999}"#, #"a{000002,0003}"#,
        #"(?<$_a1>x)"#, #"(?<\u0061>x)\k<a>"#, #"(?<\u{61}b>x)"#, #"(?<π>x)"#, #"(?<a\u200Cb>x)"#,
        #"\k<a>(?<a>x)"#,
        #"\1(a)"#, #"(a)\1"#, #"(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\10"#, #"(?:a)?"#, #"(?=a)"#, #"(?!a)"#,
        #"(?<=a)"#,
        #"(?<!a)"#, #"(?=(?=a))"#, #"\p{L}"#, #"\P{L}"#, #"\p{Lu}{2,}"#, #"\P{Any}"#, #"[^\P{Any}]"#,
        #"\p{Assigned}"#,
        #"\p{Script=Hira}"#, #"\p{sc=Zyyy}"#, #"\p{scx=Zinh}"#, #"\p{General_Category=Letter}"#, #"\p{gc=L}"#,
        #"\p{digit}"#, #"\p{punct}"#, #"\p{cntrl}"#, #"\p{Combining_Mark}"#, #"\p{ASCII_Hex_Digit}"#,
        #"\u{1F600}{2}"#,
        #"😀+"#, #"[😀-😂]"#, #".\B."#, #"a|$"#, #"^"#,
        #"\^\$\\\.\*\+\?\(\)\[\]\{\}\|\/"#, #"[\^\$\\\.\*\+\?\(\)\[\]\{\}\|\/\-]"#,
        #"([abc])+\s+$"#, #"^\p{Letter}+$"#, #"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$"#,
    ]

    @Test("Patterns that are valid under the u flag")
    func validPatternsCompile() {
        for p in Self.validPatterns {
            do { _ = try ECMARegex(p) } catch { Issue.record("/\(p)/ should compile: \(error)") }
        }
    }

    @Test("Syntax error messages carry a readable reason and the scalar offset")
    func syntaxErrorMessages() {
        func message(_ p: String) -> String {
            do {
                _ = try ECMARegex(p)
                return "no error"
            } catch { return error.message }
        }
        #expect(message("abcd[efg") == "unterminated character class at offset 4")
        #expect(message("😀😀(a") == "unterminated group at offset 2")
        #expect(message("a)") == "unmatched ')' at offset 1")
        #expect(message("*a") == "nothing to repeat at offset 0")
        #expect(message("x{2,1}") == "numbers out of order in {} quantifier at offset 1")
        #expect(message("[z-a]") == "range out of order in character class at offset 1")
        #expect(message(#"ab\a"#).hasPrefix(#"invalid escape '\a'"#))
        #expect(message(#"(a)\2"#).hasSuffix("at offset 3"))
        #expect(message(#"\p{Foo}"#) == "invalid property name 'Foo' at offset 0")
        #expect(message(#"\k<x>"#) == "reference to undefined group name 'x' at offset 0")
        #expect(message(#"(?=a)*"#) == "nothing to repeat at offset 5")
    }
}
