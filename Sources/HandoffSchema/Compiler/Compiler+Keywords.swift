import HandoffJSON

/// The schema object whose keywords are being compiled, and where it is.
struct KeywordContext {
    let document: SchemaDocument
    let pointer: [String]
    let object: JSONObject
    let vocabularies: Vocabularies
    let baseURI: String
}

extension Compiler {
    /// Compiles the keywords of one schema object, in evaluation order: the type, then assertions on the
    /// value, then applicators, then `unevaluated*`, which need the others' annotations.
    mutating func keywords(_ context: KeywordContext) throws(SchemaError) -> [Keyword] {
        var keywords: [Keyword] = []
        let object = context.object
        if context.vocabularies.validation { try validationKeywords(context, into: &keywords) }
        if let pattern = context.vocabularies.validation ? object["pattern"] : nil {
            let source = try string(pattern, context, "pattern")
            keywords.append(.pattern(try compilePattern(source, context, ["pattern"])))
        }
        if case .string(let name) = object["format"] ?? .null,
            context.vocabularies.formatAssertion || options.formatAssertion,
            let format = Format(rawValue: name)
        {
            keywords.append(.format(format))
        }
        try referenceKeywords(context, into: &keywords)
        if context.vocabularies.applicator { try applicatorKeywords(context, into: &keywords) }
        if context.vocabularies.unevaluated {
            if let value = object["unevaluatedItems"] {
                let edge = edge(context.document, context.pointer, path: ["unevaluatedItems"])
                keywords.append(.unevaluatedItems(edge, isFalse: value == .bool(false)))
            }
            if let value = object["unevaluatedProperties"] {
                let edge = edge(context.document, context.pointer, path: ["unevaluatedProperties"])
                keywords.append(.unevaluatedProperties(edge, isFalse: value == .bool(false)))
            }
        }
        return foldingRequired(into: keywords)
    }

    /// The keywords, with `required` checked by the object applicator's walk in a yes/no pass when every
    /// name it lists is one of the same schema's `properties`: one pass over the members instead of a
    /// lookup per name. Collecting errors still goes through `required` itself, so messages and their
    /// order do not change.
    private func foldingRequired(into keywords: [Keyword]) -> [Keyword] {
        var requiredAt: Int?
        var applicatorAt: Int?
        for (position, keyword) in keywords.enumerated() {
            switch keyword {
            case .required: requiredAt = position
            case .objectApplicator: applicatorAt = position
            default: continue
            }
        }
        guard let requiredAt, let applicatorAt, case .required(let names, _) = keywords[requiredAt],
            case .objectApplicator(let applicator) = keywords[applicatorAt]
        else { return keywords }
        var mask: UInt64 = 0
        for name in names {
            var name = name
            guard let position = name.withUTF8({ applicator.property(utf8: $0) }), position < 64 else {
                return keywords
            }
            mask |= 1 << UInt64(position)
        }
        var folded = keywords
        folded[requiredAt] = .required(names, checkedWithMembers: true)
        folded[applicatorAt] = .objectApplicator(applicator.requiring(mask))
        return folded
    }

    private mutating func validationKeywords(_ context: KeywordContext, into keywords: inout [Keyword])
        throws(SchemaError)
    {
        let object = context.object
        if let value = object["type"] {
            var mask: TypeMask = []
            var names: [String] = []
            for name in value.arrayValue ?? [value] {
                let text = try string(name, context, "type")
                guard let bit = TypeMask.names.first(where: { $0.0 == text })?.1 else {
                    throw invalid(context, "type", "unknown type \"\(text)\"")
                }
                mask.insert(bit)
                names.append(text)
            }
            let expected =
                names.count <= 2
                ? joinedText(names, separator: " or ")
                : joinedText(Array(names.dropLast()), separator: ", ") + " or " + names.last!
            keywords.append(.type(mask, expected: expected))
        }
        if let value = object["const"] { keywords.append(.const(value)) }
        if let value = object["enum"] {
            guard case .array(let values) = value else {
                throw invalid(context, "enum", "expected array, found \(value.typeName)")
            }
            keywords.append(.enumeration(values, values.count > 8 ? Set(values) : nil))
        }
        if let divisor = try number(context, "multipleOf") {
            guard divisor > 0 else {
                throw invalid(context, "multipleOf", "\(divisor) is not greater than 0")
            }
            keywords.append(.multipleOf(divisor))
        }
        if let limit = try number(context, "maximum") { keywords.append(.maximum(limit)) }
        if let limit = try number(context, "exclusiveMaximum") { keywords.append(.exclusiveMaximum(limit)) }
        if let limit = try number(context, "minimum") { keywords.append(.minimum(limit)) }
        if let limit = try number(context, "exclusiveMinimum") { keywords.append(.exclusiveMinimum(limit)) }
        if let limit = try count(context, "maxLength") { keywords.append(.maxLength(limit)) }
        if let limit = try count(context, "minLength"), limit > 0 { keywords.append(.minLength(limit)) }
        if let limit = try count(context, "maxItems") { keywords.append(.maxItems(limit)) }
        if let limit = try count(context, "minItems"), limit > 0 { keywords.append(.minItems(limit)) }
        if let value = object["uniqueItems"] {
            guard case .bool(let unique) = value else {
                throw invalid(context, "uniqueItems", "expected boolean, found \(value.typeName)")
            }
            if unique { keywords.append(.uniqueItems) }
        }
        if let limit = try count(context, "maxProperties") { keywords.append(.maxProperties(limit)) }
        if let limit = try count(context, "minProperties"), limit > 0 {
            keywords.append(.minProperties(limit))
        }
        if let value = object["required"] {
            let names = try strings(value, context, "required")
            if !names.isEmpty { keywords.append(.required(names, checkedWithMembers: false)) }
        }
        if let value = object["dependentRequired"] {
            guard case .object(let members) = value else {
                throw invalid(context, "dependentRequired", "expected object, found \(value.typeName)")
            }
            var dependencies: [(property: String, required: [String])] = []
            for (property, names) in members {
                dependencies.append((property, try strings(names, context, "dependentRequired")))
            }
            if !dependencies.isEmpty {
                keywords.append(.dependentRequired(dependencies, keyword: "dependentRequired"))
            }
        }
    }

    private mutating func referenceKeywords(_ context: KeywordContext, into keywords: inout [Keyword])
        throws(SchemaError)
    {
        if let value = context.object["$ref"] {
            let reference = try string(value, context, "$ref")
            let resolved = try resolve(
                reference, keyword: "$ref", in: context.document, at: context.pointer,
                baseURI: context.baseURI)
            let node = edge(resolved.target.document, resolved.pointer, path: [])
            keywords.append(.ref(Edge(node: node.node, path: pathIndex("/$ref"))))
        }
        if let value = context.object["$dynamicRef"] {
            let reference = try string(value, context, "$dynamicRef")
            let resolved = try resolve(
                reference, keyword: "$dynamicRef", in: context.document, at: context.pointer,
                baseURI: context.baseURI)
            let node = edge(resolved.target.document, resolved.pointer, path: [])
            // Only a target that is itself a $dynamicAnchor of that name makes the reference dynamic.
            var anchor: String?
            if let name = resolved.anchor, resolved.target.resource.dynamicAnchors[name] == resolved.pointer {
                anchor = name
                noteDynamicScope()
            }
            keywords.append(
                .dynamicRef(
                    DynamicReference(
                        edge: Edge(node: node.node, path: pathIndex("/$dynamicRef")), anchor: anchor)))
        }
    }

    private mutating func applicatorKeywords(_ context: KeywordContext, into keywords: inout [Keyword])
        throws(SchemaError)
    {
        let object = context.object
        for name in ["allOf", "anyOf", "oneOf"] {
            guard let edges = try schemaArray(context, name) else { continue }
            switch name {
            case "allOf": keywords.append(.allOf(edges))
            case "anyOf": keywords.append(.anyOf(edges))
            default: keywords.append(.oneOf(edges))
            }
        }
        if object["not"] != nil {
            keywords.append(.not(edge(context.document, context.pointer, path: ["not"])))
        }
        if object["if"] != nil {
            let condition = edge(context.document, context.pointer, path: ["if"])
            let then = object["then"] == nil ? nil : edge(context.document, context.pointer, path: ["then"])
            let otherwise =
                object["else"] == nil ? nil : edge(context.document, context.pointer, path: ["else"])
            if then != nil || otherwise != nil {
                keywords.append(.conditional(if: condition, then: then, else: otherwise))
            } else {
                // Still evaluated: its annotations count for unevaluated*.
                keywords.append(.conditional(if: condition, then: nil, else: nil))
            }
        }
        if let dependents = try schemaMap(context, "dependentSchemas"), !dependents.isEmpty {
            keywords.append(.dependentSchemas(dependents.map { (property: $0.0, edge: $0.1) }))
        }
        // `dependencies`, split into dependentRequired and dependentSchemas in 2019-09, is still described
        // by the 2020-12 metaschema; schemas written for older drafts keep working.
        if case .object(let dependencies) = object["dependencies"] ?? .null {
            var required: [(property: String, required: [String])] = []
            var schemas: [(property: String, edge: Edge)] = []
            for (property, value) in dependencies {
                if case .array = value {
                    required.append((property, try strings(value, context, "dependencies")))
                } else {
                    schemas.append(
                        (property, edge(context.document, context.pointer, path: ["dependencies", property])))
                }
            }
            if !required.isEmpty && context.vocabularies.validation {
                keywords.append(.dependentRequired(required, keyword: "dependencies"))
            }
            if !schemas.isEmpty { keywords.append(.dependentSchemas(schemas)) }
        }
        let properties = try schemaMap(context, "properties")
        var patterns: [(pattern: Pattern, edge: Edge)] = []
        if case .object(let members) = object["patternProperties"] ?? .null {
            for (source, _) in members {
                let pattern = try compilePattern(source, context, ["patternProperties", source])
                patterns.append(
                    (pattern, edge(context.document, context.pointer, path: ["patternProperties", source])))
            }
        }
        let additional = object["additionalProperties"].map { value in
            (edge(context.document, context.pointer, path: ["additionalProperties"]), value == .bool(false))
        }
        if properties != nil || object["patternProperties"] != nil || additional != nil {
            keywords.append(
                .objectApplicator(
                    ObjectApplicator(
                        properties: properties ?? [], patterns: patterns, additional: additional?.0,
                        additionalIsFalse: additional?.1 ?? false)))
        }
        if object["propertyNames"] != nil {
            keywords.append(.propertyNames(edge(context.document, context.pointer, path: ["propertyNames"])))
        }
        let prefix = try schemaArray(context, "prefixItems") ?? []
        let items = object["items"].map { value in
            (edge(context.document, context.pointer, path: ["items"]), value == .bool(false))
        }
        if !prefix.isEmpty || items != nil {
            keywords.append(
                .arrayApplicator(
                    ArrayApplicator(prefix: prefix, items: items?.0, itemsIsFalse: items?.1 ?? false)))
        }
        if object["contains"] != nil {
            let contains = edge(context.document, context.pointer, path: ["contains"])
            let validation = context.vocabularies.validation
            let minimum = validation ? try count(context, "minContains") ?? 1 : 1
            let maximum = validation ? try count(context, "maxContains") : nil
            keywords.append(.contains(contains, min: minimum, max: maximum))
        }
    }

    // MARK: Reading keyword values

    private func invalid(_ context: KeywordContext, _ keyword: String, _ message: String) -> SchemaError {
        SchemaError(
            code: .invalidSchema, message: message,
            location: errorLocation(context.document, context.pointer + [keyword]))
    }

    private func string(_ value: JSONValue, _ context: KeywordContext, _ keyword: String) throws(SchemaError)
        -> String
    {
        guard case .string(let text) = value else {
            throw invalid(context, keyword, "expected string, found \(value.typeName)")
        }
        return text
    }

    private func strings(_ value: JSONValue, _ context: KeywordContext, _ keyword: String) throws(SchemaError)
        -> [String]
    {
        guard case .array(let elements) = value else {
            throw invalid(context, keyword, "expected array, found \(value.typeName)")
        }
        var result: [String] = []
        for element in elements { result.append(try string(element, context, keyword)) }
        return result
    }

    private func number(_ context: KeywordContext, _ keyword: String) throws(SchemaError) -> Double? {
        guard let value = context.object[keyword] else { return nil }
        guard case .number(let number) = value else {
            throw invalid(context, keyword, "expected number, found \(value.typeName)")
        }
        return number
    }

    /// A non-negative integer keyword; values beyond `Int` are clamped (no instance is that large).
    private func count(_ context: KeywordContext, _ keyword: String) throws(SchemaError) -> Int? {
        guard let number = try number(context, keyword) else { return nil }
        guard number >= 0, number.rounded(.towardZero) == number else {
            throw invalid(
                context, keyword, "expected a non-negative integer, found \(JSONValue.number(number))")
        }
        return number >= 0x1p62 ? Int.max : Int(number)
    }

    private mutating func schemaArray(_ context: KeywordContext, _ keyword: String) throws(SchemaError)
        -> [Edge]?
    {
        guard let value = context.object[keyword] else { return nil }
        guard case .array(let elements) = value, !elements.isEmpty else {
            throw invalid(context, keyword, "expected a non-empty array of schemas, found \(value.typeName)")
        }
        return elements.indices.map { edge(context.document, context.pointer, path: [keyword, String($0)]) }
    }

    private mutating func schemaMap(_ context: KeywordContext, _ keyword: String) throws(SchemaError)
        -> [(String, Edge)]?
    {
        guard let value = context.object[keyword] else { return nil }
        guard case .object(let members) = value else {
            throw invalid(context, keyword, "expected object, found \(value.typeName)")
        }
        return members.keys.map { ($0, edge(context.document, context.pointer, path: [keyword, $0])) }
    }

    private func compilePattern(_ source: String, _ context: KeywordContext, _ path: [String])
        throws(SchemaError)
        -> Pattern
    {
        do {
            return Pattern(source: source, regex: try ECMARegex(source))
        } catch {
            throw SchemaError(
                code: .invalidRegex,
                message: "invalid regular expression \(JSONValue.string(source)): \(error.message)",
                location: errorLocation(context.document, context.pointer + path))
        }
    }
}
