import HandoffJSON
import Testing

struct JSONPointerTests {
    /// RFC 6901 section 5.
    static let document: JSONValue = [
        "foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4, "i\\j": 5, "k\"l": 6, " ": 7,
        "m~n": 8,
    ]

    @Test(
        arguments: [
            ("", document), ("/foo", ["bar", "baz"]), ("/foo/0", "bar"), ("/", 0), ("/a~1b", 1), ("/c%d", 2),
            ("/e^f", 3), ("/g|h", 4), ("/i\\j", 5), ("/k\"l", 6), ("/ ", 7), ("/m~0n", 8),
        ] as [(String, JSONValue)])
    func rfc6901Examples(pointer: String, expected: JSONValue) throws {
        let parsed = try JSONPointer(pointer)
        #expect(Self.document[parsed] == expected)
        #expect(parsed.description == pointer)
    }

    @Test(arguments: ["/foo/2", "/foo/01", "/foo/-", "/nope", "/foo/0/x", "/foo/+1"])
    func missingTargetsAreNil(pointer: String) throws {
        #expect(Self.document[try JSONPointer(pointer)] == nil)
    }

    @Test(arguments: [
        ("foo", "a JSON Pointer must be empty or start with '/'"),
        ("/a~2", "'~' must be followed by '0' or '1'"),
        ("/a~", "'~' must be followed by '0' or '1'"),
    ])
    func rejectsMalformedPointers(pointer: String, message: String) {
        #expect(throws: JSONPointerError(pointer: pointer, message: message)) { try JSONPointer(pointer) }
    }

    @Test func buildsEscapedPointers() {
        let pointer = JSONPointer.root.appending("decisions").appending(3).appending("a/b~c")
        #expect(pointer.description == "/decisions/3/a~1b~0c")
    }
}
