import HandoffJSON
import Testing

@testable import HandoffKit

/// The JSON forms listings print once per row are built with their keys in a fixed order; that order must
/// be the canonical one, or lookups and the canonical writer would see a broken object.
struct JSONFormTests {
    @Test(arguments: [
        ("ArtifactInfo", ArtifactInfo.jsonKeys), ("Handoff", Handoff.jsonKeys),
        ("NextAction", NextAction.jsonKeys),
    ])
    func keysAreInCanonicalOrder(_ name: String, _ keys: [String]) {
        let sorted = JSONObject(keys.map { (key: $0, value: JSONValue.null) }).keys
        #expect(keys == sorted, "\(name)")
    }

    @Test func aHandoffsFormHasEachValueUnderItsOwnKey() throws {
        let handoff = Handoff(
            id: "01JD3XQ2K8B6W5N2M7T4R9C1ZP",
            artifactID: try ArtifactID(parsing: "xxh128:" + String(repeating: "ab", count: 16)),
            schema: "tool-result-v1", producer: "p", consumer: "c", workflow: "wf", workspace: nil,
            state: .claimed,
            attempts: 2, createdAt: Timestamp(millisecondsSince1970: 1),
            updatedAt: Timestamp(millisecondsSince1970: 2), availableAt: Timestamp(millisecondsSince1970: 3),
            leaseExpiresAt: Timestamp(millisecondsSince1970: 4), worker: "w", note: "n", routedFrom: nil)
        let object = try #require(handoff.json.objectValue)
        #expect(object["id"] == "01JD3XQ2K8B6W5N2M7T4R9C1ZP")
        #expect(object["artifact"] == .string("xxh128:" + String(repeating: "ab", count: 16)))
        #expect(
            object["schema"] == "tool-result-v1" && object["producer"] == "p" && object["consumer"] == "c")
        #expect(object["workflow"] == "wf" && object["workspace"] == .null && object["state"] == "claimed")
        #expect(object["attempts"] == 2 && object["worker"] == "w" && object["note"] == "n")
        #expect(object["created_at"] == "1970-01-01T00:00:00.001Z")
        #expect(object["updated_at"] == "1970-01-01T00:00:00.002Z")
        #expect(object["available_at"] == "1970-01-01T00:00:00.003Z")
        #expect(object["lease_expires_at"] == "1970-01-01T00:00:00.004Z" && object["routed_from"] == .null)
    }

    /// Listings write handoffs and next actions straight to text; that text must be what `json` writes.
    @Test(arguments: [
        "", "n", "a \"quoted\" note\\ with\nnew lines\tand \u{1} \u{1F} \u{7F}", "é 😀 \u{FB33} \u{2028}",
        String(repeating: "long ", count: 200),
    ])
    func writtenTextIsTheSameAsTheWrittenForm(_ text: String) throws {
        let id = try ArtifactID(parsing: "xxh128:0123456789abcdef0123456789abcdef")
        let handoffs = [
            Handoff(
                id: "01JD3XQ2K8B6W5N2M7T4R9C1ZP", artifactID: id, schema: "tool-result-v1", producer: "p",
                consumer: "c", workflow: nil, workspace: nil, state: .pending, attempts: 0,
                createdAt: Timestamp(millisecondsSince1970: 0),
                updatedAt: Timestamp(millisecondsSince1970: -1),
                availableAt: Timestamp(millisecondsSince1970: 253_402_300_799_999), leaseExpiresAt: nil,
                worker: nil, note: nil),
            Handoff(
                id: "01JD3XQ2K8B6W5N2M7T4R9C1ZQ", artifactID: id, schema: text, producer: text,
                consumer: text,
                workflow: text, workspace: text, state: .claimed, attempts: 12_345,
                createdAt: Timestamp(millisecondsSince1970: 1_764_406_921_123),
                updatedAt: Timestamp(millisecondsSince1970: 1_764_406_921_124),
                availableAt: Timestamp(millisecondsSince1970: 1_764_406_921_125),
                leaseExpiresAt: Timestamp(millisecondsSince1970: 1_764_406_921_126), worker: text, note: text,
                routedFrom: text),
        ]
        for handoff in handoffs {
            var written = JSONTextBuilder()
            handoff.writeJSON(into: &written)
            #expect(Array(written.bytes) == JSONWriter.encode(handoff.json))
        }
        for action in [
            NextAction(action: "manual_review", source: "/next_actions/0", inferred: false),
            NextAction(action: text, source: text, inferred: true),
        ] {
            var written = JSONTextBuilder()
            action.writeJSON(into: &written)
            #expect(Array(written.bytes) == JSONWriter.encode(action.json))
        }
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"), (1_764_406_921_123, "2025-11-29T09:02:01.123Z"),
        (-1, "1969-12-31T23:59:59.999Z"), (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        (-62_167_219_200_000, "0000-01-01T00:00:00.000Z"),
    ])
    func timestampsAreRFC3339(_ milliseconds: Int64, _ text: String) {
        #expect(Timestamp(millisecondsSince1970: milliseconds).description == text)
        #expect(Timestamp(rfc3339: text)?.millisecondsSince1970 == milliseconds)
    }
}
