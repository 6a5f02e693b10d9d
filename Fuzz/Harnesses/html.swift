import HandoffHTML
import HandoffJSON

/// What the web UI does with bytes it did not write: any bytes, no crash, no hang. Escaped text has no
/// markup left in it and reads back to what was escaped; a form or query string is read exactly or not
/// at all, and what it reads encodes and decodes back to itself; a JSON document drawn as a page has none of
/// its own text unescaped in it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTML(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let text = String(validating: bytes, as: UTF8.self) else {
        // Bytes a browser never sends as UTF-8 still only ever make a form or nothing.
        _ = HTML.formFields(Substring(String(decoding: bytes, as: UTF8.self)))
        return 0
    }
    for escaped in [HTML.text(text), HTML.attribute(text)] {
        // Bytes, not characters: a combining mark after `<` makes one character of the two.
        precondition(
            !escaped.utf8.contains { "<>\"'".utf8.contains($0) }, "markup left in escaped text")
        precondition(
            unescaped(escaped) == visible(text) || escaped == text, "escaped text reads back to other text")
    }
    precondition(!HTML.attribute(text).utf8.contains(UInt8(ascii: "\n")), "a line break left in an attribute")
    if let fields = HTML.formFields(Substring(text)) {
        let encoded = fields.map { HTML.queryValue($0.key) + "=" + HTML.queryValue($0.value) }.joined(
            separator: "&")
        let again = HTML.formFields(Substring(encoded))
        // Only the last of repeated names is kept, and an empty name encodes to an empty pair.
        precondition(again == fields || fields.keys.contains(""), "a form does not read back to itself")
    }
    if let segment = HTML.percentDecoded(Substring(text)) {
        precondition(HTML.percentDecoded(Substring(HTML.pathSegment(segment))) == segment)
    }
    if let value = try? JSONParser.parse(bytes, limits: .init(maxDepth: 64, maxBytes: 1 << 16)) {
        let page = JSONView.html(value)
        precondition(!page.contains("<script") && !page.contains("<img"), "document text unescaped in a page")
    }
    return 0
}

/// `text` as the escaping shows it: control characters (but tab and newline) as `\u{…}`.
private func visible(_ text: String) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
        if (scalar.value < 0x20 && scalar != "\t" && scalar != "\n") || (0x7F...0x9F).contains(scalar.value) {
            result += "\\u{" + String(scalar.value, radix: 16) + "}"
        } else {
            result.unicodeScalars.append(scalar)
        }
    }
    return result
}

/// The references the escaping writes, read back (by bytes: a combining mark after a reference's `;` would
/// hide it from a search by characters).
private func unescaped(_ html: String) -> String {
    let references: [(String, UInt8)] = [
        ("&lt;", UInt8(ascii: "<")), ("&gt;", UInt8(ascii: ">")), ("&quot;", UInt8(ascii: "\"")),
        ("&#39;", UInt8(ascii: "'")), ("&#10;", UInt8(ascii: "\n")), ("&#9;", UInt8(ascii: "\t")),
        ("&amp;", UInt8(ascii: "&")),
    ]
    let bytes = Array(html.utf8)
    var result: [UInt8] = []
    var index = 0
    scan: while index < bytes.count {
        if bytes[index] == UInt8(ascii: "&") {
            for (reference, byte) in references where bytes[index...].starts(with: reference.utf8) {
                result.append(byte)
                index += reference.utf8.count
                continue scan
            }
        }
        result.append(bytes[index])
        index += 1
    }
    return String(decoding: result, as: UTF8.self)
}
