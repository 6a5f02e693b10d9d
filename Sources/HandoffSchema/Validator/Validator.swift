import HandoffJSON

/// Evaluates a `Program` against one instance.
///
/// Two modes share one walk. Without `collecting`, it answers validity only: it stops at the first
/// failure and builds no location. With it, it keeps the instance and keyword paths as it goes (pointer
/// text is only built when an error is recorded) and reports every error up to `maxErrors`.
///
/// The functions on the recursive path (`validate`, `evaluate`, the applicators) build no strings: the
/// messages live in `Validator+Messages.swift`, so that each level of nesting costs little stack even in
/// a debug build.
struct Validator<Value: Instance> {
    let program: Program
    private let collecting: Bool
    var errors: [ValidationError] = []
    /// Whether evaluation went deeper than `maxDepth` subschemas.
    private(set) var depthExceeded = false
    /// Subschemas evaluated and pattern steps taken so far, held to `workBudget`.
    var work = 0
    /// Whether validation ran out of `workBudget` and stopped.
    private(set) var workExceeded = false

    var instancePath: [PathToken] = []
    var keywordPath: [String] = []
    /// Program resources entered, outermost first, for `$dynamicRef`.
    private var dynamicScope: [Int] = []
    private var depth = 0
    /// How deep this run may go; below `maxDepth` while running on the caller's stack.
    private var depthLimit = 0
    /// Set when a run on the caller's stack went deeper than `callerStackDepth`: everything after it is
    /// abandoned, and validation starts again on a thread with a large stack.
    private var needsLargeStack = false
    /// Whether reaching `depthLimit` means moving to a large stack rather than giving up.
    private var mayMoveToLargeStack = false

    /// Subschema evaluations nested on the caller's thread, whose stack may be as small as 512 KiB: a
    /// few kilobytes each in a debug build, well under two in a release build.
    static var callerStackDepth: Int { 64 }
    /// Stack reserved per level of `maxDepth` on the large-stack thread, enough for a debug build.
    static var stackPerLevel: Int { 12 << 10 }

    enum PathToken {
        case key(String)
        case index(Int)
    }

    init(program: Program, collecting: Bool) {
        self.program = program
        self.collecting = collecting
    }

    /// Validates `instance` against the program's root.
    ///
    /// Runs on the caller's stack as long as evaluation stays shallow, which is nearly always; a deeper
    /// one is run again from the start on a thread whose stack fits `maxDepth` levels.
    mutating func validate(_ instance: Value) -> Bool {
        let maxDepth = program.options.maxDepth
        depthLimit = min(maxDepth, Self.callerStackDepth)
        mayMoveToLargeStack = maxDepth > Self.callerStackDepth
        var none: Evaluated?
        let valid = validate(program.root, instance, collect: collecting, &none)
        guard needsLargeStack else { return finish(valid) }
        errors = []
        work = 0
        instancePath = []
        keywordPath = []
        dynamicScope = []
        needsLargeStack = false
        mayMoveToLargeStack = false
        depthLimit = maxDepth
        var result = false
        let size = min(max(maxDepth, 256) * Self.stackPerLevel, 1 << 30)
        let ran = runWithLargeStack(size: size) {
            var none: Evaluated?
            result = self.validate(program.root, instance, collect: collecting, &none)
        }
        if ran { return finish(result) }
        // No thread could be started: the document is reported as too deep to check here.
        depthLimit = Self.callerStackDepth
        _ = validate(program.root, instance, collect: collecting, &none)
        depthExceeded = true
        if collecting && errors.isEmpty { reportDepth(program.nodes[program.root]) }
        return false
    }

    /// The outcome of a whole run: past the work budget, the one thing to say is that.
    private mutating func finish(_ valid: Bool) -> Bool {
        guard workExceeded else { return valid }
        if collecting {
            errors = []
            instancePath = []
            keywordPath = []
            reportWork(program.nodes[program.root])
        }
        return false
    }

    var canRecordMore: Bool { errors.count < program.options.maxErrors }

    /// The largest budget a `pattern` match may have now: its own, or what is left of the document's.
    var patternBudget: Int { min(program.options.regexBudget, max(1, program.options.workBudget - work)) }

    /// Notes that a pattern ran out of budget; true when it was the document's budget that ran out.
    mutating func patternExhaustedWork() -> Bool {
        guard work > program.options.workBudget else { return false }
        workExceeded = true
        return true
    }

    // MARK: Nodes

    /// Validates `instance` against node `index`. When `evaluated` is not `nil`, adds what the node
    /// evaluated to it, if the node is valid.
    mutating func validate(_ index: Int, _ instance: Value, collect: Bool, _ evaluated: inout Evaluated?)
        -> Bool
    {
        let node = program.nodes[index]
        switch node.kind {
        case .alwaysValid:
            return true
        case .alwaysInvalid:
            if collect { reportFalseSchema(node) }
            return false
        case .keywords:
            break
        }
        guard !needsLargeStack, !workExceeded else { return false }
        work += 1
        guard work <= program.options.workBudget else {
            workExceeded = true
            return false
        }
        depth += 1
        defer { depth -= 1 }
        guard depth <= depthLimit else {
            if mayMoveToLargeStack {
                needsLargeStack = true
                return false
            }
            depthExceeded = true
            if collect { reportDepth(node) }
            return false
        }
        if !collect, let forward = node.forward, !program.tracksDynamicScope {
            return validate(forward, instance, collect: false, &evaluated)
        }
        var enteredResource = false
        if program.tracksDynamicScope, dynamicScope.last != node.resource {
            dynamicScope.append(node.resource)
            enteredResource = true
        }
        defer { if enteredResource { dynamicScope.removeLast() } }

        var local: Evaluated? = evaluated != nil || node.collectsAnnotations ? Evaluated() : nil
        var valid = true
        for keyword in node.keywords where !evaluate(keyword, of: node, instance, collect: collect, &local) {
            valid = false
            if !collect || !canRecordMore { break }
        }
        if valid, evaluated != nil, let local { evaluated!.formUnion(local) }
        return valid
    }

    /// Applies the child `edge` to `value`, reached from the current value through `token`.
    private mutating func apply(
        _ edge: Edge, to value: Value, at token: PathToken?, collect: Bool, _ evaluated: inout Evaluated?
    ) -> Bool {
        guard collect else { return validate(edge.node, value, collect: false, &evaluated) }
        keywordPath.append(program.paths[edge.path])
        if let token { instancePath.append(token) }
        defer {
            keywordPath.removeLast()
            if token != nil { instancePath.removeLast() }
        }
        return validate(edge.node, value, collect: true, &evaluated)
    }

    /// Applies `edge` to the member `key`, with fresh annotations (they belong to that value). The path
    /// token is only made when collecting.
    private mutating func apply(_ edge: Edge, toMember value: Value, key: Value, collect: Bool) -> Bool {
        var none: Evaluated?
        guard collect else { return validate(edge.node, value, collect: false, &none) }
        return apply(edge, to: value, at: .key(key.textValue), collect: true, &none)
    }

    /// Applies `edge` to the element at `index`, with fresh annotations.
    private mutating func apply(_ edge: Edge, toElement value: Value, index: Int, collect: Bool) -> Bool {
        var none: Evaluated?
        guard collect else { return validate(edge.node, value, collect: false, &none) }
        return apply(edge, to: value, at: .index(index), collect: true, &none)
    }

    /// Whether to go on after a failure: only when collecting, and not past `maxErrors`.
    private var goesOn: Bool { canRecordMore }

    // MARK: Keywords

    private mutating func evaluate(
        _ keyword: Keyword, of node: Node, _ instance: Value, collect: Bool, _ evaluated: inout Evaluated?
    ) -> Bool {
        switch keyword {
        case .ref(let edge):
            return apply(edge, to: instance, at: nil, collect: collect, &evaluated)
        case .dynamicRef(let reference):
            return apply(dynamicTarget(reference), to: instance, at: nil, collect: collect, &evaluated)
        case .allOf(let edges):
            return allOf(edges, instance, collect: collect, &evaluated)
        case .anyOf(let edges):
            return anyOf(edges, node, instance, collect: collect, &evaluated)
        case .oneOf(let edges):
            return oneOf(edges, node, instance, collect: collect, &evaluated)
        case .not(let edge):
            return not(edge, node, instance, collect: collect)
        case .conditional(let condition, let then, let otherwise):
            return conditional(condition, then, otherwise, instance, collect: collect, &evaluated)
        case .dependentSchemas(let dependents):
            return dependentSchemas(dependents, instance, collect: collect, &evaluated)
        case .objectApplicator(let applicator):
            guard instance.kind == .object else { return true }
            return members(applicator, node, instance, collect: collect, &evaluated)
        case .propertyNames(let edge):
            guard instance.kind == .object else { return true }
            return propertyNames(edge, instance, collect: collect)
        case .arrayApplicator(let applicator):
            guard instance.kind == .array else { return true }
            return items(applicator, node, instance, collect: collect, &evaluated)
        case .contains(let edge, let minimum, let maximum):
            guard instance.kind == .array else { return true }
            return contains(edge, minimum, maximum, node, instance, collect: collect, &evaluated)
        case .unevaluatedProperties(let edge, let isFalse):
            guard instance.kind == .object else { return true }
            return unevaluatedProperties(edge, isFalse, node, instance, collect: collect, &evaluated)
        case .unevaluatedItems(let edge, let isFalse):
            guard instance.kind == .array else { return true }
            return unevaluatedItems(edge, isFalse, node, instance, collect: collect, &evaluated)
        default:
            return assert(keyword, of: node, instance, collect: collect)
        }
    }

    /// The node a `$dynamicRef` leads to: the outermost resource in the dynamic scope with a matching
    /// `$dynamicAnchor`, else its static target.
    private func dynamicTarget(_ reference: DynamicReference) -> Edge {
        guard let anchor = reference.anchor else { return reference.edge }
        for resource in dynamicScope {
            if let node = program.resources[resource].dynamicAnchors[anchor] {
                return Edge(node: node, path: reference.edge.path)
            }
        }
        return reference.edge
    }

    private mutating func allOf(
        _ edges: [Edge], _ instance: Value, collect: Bool, _ evaluated: inout Evaluated?
    )
        -> Bool
    {
        var valid = true
        for edge in edges where !apply(edge, to: instance, at: nil, collect: collect, &evaluated) {
            valid = false
            if !collect || !goesOn { break }
        }
        return valid
    }

    private mutating func not(_ edge: Edge, _ node: Node, _ instance: Value, collect: Bool) -> Bool {
        var none: Evaluated?
        guard apply(edge, to: instance, at: nil, collect: false, &none) else { return true }
        if collect { reportNot(node, instance.jsonValue) }
        return false
    }

    private mutating func conditional(
        _ condition: Edge, _ then: Edge?, _ otherwise: Edge?, _ instance: Value, collect: Bool,
        _ evaluated: inout Evaluated?
    ) -> Bool {
        if then == nil && otherwise == nil {
            // Only its annotations matter.
            if evaluated != nil { _ = apply(condition, to: instance, at: nil, collect: false, &evaluated) }
            return true
        }
        if apply(condition, to: instance, at: nil, collect: false, &evaluated) {
            guard let then else { return true }
            return apply(then, to: instance, at: nil, collect: collect, &evaluated)
        }
        guard let otherwise else { return true }
        return apply(otherwise, to: instance, at: nil, collect: collect, &evaluated)
    }

    private mutating func dependentSchemas(
        _ dependents: [(property: String, edge: Edge)], _ instance: Value, collect: Bool,
        _ evaluated: inout Evaluated?
    ) -> Bool {
        guard instance.kind == .object else { return true }
        var valid = true
        for (property, edge) in dependents where instance.position(ofKey: property) != nil {
            if !apply(edge, to: instance, at: nil, collect: collect, &evaluated) {
                valid = false
                if !collect || !goesOn { break }
            }
        }
        return valid
    }

    private mutating func propertyNames(_ edge: Edge, _ object: Value, collect: Bool) -> Bool {
        var valid = true
        for position in 0..<object.count {
            var none: Evaluated?
            // A name has no location of its own: errors point at the object.
            if !apply(edge, to: object.key(position), at: nil, collect: collect, &none) {
                valid = false
                if !collect || !goesOn { break }
            }
        }
        return valid
    }

    private mutating func members(
        _ applicator: ObjectApplicator, _ node: Node, _ object: Value, collect: Bool,
        _ evaluated: inout Evaluated?
    ) -> Bool {
        var valid = true
        // The properties met, for `requiredMask`.
        var met: UInt64 = 0
        for position in 0..<object.count {
            let key = object.key(position)
            let value = object.value(position)
            var matched = false
            if let property = key.withUTF8({ applicator.property(utf8: $0) }) {
                matched = true
                if property < 64 { met |= 1 << UInt64(property) }
                if !apply(applicator.edges[property], toMember: value, key: key, collect: collect) {
                    valid = false
                    if !collect || !goesOn { return false }
                }
            }
            for (pattern, edge) in applicator.patterns {
                switch patternMatches(pattern, key, node, collect: collect) {
                case true?:
                    matched = true
                    if !apply(edge, toMember: value, key: key, collect: collect) {
                        valid = false
                        if !collect || !goesOn { return false }
                    }
                case false?:
                    continue
                case nil:
                    valid = false
                    if !collect || !goesOn { return false }
                }
            }
            if !matched, let additional = applicator.additional {
                matched = true
                if applicator.additionalIsFalse {
                    valid = false
                    guard collect else { return false }
                    reportAdditionalProperty(node, key.textValue)
                    if !goesOn { return false }
                } else if !apply(additional, toMember: value, key: key, collect: collect) {
                    valid = false
                    if !collect || !goesOn { return false }
                }
            }
            if matched { evaluated?.properties.insert(position) }
        }
        // A missing required property; collecting, `required` itself reports it.
        if !collect, applicator.requiredMask & ~met != 0 { return false }
        return valid
    }

    /// Whether a `patternProperties` pattern matches `key`; `nil` when matching ran out of budget.
    private mutating func patternMatches(_ pattern: Pattern, _ key: Value, _ node: Node, collect: Bool)
        -> Bool?
    {
        do {
            return try pattern.matches(key, budget: patternBudget, steps: &work)
        } catch {
            if collect && !patternExhaustedWork() {
                reportPatternBudget(node, keyword: "patternProperties", error)
            }
            return nil
        }
    }

    private mutating func items(
        _ applicator: ArrayApplicator, _ node: Node, _ elements: Value, collect: Bool,
        _ evaluated: inout Evaluated?
    ) -> Bool {
        var valid = true
        let count = elements.count
        let prefixCount = min(applicator.prefix.count, count)
        for index in 0..<prefixCount {
            if !apply(
                applicator.prefix[index], toElement: elements.element(index), index: index, collect: collect)
            {
                valid = false
                if !collect || !goesOn { return false }
            }
            evaluated?.items.insert(index)
        }
        guard let items = applicator.items, count > prefixCount else { return valid }
        if applicator.itemsIsFalse {
            if collect { reportItemsFalse(node, count: count, allowed: prefixCount) }
            return false
        }
        for index in prefixCount..<count
        where !apply(items, toElement: elements.element(index), index: index, collect: collect) {
            valid = false
            if !collect || !goesOn { return false }
        }
        evaluated?.items.insertAll()
        return valid
    }

    private mutating func contains(
        _ edge: Edge, _ minimum: Int, _ maximum: Int?, _ node: Node, _ elements: Value, collect: Bool,
        _ evaluated: inout Evaluated?
    ) -> Bool {
        var matches = 0
        // Every match is an annotation, and maxContains needs the count.
        let countsAll = evaluated != nil || maximum != nil
        for index in 0..<elements.count {
            var none: Evaluated?
            guard validate(edge.node, elements.element(index), collect: false, &none) else { continue }
            matches += 1
            evaluated?.items.insert(index)
            if !countsAll && matches >= minimum { break }
            if let maximum, matches > maximum, evaluated == nil { break }
        }
        if matches < minimum {
            if collect { reportContains(node, matches: matches, minimum: minimum) }
            return false
        }
        if let maximum, matches > maximum {
            if collect { reportMaxContains(node, matches: matches, maximum: maximum) }
            return false
        }
        return true
    }

    private mutating func unevaluatedProperties(
        _ edge: Edge, _ isFalse: Bool, _ node: Node, _ object: Value, collect: Bool,
        _ evaluated: inout Evaluated?
    ) -> Bool {
        var valid = true
        for position in 0..<object.count where evaluated?.properties.contains(position) != true {
            if isFalse {
                valid = false
                guard collect else { break }
                reportUnevaluatedProperty(node, object.key(position).textValue)
            } else if apply(
                edge, toMember: object.value(position), key: object.key(position), collect: collect)
            {
                evaluated?.properties.insert(position)
            } else {
                valid = false
            }
            if !valid && (!collect || !goesOn) { break }
        }
        return valid
    }

    private mutating func unevaluatedItems(
        _ edge: Edge, _ isFalse: Bool, _ node: Node, _ elements: Value, collect: Bool,
        _ evaluated: inout Evaluated?
    ) -> Bool {
        var valid = true
        for index in 0..<elements.count where evaluated?.items.contains(index) != true {
            if isFalse {
                valid = false
                guard collect else { break }
                reportUnevaluatedItem(node, index)
            } else if apply(edge, toElement: elements.element(index), index: index, collect: collect) {
                evaluated?.items.insert(index)
            } else {
                valid = false
            }
            if !valid && (!collect || !goesOn) { break }
        }
        return valid
    }

    // MARK: anyOf and oneOf

    private mutating func anyOf(
        _ edges: [Edge], _ node: Node, _ instance: Value, collect: Bool, _ evaluated: inout Evaluated?
    ) -> Bool {
        var anyValid = false
        for edge in edges where apply(edge, to: instance, at: nil, collect: false, &evaluated) {
            anyValid = true
            // Every valid branch's annotations count, so all must run when someone needs them.
            if evaluated == nil { break }
        }
        if !anyValid && collect { reportNoBranch(edges, node, instance, keyword: "anyOf") }
        return anyValid
    }

    private mutating func oneOf(
        _ edges: [Edge], _ node: Node, _ instance: Value, collect: Bool, _ evaluated: inout Evaluated?
    ) -> Bool {
        var first: Int?
        var second: Int?
        for (position, edge) in edges.enumerated()
        where apply(edge, to: instance, at: nil, collect: false, &evaluated) {
            if first == nil {
                first = position
            } else {
                second = position
                break
            }
        }
        if first != nil && second == nil { return true }
        if collect {
            if let first, let second {
                reportSeveralBranches(node, instance.jsonValue, first, second)
            } else {
                reportNoBranch(edges, node, instance, keyword: "oneOf")
            }
        }
        return false
    }

    /// Reports a failed `anyOf` or `oneOf`, followed by the errors of the alternative that got furthest
    /// into the value, when they say more than "wrong type".
    @inline(never)
    private mutating func reportNoBranch(
        _ edges: [Edge], _ node: Node, _ instance: Value, keyword: String
    ) {
        reportNoMatch(node, instance.jsonValue, keyword: keyword, alternatives: edges.count)
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

    @inline(never)
    private mutating func reportWork(_ node: Node) {
        report(
            node, keyword: nil,
            "validation took more than its budget of \(program.options.workBudget) steps (subschemas evaluated and "
                + "pattern steps): the schema is too costly to check this document")
    }

    @inline(never)
    private mutating func reportDepth(_ node: Node) {
        report(
            node, keyword: nil,
            "validation went more than \(depthLimit) subschemas deep; the value is nested too deeply, or the "
                + "schema refers to itself without descending into the value")
    }
}
