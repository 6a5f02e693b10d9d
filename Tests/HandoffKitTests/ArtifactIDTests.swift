import HandoffKit
import Testing

struct ArtifactIDTests {
    /// Known answers from `xxhsum -H2`.
    @Test(arguments: [
        ("", "99aa06d3014798d86001c324468d497f"),
        ("abc", "06b05ab6733a618578af5f94892f3950"),
        (#"{"a":1}"#, "3c8c141663acf5a1b6b7137162fa70fb"),
        (String(repeating: "x", count: 1000), "50a1af5a5f2dcf01c0a4877b962cba82"),
    ])
    func hashesAsXXHSumDoes(input: String, hex: String) {
        let id = ArtifactID(canonicalBytes: Array(input.utf8))
        #expect(id.hex == hex)
        #expect(id.description == "xxh128:" + hex)
    }

    @Test func parsesAndPrintsCompleteIDs() throws {
        let id = try ArtifactID(parsing: "xxh128:06b05ab6733a618578af5f94892f3950")
        #expect(id == ArtifactID(canonicalBytes: Array("abc".utf8)))
        #expect(try ArtifactID(parsing: "06b05ab6733a618578af5f94892f3950") == id)
    }

    @Test(arguments: ["xxh128:06b05ab6", "06b05ab6", "06b05ab6733a618578af5f94892f39"])
    func acceptsPrefixesOfEightDigitsOrMore(text: String) throws {
        let reference = try ArtifactReference(parsing: text)
        #expect(reference.completeID == nil)
        #expect(reference.description.hasPrefix("xxh128:06b05ab6"))
    }

    @Test(arguments: [
        ("../x", #""../x" is not an artifact id"#),
        ("xxh128:../../etc/passwd", #""xxh128:../../etc/passwd" is not an artifact id"#),
        ("06b05ab", #"artifact id prefix "06b05ab" is too short"#),
        ("xxh128:", #""xxh128:" is not an artifact id"#),
        ("", #""" is not an artifact id"#),
        (
            "XXH128:06B05AB6733A618578AF5F94892F3950",
            #"artifact id "XXH128:06B05AB6733A618578AF5F94892F3950" must be lowercase"#
        ),
        (
            "06B05AB6733A618578AF5F94892F3950",
            #"artifact id "06B05AB6733A618578AF5F94892F3950" must be lowercase"#
        ),
        (
            "sha256:06b05ab6733a618578af5f94892f3950",
            #""sha256:06b05ab6733a618578af5f94892f3950" is not an artifact id: unknown hash "sha256""#
        ),
        (
            "06b05ab6733a618578af5f94892f3950aa",
            #""06b05ab6733a618578af5f94892f3950aa" is not an artifact id"#
        ),
        ("06b05ab6\n733a", #""06b05ab6\u000a733a" is not an artifact id"#),
        ("06b05ab6 733a618578af5f94892f3950", #""06b05ab6 733a618578af5f94892f3950" is not an artifact id"#),
    ])
    func rejectsAnythingElseBeforeTouchingTheFileSystem(text: String, message: String) {
        #expect {
            try ArtifactReference(parsing: text)
        } throws: { error in
            let error = error as! HandoffError
            return error.code == .usage && error.message == message
        }
    }

    @Test func completeIDIsRequiredWhereOnlyAnIDWillDo() {
        #expect {
            try ArtifactID(parsing: "06b05ab6")
        } throws: { error in
            (error as! HandoffError).message == #""06b05ab6" is not a complete artifact id"#
        }
    }
}

struct SchemaNameTests {
    @Test(arguments: [
        ("tool-result-v1", "tool-result", 1), ("a-v12", "a", 12), ("work-log-v2-v3", "work-log-v2", 3),
    ])
    func parses(text: String, name: String, version: Int) throws {
        let schema = try #require(SchemaName(text))
        #expect(schema.name == name)
        #expect(schema.version == version)
        #expect(schema.description == text)
    }

    @Test(arguments: [
        "tool-result", "Tool-v1", "tool_result-v1", "-v1", "x-v0", "x-v01", "x-v", "1x-v1", "x--v1", "x-v1 ",
        "é-v1",
    ])
    func rejects(text: String) {
        #expect(SchemaName(text) == nil)
    }
}

struct TimestampTests {
    @Test func formatsRFC3339InUTC() {
        #expect(Timestamp(millisecondsSince1970: 0).description == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(millisecondsSince1970: 1_795_218_121_123).description == "2026-11-20T23:42:01.123Z")
        #expect(Timestamp(millisecondsSince1970: 951_782_400_000).description == "2000-02-29T00:00:00.000Z")
        #expect(Timestamp(millisecondsSince1970: -1).description == "1969-12-31T23:59:59.999Z")
    }

    @Test(arguments: [
        ("2026-11-20T23:42:01.123Z", 1_795_218_121_123 as Int64),
        ("2026-11-20T23:42:01Z", 1_795_218_121_000),
        ("2026-11-21T00:42:01.123+01:00", 1_795_218_121_123),
        ("2026-11-20T23:42:01.123456", 1_795_218_121_123),
        ("2026-11-20", 1_795_132_800_000),
        ("2026-11-20 23:42:01z", 1_795_218_121_000),
    ])
    func parses(text: String, milliseconds: Int64) throws {
        #expect(Timestamp(rfc3339: text)?.millisecondsSince1970 == milliseconds)
    }

    @Test(arguments: [
        "", "2026-13-01", "2026-02-30", "2026-11-20T24:00:00Z", "2026-11-20T10:00", "yesterday",
        "2026-11-20T10:00:00+1",
    ])
    func rejects(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }
}
