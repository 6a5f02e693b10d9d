import Testing

@testable import HandoffSchema

/// `$ref`, `$id` and `$schema` values resolved against their base URI.
struct URIResolutionTests {
    /// A fragment alone is resolved by keeping the base before its own fragment; that shortcut must give
    /// what RFC 3986 §5.2.2, taken step by step, gives.
    @Test(arguments: [
        "urn:handoff:schema:work-log-v1", "https://example.com/schemas/a.json#/$defs/x",
        "https://example.com/a/../b/./c.json?version=2", "https://example.com", "https://example.com?q#f",
        "relative/path.json", "", "#", "a:b#c#d", "file:///tmp/schema.json", "//host/only",
    ])
    func aFragmentAloneResolvesAsTheRFCSays(_ base: String) {
        for reference in ["#", "#/$defs/decision", "#anchor", "#/a%20b/~1c", "##", "#/é"] {
            let stepByStep = URIReference(reference).resolved(against: URIReference(base)).text
            #expect(resolveURI(reference, against: base) == stepByStep, "\(reference) against \(base)")
        }
    }

    @Test func otherReferencesResolveAsTheRFCSays() {
        let base = "http://a/b/c/d;p?q"
        // RFC 3986 §5.4.1.
        let examples = [
            ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q#s"), ("g#s", "http://a/b/c/g#s"), ("", "http://a/b/c/d;p?q"),
            ("..", "http://a/b/"), ("../g", "http://a/b/g"), ("../../g", "http://a/g"),
        ]
        for (reference, expected) in examples {
            #expect(resolveURI(reference, against: base) == expected, "\(reference)")
        }
    }
}
