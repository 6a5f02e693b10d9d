import HandoffJSON

extension Validator {
    /// Evaluates an assertion keyword: one that looks at the value itself and applies no subschema.
    mutating func assert(_ keyword: Keyword, of node: Node, _ instance: Value, collect: Bool) -> Bool {
        switch keyword {
        case .type(let mask, let expected):
            if TypeMask.matches(mask, instance) { return true }
            if collect { report(node, keyword: "type", typeMessage(mask, expected, instance.jsonValue)) }
            return false
        case .const(let expected):
            if instance.equals(expected) { return true }
            if collect {
                report(
                    node, keyword: "const", "expected \(shown(expected)), found \(shown(instance.jsonValue))")
            }
            return false
        case .enumeration(let values, let set):
            if let set {
                if set.contains(instance.jsonValue) { return true }
            } else if values.contains(where: { instance.equals($0) }) {
                return true
            }
            if collect {
                report(node, keyword: "enum", "\(shown(instance.jsonValue)) is not one of \(listed(values))")
            }
            return false
        case .multipleOf(let divisor):
            guard instance.kind == .number else { return true }
            let value = instance.doubleValue
            guard !isMultiple(value, of: divisor) else { return true }
            if collect {
                report(
                    node, keyword: "multipleOf", "\(number(value)) is not a multiple of \(number(divisor))")
            }
            return false
        case .maximum(let limit):
            guard instance.kind == .number else { return true }
            let value = instance.doubleValue
            guard value > limit else { return true }
            if collect {
                report(
                    node, keyword: "maximum", "\(number(value)) is greater than the maximum \(number(limit))")
            }
            return false
        case .exclusiveMaximum(let limit):
            guard instance.kind == .number else { return true }
            let value = instance.doubleValue
            guard value >= limit else { return true }
            if collect {
                report(
                    node, keyword: "exclusiveMaximum",
                    "\(number(value)) is not less than the exclusive maximum \(number(limit))")
            }
            return false
        case .minimum(let limit):
            guard instance.kind == .number else { return true }
            let value = instance.doubleValue
            guard value < limit else { return true }
            if collect {
                report(node, keyword: "minimum", "\(number(value)) is less than the minimum \(number(limit))")
            }
            return false
        case .exclusiveMinimum(let limit):
            guard instance.kind == .number else { return true }
            let value = instance.doubleValue
            guard value <= limit else { return true }
            if collect {
                report(
                    node, keyword: "exclusiveMinimum",
                    "\(number(value)) is not greater than the exclusive minimum \(number(limit))")
            }
            return false
        case .maxLength(let limit):
            // Each scalar takes at least one UTF-8 byte, so short strings need no counting.
            guard instance.kind == .string, instance.withUTF8({ $0.count }) > limit else { return true }
            let length = instance.withUTF8(scalarCount)
            guard length > limit else { return true }
            if collect {
                report(
                    node, keyword: "maxLength",
                    "string of \(plural(length, "character")) is longer than the maximum length \(limit)")
            }
            return false
        case .minLength(let limit):
            // ... and at most four.
            guard instance.kind == .string, instance.withUTF8({ $0.count }) / 4 < limit else { return true }
            let length = instance.withUTF8(scalarCount)
            guard length < limit else { return true }
            if collect {
                report(
                    node, keyword: "minLength",
                    "string of \(plural(length, "character")) is shorter than the minimum length \(limit)")
            }
            return false
        case .pattern(let pattern):
            guard instance.kind == .string else { return true }
            do {
                if try pattern.matches(instance, budget: patternBudget, steps: &work) { return true }
                if collect {
                    report(
                        node, keyword: "pattern",
                        "\(shown(instance.jsonValue)) does not match the pattern \(pattern.source)")
                }
            } catch {
                if collect && !patternExhaustedWork() {
                    report(node, keyword: "pattern", "the string could not be checked: \(error.message)")
                }
            }
            return false
        case .format(let format):
            guard instance.kind == .string, !format.accepts(instance.textValue) else { return true }
            if collect {
                report(
                    node, keyword: "format", "\(shown(instance.jsonValue)) is not a valid \(format.rawValue)")
            }
            return false
        case .maxItems(let limit):
            guard instance.kind == .array, instance.count > limit else { return true }
            if collect {
                report(
                    node, keyword: "maxItems",
                    "array has \(plural(instance.count, "item")), more than the maximum \(limit)")
            }
            return false
        case .minItems(let limit):
            guard instance.kind == .array, instance.count < limit else { return true }
            if collect {
                report(
                    node, keyword: "minItems",
                    "array has \(plural(instance.count, "item")), fewer than the minimum \(limit)")
            }
            return false
        case .uniqueItems:
            guard instance.kind == .array, let (first, second) = duplicate(in: instance) else { return true }
            if collect {
                report(
                    node, keyword: "uniqueItems",
                    "items \(first) and \(second) are equal (\(shown(instance.element(first).jsonValue))); items must be unique"
                )
            }
            return false
        case .maxProperties(let limit):
            guard instance.kind == .object, instance.count > limit else { return true }
            if collect {
                report(
                    node, keyword: "maxProperties",
                    "object has \(plural(instance.count, "property")), more than the maximum \(limit)")
            }
            return false
        case .minProperties(let limit):
            guard instance.kind == .object, instance.count < limit else { return true }
            if collect {
                report(
                    node, keyword: "minProperties",
                    "object has \(plural(instance.count, "property")), fewer than the minimum \(limit)")
            }
            return false
        case .required(let names, let checkedWithMembers):
            guard instance.kind == .object, collect || !checkedWithMembers else { return true }
            var valid = true
            for name in names where instance.position(ofKey: name) == nil {
                valid = false
                guard collect else { break }
                report(node, keyword: "required", "missing required property \(JSONValue.string(name))")
            }
            return valid
        case .dependentRequired(let dependencies, let keyword):
            guard instance.kind == .object else { return true }
            var valid = true
            for (property, names) in dependencies where instance.position(ofKey: property) != nil {
                for name in names where instance.position(ofKey: name) == nil {
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
    private func duplicate(in elements: Value) -> (Int, Int)? {
        let count = elements.count
        if count <= 16 {
            for second in 0..<count {
                let element = elements.element(second)
                for first in 0..<second where elements.element(first).equals(element) {
                    return (first, second)
                }
            }
            return nil
        }
        var seen: [JSONValue: Int] = [:]
        seen.reserveCapacity(count)
        for position in 0..<count {
            if let first = seen.updateValue(position, forKey: elements.element(position).jsonValue) {
                return (first, position)
            }
        }
        return nil
    }
}

extension TypeMask {
    @inline(__always)
    static func matches(_ mask: TypeMask, _ value: some Instance) -> Bool {
        switch value.kind {
        case .null: return mask.contains(.null)
        case .bool: return mask.contains(.boolean)
        case .object: return mask.contains(.object)
        case .array: return mask.contains(.array)
        case .string: return mask.contains(.string)
        case .number:
            if mask.contains(.number) { return true }
            let number = value.doubleValue
            return mask.contains(.integer) && number.rounded(.towardZero) == number
        }
    }
}

/// The number of Unicode scalars in valid UTF-8: the bytes that do not continue a character.
private func scalarCount(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
    utf8.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
}
