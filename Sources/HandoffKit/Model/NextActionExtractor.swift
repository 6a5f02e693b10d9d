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

    /// The parts of a document on a tape that `extract` reads, as a tree: what `places` and the inferences
    /// address, and nothing else. Array elements nobody addresses are null, so that indices stay; for a large
    /// document this is a few small values instead of a tree of all of it.
    static func skeleton(of root: TapeValue, places: [String]) -> JSONValue {
        patterns(places).value(of: root)
    }

    /// `skeleton(of:places:)` read from canonical text (as `CanonicalJSON` writes it) without parsing the
    /// rest: values nobody addresses are skipped, a few bytes at a step. Nil when the text is not what
    /// canonical text looks like, for the caller to read it the thorough way.
    static func skeleton(ofCanonical text: [UInt8], places: [String]) -> JSONValue? {
        let trie = patterns(places)
        return text.withUnsafeBufferPointer { buffer in
            var skimmer = Skimmer(text: buffer)
            guard let value = skimmer.value(trie), skimmer.index == buffer.count else { return nil }
            return value
        }
    }

    /// The top-level `schema` member of canonical text, as a skeleton (an object holding at most it), for
    /// `ArtifactDocument.declaredSchema`; nil as `skeleton(ofCanonical:places:)` says.
    static func schemaSkeleton(ofCanonical text: [UInt8]) -> JSONValue? {
        var trie = Trie()
        trie.insert(["schema"])
        return text.withUnsafeBufferPointer { buffer in
            var skimmer = Skimmer(text: buffer)
            guard let value = skimmer.value(trie), skimmer.index == buffer.count else { return nil }
            return value
        }
    }

    /// The top-level members of canonical text whose root is an object, found in one pass that steps over
    /// their values, for reading the schema and then the skeleton without going over the text again; nil for
    /// any other root.
    static func rootMembers(ofCanonical text: [UInt8]) -> CanonicalRoot? {
        text.withUnsafeBufferPointer { buffer in
            var skimmer = Skimmer(text: buffer)
            guard let members = skimmer.rootMembers(), skimmer.index == buffer.count else { return nil }
            return CanonicalRoot(text: text, members: members)
        }
    }

    /// Canonical text and where each of its top-level members' values is.
    struct CanonicalRoot {
        let text: [UInt8]
        let members: [(key: String, range: Range<Int>)]

        /// The root as an object holding at most its `schema` member, for `ArtifactDocument.declaredSchema`.
        var schemaSkeleton: JSONValue? { pruned(by: Self.schemaOnly) }

        /// `skeleton(ofCanonical:places:)`, from the members already found.
        func skeleton(places: [String]) -> JSONValue? { pruned(by: patterns(places)) }

        private static let schemaOnly: Trie = {
            var trie = Trie()
            trie.insert(["schema"])
            return trie
        }()

        private func pruned(by trie: Trie) -> JSONValue? {
            text.withUnsafeBufferPointer { buffer in
                var keys: [String] = []
                var values: [JSONValue] = []
                for member in members {
                    guard let child = trie.next(member.key) else { continue }
                    var skimmer = Skimmer(text: buffer)
                    skimmer.index = member.range.lowerBound
                    guard let value = skimmer.value(child), skimmer.index == member.range.upperBound else {
                        return nil
                    }
                    keys.append(member.key)
                    values.append(value)
                }
                return .object(JSONObject(sortedUniqueKeys: keys, values: values))
            }
        }
    }

    /// The places and what the inferences read, as one tree of tokens.
    private static func patterns(_ places: [String]) -> Trie {
        let paths =
            places.compactMap { try? JSONPointer($0).tokens }
            + [
                ["status"], ["error"], ["confidence"], ["summary", "errors"], ["decisions", "*", "status"],
                ["decisions", "*", "error"], ["decisions", "*", "confidence"],
            ]
        var trie = Trie()
        for path in paths { trie.insert(path[...]) }
        return trie
    }

    /// Reads canonical JSON text as far as a trie of patterns needs: what it addresses is parsed by the
    /// parser (so it is exactly what a tree of the whole would hold); everything else is stepped over.
    private struct Skimmer {
        let text: UnsafeBufferPointer<UInt8>
        var index = 0

        init(text: UnsafeBufferPointer<UInt8>) { self.text = text }

        /// The value at `index`, pruned to `trie`; nil for text that is not canonical JSON.
        mutating func value(_ trie: Trie) -> JSONValue? {
            guard index < text.count else { return nil }
            let start = index
            switch text[index] {
            case UInt8(ascii: "{") where !trie.whole:
                index += 1
                var keys: [String] = []
                var values: [JSONValue] = []
                let read = eachMember { skimmer, key in
                    guard let child = trie.next(key) else { return skimmer.skipValue() }
                    guard let member = skimmer.value(child) else { return false }
                    keys.append(key)
                    values.append(member)
                    return true
                }
                // Canonical text has its members in the order a JSONObject keeps.
                return read ? .object(JSONObject(sortedUniqueKeys: keys, values: values)) : nil
            case UInt8(ascii: "[") where !trie.whole:
                index += 1
                var elements: [JSONValue] = []
                if index < text.count, text[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array([])
                }
                while true {
                    if let child = trie.next(String(elements.count)) {
                        guard let element = value(child) else { return nil }
                        elements.append(element)
                    } else {
                        guard skipValue() else { return nil }
                        elements.append(.null)
                    }
                    guard index < text.count else { return nil }
                    if text[index] == UInt8(ascii: "]") { break }
                    guard text[index] == UInt8(ascii: ",") else { return nil }
                    index += 1
                }
                index += 1
                return .array(elements)
            default:
                guard skipValue() else { return nil }
                return parse(start..<index)
            }
        }

        /// The keys and value ranges of the object at `index`, stepping over the values.
        mutating func rootMembers() -> [(key: String, range: Range<Int>)]? {
            guard index < text.count, text[index] == UInt8(ascii: "{") else { return nil }
            index += 1
            var members: [(key: String, range: Range<Int>)] = []
            let read = eachMember { skimmer, key in
                let start = skimmer.index
                guard skimmer.skipValue() else { return false }
                members.append((key, start..<skimmer.index))
                return true
            }
            return read ? members : nil
        }

        /// Reads the members of the object whose `{` was just read: `member` gets each key with `index` at
        /// its value, and reads or steps over the value. False for text that is not canonical JSON.
        private mutating func eachMember(_ member: (inout Skimmer, String) -> Bool) -> Bool {
            if index < text.count, text[index] == UInt8(ascii: "}") {
                index += 1
                return true
            }
            while true {
                let keyStart = index
                guard skipString(), index < text.count, text[index] == UInt8(ascii: ":"),
                    case .string(let key)? = parse(keyStart..<index)
                else { return false }
                index += 1
                guard member(&self, key), index < text.count else { return false }
                if text[index] == UInt8(ascii: "}") { break }
                guard text[index] == UInt8(ascii: ",") else { return false }
                index += 1
            }
            index += 1
            return true
        }

        /// The parser's reading of `range`.
        private func parse(_ range: Range<Int>) -> JSONValue? {
            try? JSONParser.parse(
                UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: text[range])),
                limits: JSONParser.Limits(maxDepth: JSONParser.Limits.depthCeiling, maxBytes: range.count))
        }

        /// Steps over a string at `index`: canonical strings escape only quotes, backslashes and controls.
        private mutating func skipString() -> Bool {
            guard index < text.count, text[index] == UInt8(ascii: "\"") else { return false }
            index += 1
            while index < text.count {
                switch text[index] {
                case UInt8(ascii: "\""):
                    index += 1
                    return true
                case UInt8(ascii: "\\"): index += 2
                default: index += 1
                }
            }
            return false
        }

        /// Steps over any value at `index`.
        mutating func skipValue() -> Bool {
            guard index < text.count else { return false }
            switch text[index] {
            case UInt8(ascii: "\""):
                return skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while index < text.count {
                    switch text[index] {
                    case UInt8(ascii: "\""):
                        guard skipString() else { return false }
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 {
                            index += 1
                            return true
                        }
                    default: break
                    }
                    index += 1
                }
                return false
            default:
                // A number or a literal: up to the next delimiter.
                while index < text.count {
                    switch text[index] {
                    case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"): return true
                    default: index += 1
                    }
                }
                return true
            }
        }
    }

    /// Pointer patterns as a tree of their tokens.
    fileprivate struct Trie {
        var children: [String: Trie] = [:]
        /// A pattern ends here: the whole value is read.
        var whole = false

        mutating func insert(_ tokens: ArraySlice<String>) {
            guard let token = tokens.first else {
                whole = true
                return
            }
            children[token, default: Trie()].insert(tokens.dropFirst())
        }

        /// The patterns that go on under `token`: its own and those of `*`.
        func next(_ token: String) -> Trie? {
            switch (children[token], children["*"]) {
            case (nil, nil): nil
            case (let one?, nil), (nil, let one?): one
            case (let one?, let other?): one.merged(with: other)
            }
        }

        func merged(with other: Trie) -> Trie {
            var result = self
            result.whole = whole || other.whole
            for (token, child) in other.children {
                result.children[token] = result.children[token].map { $0.merged(with: child) } ?? child
            }
            return result
        }

        func value(of value: TapeValue) -> JSONValue {
            if whole { return value.jsonValue }
            switch value.kind {
            case .object:
                var keys: [String] = []
                var values: [JSONValue] = []
                for position in 0..<value.count {
                    let key = value.key(position).textValue
                    guard let child = next(key) else { continue }
                    keys.append(key)
                    values.append(child.value(of: value.value(position)))
                }
                // A tape's members are in the canonical order a JSONObject keeps.
                return .object(JSONObject(sortedUniqueKeys: keys, values: values))
            case .array:
                return .array(
                    (0..<value.count).map { index in
                        next(String(index)).map { $0.value(of: value.element(index)) } ?? .null
                    })
            default:
                return value.jsonValue
            }
        }
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
