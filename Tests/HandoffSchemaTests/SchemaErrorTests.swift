import Foundation
import HandoffJSON
import HandoffSchema
import Testing

/// Schemas that cannot be compiled are refused with the place and the reason.
struct SchemaErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var schema: String
        var code: SchemaError.Code
        var description: String

        var testDescription: String { schema }
    }

    static let cases: [Case] = [
        Case(
            schema: #"{"properties": {"n": {"minimum": "0"}}}"#, code: .invalidSchema,
            description: "schema at /properties/n/minimum: expected number, found string"),
        Case(
            schema: #"{"type": "strin"}"#, code: .invalidSchema,
            description:
                #"schema at /type: "strin" is not one of "array", "boolean", "integer", "null", "number", "object", "string""#
        ),
        Case(
            schema: #"{"required": "name"}"#, code: .invalidSchema,
            description: "schema at /required: expected array, found string"),
        Case(
            schema: #"{"items": {"minLength": -1}}"#, code: .invalidSchema,
            description: "schema at /items/minLength: -1 is less than the minimum 0"),
        Case(
            schema: #"{"$defs": {"a": {"$anchor": "not an anchor"}}}"#, code: .invalidSchema,
            description:
                #"schema at /$defs/a/$anchor: "not an anchor" does not match the pattern ^[A-Za-z_][-A-Za-z0-9._]*$"#
        ),
        Case(
            schema: "12", code: .invalidSchema,
            description: "schema at the root: expected object or boolean, found number"),
        Case(
            schema: ##"{"properties": {"a": {"$ref": "#/$defs/nope"}}}"##, code: .unresolvableReference,
            description: ##"cannot resolve $ref "#/$defs/nope" at /properties/a"##),
        Case(
            schema: #"{"$ref": "https://example.com/elsewhere.json"}"#, code: .unresolvableReference,
            description: #"cannot resolve $ref "https://example.com/elsewhere.json" at the root"#),
        Case(
            schema: ##"{"items": {"$ref": "#missing"}}"##, code: .unresolvableReference,
            description: ##"cannot resolve $ref "#missing" at /items"##),
        Case(
            schema: #"{"properties": {"id": {"pattern": "[a-z"}}}"#, code: .invalidRegex,
            description:
                #"schema at /properties/id/pattern: invalid regular expression "[a-z": unterminated character class at offset 0"#
        ),
        Case(
            schema: #"{"patternProperties": {"(?<n>": {}}}"#, code: .invalidRegex,
            description:
                #"schema at /patternProperties/(?<n>: invalid regular expression "(?<n>": unterminated group at offset 0"#
        ),
        Case(
            schema: #"{"$schema": "https://example.com/no-such-metaschema"}"#, code: .unknownMetaschema,
            description: #"schema at /$schema: unknown metaschema "https://example.com/no-such-metaschema""#),
        Case(
            schema: ##"{"$ref": "#"}"##, code: .referenceCycle,
            description:
                "schema at the root: references go round without descending into the instance: # -> #"),
        Case(
            schema:
                ##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"}"##,
            code: .referenceCycle,
            description:
                "schema at /$defs/a: references go round without descending into the instance: "
                + "/$defs/a -> /$defs/b -> /$defs/b/allOf/0 -> /$defs/a"),
    ]

    @Test("An invalid schema is refused with where and why", arguments: cases)
    func refused(_ example: Case) throws {
        let document = try JSONParser.parse(example.schema)
        #expect {
            _ = try CompiledSchema(document)
        } throws: { error in
            guard let error = error as? SchemaError else { return false }
            #expect(error.code == example.code)
            #expect(error.description == example.description)
            return true
        }
    }

    @Test("An invalid schema's error lists every place it breaks its metaschema")
    func underlyingErrors() throws {
        let document = try JSONParser.parse(#"{"minimum": "0", "properties": {"a": {"maxLength": 1.5}}}"#)
        do {
            _ = try CompiledSchema(document)
            Issue.record("compiled")
        } catch {
            #expect(error.code == .invalidSchema)
            #expect(
                Set(error.underlyingErrors.map(\.instanceLocation)) == [
                    "/minimum", "/properties/a/maxLength",
                ])
        }
    }

    @Test("Registering needs a URI, and a URI holds one schema")
    func registering() throws {
        let registry = SchemaRegistry()
        let anonymous = try JSONParser.parse(#"{"type": "string"}"#)
        #expect { try registry.register(anonymous) } throws: { ($0 as? SchemaError)?.code == .missingURI }
        try registry.register(JSONParser.parse(#"{"$id": "urn:example:a", "type": "string"}"#))
        // The same document again is fine; a different one under the same URI is not.
        try registry.register(JSONParser.parse(#"{"$id": "urn:example:a", "type": "string"}"#))
        let other = try JSONParser.parse(#"{"$id": "urn:example:a", "type": "integer"}"#)
        do {
            try registry.register(other)
            Issue.record("registered twice")
        } catch {
            #expect(error.code == .duplicateURI)
        }
        #expect(registry.uris.contains("urn:example:a"))
        #expect(registry.uris.contains("https://json-schema.org/draft/2020-12/schema"))
        let schema = try CompiledSchema(uri: "urn:example:a", registry: registry)
        #expect(schema.isValid("text") && !schema.isValid(1))
    }

    @Test("A registered schema is checked against its metaschema")
    func registeringInvalid() throws {
        let registry = SchemaRegistry()
        let invalid = try JSONParser.parse(#"{"$id": "urn:example:b", "minimum": "0"}"#)
        do {
            try registry.register(invalid)
            Issue.record("registered")
        } catch {
            #expect(error.description == "schema at /minimum: expected number, found string")
        }
        #expect(!registry.uris.contains("urn:example:b"))
    }

    @Test("A loader that throws makes compiling fail with its error")
    func loaderFailure() throws {
        struct Broken: SchemaLoader {
            struct Failure: Error {}
            func loadSchema(at uri: String) throws -> JSONValue? { throw Failure() }
        }
        let registry = SchemaRegistry(loaders: [Broken()])
        let document = try JSONParser.parse(#"{"$ref": "https://example.com/s.json"}"#)
        do {
            _ = try CompiledSchema(document, registry: registry)
            Issue.record("compiled")
        } catch {
            #expect(error.code == .loaderFailed)
            #expect(error.cause is Broken.Failure)
        }
    }

    @Test("Schemas reference each other through the registry and by subschema URI")
    func crossReferences() throws {
        let registry = SchemaRegistry()
        try registry.register(
            JSONParser.parse(
                #"{"$id": "urn:example:defs", "$defs": {"name": {"type": "string", "minLength": 1}}}"#))
        let schema = try CompiledSchema(
            JSONParser.parse(#"{"properties": {"who": {"$ref": "urn:example:defs#/$defs/name"}}}"#),
            registry: registry)
        let result = schema.validate(try JSONParser.parse(#"{"who": ""}"#))
        #expect(result.errors.map(\.absoluteKeywordLocation) == ["urn:example:defs#/$defs/name/minLength"])
        let name = try CompiledSchema(uri: "urn:example:defs#/$defs/name", registry: registry)
        #expect(name.isValid("x") && !name.isValid(""))
    }

    @Test("Metaschemas that describe each other in a cycle are refused")
    func metaschemaCycle() throws {
        struct Metaschemas: SchemaLoader {
            func loadSchema(at uri: String) throws -> JSONValue? {
                switch uri {
                case "urn:meta:one": ["$id": "urn:meta:one", "$schema": "urn:meta:two"]
                case "urn:meta:two": ["$id": "urn:meta:two", "$schema": "urn:meta:one"]
                default: nil
                }
            }
        }
        let registry = SchemaRegistry(loaders: [Metaschemas()])
        let document = try JSONParser.parse(#"{"$schema": "urn:meta:one", "type": "string"}"#)
        do {
            _ = try CompiledSchema(document, registry: registry)
            Issue.record("compiled")
        } catch {
            #expect(error.code == .referenceCycle)
            #expect(
                error.message.hasPrefix(
                    "metaschemas describe each other in a cycle: urn:meta:one -> urn:meta:two"))
        }
    }

    @Test("A custom metaschema without the validation vocabulary turns validation keywords off")
    func customVocabulary() throws {
        let registry = SchemaRegistry()
        try registry.register(
            JSONParser.parse(
                #"""
                {"$id": "urn:meta:structure-only", "$schema": "https://json-schema.org/draft/2020-12/schema",
                 "$vocabulary": {"https://json-schema.org/draft/2020-12/vocab/core": true,
                                 "https://json-schema.org/draft/2020-12/vocab/applicator": true},
                 "$dynamicAnchor": "meta",
                 "allOf": [{"$ref": "https://json-schema.org/draft/2020-12/meta/core"},
                           {"$ref": "https://json-schema.org/draft/2020-12/meta/applicator"}]}
                """#))
        let schema = try CompiledSchema(
            JSONParser.parse(
                #"{"$schema": "urn:meta:structure-only", "properties": {"n": {"maximum": 1}, "gone": false}}"#
            ),
            registry: registry)
        #expect(schema.isValid(["n": 5]))
        #expect(!schema.isValid(["gone": 1]))
    }

    @Test("A metaschema that requires an unknown vocabulary is refused")
    func unknownVocabulary() throws {
        let registry = SchemaRegistry()
        try registry.register(
            JSONParser.parse(
                #"""
                {"$id": "urn:meta:custom", "$vocabulary": {"https://json-schema.org/draft/2020-12/vocab/core": true,
                 "urn:vocab:unknown": true}}
                """#))
        let document = try JSONParser.parse(#"{"$schema": "urn:meta:custom"}"#)
        do {
            _ = try CompiledSchema(document, registry: registry)
            Issue.record("compiled")
        } catch {
            #expect(error.code == .unsupportedVocabulary)
            #expect(
                error.description
                    == #"schema at /$schema: the metaschema requires the unknown vocabulary "urn:vocab:unknown""#
            )
        }
    }
}
