import HandoffJSON

/// The errors the applicators report. Kept out of the recursive functions so that their string
/// building does not enlarge every stack frame of a deep validation.
extension Validator {
    func instanceLocation() -> String {
        var text = ""
        for token in instancePath {
            switch token {
            case .key(let key): text += "/" + escapedToken(key)
            case .index(let index): text += "/" + String(index)
            }
        }
        return text
    }

    /// Records an error of `keyword` in `node`; `nil` for the node itself (a `false` schema).
    mutating func report(_ node: Node, keyword: String?, _ message: String) {
        guard canRecordMore else { return }
        var keywordLocation = keywordPath.joined()
        var pointer = node.pointer
        if let keyword {
            keywordLocation += "/" + keyword
            pointer += "/" + escapedToken(keyword)
        }
        // A false schema is named after the keyword that holds it (`properties`, `items`, ...).
        let name =
            keyword ?? keywordPath.last.flatMap { $0.split(separator: "/").first.map(String.init) } ?? "false"
        errors.append(
            ValidationError(
                instanceLocation: instanceLocation(), keywordLocation: keywordLocation,
                absoluteKeywordLocation: program.resources[node.resource].uri + "#"
                    + fragmentEncoded(pointer),
                keyword: name, message: message))
    }

    @inline(never)
    mutating func reportFalseSchema(_ node: Node) {
        report(node, keyword: nil, "no value is allowed here (the schema is false)")
    }

    @inline(never)
    mutating func reportNot(_ node: Node, _ instance: JSONValue) {
        report(node, keyword: "not", "\(shown(instance)) must not match the schema in not")
    }

    @inline(never)
    mutating func reportAdditionalProperty(_ node: Node, _ key: String) {
        report(node, keyword: "additionalProperties", "property \(JSONValue.string(key)) is not allowed")
    }

    @inline(never)
    mutating func reportUnevaluatedProperty(_ node: Node, _ key: String) {
        report(
            node, keyword: "unevaluatedProperties",
            "property \(JSONValue.string(key)) is not allowed (no subschema evaluates it)")
    }

    @inline(never)
    mutating func reportUnevaluatedItem(_ node: Node, _ index: Int) {
        report(node, keyword: "unevaluatedItems", "item \(index) is not allowed (no subschema evaluates it)")
    }

    @inline(never)
    mutating func reportItemsFalse(_ node: Node, count: Int, allowed: Int) {
        report(
            node, keyword: "items",
            allowed == 0
                ? "array must be empty, found \(plural(count, "item"))"
                : "array has \(plural(count, "item")), but only the first \(allowed) are allowed")
    }

    @inline(never)
    mutating func reportPatternBudget(_ node: Node, keyword: String, _ error: ECMARegexBudgetExceeded) {
        report(node, keyword: keyword, "the value could not be checked: \(error.message)")
    }

    @inline(never)
    mutating func reportContains(_ node: Node, matches: Int, minimum: Int) {
        if minimum == 1 {
            report(node, keyword: "contains", "array contains no item that matches the contains schema")
        } else {
            report(
                node, keyword: "minContains",
                "array contains \(plural(matches, "matching item")), fewer than the minimum \(minimum)")
        }
    }

    @inline(never)
    mutating func reportMaxContains(_ node: Node, matches: Int, maximum: Int) {
        report(
            node, keyword: "maxContains",
            "array contains \(matches) or more matching items, more than the maximum \(maximum)")
    }

    @inline(never)
    mutating func reportNoMatch(_ node: Node, _ instance: JSONValue, keyword: String, alternatives: Int) {
        report(
            node, keyword: keyword,
            "\(shown(instance)) does not match any of the \(alternatives) alternatives in \(keyword)")
    }

    @inline(never)
    mutating func reportSeveralBranches(_ node: Node, _ instance: JSONValue, _ first: Int, _ second: Int) {
        report(
            node, keyword: "oneOf",
            "\(shown(instance)) matches more than one alternative in oneOf (\(first) and \(second)); "
                + "it must match exactly one")
    }
}

/// `3 items`, `1 item`.
func plural(_ count: Int, _ noun: String) -> String {
    count == 1 ? "1 \(noun)" : "\(count) \(noun == "property" ? "properties" : noun + "s")"
}

/// A value as it appears in a message: its JSON text, cut short after about 60 characters (without
/// writing out the rest of a large value first).
func shown(_ value: JSONValue) -> String {
    var text = ""
    var length = 0
    render(value, into: &text, length: &length, limit: 60)
    return text
}

private func render(_ value: JSONValue, into text: inout String, length: inout Int, limit: Int) {
    guard length < limit else { return }
    switch value {
    case .string(let string):
        let scalars = string.unicodeScalars
        let room = max(limit - length, 8)
        let piece =
            scalars.count <= room
            ? JSONValue.string(string).description
            : JSONValue.string(String(String.UnicodeScalarView(scalars.prefix(room - 3))) + "...").description
        text += piece
        length += piece.unicodeScalars.count
    case .array(let elements):
        text += "["
        length += 1
        for (position, element) in elements.enumerated() {
            guard length < limit else {
                text += "...]"
                length += 4
                return
            }
            if position > 0 {
                text += ","
                length += 1
            }
            render(element, into: &text, length: &length, limit: limit)
        }
        text += "]"
        length += 1
    case .object(let object):
        text += "{"
        length += 1
        for (position, (key, member)) in object.enumerated() {
            guard length < limit else {
                text += "...}"
                length += 4
                return
            }
            if position > 0 {
                text += ","
                length += 1
            }
            render(.string(key), into: &text, length: &length, limit: limit)
            text += ":"
            length += 1
            render(member, into: &text, length: &length, limit: limit)
        }
        text += "}"
        length += 1
    default:
        let piece = value.description
        text += piece
        length += piece.utf8.count
    }
}
