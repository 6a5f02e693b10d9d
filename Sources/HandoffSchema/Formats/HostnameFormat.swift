/// Host names: RFC 1123 for `hostname` (A-labels checked by IDNA2008), IDNA2008 (RFC 5890–5893) for
/// `idn-hostname`.
///
/// IDNA2008's derived property (RFC 5892) is computed from Swift's Unicode properties; joining types and
/// bidirectional classes, which Swift does not expose, are approximated by script and block, which is
/// enough for the Arabic, Hebrew and Indic cases the rules are about.
enum HostnameFormat {
    static func isHostname(_ scalars: [Unicode.Scalar], international: Bool) -> Bool {
        guard !scalars.isEmpty else { return false }
        let labels = scalars.split(omittingEmptySubsequences: false) { scalar in
            scalar == "."
                || (international && (scalar == "\u{3002}" || scalar == "\u{FF0E}" || scalar == "\u{FF61}"))
        }
        var length = labels.count - 1
        var uLabels: [[Unicode.Scalar]] = []
        for label in labels {
            guard !label.isEmpty else { return false }
            let ascii = label.allSatisfy { $0.isASCII }
            if ascii {
                guard label.count <= 63,
                    label.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || $0 == "-" }),
                    label.first != "-", label.last != "-"
                else { return false }
                length += label.count
                if label.count >= 4,
                    label.prefix(4).map({ $0.properties.lowercaseMapping }).joined() == "xn--"
                {
                    guard let decoded = Punycode.decode(Array(label.dropFirst(4))),
                        decoded.contains(where: { !$0.isASCII }),
                        Punycode.encode(decoded).map({ String(String.UnicodeScalarView($0)) })
                            == String(String.UnicodeScalarView(label.dropFirst(4))).lowercased(),
                        isULabel(decoded)
                    else { return false }
                    uLabels.append(decoded)
                } else {
                    uLabels.append(Array(label))
                }
            } else {
                guard international, let encoded = Punycode.encode(Array(label)), encoded.count + 4 <= 63,
                    isULabel(Array(label))
                else { return false }
                length += encoded.count + 4
                uLabels.append(Array(label))
            }
        }
        guard length <= 253 else { return false }
        return satisfiesBidiRule(uLabels)
    }

    // MARK: IDNA2008

    /// RFC 5891 §5.4: hyphen placement, no leading combining mark, every code point permitted in context.
    private static func isULabel(_ label: [Unicode.Scalar]) -> Bool {
        guard label.count <= 63, label.first != "-", label.last != "-" else { return false }
        if label.count >= 4, label[2] == "-", label[3] == "-" { return false }
        if let first = label.first, isMark(first) { return false }
        for (position, scalar) in label.enumerated() {
            switch property(of: scalar) {
            case .valid: continue
            case .disallowed: return false
            case .contextual:
                guard contextRuleHolds(label, at: position) else { return false }
            }
        }
        return true
    }

    private enum Property { case valid, contextual, disallowed }

    /// RFC 5892 §3 with the exceptions of §2.6.
    private static func property(of scalar: Unicode.Scalar) -> Property {
        let value = scalar.value
        switch value {
        case 0xDF, 0x3C2, 0x6FD, 0x6FE, 0xF0B, 0x3007: return .valid
        case 0xB7, 0x375, 0x5F3, 0x5F4, 0x30FB, 0x660...0x669, 0x6F0...0x6F9: return .contextual
        case 0x640, 0x7FA, 0x302E, 0x302F, 0x3031...0x3035, 0x303B: return .disallowed
        case 0x200C, 0x200D: return .contextual
        case 0x61...0x7A, 0x30...0x39, 0x2D: return .valid
        default: break
        }
        let properties = scalar.properties
        if properties.generalCategory == .unassigned { return .disallowed }
        if properties.changesWhenNFKCCaseFolded { return .disallowed }
        if properties.isDefaultIgnorableCodePoint || properties.isWhitespace
            || properties.isNoncharacterCodePoint
        {
            return .disallowed
        }
        switch value {
        case 0x20D0...0x20FF, 0x1D100...0x1D1FF, 0x1D200...0x1D24F: return .disallowed
        case 0x1100...0x11FF, 0xA960...0xA97F, 0xD7B0...0xD7FF: return .disallowed
        default: break
        }
        switch properties.generalCategory {
        case .lowercaseLetter, .uppercaseLetter, .otherLetter, .decimalNumber, .modifierLetter,
            .nonspacingMark,
            .spacingMark:
            return .valid
        default:
            return .disallowed
        }
    }

    /// RFC 5892 appendix A.
    private static func contextRuleHolds(_ label: [Unicode.Scalar], at position: Int) -> Bool {
        let scalar = label[position]
        let before = position > 0 ? label[position - 1] : nil
        let after = position + 1 < label.count ? label[position + 1] : nil
        switch scalar.value {
        case 0x200D:
            return before.map(isVirama) ?? false
        case 0x200C:
            if let before, isVirama(before) { return true }
            var left = position - 1
            while left >= 0, joiningType(label[left]) == .transparent { left -= 1 }
            var right = position + 1
            while right < label.count, joiningType(label[right]) == .transparent { right += 1 }
            guard left >= 0, right < label.count else { return false }
            let leftType = joiningType(label[left])
            let rightType = joiningType(label[right])
            return (leftType == .left || leftType == .dual) && (rightType == .right || rightType == .dual)
        case 0xB7:
            return before == "l" && after == "l"
        case 0x375:
            return after.map { inScript($0, greek) } ?? false
        case 0x5F3, 0x5F4:
            return before.map { inScript($0, hebrew) } ?? false
        case 0x30FB:
            return label.contains {
                $0 != "\u{30FB}" && (inScript($0, hiragana) || inScript($0, katakana) || inScript($0, han))
            }
        case 0x660...0x669:
            return !label.contains { (0x6F0...0x6F9).contains($0.value) }
        case 0x6F0...0x6F9:
            return !label.contains { (0x660...0x669).contains($0.value) }
        default:
            return false
        }
    }

    private static func isVirama(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.canonicalCombiningClass.rawValue == 9
    }

    private static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }

    private enum JoiningType { case transparent, left, right, dual, none }

    /// Arabic-script and Syriac letters join on both sides except the right-joining ones listed.
    private static func joiningType(_ scalar: Unicode.Scalar) -> JoiningType {
        let value = scalar.value
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return .transparent
        default: break
        }
        let rightJoining: [ClosedRange<UInt32>] = [
            0x622...0x625, 0x627...0x627, 0x629...0x629, 0x62F...0x632, 0x648...0x648, 0x671...0x673,
            0x675...0x677, 0x688...0x699, 0x6C0...0x6C0, 0x6C3...0x6CB, 0x6CD...0x6CD, 0x6CF...0x6CF,
            0x6D2...0x6D3, 0x6D5...0x6D5, 0x6EE...0x6EF, 0x710...0x710, 0x715...0x719, 0x71E...0x71E,
            0x728...0x728, 0x72A...0x72A, 0x72C...0x72C, 0x72F...0x72F, 0x74D...0x74D,
        ]
        if rightJoining.contains(where: { $0.contains(value) }) { return .right }
        switch value {
        case 0x620...0x64A, 0x66E...0x6D3, 0x6FA...0x6FC, 0x6FF...0x6FF, 0x712...0x72F, 0x74E...0x77F,
            0x8A0...0x8C9:
            return scalar.properties.generalCategory == .otherLetter ? .dual : .none
        default:
            return .none
        }
    }

    // MARK: Bidi rule (RFC 5893)

    private enum BidiClass { case l, r, al, an, en, es, cs, et, on, bn, nsm }

    private static func bidiClass(_ scalar: Unicode.Scalar) -> BidiClass {
        let value = scalar.value
        if isMark(scalar), scalar.properties.generalCategory != .spacingMark { return .nsm }
        switch value {
        case 0x30...0x39, 0xB2, 0xB3, 0xB9, 0x6F0...0x6F9, 0x2070...0x2079, 0x2080...0x2089, 0xFF10...0xFF19:
            return .en
        case 0x600...0x605, 0x660...0x669, 0x66B...0x66C, 0x6DD, 0x8E2: return .an
        case 0x590...0x5FF, 0x7C0...0x85F, 0xFB1D...0xFB4F, 0x10800...0x10FFF, 0x1E800...0x1EDFF: return .r
        case 0x600...0x6FF, 0x700...0x7BF, 0x860...0x8FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF, 0x1EE00...0x1EEFF:
            return .al
        case 0x2B, 0x2D: return .es
        case 0x2C, 0x2E, 0x2F, 0x3A: return .cs
        case 0x23...0x25, 0xA2...0xA5, 0xB0, 0xB1: return .et
        case 0x200B...0x200D: return .bn
        default: break
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .spacingMark,
            .letterNumber, .decimalNumber:
            return .l
        case .format, .control: return .bn
        default: return .on
        }
    }

    /// RFC 5893 §2, applied to every label when any label holds a right-to-left character.
    private static func satisfiesBidiRule(_ labels: [[Unicode.Scalar]]) -> Bool {
        let classes = labels.map { $0.map(bidiClass) }
        let isBidiDomain = classes.contains { $0.contains { $0 == .r || $0 == .al || $0 == .an } }
        guard isBidiDomain else { return true }
        for label in classes {
            guard let first = label.first else { return false }
            let trimmed = label.reversed().drop { $0 == .nsm }
            guard let last = trimmed.first else { return false }
            switch first {
            case .r, .al:
                let allowed: Set<BidiClass> = [.r, .al, .an, .en, .es, .cs, .et, .on, .bn, .nsm]
                guard label.allSatisfy(allowed.contains), [.r, .al, .en, .an].contains(last) else {
                    return false
                }
                if label.contains(.en) && label.contains(.an) { return false }
            case .l:
                let allowed: Set<BidiClass> = [.l, .en, .es, .cs, .et, .on, .bn, .nsm]
                guard label.allSatisfy(allowed.contains), last == .l || last == .en else { return false }
            default:
                return false
            }
        }
        return true
    }

    // MARK: Scripts

    private static let greek = ECMARegex.scriptRanges("Greek", extensions: false) ?? []
    private static let hebrew = ECMARegex.scriptRanges("Hebrew", extensions: false) ?? []
    private static let hiragana = ECMARegex.scriptRanges("Hiragana", extensions: false) ?? []
    private static let katakana = ECMARegex.scriptRanges("Katakana", extensions: false) ?? []
    private static let han = ECMARegex.scriptRanges("Han", extensions: false) ?? []

    /// Whether `scalar` falls in a flattened `[low, high, low, high, ...]` range table.
    private static func inScript(_ scalar: Unicode.Scalar, _ ranges: [UInt32]) -> Bool {
        var index = 0
        while index + 1 < ranges.count {
            if (ranges[index]...ranges[index + 1]).contains(scalar.value) { return true }
            index += 2
        }
        return false
    }
}

/// RFC 3492 Punycode, for the `xn--` labels of host names.
enum Punycode {
    private static let base: UInt32 = 36
    private static let tMin: UInt32 = 1
    private static let tMax: UInt32 = 26
    private static let skew: UInt32 = 38
    private static let damp: UInt32 = 700
    private static let initialBias: UInt32 = 72
    private static let initialN: UInt32 = 128

    private static func adapt(_ delta: UInt32, _ count: UInt32, _ first: Bool) -> UInt32 {
        var delta = first ? delta / damp : delta / 2
        delta += delta / count
        var k: UInt32 = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    private static func digitValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "a"..."z": scalar.value - 0x61
        case "A"..."Z": scalar.value - 0x41
        case "0"..."9": scalar.value - 0x30 + 26
        default: nil
        }
    }

    private static func digit(_ value: UInt32) -> Unicode.Scalar {
        Unicode.Scalar(value < 26 ? value + 0x61 : value - 26 + 0x30)!
    }

    /// The code points an encoded label (without `xn--`) stands for, or `nil` when it is not Punycode.
    static func decode(_ input: [Unicode.Scalar]) -> [Unicode.Scalar]? {
        var output: [UInt32] = []
        var position = 0
        if let delimiter = input.lastIndex(of: "-") {
            for scalar in input[..<delimiter] {
                guard scalar.isASCII else { return nil }
                output.append(scalar.value)
            }
            position = delimiter + 1
            guard position < input.count || delimiter > 0 else { return nil }
        }
        var n = initialN
        var i: UInt32 = 0
        var bias = initialBias
        while position < input.count {
            let oldI = i
            var w: UInt32 = 1
            var k = base
            while true {
                guard position < input.count, let value = digitValue(input[position]) else { return nil }
                position += 1
                let (product, overflow1) = value.multipliedReportingOverflow(by: w)
                let (sum, overflow2) = i.addingReportingOverflow(product)
                guard !overflow1, !overflow2 else { return nil }
                i = sum
                let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                if value < t { break }
                let (nextW, overflow3) = w.multipliedReportingOverflow(by: base - t)
                guard !overflow3 else { return nil }
                w = nextW
                k += base
            }
            let count = UInt32(output.count + 1)
            bias = adapt(i - oldI, count, oldI == 0)
            let (nextN, overflow) = n.addingReportingOverflow(i / count)
            guard !overflow else { return nil }
            n = nextN
            i %= count
            guard Unicode.Scalar(n) != nil, n >= 0x80 else { return nil }
            output.insert(n, at: Int(i))
            i += 1
        }
        return output.compactMap(Unicode.Scalar.init)
    }

    /// The Punycode form of `input` (without `xn--`), or `nil` on overflow.
    static func encode(_ input: [Unicode.Scalar]) -> [Unicode.Scalar]? {
        var output: [Unicode.Scalar] = input.filter(\.isASCII)
        let basicCount = UInt32(output.count)
        var handled = basicCount
        if basicCount > 0 { output.append("-") }
        var n = initialN
        var delta: UInt32 = 0
        var bias = initialBias
        let values = input.map(\.value)
        while handled < UInt32(values.count) {
            guard let m = values.filter({ $0 >= n }).min() else { return nil }
            let (scaled, overflow1) = (m - n).multipliedReportingOverflow(by: handled + 1)
            let (sum, overflow2) = delta.addingReportingOverflow(scaled)
            guard !overflow1, !overflow2 else { return nil }
            delta = sum
            n = m
            for value in values {
                if value < n {
                    delta += 1
                    guard delta != 0 else { return nil }
                }
                if value == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, handled + 1, handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return output
    }
}
