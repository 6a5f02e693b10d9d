import HandoffJSON

/// How listings page, for the command line and MCP alike: at most `limit` items after skipping `offset`,
/// fetching one more than asked to tell whether the listing was cut.
///
/// Any `limit` and `offset` a user can type are accepted, up to the largest integer: these do the arithmetic
/// without overflowing, so `--limit 9223372036854775807` lists everything instead of trapping.
public enum Paging {
    /// How many items each listing shows unless `--limit` (or an MCP tool's `limit`) says otherwise: one
    /// definition for the command line and the MCP server.
    public enum DefaultLimit {
        /// `ls`, `ls --handoffs`, `inbox`, and the MCP `inbox` tool and resource.
        public static let handoffs = 100
        /// `logs`: the most recent sessions.
        public static let sessions = 20
        /// `how` and its MCP tool: the best matches.
        public static let searchHits = 10
        /// `escalations` and its MCP tool.
        public static let escalations = 100
        /// `insights`.
        public static let insights = 100
        /// `schema ls` and the MCP `list_schemas` tool.
        public static let schemas = 1_000
    }

    /// How many rows a listing of at most `limit` items fetches: one more, to tell whether there are more.
    public static func fetchCount(_ limit: Int) -> Int {
        limit < Int.max ? limit + 1 : limit
    }

    /// A listing's JSON document, as `--json` prints it and the MCP tools answer: the page's `items` under
    /// `key`, `truncated` (whether more follow) and `next_offset` (the offset of the next page, or null), and
    /// the members of `more`.
    /// - Parameter found: up to `limit + 1` items from `offset` (see `fetchCount`); the last only tells that
    ///   there are more.
    public static func json(
        _ key: String, _ found: [JSONValue], limit: Int, offset: Int, _ more: JSONObject = [:]
    ) -> JSONValue {
        let shown = Array(found.prefix(limit))
        let next = found.count > limit ? nextOffset(offset, shown: shown.count) : nil
        return json(key, shown: shown, nextOffset: next, more)
    }

    /// A listing's JSON document from the page already cut: `nextOffset` nil on the last page.
    public static func json(_ key: String, shown: [JSONValue], nextOffset: Int?, _ more: JSONObject = [:])
        -> JSONValue
    {
        var object = more
        object[key] = .array(shown)
        object["truncated"] = .bool(nextOffset != nil)
        object["next_offset"] = nextOffset.map { .number(Double($0)) } ?? .null
        return .object(object)
    }

    /// The offset of the page after one that showed `shown` items from `offset`.
    public static func nextOffset(_ offset: Int, shown: Int) -> Int {
        let (sum, overflow) = offset.addingReportingOverflow(shown)
        return overflow ? Int.max : sum
    }
}
