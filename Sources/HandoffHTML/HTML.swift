import HandoffKit

/// Escaping for what recorded text meets in a page: every string a bot wrote goes through `text(_:)` (or
/// `attribute(_:)`), and only links the pages build themselves from ids and names go into `href`, so a
/// `<script>` or a `javascript:` URL in an artifact or a log is shown, never run.
public enum HTML {
    /// `text` safe between tags and inside a quoted attribute value: `& < > " '` become references, and
    /// control characters other than tab and newline (which a page cannot show) become visible `\u{…}`.
    public static func text(_ text: String) -> String { escape(text, breaks: false) }

    /// A value for a quoted attribute: the same escaping, with line breaks and tabs as references so that
    /// the value stays on one line.
    public static func attribute(_ value: String) -> String { escape(value, breaks: true) }

    private static func escape(_ text: String, breaks: Bool) -> String {
        // Most text needs nothing: one pass over its bytes finds that, and the string is used as it is.
        var clean = true
        var previous: UInt8 = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""),
                UInt8(ascii: "'"),
                0x7F:
                clean = false
            case 0x80...0x9F where previous == 0xC2:
                clean = false
            case UInt8(ascii: "\t"), UInt8(ascii: "\n"):
                clean = !breaks
            case ..<0x20:
                clean = false
            default: break
            }
            if !clean { break }
            previous = byte
        }
        if clean { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\t": result += breaks ? "&#9;" : "\t"
            case "\n": result += breaks ? "&#10;" : "\n"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    result += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// One segment of a path the pages link to: every byte but letters, digits and `-._~:@` percent-encoded,
    /// so a name with `/`, `?`, `#` or a space stays one segment.
    public static func pathSegment(_ segment: String) -> String {
        var result = ""
        for byte in segment.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: ":"), UInt8(ascii: "@"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + hexDigits(byte)
            }
        }
        return result
    }

    /// A query value, encoded as a form would send it.
    public static func queryValue(_ value: String) -> String {
        pathSegment(value).replacing(":", with: "%3A").replacing("@", with: "%40")
    }

    /// Percent-decoding of a path segment or a form value (`+` as a space in forms); nil for bytes that are
    /// not UTF-8.
    public static func percentDecoded(_ text: Substring, plusAsSpace: Bool = false) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue),
                    let low = iterator.next().flatMap(hexValue)
                else { return nil }
                bytes.append(high << 4 | low)
            } else if plusAsSpace && byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The fields of an `application/x-www-form-urlencoded` body or a query string; nil when one is not
    /// UTF-8 or badly encoded.
    public static func formFields(_ body: Substring) -> [String: String]? {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = percentDecoded(parts[0], plusAsSpace: true),
                let value = percentDecoded(parts.count > 1 ? parts[1] : "", plusAsSpace: true)
            else { return nil }
            fields[name] = value
        }
        return fields
    }

    private static func hexDigits(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Where a page's links lead: the UI's paths, or anchors inside one exported file (which has no server
/// behind it).
public enum Links: Sendable {
    /// `/artifacts/ID`, `/chain/ID`, `/sessions/ID`, …: pages of `handoff ui`.
    case server
    /// Only anchors within the file; what it does not hold is not linked.
    case file

    /// The page of an artifact.
    public func artifact(_ id: ArtifactID) -> String? {
        switch self {
        case .server: "/artifacts/" + HTML.pathSegment(id.description)
        case .file: "#" + Self.anchor(id)
        }
    }

    /// The lineage page of an artifact.
    public func chain(_ id: ArtifactID) -> String? {
        switch self {
        case .server: "/chain/" + HTML.pathSegment(id.description)
        case .file: nil
        }
    }

    /// A session's timeline, at `step` when given.
    public func session(_ id: String, step: Int? = nil) -> String? {
        switch self {
        case .server:
            "/sessions/" + HTML.pathSegment(id) + (step.map { "?step=\($0)#step-\($0)" } ?? "")
        case .file: step.map { "#step-\($0)" }
        }
    }

    /// A consumer's inbox.
    public func inbox(_ consumer: String) -> String? {
        switch self {
        case .server: "/inbox/" + HTML.pathSegment(consumer)
        case .file: nil
        }
    }

    /// A schema's document.
    public func schema(_ name: String) -> String? {
        switch self {
        case .server: "/schemas/" + HTML.pathSegment(name)
        case .file: nil
        }
    }

    /// The id an exported file gives an artifact's element.
    public static func anchor(_ id: ArtifactID) -> String { "artifact-" + id.hex }
}

/// An `<a>` to `href` around `html` (already escaped), or `html` alone when there is nowhere to go.
func link(_ href: String?, _ html: String, class className: String? = nil) -> String {
    let classAttribute = className.map { " class=\"\($0)\"" } ?? ""
    guard let href else { return className == nil ? html : "<span\(classAttribute)>\(html)</span>" }
    return "<a href=\"\(HTML.attribute(href))\"\(classAttribute)>\(html)</a>"
}
