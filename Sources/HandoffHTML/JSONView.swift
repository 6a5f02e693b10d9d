import HandoffJSON

/// A JSON document pretty-printed as nested `<details>`: every object and array folds, open to
/// `openDepth` levels, with no script needed.
public enum JSONView {
    /// Documents larger than this many members in all are shown as text instead, which a browser lays out
    /// far faster than as many nested elements.
    public static let foldableMembers = 20_000

    /// The document as HTML.
    public static func html(_ value: JSONValue, openDepth: Int = 3) -> String {
        var budget = foldableMembers
        var html = ""
        guard countMembers(value, within: &budget) else {
            let pretty = String(decoding: JSONWriter.encode(value, options: .pretty), as: UTF8.self)
            return "<pre class=\"json-root\">" + HTML.text(pretty) + "</pre>"
        }
        html += "<div class=\"json json-root\">"
        write(value, key: nil, depth: 0, openDepth: openDepth, last: true, into: &html)
        html += "</div>"
        return html
    }

    private static func countMembers(_ value: JSONValue, within budget: inout Int) -> Bool {
        switch value {
        case .array(let elements):
            budget -= elements.count
            guard budget >= 0 else { return false }
            return elements.allSatisfy { countMembers($0, within: &budget) }
        case .object(let object):
            budget -= object.count
            guard budget >= 0 else { return false }
            return object.allSatisfy { countMembers($0.value, within: &budget) }
        default: return true
        }
    }

    private static func write(
        _ value: JSONValue, key: String?, depth: Int, openDepth: Int, last: Bool, into html: inout String
    ) {
        let label = key.map { "<span class=\"k\">\(HTML.text(quoted($0)))</span>: " } ?? ""
        let comma = last ? "" : ","
        switch value {
        case .object(let object) where !object.isEmpty:
            html += "<details class=\"json\"\(depth < openDepth ? " open" : "")><summary>\(label){"
            html +=
                "<span class=\"muted\"> \(object.count) \(object.count == 1 ? "key" : "keys")</span></summary>"
            for (index, member) in object.enumerated() {
                write(
                    member.value, key: member.key, depth: depth + 1, openDepth: openDepth,
                    last: index == object.count - 1, into: &html)
            }
            html += "<div>}\(comma)</div></details>"
        case .array(let elements) where !elements.isEmpty:
            html += "<details class=\"json\"\(depth < openDepth ? " open" : "")><summary>\(label)["
            html +=
                "<span class=\"muted\"> \(elements.count) \(elements.count == 1 ? "item" : "items")</span></summary>"
            for (index, element) in elements.enumerated() {
                write(
                    element, key: nil, depth: depth + 1, openDepth: openDepth,
                    last: index == elements.count - 1,
                    into: &html)
            }
            html += "<div>]\(comma)</div></details>"
        default:
            html += "<div class=\"json\">" + label + scalar(value) + comma + "</div>"
        }
    }

    private static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): "<span class=\"s\">" + HTML.text(quoted(text)) + "</span>"
        case .number, .bool:
            "<span class=\"n\">" + String(decoding: JSONWriter.encode(value), as: UTF8.self) + "</span>"
        case .null: "<span class=\"l\">null</span>"
        case .object: "{}"
        case .array: "[]"
        }
    }

    private static func quoted(_ text: String) -> String {
        String(decoding: JSONWriter.encode(.string(text)), as: UTF8.self)
    }
}
