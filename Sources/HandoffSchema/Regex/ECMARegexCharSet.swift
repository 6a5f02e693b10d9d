// Character sets for the ECMA-262 regex engine: ranges of code points plus Unicode property predicates.
// No Foundation: General_Category and most binary properties come from Swift's Unicode.Scalar.Properties;
// Script, Script_Extensions, Emoji_Component and Extended_Pictographic come from the generated tables in
// ECMARegexUnicodeData.swift (Swift's standard library has no public script property).

extension ECMARegex {

    /// A Unicode property predicate usable inside a character set.
    enum Property: Sendable, Equatable {
        /// Bit mask over `generalCategoryBit(_:)`.
        case generalCategory(mask: UInt32)
        case binary(BinaryProperty)
        /// Sorted, non-overlapping inclusive ranges, flattened as [lo0, hi0, lo1, hi1, ...].
        case table([UInt32])

        func contains(_ c: UInt32) -> Bool {
            switch self {
            case .generalCategory(let mask):
                guard let s = Unicode.Scalar(c) else {
                    // Lone surrogate code points (only reachable via pattern escapes): category Cs.
                    return mask & (1 << ECMARegex.gcSurrogateBit) != 0
                }
                return mask & (1 << ECMARegex.generalCategoryBit(s.properties.generalCategory)) != 0
            case .binary(let p):
                return p.contains(c)
            case .table(let ranges):
                return ECMARegex.rangesContain(ranges, c)
            }
        }
    }

    /// ECMA-262 binary Unicode properties (table "Binary Unicode property aliases").
    enum BinaryProperty: Sendable, Equatable {
        case ascii, asciiHexDigit, alphabetic, any, assigned, bidiControl, bidiMirrored, caseIgnorable, cased
        case changesWhenCasefolded, changesWhenCasemapped, changesWhenLowercased, changesWhenNFKCCasefolded
        case changesWhenTitlecased, changesWhenUppercased, dash, defaultIgnorableCodePoint, deprecated,
            diacritic
        case emoji, emojiComponent, emojiModifier, emojiModifierBase, emojiPresentation, extendedPictographic
        case extender, graphemeBase, graphemeExtend, hexDigit, idsBinaryOperator, idsTrinaryOperator,
            idContinue
        case idStart, ideographic, joinControl, logicalOrderException, lowercase, math, noncharacterCodePoint
        case patternSyntax, patternWhiteSpace, quotationMark, radical, regionalIndicator, sentenceTerminal
        case softDotted, terminalPunctuation, unifiedIdeograph, uppercase, variationSelector, whiteSpace
        case xidContinue, xidStart

        static let byName: [String: BinaryProperty] = [
            "ASCII": .ascii, "ASCII_Hex_Digit": .asciiHexDigit, "AHex": .asciiHexDigit,
            "Alphabetic": .alphabetic, "Alpha": .alphabetic, "Any": .any, "Assigned": .assigned,
            "Bidi_Control": .bidiControl, "Bidi_C": .bidiControl, "Bidi_Mirrored": .bidiMirrored,
            "Bidi_M": .bidiMirrored,
            "Case_Ignorable": .caseIgnorable, "CI": .caseIgnorable, "Cased": .cased,
            "Changes_When_Casefolded": .changesWhenCasefolded, "CWCF": .changesWhenCasefolded,
            "Changes_When_Casemapped": .changesWhenCasemapped, "CWCM": .changesWhenCasemapped,
            "Changes_When_Lowercased": .changesWhenLowercased, "CWL": .changesWhenLowercased,
            "Changes_When_NFKC_Casefolded": .changesWhenNFKCCasefolded, "CWKCF": .changesWhenNFKCCasefolded,
            "Changes_When_Titlecased": .changesWhenTitlecased, "CWT": .changesWhenTitlecased,
            "Changes_When_Uppercased": .changesWhenUppercased, "CWU": .changesWhenUppercased,
            "Dash": .dash, "Default_Ignorable_Code_Point": .defaultIgnorableCodePoint,
            "DI": .defaultIgnorableCodePoint,
            "Deprecated": .deprecated, "Dep": .deprecated, "Diacritic": .diacritic, "Dia": .diacritic,
            "Emoji": .emoji, "Emoji_Component": .emojiComponent, "EComp": .emojiComponent,
            "Emoji_Modifier": .emojiModifier, "EMod": .emojiModifier,
            "Emoji_Modifier_Base": .emojiModifierBase, "EBase": .emojiModifierBase,
            "Emoji_Presentation": .emojiPresentation, "EPres": .emojiPresentation,
            "Extended_Pictographic": .extendedPictographic, "ExtPict": .extendedPictographic,
            "Extender": .extender, "Ext": .extender, "Grapheme_Base": .graphemeBase, "Gr_Base": .graphemeBase,
            "Grapheme_Extend": .graphemeExtend, "Gr_Ext": .graphemeExtend, "Hex_Digit": .hexDigit,
            "Hex": .hexDigit,
            "IDS_Binary_Operator": .idsBinaryOperator, "IDSB": .idsBinaryOperator,
            "IDS_Trinary_Operator": .idsTrinaryOperator, "IDST": .idsTrinaryOperator,
            "ID_Continue": .idContinue, "IDC": .idContinue, "ID_Start": .idStart, "IDS": .idStart,
            "Ideographic": .ideographic, "Ideo": .ideographic, "Join_Control": .joinControl,
            "Join_C": .joinControl,
            "Logical_Order_Exception": .logicalOrderException, "LOE": .logicalOrderException,
            "Lowercase": .lowercase, "Lower": .lowercase, "Math": .math,
            "Noncharacter_Code_Point": .noncharacterCodePoint, "NChar": .noncharacterCodePoint,
            "Pattern_Syntax": .patternSyntax, "Pat_Syn": .patternSyntax,
            "Pattern_White_Space": .patternWhiteSpace, "Pat_WS": .patternWhiteSpace,
            "Quotation_Mark": .quotationMark, "QMark": .quotationMark, "Radical": .radical,
            "Regional_Indicator": .regionalIndicator, "RI": .regionalIndicator,
            "Sentence_Terminal": .sentenceTerminal, "STerm": .sentenceTerminal,
            "Soft_Dotted": .softDotted, "SD": .softDotted, "Terminal_Punctuation": .terminalPunctuation,
            "Term": .terminalPunctuation, "Unified_Ideograph": .unifiedIdeograph, "UIdeo": .unifiedIdeograph,
            "Uppercase": .uppercase, "Upper": .uppercase, "Variation_Selector": .variationSelector,
            "VS": .variationSelector, "White_Space": .whiteSpace, "space": .whiteSpace,
            "XID_Continue": .xidContinue, "XIDC": .xidContinue, "XID_Start": .xidStart, "XIDS": .xidStart,
        ]

        func contains(_ c: UInt32) -> Bool {
            switch self {
            case .ascii: return c < 0x80
            case .any: return true
            case .regionalIndicator: return c >= 0x1F1E6 && c <= 0x1F1FF
            default: break
            }
            // Lone surrogates have none of the remaining properties except Any/Assigned (they are assigned, gc=Cs).
            guard let s = Unicode.Scalar(c) else { return self == .assigned }
            let p = s.properties
            switch self {
            case .ascii, .any, .regionalIndicator: return false  // handled above
            case .asciiHexDigit: return p.isASCIIHexDigit
            case .alphabetic: return p.isAlphabetic
            case .assigned: return p.generalCategory != .unassigned
            case .bidiControl: return p.isBidiControl
            case .bidiMirrored: return p.isBidiMirrored
            case .caseIgnorable: return p.isCaseIgnorable
            case .cased: return p.isCased
            case .changesWhenCasefolded: return p.changesWhenCaseFolded
            case .changesWhenCasemapped: return p.changesWhenCaseMapped
            case .changesWhenLowercased: return p.changesWhenLowercased
            case .changesWhenNFKCCasefolded: return p.changesWhenNFKCCaseFolded
            case .changesWhenTitlecased: return p.changesWhenTitlecased
            case .changesWhenUppercased: return p.changesWhenUppercased
            case .dash: return p.isDash
            case .defaultIgnorableCodePoint: return p.isDefaultIgnorableCodePoint
            case .deprecated: return p.isDeprecated
            case .diacritic: return p.isDiacritic
            case .emoji: return p.isEmoji
            case .emojiComponent: return ECMARegex.rangesContain(ECMARegex.emojiComponentTable, c)
            case .emojiModifier: return p.isEmojiModifier
            case .emojiModifierBase: return p.isEmojiModifierBase
            case .emojiPresentation: return p.isEmojiPresentation
            case .extendedPictographic: return ECMARegex.rangesContain(ECMARegex.extendedPictographicTable, c)
            case .extender: return p.isExtender
            case .graphemeBase: return p.isGraphemeBase
            case .graphemeExtend: return p.isGraphemeExtend
            case .hexDigit: return p.isHexDigit
            case .idsBinaryOperator: return p.isIDSBinaryOperator
            case .idsTrinaryOperator: return p.isIDSTrinaryOperator
            case .idContinue: return p.isIDContinue
            case .idStart: return p.isIDStart
            case .ideographic: return p.isIdeographic
            case .joinControl: return p.isJoinControl
            case .logicalOrderException: return p.isLogicalOrderException
            case .lowercase: return p.isLowercase
            case .math: return p.isMath
            case .noncharacterCodePoint: return p.isNoncharacterCodePoint
            case .patternSyntax: return p.isPatternSyntax
            case .patternWhiteSpace: return p.isPatternWhitespace
            case .quotationMark: return p.isQuotationMark
            case .radical: return p.isRadical
            case .sentenceTerminal: return p.isSentenceTerminal
            case .softDotted: return p.isSoftDotted
            case .terminalPunctuation: return p.isTerminalPunctuation
            case .unifiedIdeograph: return p.isUnifiedIdeograph
            case .uppercase: return p.isUppercase
            case .variationSelector: return p.isVariationSelector
            case .whiteSpace: return p.isWhitespace
            case .xidContinue: return p.isXIDContinue
            case .xidStart: return p.isXIDStart
            }
        }
    }

    static let emojiComponentTable: [UInt32] = parseRangeTable(emojiComponentRanges)
    static let extendedPictographicTable: [UInt32] = parseRangeTable(extendedPictographicRanges)

    /// Parses the generated "lo-hi,cp,..." hex format into flattened inclusive pairs.
    static func parseRangeTable(_ text: String) -> [UInt32] {
        var out: [UInt32] = []
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "-")
            let lo = UInt32(parts[0], radix: 16)!
            let hi = parts.count > 1 ? UInt32(parts[1], radix: 16)! : lo
            out.append(lo)
            out.append(hi)
        }
        return out
    }

    /// Binary search in flattened inclusive range pairs.
    @inline(__always)
    static func rangesContain(_ r: [UInt32], _ c: UInt32) -> Bool {
        var lo = 0
        var hi = r.count / 2 - 1
        while lo <= hi {
            let mid = (lo + hi) >> 1
            if c < r[2 * mid] {
                hi = mid - 1
            } else if c > r[2 * mid + 1] {
                lo = mid + 1
            } else {
                return true
            }
        }
        return false
    }

    // MARK: General_Category

    static let gcSurrogateBit: UInt32 = 27

    static func generalCategoryBit(_ gc: Unicode.GeneralCategory) -> UInt32 {
        switch gc {
        case .uppercaseLetter: return 0
        case .lowercaseLetter: return 1
        case .titlecaseLetter: return 2
        case .modifierLetter: return 3
        case .otherLetter: return 4
        case .nonspacingMark: return 5
        case .spacingMark: return 6
        case .enclosingMark: return 7
        case .decimalNumber: return 8
        case .letterNumber: return 9
        case .otherNumber: return 10
        case .connectorPunctuation: return 11
        case .dashPunctuation: return 12
        case .openPunctuation: return 13
        case .closePunctuation: return 14
        case .initialPunctuation: return 15
        case .finalPunctuation: return 16
        case .otherPunctuation: return 17
        case .mathSymbol: return 18
        case .currencySymbol: return 19
        case .modifierSymbol: return 20
        case .otherSymbol: return 21
        case .spaceSeparator: return 22
        case .lineSeparator: return 23
        case .paragraphSeparator: return 24
        case .control: return 25
        case .format: return 26
        case .surrogate: return 27
        case .privateUse: return 28
        case .unassigned: return 29
        @unknown default: return 29
        }
    }

    /// General_Category values and aliases accepted by ECMA-262 (PropertyValueAliases.txt, gc).
    static let generalCategoryByName: [String: UInt32] = {
        let gcLu: UInt32 = 1 << 0
        let gcLl: UInt32 = 1 << 1
        let gcLt: UInt32 = 1 << 2
        let gcLm: UInt32 = 1 << 3
        let gcLo: UInt32 = 1 << 4
        let gcMn: UInt32 = 1 << 5
        let gcMc: UInt32 = 1 << 6
        let gcMe: UInt32 = 1 << 7
        let gcNd: UInt32 = 1 << 8
        let gcNl: UInt32 = 1 << 9
        let gcNo: UInt32 = 1 << 10
        let gcPc: UInt32 = 1 << 11
        let gcPd: UInt32 = 1 << 12
        let gcPs: UInt32 = 1 << 13
        let gcPe: UInt32 = 1 << 14
        let gcPi: UInt32 = 1 << 15
        let gcPf: UInt32 = 1 << 16
        let gcPo: UInt32 = 1 << 17
        let gcSm: UInt32 = 1 << 18
        let gcSc: UInt32 = 1 << 19
        let gcSk: UInt32 = 1 << 20
        let gcSo: UInt32 = 1 << 21
        let gcZs: UInt32 = 1 << 22
        let gcZl: UInt32 = 1 << 23
        let gcZp: UInt32 = 1 << 24
        let gcCc: UInt32 = 1 << 25
        let gcCf: UInt32 = 1 << 26
        let gcCs: UInt32 = 1 << 27
        let gcCo: UInt32 = 1 << 28
        let gcCn: UInt32 = 1 << 29
        let gcL = gcLu | gcLl | gcLt | gcLm | gcLo
        let gcM = gcMn | gcMc | gcMe
        let gcN = gcNd | gcNl | gcNo
        let gcP = gcPc | gcPd | gcPs | gcPe | gcPi | gcPf | gcPo
        let gcS = gcSm | gcSc | gcSk | gcSo
        let gcZ = gcZs | gcZl | gcZp
        let gcC = gcCc | gcCf | gcCs | gcCo | gcCn
        let table: [([String], UInt32)] = [
            (["C", "Other"], gcC), (["Cc", "Control", "cntrl"], gcCc), (["Cf", "Format"], gcCf),
            (["Cn", "Unassigned"], gcCn), (["Co", "Private_Use"], gcCo), (["Cs", "Surrogate"], gcCs),
            (["L", "Letter"], gcL), (["LC", "Cased_Letter"], gcLu | gcLl | gcLt),
            (["Ll", "Lowercase_Letter"], gcLl),
            (["Lm", "Modifier_Letter"], gcLm), (["Lo", "Other_Letter"], gcLo),
            (["Lt", "Titlecase_Letter"], gcLt),
            (["Lu", "Uppercase_Letter"], gcLu),
            (["M", "Mark", "Combining_Mark"], gcM), (["Mc", "Spacing_Mark"], gcMc),
            (["Me", "Enclosing_Mark"], gcMe),
            (["Mn", "Nonspacing_Mark"], gcMn),
            (["N", "Number"], gcN), (["Nd", "Decimal_Number", "digit"], gcNd),
            (["Nl", "Letter_Number"], gcNl),
            (["No", "Other_Number"], gcNo),
            (["P", "Punctuation", "punct"], gcP), (["Pc", "Connector_Punctuation"], gcPc),
            (["Pd", "Dash_Punctuation"], gcPd), (["Pe", "Close_Punctuation"], gcPe),
            (["Pf", "Final_Punctuation"], gcPf),
            (["Pi", "Initial_Punctuation"], gcPi), (["Po", "Other_Punctuation"], gcPo),
            (["Ps", "Open_Punctuation"], gcPs),
            (["S", "Symbol"], gcS), (["Sc", "Currency_Symbol"], gcSc), (["Sk", "Modifier_Symbol"], gcSk),
            (["Sm", "Math_Symbol"], gcSm), (["So", "Other_Symbol"], gcSo),
            (["Z", "Separator"], gcZ), (["Zl", "Line_Separator"], gcZl),
            (["Zp", "Paragraph_Separator"], gcZp),
            (["Zs", "Space_Separator"], gcZs),
        ]
        var d: [String: UInt32] = [:]
        for (names, mask) in table { for n in names { d[n] = mask } }
        return d
    }()

    /// Looks up a Script / Script_Extensions value by long name or alias; returns the parsed range table.
    static func scriptRanges(_ name: String, extensions: Bool) -> [UInt32]? {
        for entry in scriptTable where entry.names.contains(name) {
            return parseRangeTable(extensions ? entry.scriptExtensions : entry.script)
        }
        return nil
    }

    // MARK: Character sets

    /// A set of code points: a union of ranges and property predicates, optionally complemented.
    /// Membership for ASCII is precomputed into a 128-bit map.
    struct CharSet: Sendable, Hashable {
        /// Sorted, merged inclusive ranges flattened as [lo0, hi0, lo1, hi1, ...].
        var ranges: [UInt32] = []
        /// Property predicates; each with a "negated" flag (\P{..} inside a class).
        var properties: [(Property, Bool)] = []
        var negated = false
        private(set) var asciiLow: UInt64 = 0
        private(set) var asciiHigh: UInt64 = 0

        /// Cheap hash (sizes and end points); equality is exact.
        func hash(into h: inout Hasher) {
            h.combine(negated)
            h.combine(ranges.count)
            h.combine(ranges.first)
            h.combine(ranges.last)
            h.combine(properties.count)
        }

        static func == (a: CharSet, b: CharSet) -> Bool {
            a.ranges == b.ranges && a.negated == b.negated && a.properties.count == b.properties.count
                && zip(a.properties, b.properties).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        }

        init() {}
        init(ranges: [UInt32], negated: Bool = false) {
            self.ranges = ranges
            self.negated = negated
            finalize()
        }
        init(property: Property, negated: Bool) {
            self.properties = [(property, negated)]
            finalize()
        }

        mutating func addRange(_ lo: UInt32, _ hi: UInt32) {
            ranges.append(lo)
            ranges.append(hi)
        }

        /// Adds every member of `other` (which must not itself be negated-with-properties in a way we cannot
        /// express; negated sets are folded into ranges when they have no properties).
        mutating func addSet(_ other: CharSet) {
            if other.negated {
                if other.properties.isEmpty {
                    let comp = ECMARegex.complement(ECMARegex.normalize(other.ranges))
                    ranges.append(contentsOf: comp)
                } else {
                    // Only \P{..} produces a negated single-property set; represent as a negated property.
                    precondition(other.properties.count == 1 && other.ranges.isEmpty)
                    properties.append((other.properties[0].0, !other.properties[0].1))
                }
            } else {
                ranges.append(contentsOf: other.ranges)
                properties.append(contentsOf: other.properties)
            }
        }

        mutating func finalize() {
            ranges = ECMARegex.normalize(ranges)
            var low: UInt64 = 0
            var high: UInt64 = 0
            var i = 0
            while i < ranges.count && ranges[i] < 128 {
                for c in ranges[i]...Swift.min(ranges[i + 1], 127) {
                    if c < 64 { low |= 1 << UInt64(c) } else { high |= 1 << UInt64(c - 64) }
                }
                i += 2
            }
            if !properties.isEmpty {
                for c in UInt32(0)..<128 where properties.contains(where: { $0.0.contains(c) != $0.1 }) {
                    if c < 64 { low |= 1 << UInt64(c) } else { high |= 1 << UInt64(c - 64) }
                }
            }
            asciiLow = negated ? ~low : low
            asciiHigh = negated ? ~high : high
        }

        private func slowContains(_ c: UInt32) -> Bool {
            var hit = ECMARegex.rangesContain(ranges, c)
            if !hit {
                for (p, neg) in properties where p.contains(c) != neg {
                    hit = true
                    break
                }
            }
            return hit != negated
        }

        @inline(__always)
        func contains(_ c: UInt32) -> Bool {
            if c < 64 { return asciiLow & (1 << UInt64(c)) != 0 }
            if c < 128 { return asciiHigh & (1 << UInt64(c - 64)) != 0 }
            return slowContains(c)
        }
    }

    /// Sorts and merges flattened inclusive range pairs.
    static func normalize(_ r: [UInt32]) -> [UInt32] {
        if r.count <= 2 { return r }
        var pairs: [(UInt32, UInt32)] = []
        pairs.reserveCapacity(r.count / 2)
        var i = 0
        while i < r.count {
            pairs.append((r[i], r[i + 1]))
            i += 2
        }
        pairs.sort { $0.0 < $1.0 }
        var out: [UInt32] = []
        var (lo, hi) = pairs[0]
        for (a, b) in pairs.dropFirst() {
            if a <= hi &+ 1 && hi != UInt32.max {
                hi = max(hi, b)
            } else {
                out.append(lo)
                out.append(hi)
                lo = a
                hi = b
            }
        }
        out.append(lo)
        out.append(hi)
        return out
    }

    /// Complement of normalized ranges within 0...0x10FFFF.
    static func complement(_ r: [UInt32]) -> [UInt32] {
        var out: [UInt32] = []
        var next: UInt32 = 0
        var i = 0
        while i < r.count {
            if r[i] > next {
                out.append(next)
                out.append(r[i] - 1)
            }
            next = r[i + 1] + 1
            i += 2
        }
        if next <= 0x10FFFF {
            out.append(next)
            out.append(0x10FFFF)
        }
        return out
    }

    static let digitRanges: [UInt32] = [0x30, 0x39]
    static let wordRanges: [UInt32] = [0x30, 0x39, 0x41, 0x5A, 0x5F, 0x5F, 0x61, 0x7A]
    /// ECMAScript WhiteSpace (TAB, VT, FF, ZWNBSP, USP = Zs) plus LineTerminator (LF, CR, LS, PS).
    static let spaceRanges: [UInt32] = [
        0x09, 0x0D, 0x20, 0x20, 0xA0, 0xA0, 0x1680, 0x1680, 0x2000, 0x200A, 0x2028, 0x2029,
        0x202F, 0x202F, 0x205F, 0x205F, 0x3000, 0x3000, 0xFEFF, 0xFEFF,
    ]
    /// `.` without the s flag: everything except LineTerminator.
    static let dotRanges: [UInt32] = [0, 0x09, 0x0B, 0x0C, 0x0E, 0x2027, 0x202A, 0x10FFFF]

    @inline(__always)
    static func isWordChar(_ c: UInt32) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
    }
}
