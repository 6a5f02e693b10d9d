import Foundation
import Testing

/// Text is kept whole: a NUL inside a string is data like any other character, and a NUL byte in a stream
/// ends what is read without losing what came before it.
struct TextCLITests {
    let scratch = Scratch()

    func handoff(_ arguments: [String], stdin: String? = nil) throws -> HandoffProcess.Result {
        try HandoffProcess.run(
            arguments + ["--store", scratch.store], stdin: stdin.map { Data($0.utf8) }, timeLimit: 60)
    }

    func entries(_ session: String? = nil) throws -> [[String: Any]] {
        let explained = try handoff(
            ["explain", "--mode", "debug", "--json"] + (session.map { ["--session", $0] } ?? []))
        #expect(explained.status == 0, "\(explained.stderr)")
        return try #require((try explained.json() as? [String: Any])?["entries"] as? [[String: Any]])
    }

    @Test func aNULInsideTextIsKept() throws {
        let recorded = try handoff(
            ["log", "record", "--bot", "b", "--query", "q"],
            stdin:
                #"{"level": "error", "message": "before\u0000after", "tool_error": "x\u0000y", "tool_name": "t"}"#
                + "\n")
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let session = recorded.output.trimmingCharacters(in: .newlines)
        let stepwise = try handoff(["log", "start", "--bot", "b", "--query", "q"])
        #expect(stepwise.status == 0)
        let id = stepwise.output.trimmingCharacters(in: .newlines)
        #expect(
            try handoff(["log", "add", id, "--entry", #"{"level": "info", "message": "first\u0000second"}"#])
                .status == 0)
        let kept = try entries(session)
        #expect(kept.first?["message"] as? String == "before\u{0}after")
        #expect(kept.first?["tool_error"] as? String == "x\u{0}y")
        #expect(try entries(id).first?["message"] as? String == "first\u{0}second")
        // The full-text index holds it whole too: the word after the NUL is found.
        let found = try handoff(["how", "second", "--json"])
        #expect(((try found.json() as? [String: Any])?["hits"] as? [Any])?.count == 1, "\(found.output)")
        // And the session's record, once ended, holds it as JSON does: escaped.
        #expect(try handoff(["log", "end", session]).status == 0)
        let record = try #require(
            (try handoff(["logs", "--json"]).json() as? [String: Any]).flatMap {
                ($0["sessions"] as? [[String: Any]])?.first { $0["id"] as? String == session }?["record"]
                    as? String
            })
        let document = try handoff(["get", record])
        #expect(document.output.contains(#""message":"before\u0000after""#), "\(document.output.prefix(400))")
    }

    @Test func aNULByteInAStreamKeepsTheLinesBeforeIt() throws {
        var input = Data(#"{"level": "info", "message": "one"}"#.utf8 + [0x0A])
        input += Data(#"{"level": "info", "message": "two"}"#.utf8 + [0x0A])
        input += Data([0x00, 0x0A])
        input += Data(#"{"level": "info", "message": "three"}"#.utf8 + [0x0A])
        let recorded = try HandoffProcess.run(
            ["log", "record", "--bot", "b", "--query", "q", "--json", "--store", scratch.store], stdin: input)
        #expect(recorded.status == 1, "\(recorded.stderr)")
        let result = try #require(try recorded.json() as? [String: Any])
        #expect(result["recorded"] as? Int == 2)
        let refused = try #require(result["refused"] as? [[String: Any]])
        #expect(refused.count == 1 && refused.first?["line"] as? Int == 3)
        #expect((refused.first?["message"] as? String)?.contains("NUL byte") == true)
        #expect(try entries().map { $0["message"] as? String } == ["one", "two"])
    }
}
