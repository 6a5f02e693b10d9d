import Foundation
import HandoffJSON
import HandoffKit
import HandoffSchema
import HandoffTesting
import Testing

/// Validation on put, and schemas registered in a store.
struct SchemaTests {
    let temporary: TemporaryStore
    var store: Store { temporary.store }

    init() throws { temporary = try TemporaryStore() }

    /// A schema of the user's own, referring to a built-in one.
    static let codeReview: JSONValue = [
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:handoff:schema:code-review-v1",
        "title": "A code review", "type": "object", "required": ["schema", "verdict"],
        "properties": [
            "schema": ["const": "code-review-v1"], "verdict": ["enum": ["approve", "request_changes"]],
            "followups": ["type": "array", "items": ["type": "string"]],
            "decision": ["$ref": "urn:handoff:schema:work-log-v1#/$defs/decision"],
        ],
        "x-handoff-next-actions": ["/followups"],
    ]

    @Test func putChecksTheDeclaredSchemaAndRefusesInvalidArtifacts() throws {
        var scan = scanResult()
        scan.replace(key: "risk_score", with: 150)
        scan.replace(key: "status", with: "maybe")
        #expect {
            try store.put(scan, from: "scanner", to: ["reviewer"])
        } throws: { error in
            let error = error as! HandoffError
            return error.code == .invalidInput
                && error.message
                    == "the artifact is not a valid security-scan-v1 artifact: /risk_score: 150 is greater than the maximum 100"
                && error.details == [
                    "/risk_score: 150 is greater than the maximum 100",
                    #"/status: "maybe" is not one of "approved", "rejected", "needs_review""#,
                ]
        }
        #expect(try store.artifacts().isEmpty)
        #expect {
            try store.put(["schema": "code-review-v1", "verdict": "approve"], from: "reviewer")
        } throws: { error in
            let error = error as! HandoffError
            return error.code == .invalidInput
                && error.message == #"the artifact: unknown schema "code-review-v1""#
        }
    }

    @Test func skippingValidationIsRecordedUntilTheContentIsCheckedOnce() throws {
        let unchecked = try store.put(scanResult(), from: "scanner", validate: false)
        #expect(unchecked.artifact.validated == false)
        let checked = try store.put(scanResult(), from: "scanner")
        #expect(checked.existed)
        #expect(checked.artifact.validated)
        #expect(try store.artifact(checked.id).validated)
    }

    @Test func formatsAreChecked() throws {
        let document = try JSONParser.parse(
            try String(
                contentsOfFile: samplePath("valid/tool-result-v1/bird-bookmarks.json"), encoding: .utf8))
        var broken = document
        broken.replace(pointer: "/input/timestamp", with: "yesterday")
        #expect {
            try store.put(broken, from: "analyzer")
        } throws: { error in
            (error as! HandoffError).message.hasSuffix(
                #"/input/timestamp: "yesterday" is not a valid date-time"#)
        }
        #expect(throws: Never.self) { try store.put(document, from: "analyzer") }
    }

    @Test func aStoreLearnsSchemasOfItsOwn() throws {
        let (info, existed) = try store.addSchema(Self.codeReview, source: "code-review-v1.schema.json")
        #expect(info.name == "code-review-v1")
        #expect(!info.builtIn)
        #expect(info.title == "A code review")
        #expect(!existed)
        #expect(
            try store.schemas.list().map(\.name) == [
                "code-review-v1", "escalation-v1", "handoff-request-v1", "insight-v1", "security-scan-v1",
                "tool-result-v1", "work-log-entry-v1", "work-log-v1", "work-session-v1",
            ])
        let review: JSONValue = [
            "schema": "code-review-v1", "verdict": "request_changes",
            "followups": ["add_tests", "rename_module"],
        ]
        let stored = try store.put(review, from: "reviewer", to: ["coder"])
        #expect(stored.artifact.validated)
        // Its own declaration of where next actions live.
        #expect(try store.nextActions(of: stored.id).map(\.action) == ["add_tests", "rename_module"])
        // Its $ref into a built-in schema is followed.
        #expect {
            try store.put(
                ["schema": "code-review-v1", "verdict": "approve", "decision": ["step": 0]], from: "reviewer")
        } throws: { error in
            let error = error as! HandoffError
            return ([error.message] + error.details).contains {
                $0.hasSuffix("/decision/step: 0 is less than the minimum 1")
            }
        }
        // Another process opening the store sees it too.
        let reopened = try Store.open(at: temporary.location)
        #expect(try reopened.schemas.list().contains { $0.name == "code-review-v1" })
        #expect(throws: Never.self) { try reopened.put(review, from: "reviewer") }
    }

    @Test func aRegisteredVersionNeverChanges() throws {
        try store.addSchema(Self.codeReview, source: "a.json")
        #expect(try store.addSchema(Self.codeReview, source: "a.json").existed)
        var changed = Self.codeReview
        changed.replace(key: "title", with: "A stricter code review")
        #expect {
            try store.addSchema(changed, source: "b.json")
        } throws: { error in
            let error = error as! HandoffError
            return error.code == .invalidInput
                && error.message.hasPrefix(
                    "schema code-review-v1 is already registered with other content (xxh128:")
                && error.hint == "publish the change as a new version, such as code-review-v2"
        }
        let builtIn = try store.schemas.document(named: "work-log-v1")
        #expect(try store.addSchema(builtIn, source: "work-log-v1.schema.json").existed)
        var edited = builtIn
        edited.replace(key: "title", with: "Mine")
        #expect {
            try store.addSchema(edited, source: "w.json")
        } throws: { error in
            (error as! HandoffError).message
                == "w.json: work-log-v1 is a built-in schema, and a released version never changes"
        }
    }

    @Test(
        arguments: [
            (
                ["type": "object"] as JSONValue,
                #"s.json: a Handoff schema needs an "$id" of the form urn:handoff:schema:<name>-v<N>"#
            ),
            (
                ["$id": "https://example.com/review.json"],
                #"s.json: the "$id" "https://example.com/review.json" is not of the form urn:handoff:schema:<name>-v<N>"#
            ),
            (["$id": "urn:handoff:schema:bad-v1", "type": "objekt"], "s.json is not a valid JSON Schema: "),
            (
                ["$id": "urn:handoff:schema:bad-v1", "$ref": "#/$defs/nope"],
                "s.json is not a valid JSON Schema: "
            ),
            (
                ["$id": "urn:handoff:schema:bad-v1", "pattern": "(unclosed"],
                "s.json is not a valid JSON Schema: "
            ),
        ] as [(JSONValue, String)])
    func invalidSchemasAreRefusedSayingWhere(schema: JSONValue, message: String) throws {
        #expect {
            try store.addSchema(schema, source: "s.json")
        } throws: { error in
            let error = error as! HandoffError
            return error.code == .invalidInput && error.message.hasPrefix(message)
        }
        #expect(try store.schemas.list().map(\.name) == BuiltInSchemas.names, "nothing was added")
    }

    /// `validate --jsonl` checks each line from its bytes (on a tape, no tree): every sample, valid or not, and
    /// every kind of unreadable or undeclared document must come out exactly as parsing it and validating the
    /// tree does — schema, verdict, every error, and the message of a refusal.
    @Test func validatingFromBytesAnswersAsValidatingTheTree() throws {
        let samples = URL(fileURLWithPath: samplePath(""))
        var inputs: [(String, [UInt8])] = []
        let files = FileManager.default.enumerator(at: samples, includingPropertiesForKeys: nil)!
        for case let file as URL in files
        where file.pathExtension == "json" && file.lastPathComponent != "expectations.json" {
            inputs.append((file.lastPathComponent, Array(try Data(contentsOf: file))))
        }
        #expect(inputs.count > 100)
        for text in [
            "", "[]", "{}", #"{"schema": 1}"#, #"{"schema": "Not A Name"}"#, #"{"schema": "nosuch-v1"}"#,
            #"{"schema": "tool-result-v1", "schema": "x"}"#, "{\"schema\": \"tool-result-v1\"", "\u{FF}",
            #"{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7, "h": 8, "i": 9, "j": 10, "k": 11, "l": 12, "m": 13, "n": 14, "o": 15, "p": 16, "q": 17, "schema": "tool-result-v1"}"#,
            String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
        ] {
            inputs.append((text, Array(text.utf8)))
        }
        let catalog = store.schemas
        for (name, bytes) in inputs {
            let fromBytes = Result { () throws(HandoffError) in
                try catalog.validate(json: bytes, source: name)
            }
            let fromTree = Result { () throws(HandoffError) in
                try catalog.validate(ArtifactDocument.parse(bytes, source: name), source: name)
            }
            switch (fromBytes, fromTree) {
            case (.success(let tape), .success(let tree)):
                #expect(tape.schema == tree.schema, "\(name)")
                #expect(tape.result.isValid == tree.result.isValid, "\(name)")
                #expect(
                    tape.result.errors.map(\.description) == tree.result.errors.map(\.description), "\(name)")
            case (.failure(let tape), .failure(let tree)):
                #expect(tape.message == tree.message && tape.code == tree.code, "\(name)")
                #expect(tape.hint == tree.hint, "\(name)")
            default:
                Issue.record("\(name): from bytes \(fromBytes), from the tree \(fromTree)")
            }
        }
    }
}

func samplePath(_ relative: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Samples/\(relative)").path
}

extension JSONValue {
    /// Sets a top-level member of an object.
    mutating func replace(key: String, with value: JSONValue) {
        guard case .object(var object) = self else { return }
        object[key] = value
        self = .object(object)
    }

    /// Sets the value at a pointer whose parents exist.
    mutating func replace(pointer: String, with value: JSONValue) {
        let tokens = try! JSONPointer(pointer).tokens
        self = replacing(tokens[...], with: value)
    }

    private func replacing(_ tokens: ArraySlice<String>, with value: JSONValue) -> JSONValue {
        guard let token = tokens.first else { return value }
        switch self {
        case .object(var object):
            object[token] = (object[token] ?? .null).replacing(tokens.dropFirst(), with: value)
            return .object(object)
        case .array(var elements):
            let index = Int(token)!
            elements[index] = elements[index].replacing(tokens.dropFirst(), with: value)
            return .array(elements)
        default:
            return self
        }
    }
}
