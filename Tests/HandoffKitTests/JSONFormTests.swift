import HandoffJSON
import HandoffTesting
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

    /// `inbox --json` writes handoffs and next actions straight from the index's rows to text; that text must
    /// be what `JSONWriter` writes for their `json` forms, whatever the columns hold.
    @Test(
        .storesAreFolders,
        arguments: [
            "", "n", "a \"quoted\" note\\ with\nnew lines\tand \u{1} \u{1F} \u{7F}", "é 😀 \u{FB33} \u{2028}",
            String(repeating: "long ", count: 200),
        ])
    func listingsWrittenFromRowsAreTheWrittenForms(_ text: String) throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        for risk in 1...4 {
            try store.put(
                scanResult(risk: risk, actions: ["manual_review", "notify_owner"]), from: "s", to: ["c"])
        }
        // Actions named `text` (a schema that allows any name), listed from what was rendered when the
        // artifact was recorded.
        try store.addSchema(SchemaTests.codeReview, source: "code-review-v1.schema.json")
        try store.put(
            [
                "schema": "code-review-v1", "verdict": "approve",
                "followups": [.string(text), "notify_owner"],
            ],
            from: "s", to: ["c"])
        let claimed = try #require(try store.claim(for: "c", worker: "w"))
        let routed = try store.route(
            handoffID: claimed.handoff.id, to: "c", note: text, receipt: claimed.receipt)
        try store.sqlite!.write { db in
            // Every text column holds `text`, or bytes that are not UTF-8; a timestamp is past the year 9999; and
            // one artifact's actions were found in an order other than the index's.
            try db.run(
                sql:
                    "UPDATE handoff SET producer = ?, workflow = ?, workspace = ?, worker = ?, note = ? WHERE seq % 2 = 1",
                arguments: [text, text, text, text, text])
            try db.run(
                sql:
                    "UPDATE handoff SET note = CAST(x'41ff42c3' AS TEXT), available_at = 253402300800000 WHERE seq = 2"
            )
            try db.run(
                sql: "UPDATE next_action SET action = ?, source = ? WHERE rowid = 1", arguments: [text, text])
            try db.run(
                sql: "UPDATE next_action SET source = '/next_actions/9' WHERE rowid = 3 OR rowid = 5")
            // Those artifacts are listed from their rows, as artifacts recorded before the rendered column
            // are; the rest from what was rendered.
            try db.run(
                sql:
                    "UPDATE artifact SET next_actions_json = NULL WHERE seq IN (SELECT artifact FROM next_action WHERE rowid IN (1, 3, 5))"
            )
            #expect(
                try db.value(
                    Int.self, sql: "SELECT count(*) FROM artifact WHERE next_actions_json IS NOT NULL")
                    == 2)
        }
        let filter = HandoffFilter(states: [.pending, .claimed, .routed], limit: 100)
        let entries = try store.inboxWithNextActions("c", filter: filter)
        #expect(entries.count == 6 && entries.contains { $0.handoff.id == routed.id })
        let review = entries.first { $0.handoff.schema == "code-review-v1" }
        #expect(
            review?.nextActions.map(\.action) == (text.isEmpty ? ["notify_owner"] : [text, "notify_owner"]))
        let forms = entries.map { entry -> JSONValue in
            ["handoff": entry.handoff.json, "next_actions": .array(entry.nextActions.map(\.json))]
        }
        var written = JSONTextBuilder()
        let (count, more) = try store.writeInboxJSON("c", filter: filter, limit: 99, into: &written)
        #expect(count == 6 && !more)
        #expect(String(decoding: written.bytes, as: UTF8.self) == commaSeparated(forms))

        // A page of two, with one more found, flushed as it goes.
        var page = JSONTextBuilder()
        var flushed: [UInt8] = []
        let (shown, cut) = try store.writeInboxJSON(
            "c", filter: HandoffFilter(states: [.pending, .claimed, .routed], limit: 3), limit: 2, into: &page
        ) { text in
            flushed += text.bytes
            text.clear()
            return true
        }
        #expect(shown == 2 && cut && page.count == 0)
        #expect(String(decoding: flushed, as: UTF8.self) == commaSeparated(Array(forms.prefix(2))))

        // A reader that goes away after the first handoff: the listing stops there.
        var stopped = JSONTextBuilder()
        var calls = 0
        let (sent, _) = try store.writeInboxJSON("c", filter: filter, limit: 99, into: &stopped) { _ in
            calls += 1
            return false
        }
        #expect(sent == 1 && calls == 1)
        #expect(String(decoding: stopped.bytes, as: UTF8.self) == commaSeparated(Array(forms.prefix(1))))
    }

    /// A store whose index predates the rendered next actions (its artifacts have no such column) is listed
    /// from its rows by a command that only reads, without the upgrade it cannot make; the first writer adds
    /// the column, and artifacts recorded from then on are listed from what was rendered, the same bytes.
    @Test(.storesAreFolders) func anIndexFromBeforeRenderedNextActionsIsListedTheSame() throws {
        let temporary = try TemporaryStore()
        try temporary.store.put(
            scanResult(risk: 1, actions: ["manual_review", "notify_owner"]), from: "s", to: ["c"])
        try temporary.store.sqlite!.write { db in
            try db.execute(
                sql: """
                    ALTER TABLE artifact DROP COLUMN next_actions_json;
                    DELETE FROM grdb_migrations WHERE identifier LIKE 'v3:%';
                    """)
        }
        let filter = HandoffFilter(states: [.pending], limit: 100)
        func listing(_ store: Store) throws -> (text: String, forms: String) {
            var written = JSONTextBuilder()
            _ = try store.writeInboxJSON("c", filter: filter, limit: 99, into: &written)
            let forms = try store.inboxWithNextActions("c", filter: filter).map { entry -> JSONValue in
                ["handoff": entry.handoff.json, "next_actions": .array(entry.nextActions.map(\.json))]
            }
            return (String(decoding: written.bytes, as: UTF8.self), commaSeparated(forms))
        }

        var readOnly = Store.Configuration()
        readOnly.readOnly = true
        let reader = try Store.open(at: temporary.location, configuration: readOnly)
        #expect(!reader.sqlite!.rendersNextActions)
        let before = try listing(reader)
        #expect(before.text == before.forms && before.text.contains("notify_owner"))

        let writer = try Store.open(at: temporary.location)
        #expect(writer.sqlite!.rendersNextActions)
        try writer.put(scanResult(risk: 2, actions: ["escalate"]), from: "s", to: ["c"])
        let rendered = try writer.sqlite!.read { db in
            try db.values(String.self, sql: "SELECT next_actions_json FROM artifact ORDER BY seq")
        }
        #expect(rendered == [#"[{"action":"escalate","inferred":false,"source":"/next_actions/0"}]"#])
        let after = try listing(writer)
        #expect(after.text == after.forms && after.text.hasPrefix(before.text + ","))
    }

    /// The forms as `JSONWriter` writes them, separated by commas.
    private func commaSeparated(_ forms: [JSONValue]) -> String {
        forms.map { String(decoding: JSONWriter.encode($0), as: UTF8.self) }.joined(separator: ",")
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
