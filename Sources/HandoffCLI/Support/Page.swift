import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffWorkLog

/// One page of a listing: what is shown, and whether and where it goes on.
///
/// Listings fetch one more than `--limit` asks for; that extra row only tells that the listing was cut.
/// `--json` says so as `truncated` and `next_offset` (the `--offset` that shows the next page, null on
/// the last one); text mode prints the same as a dim line after the table.
struct Page<Element> {
    var shown: [Element]
    var truncated: Bool
    /// The `--offset` of the next page, when there is one.
    var nextOffset: Int?

    /// - Parameter found: up to `limit + 1` rows, starting at `offset`.
    init(_ found: some Collection<Element>, limit: Int, offset: Int) {
        shown = Array(found.prefix(limit))
        truncated = found.count > limit
        nextOffset = truncated ? Paging.nextOffset(offset, shown: shown.count) : nil
    }

    /// The listing's JSON document: `items` under `key`, plus `truncated` and `next_offset`.
    func json(_ key: String, _ items: [JSONValue], _ more: JSONObject = [:]) -> JSONValue {
        Paging.json(key, shown: items, nextOffset: nextOffset, more)
    }

    /// Prints, after a text listing, the command that shows the next page: this one, with `--offset`.
    func printContinuation() {
        guard let nextOffset else { return }
        var arguments = ["handoff"]
        var rest = CommandLine.arguments.dropFirst()
        while let argument = rest.popFirst() {
            if argument == "--offset" {
                _ = rest.popFirst()
            } else if !argument.hasPrefix("--offset=") {
                // A store's URL is shown without its password.
                let shown =
                    argument.hasPrefix("--store=")
                    ? "--store=" + Store.redacted(String(argument.dropFirst(8))) : Store.redacted(argument)
                arguments.append(Self.shellQuoted(shown))
            }
        }
        arguments += ["--offset", String(nextOffset)]
        Terminal.print(Terminal.dim("… more: " + Display.line(arguments.joined(separator: " "))))
    }

    /// `argument` as a shell reads it back: bare when that is safe, else in single quotes.
    static func shellQuoted(_ argument: String) -> String {
        let safe =
            !argument.isEmpty
            && argument.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"):
                    return true
                default: return "-_./=:,@+%".utf8.contains(byte)
                }
            }
        if safe { return argument }
        return "'"
            + argument.split(separator: "'", omittingEmptySubsequences: false).joined(separator: #"'\''"#)
            + "'"
    }
}

/// The help of every listing's `--offset`.
let offsetHelp = "Skip this many first (to continue a listing that was cut)."

/// Checks a listing's `--limit` and `--offset`.
func validatePage(limit: Int, offset: Int) throws {
    guard limit > 0 else { throw ValidationError("--limit must be positive") }
    guard offset >= 0 else { throw ValidationError("--offset must be 0 or more") }
}
