import Foundation
import HandoffJSON
import HandoffSchema
import Testing

/// Inputs built to crash or hang a validator finish with an answer or a clear error. The time limit is
/// a guard against hangs, not a speed requirement (the benchmark measures speed).
@Suite(.timeLimit(.minutes(1)))
struct HostileInputTests {
    /// `depth` levels of `open`, the innermost value, then the closing text.
    static func nested(_ open: String, _ inner: String, _ close: String, depth: Int) throws -> JSONValue {
        let text = String(repeating: open, count: depth) + inner + String(repeating: close, count: depth)
        return try JSONParser.parse(text, limits: JSONParser.Limits(maxDepth: JSONParser.Limits.depthCeiling))
    }

    @Test("A document nested as deep as the parser allows validates against a recursive schema")
    func deepInstance() throws {
        let schema = try CompiledSchema(
            JSONParser.parse(##"{"type": ["array", "integer"], "items": {"$ref": "#"}}"##))
        let depth = JSONParser.Limits.depthCeiling
        #expect(schema.isValid(try Self.nested("[", "1", "]", depth: depth)))
        let result = schema.validate(try Self.nested("[", #""x""#, "]", depth: depth))
        #expect(!result.isValid)
        let error = try #require(result.errors.first)
        #expect(error.instanceLocation == String(repeating: "/0", count: depth))
        #expect(error.message == "expected array or integer, found string")
        #expect(error.keywordLocation.hasPrefix("/items/$ref/items/$ref/"))
    }

    @Test("A deep document is validated from a thread with a small stack")
    func deepInstanceOnSmallStack() async throws {
        let schema = try CompiledSchema(JSONParser.parse(##"{"items": {"$ref": "#"}, "required": ["x"]}"##))
        let document = try Self.nested("[", "{}", "]", depth: JSONParser.Limits.depthCeiling - 1)
        let messages = await withCheckedContinuation { (done: CheckedContinuation<[String], Never>) in
            let thread = Thread { done.resume(returning: schema.validate(document).errors.map(\.message)) }
            thread.stackSize = 512 << 10
            thread.start()
        }
        #expect(messages == [#"missing required property "x""#])
    }

    @Test("A schema nested as deep as the parser allows is refused, not overflowed")
    func deepSchema() throws {
        let schema = try Self.nested(#"{"not": "#, "{}", "}", depth: JSONParser.Limits.depthCeiling - 1)
        do {
            _ = try CompiledSchema(schema)
            Issue.record("compiled")
        } catch {
            #expect(error.code == .tooDeep)
            #expect(error.description.contains("nests subschemas too deeply"))
        }
    }

    @Test("A moderately deep schema compiles and validates")
    func moderatelyDeepSchema() throws {
        let schema = try CompiledSchema(Self.nested(#"{"items": "#, #"{"type": "integer"}"#, "}", depth: 100))
        #expect(schema.isValid(try Self.nested("[", "1", "]", depth: 100)))
        let result = schema.validate(try Self.nested("[", "true", "]", depth: 100))
        #expect(result.errors.first?.instanceLocation == String(repeating: "/0", count: 100))
    }

    @Test("A $dynamicRef that goes round forever stops at maxDepth with an error")
    func dynamicCycle() throws {
        let schema = try CompiledSchema(
            JSONParser.parse(##"{"$dynamicAnchor": "a", "allOf": [{"$dynamicRef": "#a"}]}"##),
            options: ValidationOptions(maxDepth: 500))
        #expect(!schema.isValid(1))
        let result = schema.validate(1)
        #expect(result.errors.count == 1)
        #expect(
            result.errors.first?.message.hasPrefix("validation went more than 500 subschemas deep") == true)
    }

    @Test("References between documents that go round are refused when compiling")
    func crossDocumentCycle() throws {
        let registry = SchemaRegistry()
        try registry.register(JSONParser.parse(#"{"$id": "urn:a", "$ref": "urn:b"}"#))
        do {
            try registry.register(JSONParser.parse(#"{"$id": "urn:b", "$ref": "urn:a"}"#))
            _ = try CompiledSchema(uri: "urn:a", registry: registry)
            Issue.record("compiled")
        } catch let error as SchemaError {
            #expect(error.code == .referenceCycle)
            #expect(error.message.hasSuffix("urn:a# -> urn:b# -> urn:a#"))
        }
    }

    @Test("A huge enum is compiled once into a set")
    func hugeEnum() throws {
        let values = (0..<100_000).map { JSONValue.string("value-\($0)") }
        let schema = try CompiledSchema(["enum": .array(values)])
        #expect(schema.isValid("value-99999"))
        let result = schema.validate("value-100000")
        #expect(
            result.errors.first?.message
                == #""value-100000" is not one of "value-0", "value-1", "value-2", "value-3", "value-4", "#
                + #""value-5", "value-6", "value-7", "value-8", "value-9", ... (100000 values)"#)
    }

    @Test("A pattern that needs exponential backtracking is reported, not run forever")
    func catastrophicBackreference() throws {
        let schema = try CompiledSchema(
            JSONParser.parse(#"{"properties": {"s": {"pattern": "^(a+)+\\1$"}}}"#))
        let document: JSONValue = ["s": .string(String(repeating: "a", count: 40) + "!")]
        #expect(!schema.isValid(document))
        let result = schema.validate(document)
        #expect(result.errors.map(\.keyword) == ["pattern"])
        #expect(
            result.errors.first?.message
                == "the string could not be checked: matching /^(a+)+\\1$/ against a string of 41 characters "
                + "exceeded its budget of 1000000 steps")
    }

    @Test("Patterns that are catastrophic for backtracking run in linear time")
    func catastrophicWithoutBackreference() throws {
        let schema = try CompiledSchema(
            JSONParser.parse(#"{"patternProperties": {"^(a|aa)+$": false}, "pattern": "^(a+)+$"}"#))
        let long = String(repeating: "a", count: 5_000) + "!"
        #expect(schema.validate(.string(long)).errors.map(\.keyword) == ["pattern"])
        #expect(schema.isValid(.object(JSONObject([(key: long, value: JSONValue.number(1))]))))
    }

    @Test("A small regex budget is honoured")
    func smallBudget() throws {
        let schema = try CompiledSchema(
            JSONParser.parse(#"{"pattern": "^(a|b)*$"}"#), options: ValidationOptions(regexBudget: 100))
        let result = schema.validate(.string(String(repeating: "ab", count: 1_000)))
        #expect(result.errors.first?.message.contains("exceeded its budget of 100 steps") == true)
    }

    /// A schema whose work doubles at every level: `levels` deep, it would take 2^levels evaluations.
    static func fanOut(levels: Int) -> String {
        var definitions: [String] = []
        for level in 0..<levels {
            definitions.append(
                ##""d\##(level)": {"allOf": [{"$ref": "#/$defs/d\##(level + 1)"}, {"$ref": "#/$defs/d\##(level + 1)"}]}"##
            )
        }
        definitions.append(#""d\#(levels)": {"type": "object"}"#)
        return
            ##"{"$id": "urn:fan", "$defs": {\##(definitions.joined(separator: ", "))}, "$ref": "#/$defs/d0"}"##
    }

    @Test("A schema whose work doubles per level stops at the document's budget, with one clear error")
    func fanOutStopsAtTheBudget() throws {
        let schema = try CompiledSchema(
            JSONParser.parse(Self.fanOut(levels: 60)), options: ValidationOptions(workBudget: 100_000))
        #expect(!schema.isValid(["a": 1]))
        let result = schema.validate(["a": 1])
        #expect(
            result.errors.map(\.message) == [
                "validation took more than its budget of 100000 steps (subschemas evaluated and pattern steps): the schema is too costly to check this document"
            ])
        #expect(result.errors.first?.instanceLocation == "")
        // Within the budget, the same schema gives its real answer.
        let small = try CompiledSchema(
            JSONParser.parse(Self.fanOut(levels: 10)), options: ValidationOptions(workBudget: 100_000))
        #expect(small.isValid(["a": 1]))
        #expect(small.validate(.string("x")).errors.allSatisfy { $0.keyword == "type" })
    }

    @Test("A backtracking pattern over many strings is held to one budget for the whole document")
    func patternStepsCountAgainstTheDocument() throws {
        // Each string stays within the per-string regex budget; together they exceed the document's.
        let schema = try CompiledSchema(
            JSONParser.parse(#"{"items": {"pattern": "^(a|a)*(b)\\1$"}}"#),
            options: ValidationOptions(regexBudget: 1_000_000, workBudget: 2_000_000))
        let strings = JSONValue.array(
            Array(repeating: .string(String(repeating: "a", count: 16)), count: 2_000))
        let result = schema.validate(strings)
        #expect(!result.isValid)
        #expect(result.errors.count == 1)
        #expect(
            result.errors.first?.message.hasPrefix("validation took more than its budget of 2000000 steps")
                == true)
        // One such string alone is checked, and simply does not match.
        let one = schema.validate(.array([.string(String(repeating: "a", count: 16))]))
        #expect(one.errors.map(\.keyword) == ["pattern"])
    }

    @Test("The default budget leaves room for large ordinary documents")
    func defaultBudgetFitsLargeDocuments() throws {
        let schema = try CompiledSchema(
            JSONParser.parse(
                #"{"type": "array", "items": {"type": "object", "required": ["name", "tags"], "properties": {"name": {"type": "string", "pattern": "^[a-z0-9_ ]+$"}, "tags": {"type": "array", "items": {"type": "string", "maxLength": 40}}}}}"#
            ))
        let element: JSONValue = [
            "name": .string(String(repeating: "abc_ ", count: 40)), "tags": ["one", "two", "three"],
        ]
        #expect(schema.isValid(.array(Array(repeating: element, count: 50_000))))
    }

    @Test("An object with very many members is checked member by member")
    func wideObject() throws {
        var members = JSONObject()
        for index in 0..<10_000 { members["key\(index)"] = .number(Double(index)) }
        let schema = try CompiledSchema(
            JSONParser.parse(
                #"{"propertyNames": {"maxLength": 9}, "patternProperties": {"^key": {"type": "number"}}, "additionalProperties": false, "uniqueItems": true}"#
            ))
        #expect(schema.isValid(.object(members)))
        members["other"] = 1
        #expect(
            schema.validate(.object(members)).errors.map(\.message) == [#"property "other" is not allowed"#])
    }

    @Test("uniqueItems on a long array hashes instead of comparing every pair")
    func longUniqueArray() throws {
        let schema = try CompiledSchema(JSONParser.parse(#"{"uniqueItems": true}"#))
        var elements = (0..<20_000).map { JSONValue.object(["n": .number(Double($0))]) }
        #expect(schema.isValid(.array(elements)))
        elements.append(["n": 5.0])
        #expect(
            schema.validate(.array(elements)).errors.first?.message.hasPrefix("items 5 and 20000 are equal")
                == true)
    }

    @Test("One compiled schema validates from many threads at once")
    func concurrentValidation() async throws {
        let schema = try CompiledSchema(
            TestData.parse(TestData.repositoryRoot.appendingPathComponent("Schemas/work-log-v1.schema.json")))
        let valid = try TestData.parse(
            TestData.repositoryRoot.appendingPathComponent(
                "Samples/valid/work-log-v1/auth-refactor-project.json"))
        let invalid = try TestData.parse(
            TestData.repositoryRoot.appendingPathComponent("Samples/invalid/work-log-v1/step-zero.json"))
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for _ in 0..<50 {
                        guard schema.isValid(valid), schema.validate(invalid).errors.count == 1 else {
                            return false
                        }
                        if task.isMultiple(of: 2), !schema.validate(valid).isValid { return false }
                    }
                    return true
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes == Array(repeating: true, count: 8))
    }
}
