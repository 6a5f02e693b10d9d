/// The frame around every page: the head, the navigation and where the stylesheet and script come from.
public enum Layout {
    /// Where a page's stylesheet and script are.
    public enum Assets: Sendable {
        /// Linked from the server (`/assets/handoff.css`, `/assets/handoff.js`), so that the Content Security
        /// Policy can forbid inline code.
        case served
        /// Written into the page: one file that opens anywhere, with no script.
        case inline
    }

    /// The sections of the UI's navigation.
    public enum Section: String, Sendable, CaseIterable {
        case overview, escalations, insights, search

        var title: String {
            switch self {
            case .overview: "Overview"
            case .escalations: "Escalations"
            case .insights: "Insights"
            case .search: "Search"
            }
        }

        var path: String {
            switch self {
            case .overview: "/"
            default: "/" + rawValue
            }
        }
    }

    /// A whole page: `body` is HTML, already escaped.
    /// - Parameters:
    ///   - section: The navigation's current section (served pages only).
    ///   - bodyAttributes: Attributes of `<body>`, such as `data-live`, already escaped.
    public static func page(
        title: String, body: String, assets: Assets, section: Section? = nil, query: String = "",
        bodyAttributes: String = ""
    ) -> String {
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="same-origin">
            <title>\(HTML.text(title)) · Handoff</title>

            """
        switch assets {
        case .served:
            html += """
                <link rel="stylesheet" href="/assets/handoff.css">
                <script src="/assets/handoff.js" defer></script>
                """
        case .inline:
            html += "<style>\n" + HandoffHTML.Assets.css + "\n</style>"
        }
        html += "</head>\n<body\(bodyAttributes.isEmpty ? "" : " " + bodyAttributes)>\n"
        if case .served = assets {
            html += "<header class=\"top\"><span class=\"brand\">Handoff</span><nav>"
            for item in Section.allCases {
                let current = item == section ? " aria-current=\"page\"" : ""
                html += " <a href=\"\(item.path)\"\(current)>\(item.title)</a> "
            }
            html += """
                </nav><form action="/search" method="get" role="search">\
                <label class="sr" for="q">Search the work logs</label>\
                <input type="search" id="q" name="q" value="\(HTML.attribute(query))" placeholder="how… (search every entry)">\
                </form></header>

                """
        }
        html += "<main>\n" + body + "\n</main>\n</body></html>\n"
        return html
    }
}
