import Foundation
import HandoffTesting
import Testing

/// The hot commands read their arguments without swift-argument-parser. Both ways must answer every command
/// line alike: the same standard output, standard error and exit status, on the same store. Each line runs
/// twice on two copies of one store, once as usual and once with `HANDOFF_NO_FAST_PATH` set; what may
/// differ between two runs (fresh handoff ids, times, receipt tokens) is masked before comparing.
struct FastPathTests {
    let scratch = Scratch()

    static let scan =
        #"{"schema": "security-scan-v1", "skill_name": "x-bookmarks", "risk_score": 15, "passed": false, "status": "needs_review", "findings": [], "critical_count": 0, "high_count": 0, "medium_count": 0, "low_count": 0, "next_actions": ["manual_review"]}"#

    /// Command lines, with `STORE`, `ID` (an artifact), `HANDOFF` and `RECEIPT` (of a claimed handoff)
    /// filled in.
    static let lines: [[String]] = [
        ["--version"],
        ["inbox", "reviewer", "--store", "STORE"], ["inbox", "reviewer", "--json", "--store=STORE"],
        ["inbox", "reviewer", "--limit", "1", "--store", "STORE"],
        ["inbox", "reviewer", "--limit", "0", "--store", "STORE"],
        ["inbox", "reviewer", "--offset", "1", "--json", "--store", "STORE"],
        ["inbox", "reviewer", "--state", "claimed", "--state", "pending", "--store", "STORE"],
        ["inbox", "reviewer", "--state", "nonsense", "--store", "STORE"],
        ["inbox", "reviewer", "--action", "manual_review", "--json", "--store", "STORE"],
        ["inbox", "reviewer", "--since", "1d", "--store", "STORE"],
        ["inbox", "reviewer", "--since", "soon", "--store", "STORE"],
        ["inbox", "nobody", "--store", "STORE"], ["inbox", "bad name", "--store", "STORE"],
        ["inbox", "--store", "STORE"],
        ["inbox", "reviewer", "--store", "STORE/missing"],
        ["inbox", "reviewer", "extra", "--store", "STORE"],
        ["inbox", "reviewer", "--bogus", "--store", "STORE"], ["inbox", "reviewer", "-h"],
        ["get", "ID", "--store", "STORE"], ["get", "ID", "--meta", "--pretty", "--store", "STORE"],
        ["get", "IDPREFIX", "--json", "--store", "STORE"], ["get", "xxh128:zz", "--store", "STORE"],
        ["get", "0123456789abcdef", "--store", "STORE"], ["get", "--store", "STORE"],
        ["next", "ID", "--store", "STORE"], ["next", "ID", "--json", "--store", "STORE"],
        ["next", "HANDOFF", "--store", "STORE"],
        ["show", "ID", "--store", "STORE"], ["show", "HANDOFF", "--json", "--store", "STORE"],
        ["show", "01JD3XQ2K8B6W5N2M7T4R9C1ZP", "--store", "STORE"],
        ["put", "SCANFILE", "--from", "scanner", "--store", "STORE"],
        ["put", "SCANFILE", "--from", "scanner", "--to", "a", "--to", "b", "--json", "--store", "STORE"],
        ["put", "SCANFILE", "--from", "scanner", "--parent", "ID", "--workflow", "wf", "--store", "STORE"],
        ["put", "SCANFILE", "--store", "STORE"],
        ["put", "SCANFILE", "--from", "bad name", "--store", "STORE"],
        ["put", "STORE/none.json", "--from", "scanner", "--store", "STORE"],
        ["put", "SCANFILE", "--from", "scanner", "--max-bytes", "10", "--store", "STORE"],
        ["claim", "reviewer", "--store", "STORE"],
        ["claim", "reviewer", "--json", "--lease", "30", "--store", "STORE"],
        ["claim", "nobody", "--json", "--store", "STORE"],
        ["put", "SCANFILE", "--store", "STORE"],
        ["claim", "reviewer", "--max-attempts", "0", "--store", "STORE"],
        ["ack", "RECEIPT", "--store", "STORE"],
        ["ack", "RECEIPT", "--outcome", "blocked", "--note", "why", "--json", "--store", "STORE"],
        ["ack", "RECEIPT", "--outcome", "maybe", "--store", "STORE"],
        ["ack", "not-a-receipt", "--store", "STORE"],
        ["release", "RECEIPT", "--delay", "60", "--store", "STORE"],
        ["release", "RECEIPT", "--delay", "-1", "--store", "STORE"],
        ["extend", "RECEIPT", "--lease", "90", "--json", "--store", "STORE"],
        ["extend", "RECEIPT", "--store", "STORE"],
    ]

    /// The lines the fast path leaves to ArgumentParser, to answer as it would: help, short and unknown
    /// options, a missing positional or required option, an extra positional, a value it would refuse. Every
    /// other line takes the fast path.
    static let leftToArgumentParser: [[String]] = [
        ["inbox", "reviewer", "--limit", "0", "--store", "STORE"],
        ["inbox", "reviewer", "--state", "nonsense", "--store", "STORE"],
        ["inbox", "reviewer", "--since", "soon", "--store", "STORE"],
        ["inbox", "--store", "STORE"],
        ["inbox", "reviewer", "extra", "--store", "STORE"],
        ["inbox", "reviewer", "--bogus", "--store", "STORE"], ["inbox", "reviewer", "-h"],
        ["get", "--store", "STORE"],
        ["put", "SCANFILE", "--store", "STORE"],
        ["claim", "reviewer", "--max-attempts", "0", "--store", "STORE"],
        ["ack", "RECEIPT", "--outcome", "maybe", "--store", "STORE"],
        ["release", "RECEIPT", "--delay", "-1", "--store", "STORE"],
        ["extend", "RECEIPT", "--store", "STORE"],
    ]

    /// A store with two handoffs for the reviewer, one of them claimed; the values the lines refer to.
    func prepare() throws -> [String: String] {
        let file = scratch.write("scan.json", Self.scan)
        let put = try HandoffProcess.run(
            ["put", file, "--from", "scanner", "--to", "reviewer", "--store", scratch.store])
        let id = put.output.trimmingCharacters(in: .newlines)
        _ = try HandoffProcess.run(
            [
                "put", file, "--from", "scanner", "--to", "reviewer", "--workflow", "second", "--store",
                scratch.store,
            ])
        let claim = try #require(
            try HandoffProcess.run(["claim", "reviewer", "--json", "--store", scratch.store]).json()
                as? [String: Any])
        let receipt = try #require(claim["receipt"] as? String)
        return [
            "ID": id, "IDPREFIX": String(id.dropFirst(7).prefix(12)), "RECEIPT": receipt,
            "HANDOFF": String(receipt.prefix(26)), "SCANFILE": file,
        ]
    }

    /// Output with what differs between two runs masked: handoff ids, times, receipt tokens, the copy's
    /// folder name.
    static func masked(_ text: String, copy: String) -> String {
        var text = text.replacingOccurrences(of: copy, with: "STORE")
        let patterns = [
            #"[0-9A-HJKMNP-TV-Z]{26}(\.[0-9]+\.[0-9a-f]{32})?"#,
            #"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"#,
            // A copy's PostgreSQL schema, where a line names a path under the store.
            #"schema=t_[0-9a-z]+"#,
        ]
        for pattern in patterns {
            text = text.replacingOccurrences(of: pattern, with: "<masked>", options: .regularExpression)
        }
        return text
    }

    /// A fresh copy of the prepared store for one run of a line: a copy of its folder, or on PostgreSQL a
    /// schema `handoff copy` fills.
    func copyOfTheStore(_ name: String) throws -> String {
        guard case .postgresql(let url) = TestBackend.current else {
            let copy = scratch.path + "/" + name
            try? FileManager.default.removeItem(atPath: copy)
            try FileManager.default.copyItem(atPath: scratch.store, toPath: copy)
            return copy
        }
        let copy = TestBackend.freshSchema(in: url)
        let copied = try HandoffProcess.run(["copy", "--store", scratch.store, "--to", copy])
        #expect(copied.status == 0, "\(copied.stderr)")
        return copy
    }

    @Test func bothWaysOfReadingArgumentsAnswerAlike() throws {
        let values = try prepare()
        var compared = 0
        for line in Self.lines {
            var results: [(status: Int32, stdout: String, stderr: String)] = []
            for fast in [true, false] {
                let copy = try copyOfTheStore("copy-\(fast)")
                defer { TestBackend.remove(copy) }
                let arguments = line.map { argument in
                    var argument = argument
                    for (key, value) in values.sorted(by: { $0.key.count > $1.key.count }) {
                        argument = argument.replacingOccurrences(of: key, with: value)
                    }
                    return argument.replacingOccurrences(of: "STORE", with: copy)
                }
                let report = scratch.path + "/fast-path-\(fast)"
                try? FileManager.default.removeItem(atPath: report)
                var environment = ["HANDOFF_FAST_PATH_REPORT": report]
                if !fast { environment["HANDOFF_NO_FAST_PATH"] = "1" }
                let result = try HandoffProcess.run(arguments, environment: environment, timeLimit: 60)
                let taken = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
                // The plain lines take the fast path, and nothing takes it when it is switched off: else the
                // comparison would hold ArgumentParser up against itself.
                if fast && !Self.leftToArgumentParser.contains(line) && line != ["--version"] {
                    #expect(taken == line[0] + "\n", "\(line) did not take the fast path")
                } else {
                    #expect(taken.isEmpty, "\(line) took the fast path (\(fast ? "on" : "off"))")
                }
                results.append(
                    (
                        result.status, Self.masked(result.output, copy: copy),
                        Self.masked(result.stderr, copy: copy)
                    ))
            }
            compared += 1
            #expect(results[0].status == results[1].status, "exit status of \(line)")
            #expect(results[0].stdout == results[1].stdout, "standard output of \(line)")
            #expect(results[0].stderr == results[1].stderr, "standard error of \(line)")
        }
        #expect(compared == Self.lines.count)
    }
}
