import Foundation
import HandoffTesting
import Testing

/// `handoff validate` and `handoff schema`, as a user runs them.
struct SchemaCLITests {
    let scratch = Scratch()

    func handoff(_ arguments: [String], stdin: String? = nil) throws -> HandoffProcess.Result {
        try HandoffProcess.run(arguments + ["--store", scratch.store], stdin: stdin.map { Data($0.utf8) })
    }

    func sample(_ relative: String) -> String { HandoffProcess.samples.appendingPathComponent(relative).path }

    @Test func validateSaysWhichAreValidAndExitsByTheWorst() throws {
        let valid = try handoff([
            "validate", sample("valid/work-log-v1/bookmark-analysis.json"),
            sample("valid/security-scan-v1/x-bookmarks.json"),
        ])
        #expect(valid.status == 0)
        #expect(
            valid.output.contains(
                "valid    \(sample("valid/work-log-v1/bookmark-analysis.json")) (work-log-v1)"))
        #expect(valid.output.hasSuffix("2 of 2 valid.\n"))
        let invalid = try handoff([
            "validate", sample("valid/work-log-v1/bookmark-analysis.json"),
            sample("invalid/work-log-v1/confidence-above-one.json"),
        ])
        #expect(invalid.status == 1)
        #expect(
            invalid.output.contains(
                "invalid  \(sample("invalid/work-log-v1/confidence-above-one.json")) (work-log-v1)\n  /decisions/2/confidence: 1.7 is greater than the maximum 1\n"
            ))
        let unreadable = try handoff(
            ["validate", sample("invalid/work-log-v1/confidence-above-one.json")], stdin: nil)
        #expect(unreadable.status == 1)
        let notJSON = try handoff(["validate"], stdin: "{nope")
        #expect(notJSON.status == 65)
        #expect(notJSON.output.contains("unreadable standard input: line 1, column 2"))
        let unknown = try handoff(["validate"], stdin: #"{"schema": "code-review-v1"}"#)
        #expect(unknown.status == 65)
        #expect(unknown.output.contains(#"unknown schema "code-review-v1""#))
        #expect(!(try TestBackend.somethingIsAt(scratch.store)), "validating needs no store")
    }

    @Test func validateJSONGivesTheBasicOutputShape() throws {
        let result = try handoff([
            "validate", "--json", sample("invalid/security-scan-v1/risk-score-over-100.json"),
        ])
        #expect(result.status == 1)
        let report = try #require(try result.json() as? [String: Any])
        #expect(report["valid"] as? Bool == false)
        let first = try #require((report["results"] as? [[String: Any]])?.first)
        #expect(first["schema"] as? String == "security-scan-v1")
        let errors = try #require(first["errors"] as? [[String: String]])
        #expect(
            errors == [
                [
                    "instanceLocation": "/risk_score", "keywordLocation": "/properties/risk_score/maximum",
                    "absoluteKeywordLocation":
                        "urn:handoff:schema:security-scan-v1#/properties/risk_score/maximum",
                    "keyword": "maximum", "message": "150 is greater than the maximum 100",
                ]
            ])
    }

    @Test func validateJSONLinesAndAFixedSchema() throws {
        let lines = try handoff(["validate", "--jsonl", sample("jsonl/bookmarks.jsonl")])
        #expect(lines.status == 0)
        #expect(lines.output.hasSuffix("20 of 20 valid.\n"))
        #expect(lines.output.contains("\(sample("jsonl/bookmarks.jsonl")) line 20"))
        let mismatch = try handoff([
            "validate", "--schema", "tool-result-v1", sample("valid/work-log-v1/bookmark-analysis.json"),
        ])
        #expect(mismatch.status == 1)
        #expect(
            mismatch.output.contains(#"/schema: "work-log-v1" is not the constant "tool-result-v1""#)
                || mismatch.output.contains("/schema:"))
        let byFile = try handoff([
            "validate", "--schema", "Schemas/nope.json", sample("valid/work-log-v1/bookmark-analysis.json"),
        ])
        #expect(byFile.status == 66)
        #expect(
            byFile.stderr.hasPrefix(
                #"handoff: --schema "Schemas/nope.json" is neither a known schema nor a file"#))
    }

    @Test func refsResolveFromLocalFiles() throws {
        let repository = scratch.path + "/schemas"
        try FileManager.default.createDirectory(
            atPath: repository + "/bots", withIntermediateDirectories: true)
        _ = scratch.write(
            "schemas/bots/verdict.json",
            #"{"$id": "https://schemas.example.com/bots/verdict.json", "enum": ["approve", "reject"]}"#)
        let schema = scratch.write(
            "review-v1.schema.json",
            #"{"$id": "urn:handoff:schema:review-v1", "type": "object", "properties": {"schema": {"const": "review-v1"}, "verdict": {"$ref": "https://schemas.example.com/bots/verdict.json"}}}"#
        )
        let good = scratch.write("good.json", #"{"schema": "review-v1", "verdict": "approve"}"#)
        let bad = scratch.write("bad.json", #"{"schema": "review-v1", "verdict": "maybe"}"#)
        let resolve = ["--resolve", "https://schemas.example.com/=\(repository)"]
        #expect(try handoff(["validate", "--schema", schema] + resolve + [good]).status == 0)
        let refused = try handoff(["validate", "--schema", schema] + resolve + [bad])
        #expect(refused.status == 1)
        #expect(refused.output.contains(#"/verdict: "maybe" is not one of "approve", "reject""#))
        let unresolved = try handoff(["validate", "--schema", schema, good])
        #expect(unresolved.status == 65)
        #expect(unresolved.stderr.contains("https://schemas.example.com/bots/verdict.json"))
        let check = try handoff(["schema", "check", schema] + resolve)
        #expect(check.status == 0)
        #expect(check.output.contains("is a valid JSON Schema (urn:handoff:schema:review-v1)"))
    }

    @Test func schemaLsShowAddAndCheck() throws {
        let list = try handoff(["schema", "ls", "--json"])
        let names = try #require((try list.json() as? [String: Any])?["schemas"] as? [[String: Any]]).map {
            $0["name"] as? String
        }
        #expect(
            names == [
                "escalation-v1", "handoff-request-v1", "insight-v1", "security-scan-v1", "tool-result-v1",
                "work-log-entry-v1", "work-log-v1", "work-session-v1",
            ])
        let show = try handoff(["schema", "show", "work-log-v1", "--json"])
        let shown = try #require(try show.json() as? [String: Any])
        #expect(shown["$id"] as? String == "urn:handoff:schema:work-log-v1")
        let onDisk =
            try JSONSerialization.jsonObject(
                with: Data(
                    contentsOf: HandoffProcess.repositoryRoot.appendingPathComponent(
                        "Schemas/work-log-v1.schema.json"))) as? [String: Any]
        #expect(
            NSDictionary(dictionary: shown) == NSDictionary(dictionary: onDisk ?? [:]),
            "the built-in schema is Schemas/ as it is")
        #expect(try handoff(["schema", "show", "nope-v1"]).status == 66)

        let schema = scratch.write(
            "code-review-v1.schema.json",
            #"{"$id": "urn:handoff:schema:code-review-v1", "type": "object", "required": ["verdict"], "properties": {"schema": {"const": "code-review-v1"}, "verdict": {"enum": ["approve", "request_changes"]}}, "x-handoff-next-actions": ["/followups"]}"#
        )
        let add = try handoff(["schema", "add", schema])
        #expect(add.status == 0)
        #expect(add.output.hasPrefix("Added code-review-v1 (xxh128:"))
        #expect(
            try handoff(["schema", "add", schema]).output
                == "code-review-v1 is already registered with the same content.\n")
        let put = try handoff(
            ["put", "--from", "reviewer", "--to", "coder"],
            stdin: #"{"schema": "code-review-v1", "verdict": "approve", "followups": ["add_tests"]}"#)
        #expect(put.status == 0, "\(put.stderr)")
        let next = try #require(
            try handoff(["next", put.output.trimmingCharacters(in: .newlines), "--json"]).json()
                as? [String: Any])
        #expect((next["next_actions"] as? [[String: Any]])?.map { $0["action"] as? String } == ["add_tests"])
        let refused = try handoff(
            ["put", "--from", "reviewer"], stdin: #"{"schema": "code-review-v1", "verdict": "maybe"}"#)
        #expect(refused.status == 65)
        #expect(
            refused.stderr.hasPrefix(
                #"handoff: standard input is not a valid code-review-v1 artifact: /verdict: "maybe" is not one of "approve", "request_changes""#
            ))

        let changed = scratch.write(
            "changed.json", #"{"$id": "urn:handoff:schema:code-review-v1", "type": "object"}"#)
        let conflict = try handoff(["schema", "add", changed])
        #expect(conflict.status == 65)
        #expect(conflict.stderr.contains("schema code-review-v1 is already registered with other content"))
        #expect(conflict.stderr.contains("hint: publish the change as a new version, such as code-review-v2"))

        let broken = scratch.write(
            "broken.json",
            #"{"$id": "urn:handoff:schema:broken-v1", "properties": {"n": {"minimum": "one"}}}"#)
        let check = try handoff(["schema", "check", broken])
        #expect(check.status == 1)
        #expect(check.output.contains("/properties/n/minimum"))
        #expect(try handoff(["schema", "add", broken]).status == 65)
        let listed = try #require(
            (try handoff(["schema", "ls", "--json"]).json() as? [String: Any])?["schemas"] as? [[String: Any]]
        )
        #expect(listed.map { $0["name"] as? String }.contains("code-review-v1"))
        #expect(!listed.map { $0["name"] as? String }.contains("broken-v1"))
        #expect(try handoff(["schema", "check", "-"], stdin: "not json").status == 65)
    }

    @Test func putRefusesInvalidArtifactsAndSaysWhy() throws {
        let result = try handoff([
            "put", sample("invalid/tool-result-v1/bad-input-timestamp.json"), "--from", "a",
        ])
        #expect(result.status == 65)
        #expect(
            result.stderr.hasPrefix(
                "handoff: \(sample("invalid/tool-result-v1/bad-input-timestamp.json")) is not a valid tool-result-v1 artifact: /input/timestamp:"
            ))
        #expect(!(try TestBackend.somethingIsAt(scratch.store)))
        let skipped = try handoff([
            "put", sample("invalid/tool-result-v1/bad-input-timestamp.json"), "--from", "a", "--no-validate",
            "--json",
        ])
        #expect(skipped.status == 0)
        let id = try #require(
            ((try skipped.json() as? [String: Any])?["artifact"] as? [String: Any])?["id"] as? String)
        let show = try #require(try handoff(["show", id, "--json"]).json() as? [String: Any])
        #expect((show["artifact"] as? [String: Any])?["validated"] as? Bool == false)
        #expect(try handoff(["show", id]).output.contains("(stored without validation)"))
    }
}
