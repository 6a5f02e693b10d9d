import Foundation
import HandoffJSON
import HandoffKit
import HandoffTesting
import Testing

/// `handoff put` hands the store the document's text (`PutRequest(json:)`), which is read without a tree:
/// canonical bytes straight from the text, schema, validation and next actions from a tape. For every sample
/// and every kind of refusal it must do exactly what putting the parsed document does: the same artifact id,
/// the same next actions, the same validation, or the same error in the same words.
struct PutFromTextTests {
    let fromText: TemporaryStore
    let fromTree: TemporaryStore
    let fromCanonical: TemporaryStore

    init() throws {
        fromText = try TemporaryStore()
        fromTree = try TemporaryStore()
        fromCanonical = try TemporaryStore()
    }

    static let unusual: [(String, String)] = [
        ("not JSON", "{\"schema\": "), ("not an object", "[1, 2]"), ("no schema", "{}"),
        ("schema not a name", #"{"schema": "Tool Result"}"#), ("unknown schema", #"{"schema": "nosuch-v1"}"#),
        ("duplicate keys", #"{"schema": "tool-result-v1", "schema": "x"}"#),
        ("number too large", #"{"schema": "nosuch-v1", "n": 1e400}"#),
        ("noncharacter escaped", #"{"schema": "nosuch-v1", "text": "a\uFDD0b"}"#),
        ("noncharacter raw", "{\"schema\": \"nosuch-v1\", \"text\": \"a\u{FFFE}\"}"),
        ("noncharacter in a key", "{\"schema\": \"nosuch-v1\", \"\u{10FFFF}\": 1}"),
        (
            "astral characters",
            "{\"schema\": \"nosuch-v1\", \"text\": \"🔖 \u{1F600} \u{E000}\", \"é\": \"e\u{301}\"}"
        ),
        (
            "too deep",
            "{\"schema\": \"nosuch-v1\", \"d\": " + String(repeating: "[", count: 600)
                + String(repeating: "]", count: 600) + "}"
        ),
        (
            "inferred next actions",
            #"{"schema": "work-log-v1", "query": "q", "workflow_id": null, "decisions": [{"step": 1, "tool": "t", "input": {}, "output": {"next_actions": ["look_again"]}, "status": "error", "error": "boom", "confidence": 0.2}], "summary": {"total_steps": 1, "tool_calls": 1, "errors": 1, "total_duration_ms": 0, "final_output": null}, "recommendations": ["ask_user"]}"#
        ),
        (
            "tool result with error",
            #"{"schema": "tool-result-v1", "tool": "t", "input": {}, "status": "timeout", "error": "late", "duration_ms": 5, "output": {"next_actions": ["retry_later"]}}"#
        ),
    ]

    func inputs() throws -> [(String, [UInt8])] {
        var inputs: [(String, [UInt8])] = []
        let files = FileManager.default.enumerator(
            at: URL(fileURLWithPath: samplePath("")), includingPropertiesForKeys: nil)!
        for case let file as URL in files
        where file.pathExtension == "json" && file.lastPathComponent != "expectations.json" {
            inputs.append((file.lastPathComponent, Array(try Data(contentsOf: file))))
        }
        #expect(inputs.count > 100)
        return inputs + Self.unusual.map { ($0.0, Array($0.1.utf8)) }
    }

    @Test(arguments: [true, false])
    func putFromTextDoesWhatPuttingTheParsedDocumentDoes(validate: Bool) throws {
        for (name, text) in try inputs() {
            let viaText = Result { () throws(HandoffError) in
                try fromText.store.put([
                    PutRequest(json: text, producer: "p", consumers: ["c"], source: name, validate: validate)
                ])[0]
            }
            let viaTree = Result { () throws(HandoffError) in
                let document = try ArtifactDocument.parse(text, source: name)
                return try fromTree.store.put([
                    PutRequest(
                        document: document, producer: "p", consumers: ["c"], source: name, validate: validate)
                ])[0]
            }
            // As `handoff put` does it: canonical bytes made first, then handed over as they are.
            if let canonical = try? CanonicalJSON.canonicalize(text) {
                let viaCanonical = Result { () throws(HandoffError) in
                    try fromCanonical.store.put([
                        PutRequest(
                            canonicalJSON: canonical, producer: "p", consumers: ["c"], source: name,
                            validate: validate)
                    ])[0]
                }
                switch (viaCanonical, viaTree) {
                case (.success(let canonical), .success(let tree)):
                    #expect(canonical.id == tree.id, "\(name)")
                    #expect(
                        try fromCanonical.store.nextActions(of: canonical.id)
                            == fromTree.store.nextActions(of: tree.id), "\(name)")
                case (.failure(let canonical), .failure(let tree)):
                    #expect(canonical.message == tree.message && canonical.code == tree.code, "\(name)")
                    #expect(canonical.details == tree.details, "\(name)")
                default:
                    Issue.record("\(name): from canonical bytes \(viaCanonical), from the tree \(viaTree)")
                }
            }
            switch (viaText, viaTree) {
            case (.success(let text), .success(let tree)):
                #expect(text.id == tree.id, "\(name)")
                #expect(text.artifact.schema == tree.artifact.schema, "\(name)")
                #expect(text.artifact.size == tree.artifact.size, "\(name)")
                #expect(text.artifact.validated == tree.artifact.validated, "\(name)")
                #expect(
                    try fromText.store.nextActions(of: text.id) == fromTree.store.nextActions(of: tree.id),
                    "\(name)")
                #expect(
                    try fromText.store.canonicalBytes(of: text.id)
                        == fromTree.store.canonicalBytes(of: tree.id))
            case (.failure(let text), .failure(let tree)):
                #expect(text.code == tree.code, "\(name)")
                #expect(text.message == tree.message, "\(name)")
                #expect(text.hint == tree.hint, "\(name)")
                #expect(text.details == tree.details, "\(name)")
            default:
                Issue.record("\(name): from text \(viaText), from the tree \(viaTree)")
            }
        }
    }

    @Test func theNextActionsOfAWorkLogAreFoundAndInferredFromText() throws {
        let text = Self.unusual.first { $0.0 == "inferred next actions" }!.1
        let put = try fromText.store.put([
            PutRequest(json: Array(text.utf8), producer: "p", source: "log", validate: false)
        ])[0]
        let actions = try fromText.store.nextActions(of: put.id)
        #expect(
            actions.map { "\($0.action) \($0.source) \($0.inferred)" } == [
                "ask_user /recommendations/0 false", "look_again /decisions/0/output/next_actions/0 false",
                "review_errors /decisions/0/status true",
                "verify_low_confidence_decisions /decisions/0/confidence true",
            ])
    }
}
