/// RFC 3986 URIs and URI references, RFC 3987 IRIs (the same grammar with non-ASCII characters allowed),
/// and RFC 6570 URI templates.
enum URIFormat {
    /// `uri`/`iri` when `reference` is false (a scheme is required), `uri-reference`/`iri-reference`
    /// otherwise.
    static func isURI(_ scalars: [Unicode.Scalar], reference: Bool, international: Bool) -> Bool {
        var rest = scalars[...]
        if let hash = rest.firstIndex(of: "#") {
            guard isComponent(rest[(hash + 1)...], extra: "/?", international: international) else {
                return false
            }
            rest = rest[..<hash]
        }
        if let question = rest.firstIndex(of: "?") {
            guard isComponent(rest[(question + 1)...], extra: "/?", international: international) else {
                return false
            }
            rest = rest[..<question]
        }
        var hasScheme = false
        if let colon = rest.firstIndex(of: ":"), !rest[..<colon].contains("/") {
            let scheme = rest[..<colon]
            guard let first = scheme.first, first.isASCIILetter,
                scheme.allSatisfy({
                    $0.isASCIILetter || $0.isASCIIDigit || $0 == "+" || $0 == "-" || $0 == "."
                })
            else { return false }
            hasScheme = true
            rest = rest[(colon + 1)...]
        }
        guard hasScheme || reference else { return false }
        if rest.starts(with: ["/", "/"]) {
            rest = rest.dropFirst(2)
            let end = rest.firstIndex(of: "/") ?? rest.endIndex
            guard isAuthority(rest[..<end], international: international) else { return false }
            rest = rest[end...]
        }
        // The path: segments of pchar; a relative reference's first segment may not contain ":".
        return isComponent(rest, extra: "/", international: international)
    }

    private static func isAuthority(_ authority: ArraySlice<Unicode.Scalar>, international: Bool) -> Bool {
        var host = authority
        if let at = host.lastIndex(of: "@") {
            guard isComponent(host[..<at], extra: "", international: international, allowAt: false) else {
                return false
            }
            host = host[(at + 1)...]
        }
        if host.first == "[" {
            guard let close = host.firstIndex(of: "]") else { return false }
            let literal = host[(host.startIndex + 1)..<close]
            let afterLiteral = host[(close + 1)...]
            guard
                afterLiteral.isEmpty
                    || (afterLiteral.first == ":" && afterLiteral.dropFirst().allSatisfy(\.isASCIIDigit))
            else { return false }
            if literal.first == "v" || literal.first == "V" {
                guard let dot = literal.firstIndex(of: "."), dot > literal.startIndex + 1,
                    literal[(literal.startIndex + 1)..<dot].allSatisfy(\.isHexDigit),
                    dot + 1 < literal.endIndex
                else { return false }
                return literal[(dot + 1)...].allSatisfy {
                    isUnreserved($0, international: false) || isSubDelimiter($0) || $0 == ":"
                }
            }
            return AddressFormat.isIPv6(literal)
        }
        if let colon = host.lastIndex(of: ":") {
            guard host[(colon + 1)...].allSatisfy(\.isASCIIDigit) else { return false }
            host = host[..<colon]
        }
        return isComponent(host, extra: "", international: international, allowColon: false, allowAt: false)
    }

    /// Whether every character is a `pchar` (unreserved, percent-encoded, sub-delimiter, `:` or `@`) or
    /// one of `extra`.
    private static func isComponent(
        _ scalars: ArraySlice<Unicode.Scalar>, extra: String, international: Bool, allowColon: Bool = true,
        allowAt: Bool = true
    ) -> Bool {
        var position = scalars.startIndex
        while position < scalars.endIndex {
            let scalar = scalars[position]
            if scalar == "%" {
                guard scalars.hasPercentEncoding(at: position) else { return false }
                position += 3
                continue
            }
            let allowed =
                isUnreserved(scalar, international: international) || isSubDelimiter(scalar)
                || (scalar == ":" && allowColon) || (scalar == "@" && allowAt)
                || extra.unicodeScalars.contains(scalar)
                || (international && extra.contains("?") && isPrivateUse(scalar))
            guard allowed else { return false }
            position += 1
        }
        return true
    }

    private static func isUnreserved(_ scalar: Unicode.Scalar, international: Bool) -> Bool {
        if scalar.isASCIILetter || scalar.isASCIIDigit || "-._~".unicodeScalars.contains(scalar) {
            return true
        }
        return international && isUCSChar(scalar)
    }

    private static func isSubDelimiter(_ scalar: Unicode.Scalar) -> Bool {
        "!$&'()*+,;=".unicodeScalars.contains(scalar)
    }

    /// RFC 3987 `ucschar`.
    private static func isUCSChar(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        switch value {
        case 0xA0...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFEF: return true
        case 0x10000...0xEFFFD: return value & 0xFFFE != 0xFFFE
        default: return false
        }
    }

    /// RFC 3987 `iprivate`, allowed in queries.
    private static func isPrivateUse(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0xE000...0xF8FF, 0xF0000...0xFFFFD, 0x100000...0x10FFFD: true
        default: false
        }
    }

    // MARK: URI templates

    /// RFC 6570 level 4: literals and `{operator? varspec, ...}` expressions.
    static func isURITemplate(_ scalars: [Unicode.Scalar]) -> Bool {
        var position = 0
        while position < scalars.count {
            let scalar = scalars[position]
            if scalar == "{" {
                guard let close = scalars[position...].firstIndex(of: "}") else { return false }
                guard isExpression(scalars[(position + 1)..<close]) else { return false }
                position = close + 1
                continue
            }
            if scalar == "%" {
                guard scalars.hasPercentEncoding(at: position) else { return false }
                position += 3
                continue
            }
            let value = scalar.value
            guard value > 0x20, value != 0x7F, !"\"<>\\^`{|}".unicodeScalars.contains(scalar) else {
                return false
            }
            position += 1
        }
        return true
    }

    private static func isExpression(_ body: ArraySlice<Unicode.Scalar>) -> Bool {
        var body = body
        if let first = body.first, "+#./;?&=,!@|".unicodeScalars.contains(first) { body = body.dropFirst() }
        guard !body.isEmpty else { return false }
        for varspec in body.split(separator: ",", omittingEmptySubsequences: false) {
            var name = varspec
            if name.last == "*" {
                name = name.dropLast()
            } else if let colon = name.firstIndex(of: ":") {
                let length = name[(colon + 1)...]
                guard (1...4).contains(length.count), length.allSatisfy(\.isASCIIDigit), length.first != "0"
                else {
                    return false
                }
                name = name[..<colon]
            }
            guard isVariableName(name) else { return false }
        }
        return true
    }

    private static func isVariableName(_ name: ArraySlice<Unicode.Scalar>) -> Bool {
        guard !name.isEmpty, name.first != ".", name.last != "." else { return false }
        var position = name.startIndex
        var previousDot = false
        while position < name.endIndex {
            let scalar = name[position]
            if scalar == "%" {
                guard name.hasPercentEncoding(at: position) else { return false }
                position += 3
                previousDot = false
                continue
            }
            if scalar == "." {
                guard !previousDot else { return false }
                previousDot = true
            } else {
                guard scalar.isASCIILetter || scalar.isASCIIDigit || scalar == "_" else { return false }
                previousDot = false
            }
            position += 1
        }
        return true
    }
}

extension RandomAccessCollection<Unicode.Scalar> where Index == Int {
    /// Whether two hex digits follow the `%` at `position`, as a percent-encoded octet needs.
    fileprivate func hasPercentEncoding(at position: Int) -> Bool {
        position + 2 < endIndex && self[position + 1].isHexDigit && self[position + 2].isHexDigit
    }
}
