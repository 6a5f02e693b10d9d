/// IP addresses (`ipv4`, `ipv6`) and e-mail addresses (`email`, `idn-email`).
enum AddressFormat {
    /// Dotted-quad: four decimal numbers 0–255 without leading zeros.
    static func isIPv4(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        let parts = scalars.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit) else { return false }
            guard part.count == 1 || part.first != "0" else { return false }
            guard part.reduce(0, { $0 * 10 + Int($1.value - 48) }) <= 255 else { return false }
        }
        return true
    }

    /// RFC 4291 §2.2: eight groups of up to four hex digits, one `::` for a run of zero groups, and an
    /// IPv4 address in place of the last two groups. No zone index.
    static func isIPv6(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        guard scalars.count >= 2 else { return false }
        let text = Array(scalars)
        var groups = 0
        var sawDoubleColon = false
        var position = 0
        if text[0] == ":" && text[1] == ":" {
            sawDoubleColon = true
            position = 2
            if position == text.count { return true }
        } else if text[0] == ":" {
            return false
        }
        while position < text.count {
            var end = position
            while end < text.count, text[end] != ":" { end += 1 }
            let group = text[position..<end]
            if end == text.count, group.contains(".") {
                guard isIPv4(group) else { return false }
                groups += 2
                break
            }
            guard (1...4).contains(group.count), group.allSatisfy(\.isHexDigit) else { return false }
            groups += 1
            guard end < text.count else { break }
            // A colon: single, or the one double colon.
            if end + 1 < text.count, text[end + 1] == ":" {
                guard !sawDoubleColon else { return false }
                sawDoubleColon = true
                position = end + 2
                if position == text.count { break }
            } else {
                position = end + 1
                guard position < text.count else { return false }
            }
        }
        return sawDoubleColon ? groups <= 7 : groups == 8
    }
}

/// RFC 5321 mailboxes; with `international`, RFC 6531 (UTF-8 in the local part, IDN domains).
enum EmailFormat {
    static func isEmail(_ scalars: [Unicode.Scalar], international: Bool) -> Bool {
        guard let at = scalars.lastIndex(of: "@") else { return false }
        let local = scalars[..<at]
        let domain = scalars[(at + 1)...]
        return isLocalPart(local, international: international)
            && isDomain(domain, international: international)
    }

    private static func isLocalPart(_ local: ArraySlice<Unicode.Scalar>, international: Bool) -> Bool {
        guard !local.isEmpty else { return false }
        if local.first == "\"" {
            guard local.count >= 2, local.last == "\"" else { return false }
            var escaped = false
            for scalar in local.dropFirst().dropLast() {
                if escaped {
                    escaped = false
                    continue
                }
                if scalar == "\\" {
                    escaped = true
                } else if scalar == "\"" {
                    return false
                } else if scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F {
                    return false
                } else if scalar.value > 0x7F && !international {
                    return false
                }
            }
            return !escaped
        }
        // dot-string: atoms separated by single dots.
        let atoms = local.split(separator: ".", omittingEmptySubsequences: false)
        for atom in atoms {
            guard !atom.isEmpty else { return false }
            for scalar in atom where !isAtomText(scalar, international: international) { return false }
        }
        return true
    }

    private static func isAtomText(_ scalar: Unicode.Scalar, international: Bool) -> Bool {
        if scalar.isASCIILetter || scalar.isASCIIDigit { return true }
        if "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar) { return true }
        return international && scalar.value > 0x7F && scalar != "\u{FF20}"
    }

    private static func isDomain(_ domain: ArraySlice<Unicode.Scalar>, international: Bool) -> Bool {
        if domain.first == "[" {
            guard domain.last == "]" else { return false }
            let literal = domain.dropFirst().dropLast()
            let prefix: [Unicode.Scalar] = ["I", "P", "v", "6", ":"]
            if literal.starts(with: prefix) { return AddressFormat.isIPv6(literal.dropFirst(prefix.count)) }
            return AddressFormat.isIPv4(literal)
        }
        return HostnameFormat.isHostname(Array(domain), international: international)
    }
}
