import HandoffJSON
import Testing

/// `JSONParser.withTape` reads with the parser's own checks and keeps the values flat. The canonicalizer's
/// tests run every document they build through it too; these cover what only the tape does: its object
/// order and lookups, comparisons, and refusals with the parser's exact errors.
struct JSONTapeTests {
    private func tape<Result>(_ text: String, _ body: (TapeValue) -> Result) throws -> Result {
        try Array(text.utf8).withUnsafeBytes { try JSONParser.withTape($0, body) }
    }

    @Test(arguments: JSONParserTests.rejections)
    func refusesAsTheParserDoes(_ rejection: JSONParserTests.Rejection) {
        let expected = Result { () throws(JSONParseError) in try JSONParser.parse(rejection.bytes) }
        let error = rejection.bytes.withUnsafeBytes { input in
            Result { () throws(JSONParseError) in try JSONParser.withTape(input) { _ in () } }
        }
        guard case .failure(let expectedError) = expected, case .failure(let tapeError) = error else {
            Issue.record("\(rejection.name): expected both to refuse, got \(expected) and \(error)")
            return
        }
        #expect(tapeError == expectedError)
        #expect(tapeError.message == rejection.message)
    }

    @Test func duplicateKeysAreNamedWhereTheyRepeat() {
        // Forty keys in reverse order take the general sort, not the insertion sort of small objects.
        let many = (0..<40).reversed().map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        for text in [#"{"b": 1, "a": 2, "b": 3}"#, "{\(many), \"k7\": 0}", #"{"a":{"x":1,"x":1}}"#] {
            let expected = Result { () throws(JSONParseError) in try JSONParser.parse(text) }
            let error = Array(text.utf8).withUnsafeBytes { input in
                Result { () throws(JSONParseError) in try JSONParser.withTape(input) { _ in () } }
            }
            guard case .failure(let expectedError) = expected, case .failure(let tapeError) = error else {
                Issue.record("\(text): expected both to refuse, got \(expected) and \(error)")
                continue
            }
            #expect(expectedError.code == .duplicateKey)
            #expect(tapeError == expectedError, "\(text)")
        }
    }

    @Test func membersAreInCanonicalOrderAndFoundByKey() throws {
        // U+FB33 sorts after U+1F600 by UTF-8 bytes but before it by UTF-16 code units.
        let text = #"{"b": 1, "\u00e9": 2, "a": [true, null, "x"], "😀": 3, "\ufb33": 4, "é\"": 5}"#
        let keys = try tape(text) { root in (0..<root.count).map { root.key($0).textValue } }
        #expect(keys == ["a", "b", "é", "é\"", "😀", "\u{FB33}"])
        #expect(keys == (try JSONParser.parse(text)).objectValue?.keys)
        try tape(text) { root in
            for (position, key) in keys.enumerated() {
                var key = key
                #expect(key.withUTF8 { root.position(ofKey: $0) } == position)
            }
            var missing = "c"
            #expect(missing.withUTF8 { root.position(ofKey: $0) } == nil)
            let array = root.value(0)
            #expect(array.kind == .array && array.count == 3)
            #expect(array.element(0).kind == .bool && array.element(1).kind == .null)
            #expect(array.element(2).textValue == "x")
        }
        // Past sixteen members an object is searched by halves.
        let large = "{" + (0..<40).map { "\"key\($0)\": \($0)" }.joined(separator: ",") + "}"
        try tape(large) { root in
            for number in [0, 7, 19, 39] {
                var key = "key\(number)"
                let position = key.withUTF8 { root.position(ofKey: $0) }
                #expect(position.map { root.value($0).doubleValue } == Double(number))
            }
            var missing = "key40"
            #expect(missing.withUTF8 { root.position(ofKey: $0) } == nil)
        }
    }

    @Test func equalityIsJSONEquality() throws {
        let text =
            #"[1, 1.0, {"a": [1, "x"], "b": null}, {"b": null, "a": [1.0, "x"]}, "é", "e\u0301", -0, 0]"#
        try tape(text) { root in
            #expect(root.element(0).equals(root.element(1)))
            #expect(root.element(2).equals(root.element(3)))
            #expect(!root.element(4).equals(root.element(5)))
            #expect(root.element(6).equals(root.element(7)))
            #expect(!root.element(0).equals(root.element(4)))
            #expect(root.element(2).equals(["a": [1, "x"], "b": nil] as JSONValue))
            #expect(!root.element(2).equals(["a": [1, "y"], "b": nil] as JSONValue))
            #expect(!root.element(4).equals("e\u{301}"))
            #expect(root.element(5).equals("e\u{301}"))
        }
    }
}
