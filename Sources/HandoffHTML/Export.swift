import HandoffKit
import HandoffWorkLog

/// One self-contained HTML file for a pull request or a ticket: `handoff explain --format html` and
/// `handoff chain ID --format html`. The same look as `handoff ui`, its stylesheet inside, no script and
/// nothing fetched.
public enum Export {
    /// A session's whole timeline (and its conversation, when bots talked to each other).
    public static func session(_ explained: ExplainedSession, confidenceThreshold: Double) -> String {
        let context = SessionView.Context(explained, threshold: confidenceThreshold, links: .file)
        var body = SessionView.header(explained, links: .file, live: false)
        body += SessionView.overview(explained, context: context)
        if explained.entries.contains(where: { $0.isBotConversation || $0.level == .coordination }) {
            body += "<h2>Conversation</h2>" + SessionView.conversation(explained, links: .file)
        }
        body += "<h2>Timeline</h2>"
        body += SessionView.table(
            SessionView.rows(explained.entries, explained.entries.indices, context: context))
        body += "<p class=\"muted\">Exported by handoff \(HandoffVersion.current).</p>"
        return Layout.page(
            title: "Session \(explained.info.start.workspace)", body: body, assets: .inline)
    }

    /// A chain's graph, its text form and a card for each artifact the graph links to.
    public static func chain(_ chain: Chain) -> String {
        var body = "<h1>Lineage of <span class=\"id\">" + HTML.text(chain.focus.short) + "</span></h1>"
        body += chainBody(chain, links: .file) + "<h2>Artifacts</h2>"
        for node in chain.nodes {
            let info = node.artifact
            body += "<div class=\"panel\" id=\"\(Links.anchor(info.id))\"><div><span class=\"id\">"
            body += HTML.text(info.id.description) + "</span></div><div>" + HTML.text(info.schema) + " · by "
            body +=
                HTML.text(info.producer) + " · " + HTML.text(info.createdAt.description)
                + " · \(info.size) bytes"
            body += "</div>"
            for handoff in node.handoffs {
                body += "<div>↳ " + HTML.text(handoff.producer) + " → " + HTML.text(handoff.consumer)
                body +=
                    " <span class=\"pill state-\(handoff.state.rawValue)\">\(handoff.state.rawValue)</span> "
                body += HTML.text(handoff.updatedAt.description)
                if let note = handoff.note { body += " <span class=\"muted\">" + HTML.text(note) + "</span>" }
                body += "</div>"
            }
            body += "</div>"
        }
        body += "<p class=\"muted\">Exported by handoff \(HandoffVersion.current).</p>"
        return Layout.page(title: "Lineage of \(chain.focus.short)", body: body, assets: .inline)
    }

    /// The graph beside the indented text `handoff chain` prints.
    static func chainBody(_ chain: Chain, links: Links) -> String {
        var html = "<div class=\"chain-layout\"><section><h2>Graph</h2>"
        html += ChainGraph.svg(chain, links: links)
        html += "</section><section><h2>As text</h2><pre class=\"panel\" id=\"chain-text\">"
        html += HTML.text(ChainView.text(chain)) + "</pre></section></div>"
        if chain.truncated {
            html += "<p class=\"muted\">More generations lie beyond the depth shown.</p>"
        }
        return html
    }
}
