/// How listings page, for the command line and MCP alike: at most `limit` items after skipping `offset`,
/// fetching one more than asked to tell whether the listing was cut.
///
/// Any `limit` and `offset` a user can type are accepted, up to the largest integer: these do the arithmetic
/// without overflowing, so `--limit 9223372036854775807` lists everything instead of trapping.
public enum Paging {
    /// How many rows a listing of at most `limit` items fetches: one more, to tell whether there are more.
    public static func fetchCount(_ limit: Int) -> Int {
        limit < Int.max ? limit + 1 : limit
    }

    /// The offset of the page after one that showed `shown` items from `offset`.
    public static func nextOffset(_ offset: Int, shown: Int) -> Int {
        let (sum, overflow) = offset.addingReportingOverflow(shown)
        return overflow ? Int.max : sum
    }
}
