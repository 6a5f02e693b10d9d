import Foundation
import HandoffKit
import HandoffTesting
import Testing

/// Edge cases a review found, each a test that failed before its fix.
struct EdgeCaseCLITests {
    let scratch = Scratch()

    func handoff(_ arguments: [String], stdin: Data? = nil) throws -> HandoffProcess.Result {
        try HandoffProcess.run(arguments + ["--store", scratch.store], stdin: stdin)
    }

    static let toolResult =
        #"{"schema": "tool-result-v1", "tool": "bird", "input": {"args": [], "kwargs": {}}, "status": "success", "duration_ms": 1}"#

    /// More than a pipe's 64 KiB of JSON Lines, read with no size limit.
    @Test func largePipedJSONLinesAreRead() throws {
        let lines = (0..<3_000).map {
            #"{"schema": "tool-result-v1", "tool": "bird", "input": {"args": [\#($0)], "kwargs": {}}, "status": "success", "duration_ms": 1}"#
        }
        let input = Data((lines.joined(separator: "\n") + "\n").utf8)
        #expect(input.count > 200_000)
        let validated = try handoff(["validate", "--jsonl"], stdin: input)
        #expect(validated.status == 0, "\(validated.stderr)")
        #expect(validated.output.hasSuffix("3000 of 3000 valid.\n"))
        let imported = try handoff(["import", "-", "--from", "p", "--json"], stdin: input)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect((try imported.json() as? [String: Any])?["imported"] as? Int == 3_000)
    }

    @Test func outOfRangeTimesAreUsageErrors() throws {
        let timeout = try handoff(["stats", "--busy-timeout", "3000000"])
        #expect(timeout.status == 64)
        #expect(timeout.stderr.hasPrefix("handoff: --busy-timeout must be 0 to 86400 seconds"))
        _ = try handoff(["put", "--from", "p", "--to", "c"], stdin: Data(Self.toolResult.utf8))
        let lease = try handoff(["claim", "c", "--lease", "0.0001"])
        #expect(lease.status == 64)
        #expect(
            lease.stderr.hasPrefix(
                "handoff: the lease must be 0.001 to 31536000 seconds (a year), not 0.0001"))
        #expect(try handoff(["inbox", "c"]).output.contains("from p"), "a refused claim takes nothing")
        let directory = try handoff(["put", scratch.path, "--from", "p"])
        #expect(directory.status == 64)
        #expect(directory.stderr == "handoff: \(scratch.path) is a directory, not a file\n")
    }

    @Test func aClaimWhoseReceiptCannotBeShownIsGivenBack() throws {
        let id = try handoff(["put", "--from", "p", "--to", "c"], stdin: Data(Self.toolResult.utf8)).output
            .trimmingCharacters(in: .newlines)
        let handoffID = try #require(
            ((try handoff(["inbox", "c", "--json"]).json() as? [String: Any])?["handoffs"] as? [[String: Any]])?
                .first.flatMap { ($0["handoff"] as? [String: Any])?["id"] as? String })
        // Standard output is a full disk.
        let full = try HandoffProcess.shell(
            "\"\(HandoffProcess.executable.path)\" claim c --json --store \"\(scratch.store)\" > /dev/full")
        #expect(full.status == 74)
        // With --json, the error is one JSON object on standard error.
        let error = try #require(
            (try JSONSerialization.jsonObject(with: Data(full.stderr.utf8)) as? [String: Any])?["error"]
                as? [String: Any])
        #expect(error["code"] as? String == "io")
        #expect(
            error["message"] as? String
                == "cannot write to standard output: No space left on device; handoff \(handoffID) went back to c's inbox"
        )
        func pending() throws -> [[String: Any]] {
            try #require(
                (try handoff(["inbox", "c", "--json"]).json() as? [String: Any])?["handoffs"]
                    as? [[String: Any]])
        }
        #expect(try pending().count == 1, "the handoff went back to the inbox")
        #expect(
            (try pending().first?["handoff"] as? [String: Any])?["attempts"] as? Int == 0,
            "a claim nobody saw is not an attempt")
        // More closed outputs than the attempts a handoff gets: a full disk, and a pipe nobody reads.
        for attempt in 0..<6 {
            if attempt % 2 == 0 {
                #expect(
                    try HandoffProcess.shell(
                        "\"\(HandoffProcess.executable.path)\" claim c --store \"\(scratch.store)\" > /dev/full"
                    ).status == 74)
            } else {
                let process = ChildProcess()
                process.executableURL = HandoffProcess.executable
                process.arguments = ["claim", "c", "--json", "--store", scratch.store]
                let closed = Pipe()
                process.standardOutput = closed
                process.standardError = FileHandle.nullDevice
                try closed.fileHandleForReading.close()
                try process.run()
                process.waitUntilExit()
                #expect(process.terminationReason == .exit && process.terminationStatus == 74)
            }
        }
        #expect(try pending().count == 1, "never dead-lettered: nobody ever saw it")
        #expect((try pending().first?["handoff"] as? [String: Any])?["attempts"] as? Int == 0)
        let shown = try #require(try handoff(["show", handoffID, "--json"]).json() as? [String: Any])
        let kinds = (shown["events"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
        #expect(kinds == Array(repeating: ["claimed", "returned"], count: 7).flatMap { $0 })

        // Its object is damaged: the claim fails, and gives the handoff back.
        try TestBackend.replaceObject(id, with: Array("{}".utf8), in: scratch.store)
        let damaged = try handoff(["claim", "c"])
        #expect(damaged.status == 74)
        #expect(try handoff(["inbox", "c", "--json"]).output.contains("\"state\":\"pending\""))
    }

    @Test func workGivesBackWhatItCannotRun() throws {
        _ = try handoff(["put", "--from", "p", "--to", "c"], stdin: Data(Self.toolResult.utf8))
        let result = try HandoffProcess.run([
            "work", "c", "--store", scratch.store, "--", "/nonexistent/command",
        ])
        #expect(result.status == 66)
        #expect(result.stderr.hasPrefix("handoff: cannot run /nonexistent/command"))
        let pending = try #require(
            (try handoff(["inbox", "c", "--json"]).json() as? [String: Any])?["handoffs"] as? [[String: Any]])
        #expect(pending.count == 1)
        let retry = try HandoffProcess.run([
            "work", "c", "--retry-delay", "40000000", "--store", scratch.store, "--", "true",
        ])
        #expect(retry.status == 64)
    }

    @Test func importNoValidateStoresWhatValidationWouldRefuse() throws {
        let input = Data(#"{"schema": "tool-result-v1", "tool": "bird"}"#.utf8)
        #expect(try handoff(["import", "-", "--from", "p"], stdin: input).status == 1)
        #expect(
            !(try TestBackend.somethingIsAt(scratch.store)), "nothing valid, so no store was created")
        let skipped = try handoff(["import", "-", "--from", "p", "--no-validate", "--json"], stdin: input)
        #expect(skipped.status == 0)
        #expect((try skipped.json() as? [String: Any])?["imported"] as? Int == 1)
        let listed = try #require(
            (try handoff(["ls", "--json"]).json() as? [String: Any])?["artifacts"] as? [[String: Any]])
        #expect(listed.first?["validated"] as? Bool == false)
    }

    @Test func refusedSchemasCreateNoStore() throws {
        let bad = scratch.write("bad.json", #"{"$id": "https://example.com/x.json"}"#)
        #expect(try handoff(["schema", "add", bad]).status == 65)
        let builtIn = scratch.write("w.json", #"{"$id": "urn:handoff:schema:work-log-v1", "type": "object"}"#)
        let changed = try handoff(["schema", "add", builtIn])
        #expect(changed.status == 65)
        #expect(
            changed.stderr.contains("work-log-v1 is a built-in schema, and a released version never changes"))
        #expect(!(try TestBackend.somethingIsAt(scratch.store)))
    }

    @Test func aStoreLocalSchemaWhoseObjectIsLostIsDamage() throws {
        let schema = scratch.write("r.json", #"{"$id": "urn:handoff:schema:review-v1", "type": "object"}"#)
        let added = try #require(try handoff(["schema", "add", schema, "--json"]).json() as? [String: Any])
        let id = try #require(added["id"] as? String)
        #expect(try handoff(["verify"]).status == 0)
        try TestBackend.removeObject(id, in: scratch.store)
        let verify = try handoff(["verify"])
        #expect(verify.status == 1)
        #expect(verify.output.contains("missing: \(id): indexed, but its object"))
        let put = try handoff(["put", "--from", "p"], stdin: Data(#"{"schema": "review-v1"}"#.utf8))
        #expect(put.status == 74)
        #expect(put.stderr.hasPrefix("handoff: a registered schema's object cannot be read"))
    }

    @Test func routingRespectsLeasesAndFinishedHandoffs() throws {
        _ = try handoff(["put", "--from", "p", "--to", "c"], stdin: Data(Self.toolResult.utf8))
        let claim = try #require(try handoff(["claim", "c", "--json"]).json() as? [String: Any])
        let receipt = try #require(claim["receipt"] as? String)
        let id = String(receipt.prefix(26))
        let refused = try handoff(["route", id, "--to", "d"])
        #expect(refused.status == 3)
        #expect(refused.stderr.hasPrefix("handoff: handoff \(id) is claimed until "))
        let routed = try handoff(["route", id, "--to", "d", "--receipt", receipt, "--json"])
        #expect(routed.status == 0, "\(routed.stderr)")
        #expect(try handoff(["ack", receipt]).status == 3, "the route ended the lease")

        // A blocked handoff keeps its reason when routed on, and is not retried afterwards.
        let second = try handoff(
            ["put", "--from", "p", "--to", "e", "--workflow", "w"], stdin: Data(Self.toolResult.utf8))
        #expect(second.status == 0)
        let other = try #require(try handoff(["claim", "e", "--json"]).json() as? [String: Any])
        let otherReceipt = try #require(other["receipt"] as? String)
        #expect(
            try handoff(["ack", otherReceipt, "--outcome", "blocked", "--note", "needs the password policy"])
                .status == 0)
        let blockedID = String(otherReceipt.prefix(26))
        #expect(try handoff(["route", blockedID, "--to", "security"]).status == 0)
        let shown = try #require(try handoff(["show", blockedID, "--json"]).json() as? [String: Any])
        let blocked = try #require(shown["handoff"] as? [String: Any])
        #expect(blocked["state"] as? String == "blocked")
        #expect(blocked["note"] as? String == "needs the password policy")
        #expect((shown["events"] as? [[String: Any]])?.last?["kind"] as? String == "routed")
        let retry = try handoff(["retry", blockedID])
        #expect(retry.status == 3)
        #expect(retry.stderr.contains("was routed on as handoff"))
    }
}
