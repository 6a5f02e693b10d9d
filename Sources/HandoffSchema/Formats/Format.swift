/// The `format` values that can be asserted. Others are annotations only, whatever the options say.
enum Format: String, Sendable, CaseIterable {
    case dateTime = "date-time"
    case date
    case time
    case duration
    case email
    case idnEmail = "idn-email"
    case hostname
    case idnHostname = "idn-hostname"
    case ipv4
    case ipv6
    case uri
    case uriReference = "uri-reference"
    case iri
    case iriReference = "iri-reference"
    case uriTemplate = "uri-template"
    case uuid
    case jsonPointer = "json-pointer"
    case relativeJSONPointer = "relative-json-pointer"
    case regex

    /// Whether `text` is a valid value of this format.
    func accepts(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        switch self {
        case .dateTime: return DateTimeFormat.isDateTime(scalars)
        case .date: return DateTimeFormat.isDate(scalars[...])
        case .time: return DateTimeFormat.isTime(scalars[...])
        case .duration: return DateTimeFormat.isDuration(scalars)
        case .email: return EmailFormat.isEmail(scalars, international: false)
        case .idnEmail: return EmailFormat.isEmail(scalars, international: true)
        case .hostname: return HostnameFormat.isHostname(scalars, international: false)
        case .idnHostname: return HostnameFormat.isHostname(scalars, international: true)
        case .ipv4: return AddressFormat.isIPv4(scalars[...])
        case .ipv6: return AddressFormat.isIPv6(scalars[...])
        case .uri: return URIFormat.isURI(scalars, reference: false, international: false)
        case .uriReference: return URIFormat.isURI(scalars, reference: true, international: false)
        case .iri: return URIFormat.isURI(scalars, reference: false, international: true)
        case .iriReference: return URIFormat.isURI(scalars, reference: true, international: true)
        case .uriTemplate: return URIFormat.isURITemplate(scalars)
        case .uuid: return Self.isUUID(scalars)
        case .jsonPointer: return Self.isJSONPointer(scalars[...])
        case .relativeJSONPointer: return Self.isRelativeJSONPointer(scalars)
        case .regex: return (try? ECMARegex(text)) != nil
        }
    }

    private static func isUUID(_ scalars: [Unicode.Scalar]) -> Bool {
        guard scalars.count == 36 else { return false }
        for (position, scalar) in scalars.enumerated() {
            if [8, 13, 18, 23].contains(position) {
                guard scalar == "-" else { return false }
            } else if !scalar.isHexDigit {
                return false
            }
        }
        return true
    }

    /// RFC 6901: empty, or `/`-separated tokens where `~` is followed by `0` or `1`.
    static func isJSONPointer(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = scalars.first else { return true }
        guard first == "/" else { return false }
        var position = scalars.startIndex
        while position < scalars.endIndex {
            if scalars[position] == "~" {
                let next = scalars.index(after: position)
                guard next < scalars.endIndex, scalars[next] == "0" || scalars[next] == "1" else {
                    return false
                }
            }
            position += 1
        }
        return true
    }

    /// draft-bhutton-relative-json-pointer-00: a non-negative integer, an optional index manipulation,
    /// then `#` or a JSON Pointer.
    private static func isRelativeJSONPointer(_ scalars: [Unicode.Scalar]) -> Bool {
        var position = 0
        func integer(allowZero: Bool) -> Bool {
            let start = position
            while position < scalars.count, scalars[position].isASCIIDigit { position += 1 }
            guard position > start else { return false }
            if scalars[start] == "0" { return allowZero && position == start + 1 }
            return true
        }
        guard integer(allowZero: true) else { return false }
        if position < scalars.count, scalars[position] == "+" || scalars[position] == "-" {
            position += 1
            guard integer(allowZero: false) else { return false }
        }
        if position < scalars.count, scalars[position] == "#" { return position == scalars.count - 1 }
        return isJSONPointer(scalars[position...])
    }
}

extension Unicode.Scalar {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var isHexDigit: Bool { isASCIIDigit || ("a"..."f").contains(self) || ("A"..."F").contains(self) }
}
