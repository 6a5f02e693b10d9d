import HandoffJSON

/// Finds an artifact's next actions: the action names written at the places its schema declares
/// (`x-handoff-next-actions`), plus the ones inferred from work-log decisions: any error means
/// `review_errors`, any confidence below 0.7 means `verify_low_confidence_decisions`.
enum NextActionExtractor {
    /// Where next actions live when a schema declares nothing: the places of the built-in schemas.
    static let defaultPlaces = [
        "/next_actions", "/recommendations", "/decisions/*/output/next_actions", "/output/next_actions",
    ]

    /// The confidence below which a decision asks to be verified.
    static let lowConfidence = 0.7

    static func extract(from document: JSONValue, places: [String]) -> [NextAction] {
        var found: [NextAction] = []
        var seen = Set<NextAction>()
        func add(_ action: NextAction) {
            if seen.insert(action).inserted { found.append(action) }
        }
        for place in places {
            guard let pattern = try? JSONPointer(place) else { continue }
            for (pointer, value) in matches(of: pattern.tokens[...], in: document, at: .root) {
                guard case .array(let names) = value else { continue }
                for (index, name) in names.enumerated() {
                    if case .string(let action) = name, !action.isEmpty {
                        add(
                            NextAction(
                                action: action, source: pointer.appending(index).description, inferred: false)
                        )
                    }
                }
            }
        }
        for source in errorSources(in: document) {
            add(NextAction(action: "review_errors", source: source, inferred: true))
        }
        for source in lowConfidenceSources(in: document) {
            add(NextAction(action: "verify_low_confidence_decisions", source: source, inferred: true))
        }
        return found
    }

    /// The values a pointer pattern addresses, `*` standing for every element or member at its level.
    private static func matches(of tokens: ArraySlice<String>, in value: JSONValue, at pointer: JSONPointer)
        -> [(JSONPointer, JSONValue)]
    {
        guard let token = tokens.first else { return [(pointer, value)] }
        let rest = tokens.dropFirst()
        switch value {
        case .object(let object):
            if token == "*" {
                return object.flatMap { member in
                    matches(of: rest, in: member.value, at: pointer.appending(member.key))
                }
            }
            guard let member = object[token] else { return [] }
            return matches(of: rest, in: member, at: pointer.appending(token))
        case .array(let elements):
            if token == "*" {
                return elements.enumerated().flatMap { index, element in
                    matches(of: rest, in: element, at: pointer.appending(index))
                }
            }
            guard let index = Int(token), elements.indices.contains(index) else { return [] }
            return matches(of: rest, in: elements[index], at: pointer.appending(index))
        default:
            return []
        }
    }

    /// Places that report an error: a decision or the artifact itself whose `status` is `error` or
    /// `timeout`, or whose `error` is a non-empty string, and a work-log summary counting errors.
    private static func errorSources(in document: JSONValue) -> [String] {
        var sources: [String] = []
        func check(_ object: JSONObject, at pointer: JSONPointer) {
            if case .string(let status) = object["status"], status == "error" || status == "timeout" {
                sources.append(pointer.appending("status").description)
            } else if case .string(let error) = object["error"], !error.isEmpty {
                sources.append(pointer.appending("error").description)
            }
        }
        guard case .object(let root) = document else { return [] }
        check(root, at: .root)
        if case .array(let decisions) = root["decisions"] {
            for (index, decision) in decisions.enumerated() {
                if case .object(let object) = decision {
                    check(object, at: JSONPointer(tokens: ["decisions", String(index)]))
                }
            }
        }
        if sources.isEmpty, let errors = root["summary"]?["errors"]?.numberValue, errors > 0 {
            sources.append("/summary/errors")
        }
        return sources
    }

    /// Decisions, or the artifact itself, with a `confidence` below 0.7.
    private static func lowConfidenceSources(in document: JSONValue) -> [String] {
        guard case .object(let root) = document else { return [] }
        var sources: [String] = []
        if let confidence = root["confidence"]?.numberValue, confidence < lowConfidence {
            sources.append("/confidence")
        }
        if case .array(let decisions) = root["decisions"] {
            for (index, decision) in decisions.enumerated() {
                if let confidence = decision["confidence"]?.numberValue, confidence < lowConfidence {
                    sources.append("/decisions/\(index)/confidence")
                }
            }
        }
        return sources
    }
}
