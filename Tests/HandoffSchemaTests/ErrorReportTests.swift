import Foundation
import HandoffJSON
import HandoffSchema
import Testing

/// What a user sees when a document is invalid: where, which keyword, and a message a person understands.
struct ErrorReportTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var schema: String
        var instance: String
        var instanceLocation: String
        var keywordLocation: String
        var absoluteKeywordLocation: String
        var message: String
        var formatAssertion = false

        var testDescription: String { "\(schema) with \(instance)" }
    }

    static let cases: [Case] = [
        Case(
            schema: #"{"$id": "urn:t", "required": ["summary"]}"#, instance: "{}",
            instanceLocation: "", keywordLocation: "/required", absoluteKeywordLocation: "urn:t#/required",
            message: #"missing required property "summary""#),
        Case(
            schema: #"{"$id": "urn:t", "properties": {"a": {}}, "additionalProperties": false}"#,
            instance: #"{"a": 1, "extra": 2}"#,
            instanceLocation: "", keywordLocation: "/additionalProperties",
            absoluteKeywordLocation: "urn:t#/additionalProperties",
            message: #"property "extra" is not allowed"#),
        Case(
            schema: #"{"$id": "urn:t", "properties": {"n": {"type": "integer"}}}"#, instance: #"{"n": "7"}"#,
            instanceLocation: "/n", keywordLocation: "/properties/n/type",
            absoluteKeywordLocation: "urn:t#/properties/n/type", message: "expected integer, found string"),
        Case(
            schema: #"{"type": ["string", "null"]}"#, instance: "2.5",
            instanceLocation: "", keywordLocation: "/type", absoluteKeywordLocation: "#/type",
            message: "expected string or null, found number"),
        Case(
            schema: #"{"type": "integer"}"#, instance: "2.5",
            instanceLocation: "", keywordLocation: "/type", absoluteKeywordLocation: "#/type",
            message: "expected integer, found 2.5"),
        Case(
            schema: #"{"$id": "urn:t", "properties": {"status": {"enum": ["success", "error", "timeout"]}}}"#,
            instance: #"{"status": "maybe"}"#,
            instanceLocation: "/status", keywordLocation: "/properties/status/enum",
            absoluteKeywordLocation: "urn:t#/properties/status/enum",
            message: #""maybe" is not one of "success", "error", "timeout""#),
        Case(
            schema: #"{"$id": "urn:t", "properties": {"at": {"format": "date-time"}}}"#,
            instance: #"{"at": "tomorrow"}"#,
            instanceLocation: "/at", keywordLocation: "/properties/at/format",
            absoluteKeywordLocation: "urn:t#/properties/at/format",
            message: #""tomorrow" is not a valid date-time"#,
            formatAssertion: true),
        Case(
            schema: #"{"maximum": 1}"#, instance: "1.7",
            instanceLocation: "", keywordLocation: "/maximum", absoluteKeywordLocation: "#/maximum",
            message: "1.7 is greater than the maximum 1"),
        Case(
            schema: #"{"exclusiveMinimum": 0}"#, instance: "0",
            instanceLocation: "", keywordLocation: "/exclusiveMinimum",
            absoluteKeywordLocation: "#/exclusiveMinimum",
            message: "0 is not greater than the exclusive minimum 0"),
        Case(
            schema: #"{"multipleOf": 0.01}"#, instance: "0.125",
            instanceLocation: "", keywordLocation: "/multipleOf", absoluteKeywordLocation: "#/multipleOf",
            message: "0.125 is not a multiple of 0.01"),
        Case(
            schema: #"{"maxLength": 3}"#, instance: #""e\u0301e\u0301""#,
            instanceLocation: "", keywordLocation: "/maxLength", absoluteKeywordLocation: "#/maxLength",
            message: "string of 4 characters is longer than the maximum length 3"),
        Case(
            schema: #"{"items": {"pattern": "^[a-z_]+$"}}"#, instance: #"["ok", "Not-OK"]"#,
            instanceLocation: "/1", keywordLocation: "/items/pattern",
            absoluteKeywordLocation: "#/items/pattern",
            message: #""Not-OK" does not match the pattern ^[a-z_]+$"#),
        Case(
            schema: #"{"uniqueItems": true}"#, instance: #"["a", "b", "a"]"#,
            instanceLocation: "", keywordLocation: "/uniqueItems", absoluteKeywordLocation: "#/uniqueItems",
            message: #"items 0 and 2 are equal ("a"); items must be unique"#),
        Case(
            schema: #"{"dependentRequired": {"card": ["billing"]}}"#, instance: #"{"card": 1}"#,
            instanceLocation: "", keywordLocation: "/dependentRequired",
            absoluteKeywordLocation: "#/dependentRequired",
            message: #"property "billing" is required when "card" is present"#),
        Case(
            schema: #"{"contains": {"type": "integer"}, "minContains": 2}"#, instance: #"[1, "x"]"#,
            instanceLocation: "", keywordLocation: "/minContains", absoluteKeywordLocation: "#/minContains",
            message: "array contains 1 matching item, fewer than the minimum 2"),
        Case(
            schema: #"{"propertyNames": {"pattern": "^[a-z]+$"}}"#, instance: #"{"Bad": 1}"#,
            instanceLocation: "", keywordLocation: "/propertyNames/pattern",
            absoluteKeywordLocation: "#/propertyNames/pattern",
            message: #""Bad" does not match the pattern ^[a-z]+$"#),
        Case(
            schema: #"{"properties": {"a": true}, "unevaluatedProperties": false}"#,
            instance: #"{"a": 1, "b": 2}"#,
            instanceLocation: "", keywordLocation: "/unevaluatedProperties",
            absoluteKeywordLocation: "#/unevaluatedProperties",
            message: #"property "b" is not allowed (no subschema evaluates it)"#),
        Case(
            schema: #"{"prefixItems": [{}], "items": false}"#, instance: "[1, 2, 3]",
            instanceLocation: "", keywordLocation: "/items", absoluteKeywordLocation: "#/items",
            message: "array has 3 items, but only the first 1 are allowed"),
        Case(
            schema: #"{"properties": {"gone": false}}"#, instance: #"{"gone": 1}"#,
            instanceLocation: "/gone", keywordLocation: "/properties/gone",
            absoluteKeywordLocation: "#/properties/gone",
            message: "no value is allowed here (the schema is false)"),
        Case(
            schema: #"{"not": {"type": "string"}}"#, instance: #""s""#,
            instanceLocation: "", keywordLocation: "/not", absoluteKeywordLocation: "#/not",
            message: #""s" must not match the schema in not"#),
        Case(
            schema: #"{"oneOf": [{"type": "integer"}, {"minimum": 0}]}"#, instance: "3",
            instanceLocation: "", keywordLocation: "/oneOf", absoluteKeywordLocation: "#/oneOf",
            message: "3 matches more than one alternative in oneOf (0 and 1); it must match exactly one"),
        // Escaping: "~" and "/" in pointers, characters outside URI fragments percent-encoded.
        Case(
            schema: #"{"$id": "urn:t", "properties": {"a/b c": {"properties": {"~x": {"type": "string"}}}}}"#,
            instance: #"{"a/b c": {"~x": 1}}"#,
            instanceLocation: "/a~1b c/~0x", keywordLocation: "/properties/a~1b c/properties/~0x/type",
            absoluteKeywordLocation: "urn:t#/properties/a~1b%20c/properties/~0x/type",
            message: "expected string, found number"),
        // $ref hops appear in keywordLocation; absoluteKeywordLocation names the embedded resource.
        Case(
            schema: #"""
                {"$id": "https://example.com/root", "properties": {"p": {"$ref": "item"}},
                 "$defs": {"item": {"$id": "item", "minimum": 10}}}
                """#,
            instance: #"{"p": 3}"#,
            instanceLocation: "/p", keywordLocation: "/properties/p/$ref/minimum",
            absoluteKeywordLocation: "https://example.com/item#/minimum",
            message: "3 is less than the minimum 10"),
    ]

    @Test("An error says where, which keyword, and what", arguments: cases)
    func reports(_ example: Case) throws {
        let schema = try CompiledSchema(
            JSONParser.parse(example.schema),
            options: ValidationOptions(formatAssertion: example.formatAssertion))
        let result = schema.validate(try JSONParser.parse(example.instance))
        #expect(!result.isValid)
        let error = try #require(result.errors.first)
        #expect(error.instanceLocation == example.instanceLocation)
        #expect(error.keywordLocation == example.keywordLocation)
        #expect(error.absoluteKeywordLocation == example.absoluteKeywordLocation)
        #expect(error.message == example.message)
        #expect(result.errors.count == 1, "\(result.errors)")
    }

    @Test("The work-log schema reports a decision's confidence above 1")
    func workLogConfidence() throws {
        let schema = try CompiledSchema(
            TestData.parse(TestData.repositoryRoot.appendingPathComponent("Schemas/work-log-v1.schema.json")))
        let document = try TestData.parse(
            TestData.repositoryRoot.appendingPathComponent(
                "Samples/invalid/work-log-v1/confidence-above-one.json"))
        let result = schema.validate(document)
        #expect(
            result.errors == [
                ValidationError(
                    instanceLocation: "/decisions/2/confidence",
                    keywordLocation: "/properties/decisions/items/$ref/properties/confidence/maximum",
                    absoluteKeywordLocation:
                        "urn:handoff:schema:work-log-v1#/$defs/decision/properties/confidence/maximum",
                    keyword: "maximum", message: "1.7 is greater than the maximum 1")
            ])
        #expect(
            result.errors.first?.description == "/decisions/2/confidence: 1.7 is greater than the maximum 1")
        #expect(schema.isValid(document) == false)
    }

    @Test("Every error is reported, not only the first")
    func collectsAllErrors() throws {
        let schema = try CompiledSchema(
            JSONParser.parse(
                #"{"required": ["a", "b"], "properties": {"c": {"type": "string"}, "d": {"maximum": 1}}}"#))
        let result = schema.validate(try JSONParser.parse(#"{"c": 1, "d": 2}"#))
        #expect(
            result.errors.map(\.description) == [
                #"(root): missing required property "a""#, #"(root): missing required property "b""#,
                "/c: expected string, found number", "/d: 2 is greater than the maximum 1",
            ])
    }

    @Test("maxErrors caps the errors collected")
    func maxErrors() throws {
        let schema = try CompiledSchema(
            JSONParser.parse(#"{"items": {"type": "string"}}"#), options: ValidationOptions(maxErrors: 3))
        let result = schema.validate(.array(Array(repeating: 1, count: 1_000)))
        #expect(!result.isValid)
        #expect(result.errors.map(\.instanceLocation) == ["/0", "/1", "/2"])
    }

    @Test("anyOf reports the alternative that got furthest into the value")
    func anyOfFurthestBranch() throws {
        let schema = try CompiledSchema(
            JSONParser.parse(
                #"""
                {"anyOf": [
                    {"type": "string"},
                    {"type": "object", "properties": {"kind": {"const": "tool"}, "ms": {"minimum": 0}}}
                ]}
                """#))
        let result = schema.validate(try JSONParser.parse(#"{"kind": "tool", "ms": -5}"#))
        #expect(
            result.errors.map(\.description) == [
                #"(root): {"kind":"tool","ms":-5} does not match any of the 2 alternatives in anyOf"#,
                "/ms: -5 is less than the minimum 0",
            ])
        #expect(result.errors.last?.keywordLocation == "/anyOf/1/properties/ms/minimum")
    }

    @Test("anyOf of types says only that none matched")
    func anyOfOfTypes() throws {
        let schema = try CompiledSchema(
            JSONParser.parse(#"{"anyOf": [{"type": "string"}, {"type": "null"}]}"#))
        let result = schema.validate(3)
        #expect(result.errors.map(\.message) == ["3 does not match any of the 2 alternatives in anyOf"])
    }

    @Test("if/then reports the then branch's errors")
    func ifThen() throws {
        let schema = try CompiledSchema(
            JSONParser.parse(
                #"{"if": {"properties": {"status": {"const": "error"}}}, "then": {"required": ["error"]}}"#))
        let result = schema.validate(try JSONParser.parse(#"{"status": "error"}"#))
        #expect(result.errors.map(\.keywordLocation) == ["/then/required"])
        #expect(result.errors.map(\.message) == [#"missing required property "error""#])
    }

    @Test("Long values are shortened in messages")
    func longValuesShortened() throws {
        let schema = try CompiledSchema(JSONParser.parse(#"{"enum": ["a"]}"#))
        let result = schema.validate(.string(String(repeating: "x", count: 100_000)))
        let message = try #require(result.errors.first?.message)
        #expect(message.count < 100)
        #expect(message.hasPrefix(#""xxxx"#) && message.hasSuffix(#"..." is not one of "a""#))
    }

    @Test("A valid document has no errors, whichever way it is asked")
    func validDocument() throws {
        let schema = try CompiledSchema(JSONParser.parse(#"{"type": "object", "required": ["a"]}"#))
        let document = try JSONParser.parse(#"{"a": 1}"#)
        #expect(schema.validate(document) == ValidationResult(isValid: true, errors: []))
        #expect(schema.isValid(document))
    }
}
