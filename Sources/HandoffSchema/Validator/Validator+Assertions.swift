import HandoffJSON

extension Validator {
    /// Evaluates an assertion keyword: one that looks at the value itself and applies no subschema.
    mutating func assert(_ keyword: Keyword, of node: Node, _ instance: JSONValue, collect: Bool) -> Bool {
        switch keyword {
        case .type(let mask, let expected):
            if TypeMask.matches(mask, instance) { return true }
            if collect { report(node, keyword: "type", typeMessage(mask, expected, instance)) }
            return false
        case .const(let expected):
            if instance == expected { return true }
            if collect {
                report(node, keyword: "const", "expected \(shown(expected)), found \(shown(instance))")
            }
            return false
        case .enumeration(let values, let set):
            if let set {
                if set.contains(instance) { return true }
            } else if values.contains(instance) {
                return true
            }
            if collect { report(node, keyword: "enum", "\(shown(instance)) is not one of \(listed(values))") }
            return false
        case .multipleOf(let divisor):
            guard case .number(let value) = instance, !isMultiple(value, of: divisor) else { return true }
            if collect {
                report(
                    node, keyword: "multipleOf", "\(number(value)) is not a multiple of \(number(divisor))")
            }
            return false
        case .maximum(let limit):
            guard case .number(let value) = instance, value > limit else { return true }
            if collect {
                report(
                    node, keyword: "maximum", "\(number(value)) is greater than the maximum \(number(limit))")
            }
            return false
        case .exclusiveMaximum(let limit):
            guard case .number(let value) = instance, value >= limit else { return true }
            if collect {
                report(
                    node, keyword: "exclusiveMaximum",
                    "\(number(value)) is not less than the exclusive maximum \(number(limit))")
            }
            return false
        case .minimum(let limit):
            guard case .number(let value) = instance, value < limit else { return true }
            if collect {
                report(node, keyword: "minimum", "\(number(value)) is less than the minimum \(number(limit))")
            }
            return false
        case .exclusiveMinimum(let limit):
            guard case .number(let value) = instance, value <= limit else { return true }
            if collect {
                report(
                    node, keyword: "exclusiveMinimum",
                    "\(number(value)) is not greater than the exclusive minimum \(number(limit))")
            }
            return false
        case .maxLength(let limit):
            // Each scalar takes at least one UTF-8 byte, so short strings need no counting.
            guard case .string(let text) = instance, text.utf8.count > limit else { return true }
            let length = text.unicodeScalars.count
            guard length > limit else { return true }
            if collect {
                report(
                    node, keyword: "maxLength",
                    "string of \(plural(length, "character")) is longer than the maximum length \(limit)")
            }
            return false
        case .minLength(let limit):
            // ... and at most four.
            guard case .string(let text) = instance, text.utf8.count / 4 < limit else { return true }
            let length = text.unicodeScalars.count
            guard length < limit else { return true }
            if collect {
                report(
                    node, keyword: "minLength",
                    "string of \(plural(length, "character")) is shorter than the minimum length \(limit)")
            }
            return false
        case .pattern(let pattern):
            guard case .string(let text) = instance else { return true }
            do {
                if try pattern.matches(text, budget: patternBudget, steps: &work) { return true }
                if collect {
                    report(
                        node, keyword: "pattern",
                        "\(shown(instance)) does not match the pattern \(pattern.source)")
                }
            } catch {
                if collect && !patternExhaustedWork() {
                    report(node, keyword: "pattern", "the string could not be checked: \(error.message)")
                }
            }
            return false
        case .format(let format):
            guard case .string(let text) = instance, !format.accepts(text) else { return true }
            if collect {
                report(node, keyword: "format", "\(shown(instance)) is not a valid \(format.rawValue)")
            }
            return false
        case .maxItems(let limit):
            guard case .array(let elements) = instance, elements.count > limit else { return true }
            if collect {
                report(
                    node, keyword: "maxItems",
                    "array has \(plural(elements.count, "item")), more than the maximum \(limit)")
            }
            return false
        case .minItems(let limit):
            guard case .array(let elements) = instance, elements.count < limit else { return true }
            if collect {
                report(
                    node, keyword: "minItems",
                    "array has \(plural(elements.count, "item")), fewer than the minimum \(limit)")
            }
            return false
        case .uniqueItems:
            guard case .array(let elements) = instance, let (first, second) = duplicate(in: elements) else {
                return true
            }
            if collect {
                report(
                    node, keyword: "uniqueItems",
                    "items \(first) and \(second) are equal (\(shown(elements[first]))); items must be unique"
                )
            }
            return false
        case .maxProperties(let limit):
            guard case .object(let object) = instance, object.count > limit else { return true }
            if collect {
                report(
                    node, keyword: "maxProperties",
                    "object has \(plural(object.count, "property")), more than the maximum \(limit)")
            }
            return false
        case .minProperties(let limit):
            guard case .object(let object) = instance, object.count < limit else { return true }
            if collect {
                report(
                    node, keyword: "minProperties",
                    "object has \(plural(object.count, "property")), fewer than the minimum \(limit)")
            }
            return false
        case .required(let names):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for name in names where object.position(of: name) == nil {
                valid = false
                guard collect else { break }
                report(node, keyword: "required", "missing required property \(JSONValue.string(name))")
            }
            return valid
        case .dependentRequired(let dependencies, let keyword):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for (property, names) in dependencies where object.position(of: property) != nil {
                for name in names where object.position(of: name) == nil {
                    valid = false
                    guard collect else { return false }
                    report(
                        node, keyword: keyword,
                        "property \(JSONValue.string(name)) is required when \(JSONValue.string(property)) is present"
                    )
                }
            }
            return valid
        default:
            return true
        }
    }

    private func typeMessage(_ mask: TypeMask, _ expected: String, _ instance: JSONValue) -> String {
        if case .number(let value) = instance, mask.contains(.integer) {
            return "expected \(expected), found \(number(value))"
        }
        return "expected \(expected), found \(instance.typeName)"
    }

    private func listed(_ values: [JSONValue]) -> String {
        let shownValues = values.prefix(10).map(shown).joined(separator: ", ")
        return values.count > 10 ? shownValues + ", ... (\(values.count) values)" : shownValues
    }

    private func number(_ value: Double) -> String { JSONValue.number(value).description }

    /// The positions of two equal elements, if there are any.
    private func duplicate(in elements: [JSONValue]) -> (Int, Int)? {
        if elements.count <= 16 {
            for second in elements.indices {
                for first in 0..<second where elements[first] == elements[second] { return (first, second) }
            }
            return nil
        }
        var seen: [JSONValue: Int] = [:]
        seen.reserveCapacity(elements.count)
        for (position, element) in elements.enumerated() {
            if let first = seen.updateValue(position, forKey: element) { return (first, position) }
        }
        return nil
    }
}

extension TypeMask {
    @inline(__always)
    static func matches(_ mask: TypeMask, _ value: JSONValue) -> Bool {
        switch value {
        case .null: mask.contains(.null)
        case .bool: mask.contains(.boolean)
        case .object: mask.contains(.object)
        case .array: mask.contains(.array)
        case .string: mask.contains(.string)
        case .number(let number):
            mask.contains(.number) || (mask.contains(.integer) && number.rounded(.towardZero) == number)
        }
    }
}
