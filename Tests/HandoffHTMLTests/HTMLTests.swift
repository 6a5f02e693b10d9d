import HandoffJSON
import HandoffKit
import HandoffTesting
import HandoffWorkLog
import Testing

@testable import HandoffHTML

/// What the pages do with what bots wrote: escape it wherever it goes, and read addresses and forms
/// exactly.
struct HTMLTests {
    @Test func textIsEscapedForElementsAndAttributes() {
        #expect(
            HTML.text(#"<script>alert("x")</script> & 'y'"#)
                == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;")
        // Control characters a page cannot show are made visible; tabs and line breaks stay.
        #expect(HTML.text("a\u{1B}[31mb\u{0}c\u{85}\td\ne") == "a\\u{1b}[31mb\\u{0}c\\u{85}\td\ne")
        #expect(HTML.attribute("one\ntwo\tthree\"") == "one&#10;two&#9;three&quot;")
        #expect(HTML.text("héllo 🚨") == "héllo 🚨")
    }

    @Test func pathSegmentsStayOneSegment() {
        #expect(HTML.pathSegment("#coordination-website") == "%23coordination-website")
        #expect(HTML.pathSegment("a/b?c d") == "a%2Fb%3Fc%20d")
        #expect(HTML.pathSegment("xxh128:3f2a") == "xxh128:3f2a")
        #expect(HTML.pathSegment("é") == "%C3%A9")
        #expect(HTML.queryValue("a:b@c d") == "a%3Ab%40c%20d")
        for text in ["#general", "a/b", "x y+z", "é✓", "%41"] {
            #expect(HTML.percentDecoded(Substring(HTML.pathSegment(text))) == text)
        }
    }

    @Test func formsAreReadExactlyOrNotAtAll() {
        #expect(
            HTML.formFields("csrf=abc&note=Use+passphrases%21&empty=") == [
                "csrf": "abc", "note": "Use passphrases!", "empty": "",
            ])
        #expect(HTML.formFields("flag") == ["flag": ""])
        #expect(HTML.formFields("") == [:])
        // Not UTF-8, or a broken escape: the whole form is refused.
        #expect(HTML.formFields("note=%FF%FE") == nil)
        #expect(HTML.formFields("note=%4") == nil)
        #expect(HTML.formFields("note=%G1") == nil)
        #expect(HTML.percentDecoded("a+b", plusAsSpace: false) == "a+b")
    }

    @Test func linksGoToTheUIOrStayInsideTheFile() throws {
        let id = try ArtifactID(parsing: "xxh128:" + String(repeating: "ab", count: 16))
        #expect(Links.server.artifact(id) == "/artifacts/xxh128:" + String(repeating: "ab", count: 16))
        #expect(Links.file.artifact(id) == "#artifact-" + String(repeating: "ab", count: 16))
        #expect(Links.file.chain(id) == nil)
        #expect(Links.server.session("S1", step: 4) == "/sessions/S1?step=4#step-4")
        #expect(Links.file.session("S1", step: 4) == "#step-4")
        #expect(Links.file.session("S1") == nil)
        #expect(link(nil, "x") == "x")
        #expect(link("/a?b=\"c\"", "x") == "<a href=\"/a?b=&quot;c&quot;\">x</a>")
    }

    @Test func documentsFoldAndHugeOnesAreText() {
        let document: JSONValue = ["a": ["b": [1, "<i>", true, .null]], "k<": "v"]
        let html = JSONView.html(document, openDepth: 1)
        #expect(html.contains("<details class=\"json\" open><summary>{"))
        #expect(html.contains("&quot;&lt;i&gt;&quot;"))
        #expect(html.contains("<span class=\"k\">&quot;k&lt;&quot;</span>"))
        #expect(!html.contains("<i>"))
        let wide = JSONValue.array((0...JSONView.foldableMembers).map { .number(Double($0)) })
        let text = JSONView.html(wide)
        #expect(text.hasPrefix("<pre class=\"json-root\">") && !text.contains("<details"))
    }
}

/// The lineage graph's layout: layers by derivation, every artifact once, cycles cut.
struct ChainGraphTests {
    let temporary: TemporaryStore
    var store: Store { temporary.store }

    init() throws { temporary = try TemporaryStore() }

    func put(_ n: Int, parents: [ArtifactID] = [], to consumers: [String] = []) throws -> ArtifactID {
        try store.put(
            [
                "schema": "handoff-request-v1", "task": .string("task \(n)"),
                "expected_schema": "work-log-v1",
                "priority": "normal",
            ],
            from: "bot\(n)", to: consumers, parents: parents
        ).id
    }

    @Test func layersFollowTheLongestDerivation() throws {
        let root = try put(1, to: ["bot2", "bot3"])
        let left = try put(2, parents: [root])
        let right = try put(3, parents: [root], to: ["bot4"])
        let join = try put(4, parents: [left, right])
        let late = try put(5, parents: [root, join])
        let chain = try store.chain(of: root)
        let placement = ChainGraph.place(chain)
        #expect(placement.position[root]?.layer == 0)
        #expect(placement.position[left]?.layer == 1 && placement.position[right]?.layer == 1)
        #expect(placement.position[join]?.layer == 2)
        // Derived from the root and from the join: below the join, not beside the first children.
        #expect(placement.position[late]?.layer == 3)
        #expect(placement.layers.joined().count == 5)
        let svg = ChainGraph.svg(chain, links: .server)
        #expect(svg.components(separatedBy: "<g class=\"node").count - 1 == 5)
        #expect(svg.components(separatedBy: "class=\"edge\"").count - 1 == chain.edges.count)
        // The edge into the artifact bot4 made from `right` is labelled with the handoff that led there.
        #expect(svg.contains("→ bot4 · pending"))
        #expect(svg.contains("href=\"/artifacts/\(root)\""))
    }

    @Test func exportsHoldEverythingTheyLinkTo() throws {
        let root = try put(1, to: ["bot2"])
        let child = try put(2, parents: [root])
        let html = Export.chain(try store.chain(of: child))
        #expect(html.contains("<style>") && !html.contains("<script") && !html.contains("<link"))
        for id in [root, child] {
            #expect(html.contains("href=\"#\(Links.anchor(id))\""))
            #expect(html.contains("id=\"\(Links.anchor(id))\""))
        }
    }
}

/// Timeline rows: what each mark says.
struct SessionViewTests {
    func entry(
        _ step: Int, _ level: LogLevel, bot: String = "a", category: String = "c", details: JSONObject = [:]
    )
        -> WorkLogEntry
    {
        var entry = WorkLogEntry(level: level, category: category, message: "m\(step)", details: details)
        entry.step = step
        entry.botName = bot
        return entry
    }

    @Test func aCorrectionLinksToWhatItCorrects() {
        let entries = [
            entry(1, .decision, category: "routing"), entry(2, .thinking, category: "memory"),
            entry(3, .decision, bot: "b", category: "routing"),
            // The same bot's last step in its category.
            entry(4, .correction, category: "routing"),
            // No earlier step in its category: the same bot's last step.
            entry(5, .correction, category: "other"),
            // Said outright.
            entry(6, .correction, category: "routing", details: ["corrects": 2]),
            // A step it cannot correct (not earlier) is not taken from details.
            entry(7, .correction, bot: "b", category: "routing", details: ["corrects": 9]),
            // A bot with nothing earlier corrects nothing.
            entry(8, .correction, bot: "c"),
        ]
        #expect(SessionView.corrections(in: entries) == [4: 1, 5: 2, 6: 2, 7: 3])
    }
}
