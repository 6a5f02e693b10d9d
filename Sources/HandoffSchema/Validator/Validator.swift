import HandoffJSON

/// Evaluates a `Program` against one instance.
///
/// Two modes share one walk. Without `collecting`, it answers validity only: it stops at the first
/// failure and builds no location. With it, it keeps the instance and keyword paths as it goes (pointer
/// text is only built when an error is recorded) and reports every error up to `maxErrors`.
struct Validator {
    let program: Program
    private let collecting: Bool
    private(set) var errors: [ValidationError] = []
    /// Whether evaluation went deeper than `maxDepth` subschemas.
    private(set) var depthExceeded = false

    private var instancePath: [PathToken] = []
    private var keywordPath: [String] = []
    /// Program resources entered, outermost first, for `$dynamicRef`.
    private var dynamicScope: [Int] = []
    private var depth = 0

    enum PathToken {
        case key(String)
        case index(Int)
    }

    init(program: Program, collecting: Bool) {
        self.program = program
        self.collecting = collecting
    }

    /// Validates `instance` against the program's root.
    mutating func validate(_ instance: JSONValue) -> Bool {
        var none: Evaluated?
        return validate(program.root, instance, collect: collecting, &none)
    }

    private var canRecordMore: Bool { errors.count < program.options.maxErrors }

    // MARK: Nodes

    /// Validates `instance` against node `index`. When `evaluated` is not `nil`, adds what the node
    /// evaluated to it, if the node is valid.
    mutating func validate(_ index: Int, _ instance: JSONValue, collect: Bool, _ evaluated: inout Evaluated?)
        -> Bool
    {
        let node = program.nodes[index]
        switch node.kind {
        case .alwaysValid:
            return true
        case .alwaysInvalid:
            if collect { report(node, keyword: nil, "no value is allowed here (the schema is false)") }
            return false
        case .keywords:
            break
        }
        depth += 1
        defer { depth -= 1 }
        guard depth <= program.options.maxDepth else {
            depthExceeded = true
            if collect {
                report(
                    node, keyword: nil,
                    "validation went more than \(program.options.maxDepth) subschemas deep; the schema "
                        + "probably refers to itself without descending into the value")
            }
            return false
        }
        var enteredResource = false
        if program.tracksDynamicScope, dynamicScope.last != node.resource {
            dynamicScope.append(node.resource)
            enteredResource = true
        }
        defer { if enteredResource { dynamicScope.removeLast() } }

        var local: Evaluated? = evaluated != nil || node.collectsAnnotations ? Evaluated() : nil
        var valid = true
        for keyword in node.keywords {
            guard evaluate(keyword, of: node, instance, collect: collect, &local) else {
                valid = false
                if collect && canRecordMore { continue }
                break
            }
        }
        if valid, evaluated != nil, let local { evaluated!.formUnion(local) }
        return valid
    }

    /// Applies the child `edge` to `value`, reached from the current value through `token`.
    @inline(__always)
    private mutating func apply(
        _ edge: Edge, to value: JSONValue, at token: PathToken?, collect: Bool, _ evaluated: inout Evaluated?
    ) -> Bool {
        guard collect else { return validate(edge.node, value, collect: false, &evaluated) }
        keywordPath.append(edge.path)
        if let token { instancePath.append(token) }
        defer {
            keywordPath.removeLast()
            if token != nil { instancePath.removeLast() }
        }
        return validate(edge.node, value, collect: true, &evaluated)
    }

    /// Applies `edge` to a member or element, with fresh annotations (they belong to that value).
    @inline(__always)
    private mutating func applyBelow(_ edge: Edge, to value: JSONValue, at token: PathToken, collect: Bool)
        -> Bool
    {
        var none: Evaluated?
        return apply(edge, to: value, at: token, collect: collect, &none)
    }

    // MARK: Keywords

    private mutating func evaluate(
        _ keyword: Keyword, of node: Node, _ instance: JSONValue, collect: Bool, _ evaluated: inout Evaluated?
    ) -> Bool {
        switch keyword {
        case .ref(let edge):
            return apply(edge, to: instance, at: nil, collect: collect, &evaluated)
        case .dynamicRef(let reference):
            var target = reference.edge
            if let anchor = reference.anchor {
                for resource in dynamicScope {
                    if let node = program.resources[resource].dynamicAnchors[anchor] {
                        target = Edge(node: node, path: target.path)
                        break
                    }
                }
            }
            return apply(target, to: instance, at: nil, collect: collect, &evaluated)
        case .allOf(let edges):
            var valid = true
            for edge in edges where !apply(edge, to: instance, at: nil, collect: collect, &evaluated) {
                valid = false
                if !collect || !canRecordMore { break }
            }
            return valid
        case .anyOf(let edges):
            return anyOf(edges, node, instance, collect: collect, &evaluated)
        case .oneOf(let edges):
            return oneOf(edges, node, instance, collect: collect, &evaluated)
        case .not(let edge):
            var none: Evaluated?
            guard apply(edge, to: instance, at: nil, collect: false, &none) else { return true }
            if collect { report(node, keyword: "not", "\(shown(instance)) must not match the schema in not") }
            return false
        case .conditional(let condition, let then, let otherwise):
            if then == nil && otherwise == nil {
                if evaluated != nil {
                    _ = apply(condition, to: instance, at: nil, collect: false, &evaluated)
                }
                return true
            }
            if apply(condition, to: instance, at: nil, collect: false, &evaluated) {
                guard let then else { return true }
                return apply(then, to: instance, at: nil, collect: collect, &evaluated)
            }
            guard let otherwise else { return true }
            return apply(otherwise, to: instance, at: nil, collect: collect, &evaluated)
        case .dependentSchemas(let dependents):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for (property, edge) in dependents where object[property] != nil {
                if !apply(edge, to: instance, at: nil, collect: collect, &evaluated) {
                    valid = false
                    if !collect || !canRecordMore { break }
                }
            }
            return valid
        case .objectApplicator(let applicator):
            guard case .object(let object) = instance else { return true }
            return members(applicator, node, object, collect: collect, &evaluated)
        case .propertyNames(let edge):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for key in object.keys {
                var none: Evaluated?
                if !apply(edge, to: .string(key), at: nil, collect: collect, &none) {
                    valid = false
                    if !collect || !canRecordMore { break }
                }
            }
            return valid
        case .arrayApplicator(let applicator):
            guard case .array(let elements) = instance else { return true }
            return items(applicator, node, elements, collect: collect, &evaluated)
        case .contains(let edge, let minimum, let maximum):
            guard case .array(let elements) = instance else { return true }
            return contains(edge, minimum, maximum, node, elements, collect: collect, &evaluated)
        case .unevaluatedProperties(let edge, let isFalse):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for (position, (key, value)) in object.enumerated()
            where evaluated?.properties.contains(position) != true {
                if isFalse {
                    valid = false
                    guard collect else { break }
                    report(
                        node, keyword: "unevaluatedProperties",
                        "property \(JSONValue.string(key)) is not allowed (no subschema evaluates it)")
                } else if applyBelow(edge, to: value, at: .key(key), collect: collect) {
                    evaluated?.properties.insert(position)
                } else {
                    valid = false
                }
                if !valid && (!collect || !canRecordMore) { break }
            }
            return valid
        case .unevaluatedItems(let edge, let isFalse):
            guard case .array(let elements) = instance else { return true }
            var valid = true
            for (index, element) in elements.enumerated() where evaluated?.items.contains(index) != true {
                if isFalse {
                    valid = false
                    guard collect else { break }
                    report(
                        node, keyword: "unevaluatedItems",
                        "item \(index) is not allowed (no subschema evaluates it)")
                } else if applyBelow(edge, to: element, at: .index(index), collect: collect) {
                    evaluated?.items.insert(index)
                } else {
                    valid = false
                }
                if !valid && (!collect || !canRecordMore) { break }
            }
            return valid
        default:
            return assert(keyword, of: node, instance, collect: collect)
        }
    }

    private mutating func members(
        _ applicator: ObjectApplicator, _ node: Node, _ object: JSONObject, collect: Bool,
        _ evaluated: inout Evaluated?
    ) -> Bool {
        var valid = true
        for position in object.indices {
            let key = object.keys[position]
            let value = object.values[position]
            var matched = false
            if let property = applicator.property(named: key) {
                matched = true
                if !applyBelow(applicator.edges[property], to: value, at: .key(key), collect: collect) {
                    valid = false
                    if !collect || !canRecordMore { return false }
                }
            }
            for (pattern, edge) in applicator.patterns {
                let found: Bool
                do {
                    found = try pattern.regex.matches(key, budget: program.options.regexBudget)
                } catch {
                    if collect {
                        report(
                            node, keyword: "patternProperties",
                            "property \(JSONValue.string(key)) could not be checked: \(error.message)")
                    }
                    valid = false
                    if !collect || !canRecordMore { return false }
                    continue
                }
                guard found else { continue }
                matched = true
                if !applyBelow(edge, to: value, at: .key(key), collect: collect) {
                    valid = false
                    if !collect || !canRecordMore { return false }
                }
            }
            if !matched, let additional = applicator.additional {
                matched = true
                if applicator.additionalIsFalse {
                    valid = false
                    guard collect else { return false }
                    report(
                        node, keyword: "additionalProperties",
                        "property \(JSONValue.string(key)) is not allowed")
                    if !canRecordMore { return false }
                } else if !applyBelow(additional, to: value, at: .key(key), collect: collect) {
                    valid = false
                    if !collect || !canRecordMore { return false }
                }
            }
            if matched { evaluated?.properties.insert(position) }
        }
        return valid
    }

    private mutating func items(
        _ applicator: ArrayApplicator, _ node: Node, _ elements: [JSONValue], collect: Bool,
        _ evaluated: inout Evaluated?
    ) -> Bool {
        var valid = true
        let prefixCount = min(applicator.prefix.count, elements.count)
        for index in 0..<prefixCount {
            if !applyBelow(applicator.prefix[index], to: elements[index], at: .index(index), collect: collect)
            {
                valid = false
                if !collect || !canRecordMore { return false }
            }
            evaluated?.items.insert(index)
        }
        guard let items = applicator.items, elements.count > prefixCount else { return valid }
        if applicator.itemsIsFalse {
            if collect {
                report(
                    node, keyword: "items",
                    prefixCount == 0
                        ? "array must be empty, found \(plural(elements.count, "item"))"
                        : "array has \(plural(elements.count, "item")), but only the first \(prefixCount) are allowed"
                )
            }
            return false
        }
        for index in prefixCount..<elements.count
        where !applyBelow(items, to: elements[index], at: .index(index), collect: collect) {
            valid = false
            if !collect || !canRecordMore { return false }
        }
        evaluated?.items.insertAll()
        return valid
    }

    private mutating func contains(
        _ edge: Edge, _ minimum: Int, _ maximum: Int?, _ node: Node, _ elements: [JSONValue], collect: Bool,
        _ evaluated: inout Evaluated?
    ) -> Bool {
        var matches = 0
        let needsAll = evaluated != nil || maximum != nil
        for (index, element) in elements.enumerated() {
            var none: Evaluated?
            guard validate(edge.node, element, collect: false, &none) else { continue }
            matches += 1
            evaluated?.items.insert(index)
            if !needsAll && matches >= minimum { break }
            if let maximum, matches > maximum, evaluated == nil { break }
        }
        if matches < minimum {
            if collect {
                if minimum == 1 {
                    report(
                        node, keyword: "contains", "array contains no item that matches the contains schema")
                } else {
                    report(
                        node, keyword: "minContains",
                        "array contains \(plural(matches, "matching item")), fewer than the minimum \(minimum)"
                    )
                }
            }
            return false
        }
        if let maximum, matches > maximum {
            if collect {
                report(
                    node, keyword: "maxContains",
                    "array contains \(matches) or more matching items, more than the maximum \(maximum)")
            }
            return false
        }
        return true
    }

    // MARK: anyOf and oneOf

    private mutating func anyOf(
        _ edges: [Edge], _ node: Node, _ instance: JSONValue, collect: Bool, _ evaluated: inout Evaluated?
    ) -> Bool {
        var anyValid = false
        for edge in edges where apply(edge, to: instance, at: nil, collect: false, &evaluated) {
            anyValid = true
            // Every valid branch's annotations count, so all must run when someone needs them.
            if evaluated == nil { break }
        }
        if anyValid { return true }
        if collect {
            reportBranches(
                edges, node, instance, keyword: "anyOf",
                "\(shown(instance)) does not match any of the \(edges.count) alternatives in anyOf")
        }
        return false
    }

    private mutating func oneOf(
        _ edges: [Edge], _ node: Node, _ instance: JSONValue, collect: Bool, _ evaluated: inout Evaluated?
    ) -> Bool {
        var matching: [Int] = []
        for (position, edge) in edges.enumerated() {
            if apply(edge, to: instance, at: nil, collect: false, &evaluated) {
                matching.append(position)
                if matching.count > 1 && !collect { return false }
            }
        }
        if matching.count == 1 { return true }
        if collect {
            if matching.isEmpty {
                reportBranches(
                    edges, node, instance, keyword: "oneOf",
                    "\(shown(instance)) does not match any of the \(edges.count) alternatives in oneOf")
            } else {
                let list = matching.map(String.init).joined(separator: ", ")
                report(
                    node, keyword: "oneOf",
                    "\(shown(instance)) matches \(matching.count) of the alternatives in oneOf (\(list)); "
                        + "it must match exactly one")
            }
        }
        return false
    }

    /// Reports a failed `anyOf` or `oneOf`, followed by the errors of the alternative that got furthest
    /// into the value, when they say more than "wrong type".
    private mutating func reportBranches(
        _ edges: [Edge], _ node: Node, _ instance: JSONValue, keyword: String, _ message: String
    ) {
        report(node, keyword: keyword, message)
        let start = errors.count
        var best: [ValidationError] = []
        var bestDepth = -1
        for edge in edges {
            var none: Evaluated?
            _ = apply(edge, to: instance, at: nil, collect: true, &none)
            let branch = Array(errors[start...])
            errors.removeSubrange(start...)
            let depth =
                branch.map { $0.instanceLocation.utf8.count(where: { $0 == UInt8(ascii: "/") }) }.max() ?? 0
            if depth > bestDepth || (depth == bestDepth && branch.count < best.count) {
                best = branch
                bestDepth = depth
            }
        }
        let here = instanceLocation()
        let onlyTypeHere = best.allSatisfy { $0.keyword == "type" && $0.instanceLocation == here }
        if !onlyTypeHere { errors += best.prefix(max(0, program.options.maxErrors - errors.count)) }
    }

    // MARK: Errors

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

    /// Records an error of `keyword` in `node` (`nil` for the node itself, a `false` schema).
    mutating func report(_ node: Node, keyword: String?, _ message: String) {
        guard canRecordMore else { return }
        var keywordLocation = keywordPath.joined()
        var pointer = node.pointer
        if let keyword {
            keywordLocation += "/" + keyword
            pointer += "/" + keyword
        }
        let uri = program.resources[node.resource].uri
        errors.append(
            ValidationError(
                instanceLocation: instanceLocation(), keywordLocation: keywordLocation,
                absoluteKeywordLocation: uri + "#" + fragmentEncoded(pointer),
                keyword: keyword
                    ?? (keywordPath.last.map { String($0.split(separator: "/").first ?? "") } ?? ""),
                message: message))
    }
}

/// `3 items`, `1 item`.
func plural(_ count: Int, _ noun: String) -> String {
    count == 1 ? "1 \(noun)" : "\(count) \(noun)s"
}

/// A value as it appears in a message: its JSON text, shortened when long.
func shown(_ value: JSONValue) -> String {
    let text = value.description
    let scalars = text.unicodeScalars
    guard scalars.count > 60 else { return text }
    return String(String.UnicodeScalarView(scalars.prefix(57))) + "..."
}
