/// A URI reference split into its RFC 3986 components, enough to resolve `$id`, `$ref` and `$schema`
/// values against a base URI (RFC 3986 §5.2). Components are kept as written, percent-encoding included.
struct URIReference: Equatable {
    var scheme: String?
    var authority: String?
    var path: String
    var query: String?
    var fragment: String?

    /// Splits `text` with the regular expression of RFC 3986 appendix B, which accepts any string.
    init(_ text: String) {
        var rest = Substring(text)
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        if let question = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: question)...])
            rest = rest[..<question]
        }
        if let colon = rest.firstIndex(of: ":"), colon != rest.startIndex,
            !rest[..<colon].contains(where: { $0 == "/" })
        {
            scheme = String(rest[..<colon])
            rest = rest[rest.index(after: colon)...]
        }
        if rest.hasPrefix("//") {
            let afterSlashes = rest.index(rest.startIndex, offsetBy: 2)
            let end = rest[afterSlashes...].firstIndex(of: "/") ?? rest.endIndex
            authority = String(rest[afterSlashes..<end])
            rest = rest[end...]
        }
        path = String(rest)
    }

    init(scheme: String?, authority: String?, path: String, query: String?, fragment: String?) {
        self.scheme = scheme
        self.authority = authority
        self.path = path
        self.query = query
        self.fragment = fragment
    }

    /// Whether the reference has a scheme, so that it needs no base to be resolved.
    var isAbsolute: Bool { scheme != nil }

    /// The text form (RFC 3986 §5.3).
    var text: String {
        var result = ""
        if let scheme { result += scheme + ":" }
        if let authority { result += "//" + authority }
        result += path
        if let query { result += "?" + query }
        if let fragment { result += "#" + fragment }
        return result
    }

    /// The reference without its fragment.
    var withoutFragment: URIReference {
        var copy = self
        copy.fragment = nil
        return copy
    }

    /// This reference resolved against `base` (RFC 3986 §5.2.2). A base that is not absolute (an anonymous
    /// document) resolves references textually, which keeps them unique within that document.
    func resolved(against base: URIReference) -> URIReference {
        if scheme != nil {
            return URIReference(
                scheme: scheme, authority: authority, path: Self.removeDotSegments(path), query: query,
                fragment: fragment)
        }
        var target = URIReference(
            scheme: base.scheme, authority: nil, path: "", query: nil, fragment: fragment)
        if authority != nil {
            target.authority = authority
            target.path = Self.removeDotSegments(path)
            target.query = query
            return target
        }
        target.authority = base.authority
        if path.isEmpty {
            target.path = base.path
            target.query = query ?? base.query
        } else {
            if path.hasPrefix("/") {
                target.path = Self.removeDotSegments(path)
            } else {
                target.path = Self.removeDotSegments(Self.merge(base: base, path: path))
            }
            target.query = query
        }
        return target
    }

    private static func merge(base: URIReference, path: String) -> String {
        if base.authority != nil, base.path.isEmpty { return "/" + path }
        guard let slash = base.path.lastIndex(of: "/") else { return path }
        return String(base.path[...slash]) + path
    }

    /// RFC 3986 §5.2.4.
    static func removeDotSegments(_ path: String) -> String {
        guard path.contains(".") else { return path }
        var input = Substring(path)
        var output: [Substring] = []
        while !input.isEmpty {
            if input.hasPrefix("../") {
                input = input.dropFirst(3)
            } else if input.hasPrefix("./") {
                input = input.dropFirst(2)
            } else if input.hasPrefix("/./") {
                input = input.dropFirst(2)
            } else if input == "/." {
                input = "/"
            } else if input.hasPrefix("/../") {
                input = input.dropFirst(3)
                if !output.isEmpty { output.removeLast() }
            } else if input == "/.." {
                input = "/"
                if !output.isEmpty { output.removeLast() }
            } else if input == "." || input == ".." {
                input = ""
            } else {
                let start = input.hasPrefix("/") ? input.index(after: input.startIndex) : input.startIndex
                let end = input[start...].firstIndex(of: "/") ?? input.endIndex
                output.append(input[..<end])
                input = input[end...]
            }
        }
        return output.joined()
    }
}

/// Resolves `reference` against `base`, both as text.
func resolveURI(_ reference: String, against base: String) -> String {
    // A fragment alone, as most `$ref`s are (`#/$defs/decision`), keeps all of the base before the base's
    // own fragment (RFC 3986 §5.2.2): the same text, without taking both apart.
    if reference.utf8.first == UInt8(ascii: "#") {
        let end = base.utf8.firstIndex(of: UInt8(ascii: "#")) ?? base.utf8.endIndex
        return String(base[..<end]) + reference
    }
    return URIReference(reference).resolved(against: URIReference(base)).text
}

/// Splits an absolute URI into the part before `#` and the fragment (percent-decoded); an empty fragment
/// is no fragment.
func splitFragment(_ uri: String) -> (base: String, fragment: String) {
    guard let hash = uri.firstIndex(of: "#") else { return (uri, "") }
    let fragment = String(uri[uri.index(after: hash)...])
    return (String(uri[..<hash]), percentDecoded(fragment))
}

/// The string with `%XX` escapes decoded as UTF-8; malformed escapes are kept as written.
func percentDecoded(_ text: String) -> String {
    guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
    var bytes: [UInt8] = []
    var iterator = Array(text.utf8)[...]
    while let byte = iterator.popFirst() {
        if byte == UInt8(ascii: "%"), iterator.count >= 2,
            let high = hexValue(iterator[iterator.startIndex]),
            let low = hexValue(iterator[iterator.startIndex + 1])
        {
            bytes.append(high << 4 | low)
            iterator = iterator.dropFirst(2)
        } else {
            bytes.append(byte)
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// A JSON Pointer written as a URI fragment: characters outside RFC 3986 `fragment` are percent-encoded.
func fragmentEncoded(_ pointer: String) -> String {
    guard !pointer.utf8.allSatisfy(isFragmentCharacter) else { return pointer }
    var result = ""
    for byte in pointer.utf8 {
        if isFragmentCharacter(byte) {
            result.unicodeScalars.append(Unicode.Scalar(byte))
        } else {
            result +=
                "%" + String(byte >> 4, radix: 16, uppercase: true)
                + String(byte & 0xF, radix: 16, uppercase: true)
        }
    }
    return result
}

private func isFragmentCharacter(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"):
        return true
    default:
        return "-._~!$&'()*+,;=:@/?".utf8.contains(byte)
    }
}

func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// The JSON Pointer text of `tokens`, with `~` and `/` escaped.
func pointerText<S: Sequence<String>>(_ tokens: S) -> String {
    var text = ""
    for token in tokens {
        text.append("/")
        text.append(escapedToken(token))
    }
    return text
}

/// One JSON Pointer reference token with `~` and `/` escaped.
func escapedToken(_ token: String) -> String {
    guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else {
        return token
    }
    var text = ""
    for scalar in token.unicodeScalars {
        switch scalar {
        case "~": text += "~0"
        case "/": text += "~1"
        default: text.unicodeScalars.append(scalar)
        }
    }
    return text
}
