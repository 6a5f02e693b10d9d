import Foundation
import HandoffTesting
import Testing

/// Every rejection says what was wrong, where and with which input, exits with the contract's status, and
/// changes nothing.
struct BadInputCLITests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let arguments: [String]
        let stdin: [UInt8]
        let status: Int32
        /// The first line of standard error, with `STORE` standing for the store's path.
        let message: String

        init(_ name: String, _ arguments: [String], stdin: String = "", _ status: Int32, _ message: String) {
            self.init(name, arguments, bytes: Array(stdin.utf8), status, message)
        }

        init(_ name: String, _ arguments: [String], bytes: [UInt8], _ status: Int32, _ message: String) {
            self.name = name
            self.arguments = arguments
            self.stdin = bytes
            self.status = status
            self.message = message
        }

        var testDescription: String { name }
    }

    static let put = ["put", "--from", "scanner", "--to", "reviewer"]

    static let cases: [Case] = [
        Case(
            "not JSON", put, stdin: "scan finished OK", 65,
            #"handoff: standard input: line 1, column 1: invalid literal "scan"; expected a value"#),
        Case(
            "empty input", put, stdin: "", 65,
            "handoff: standard input: line 1, column 1: empty input: expected a JSON document"),
        Case(
            "truncated", put, stdin: "{\"schema\": \"x-v1\",\n \"findings\": [1, 2", 65,
            "handoff: standard input: line 2, column 19: unexpected end of input; expected ',' or ']'"),
        Case(
            "duplicate key", put, stdin: "{\"schema\": \"x-v1\",\n \"step\": 1,\n \"step\": 2}", 65,
            #"handoff: standard input: line 3, column 2: duplicate key "step""#),
        Case(
            "not UTF-8", put, bytes: Array(#"{"schema": "x-v1", "note": "caf"#.utf8) + [0xE9, 0x22, 0x7D], 65,
            "handoff: standard input: line 1, column 32: invalid UTF-8: byte 0x22 after 0xe9 (overlong, surrogate or truncated sequence)"
        ),
        Case(
            "UTF-16", put, bytes: [0xFF, 0xFE] + Array(#"{"schema":"x-v1"}"#.utf8).flatMap { [$0, 0] }, 65,
            "handoff: standard input: line 1, column 1: input is not UTF-8 (it looks like UTF-16 or UTF-32); convert it to UTF-8"
        ),
        Case(
            "byte order mark", put, bytes: [0xEF, 0xBB, 0xBF] + Array(#"{"schema":"x-v1"}"#.utf8), 65,
            "handoff: standard input: line 1, column 1: input starts with a UTF-8 byte order mark, which JSON does not allow; remove it"
        ),
        Case(
            "lone surrogate", put, stdin: #"{"schema": "x-v1", "s": "\ud800"}"#, 65,
            #"handoff: standard input: line 1, column 26: unpaired high surrogate \ud800 in a string: it must be followed by a low surrogate escape"#
        ),
        Case(
            "NaN", put, stdin: #"{"schema": "x-v1", "confidence": NaN}"#, 65,
            #"handoff: standard input: line 1, column 34: invalid literal "NaN"; expected a value"#),
        Case(
            "inexact integer", put, stdin: #"{"schema": "x-v1", "id": 9007199254740993}"#, 65,
            "handoff: standard input: line 1, column 26: integer 9007199254740993 cannot be held exactly by a JSON number (an IEEE double); send it as a string"
        ),
        Case(
            "too large", put + ["--max-bytes", "100"],
            stdin: #"{"schema": "x-v1", "pad": ""# + String(repeating: "x", count: 200) + "\"}", 65,
            "handoff: standard input is larger than the limit of 100 bytes"),
        Case(
            "too deep", put, stdin: #"{"schema": "x-v1", "a": "# + String(repeating: "[", count: 100_000), 65,
            "handoff: standard input: line 1, column 280: nesting is deeper than the limit of 256 levels"),
        Case(
            "too deep for a lowered limit", put + ["--max-depth", "2"],
            stdin: #"{"schema": "x-v1", "a": [[1]]}"#, 65,
            "handoff: standard input: line 1, column 26: nesting is deeper than the limit of 2 levels"),
        Case(
            "trailing garbage", put, stdin: #"{"schema": "x-v1"} {"schema": "x-v1"}"#, 65,
            "handoff: standard input: line 1, column 20: unexpected character '{' after the end of the JSON document"
        ),
        Case(
            "not an object", put, stdin: #"[{"schema": "x-v1"}]"#, 65,
            "handoff: standard input: an artifact must be a JSON object, not an array"),
        Case(
            "no schema", put, stdin: #"{"tool": "scan_skill"}"#, 65,
            #"handoff: standard input: the artifact has no top-level "schema" field"#),
        Case(
            "schema not a string", put, stdin: #"{"schema": ["x-v1"]}"#, 65,
            #"handoff: standard input: the "schema" field must be a string, not an array"#),
        Case(
            "schema without a version", put, stdin: #"{"schema": "tool-result"}"#, 65,
            #"handoff: standard input: the "schema" field "tool-result" is not of the form <name>-v<N>"#),
        Case(
            "hostile schema name", put, stdin: #"{"schema": "../../etc-v1\u001b[31m"}"#, 65,
            #"handoff: standard input: the "schema" field "../../etc-v1\u001b[31m" is not of the form <name>-v<N>"#
        ),
        Case(
            "invalid against its schema", put,
            stdin:
                #"{"schema": "security-scan-v1", "skill_name": "x", "risk_score": 150, "passed": false, "status": "rejected", "findings": [], "critical_count": 0, "high_count": 0, "medium_count": 0, "low_count": 0, "next_actions": []}"#,
            65,
            "handoff: standard input is not a valid security-scan-v1 artifact: /risk_score: 150 is greater than the maximum 100"
        ),
        Case(
            "unknown schema", put, stdin: #"{"schema": "code-review-v1"}"#, 65,
            #"handoff: standard input: unknown schema "code-review-v1""#),
        Case(
            "missing file", ["put", "/nonexistent/scan.json", "--from", "scanner"], 66,
            "handoff: no such file: /nonexistent/scan.json"),
        Case(
            "missing producer", ["put"], stdin: #"{"schema": "x-v1"}"#, 64,
            "handoff: missing expected argument '--from <producer>'"),
        Case(
            "producer with spaces", ["put", "--from", "my bot"], stdin: #"{"schema": "x-v1"}"#, 64,
            #"handoff: invalid producer name "my bot""#),
        Case(
            "consumer with a control character", ["put", "--from", "a", "--to", "b\u{1b}[2J"],
            stdin: #"{"schema": "x-v1"}"#, 64,
            #"handoff: invalid consumer name "b\u001b[2J""#),
        Case(
            "depth limit out of range", put + ["--max-depth", "0"], stdin: #"{"schema": "x-v1"}"#, 64,
            "handoff: --max-depth must be between 1 and 2048"),
        Case("unknown command", ["frobnicate"], 64, "handoff: unknown command \"frobnicate\" for `handoff`"),
        Case(
            "path as artifact id", ["get", "../../etc/passwd"], 64,
            #"handoff: "../../etc/passwd" is not an artifact id"#),
        Case("short artifact id", ["get", "3f2a"], 64, #"handoff: artifact id prefix "3f2a" is too short"#),
        Case(
            "upper-case artifact id", ["show", "XXH128:3F2A9C01"], 64,
            #"handoff: artifact id "XXH128:3F2A9C01" must be lowercase"#),
        Case(
            "unknown state", ["ls", "--handoffs", "--state", "finished"], 64,
            #"handoff: unknown state "finished"; states are pending, claimed, done, blocked, rejected, dead, routed"#
        ),
        Case(
            "bad time", ["ls", "--since", "yesterday"], 64,
            "handoff: the value 'yesterday' is invalid for '--since <time>'"),
    ]

    @Test(arguments: cases)
    func refusedIntoAnEmptyDirectory(_ bad: Case) throws {
        let scratch = Scratch()
        let storeArguments = bad.arguments.first == "frobnicate" ? [] : ["--store", scratch.store]
        let result = try HandoffProcess.run(
            bad.arguments + storeArguments, stdin: Data(bad.stdin), directory: scratch.path)
        #expect(result.status == bad.status)
        #expect(
            result.stderr.split(separator: "\n").first.map(String.init)
                == bad.message.replacingOccurrences(of: "STORE", with: scratch.store))
        #expect(result.stdout.isEmpty)
        #expect(!(try TestBackend.somethingIsAt(scratch.store)), "a refused command created the store")
    }

    @Test(arguments: cases.filter { $0.arguments.first == "put" })
    func refusedPutsLeaveAnExistingStoreAsItWas(_ bad: Case) throws {
        let scratch = Scratch()
        let seed = try HandoffProcess.run(
            ["put", "--from", "scanner", "--to", "reviewer", "--no-validate", "--store", scratch.store],
            stdin: #"{"schema": "x-v1"}"#)
        try #require(seed.status == 0)
        // Everything the store counts, but the size of the index files, which SQLite manages itself.
        func contents() throws -> NSDictionary {
            let stats = try HandoffProcess.run(["stats", "--json", "--store", scratch.store])
            var object = try #require(try stats.json() as? [String: Any])
            object["index_bytes"] = nil
            return NSDictionary(dictionary: object)
        }
        let before = try contents()
        let storedBefore = try TestBackend.storedBytes(at: scratch.store).filter {
            !$0.name.hasPrefix("index.sqlite")
        }
        .map(\.bytes)
        let result = try HandoffProcess.run(
            bad.arguments + ["--store", scratch.store], stdin: Data(bad.stdin))
        #expect(result.status == bad.status)
        #expect(try contents() == before)
        #expect(
            try TestBackend.storedBytes(at: scratch.store).filter { !$0.name.hasPrefix("index.sqlite") }.map(
                \.bytes)
                == storedBefore, "every byte stored is as it was")
        #expect(try HandoffProcess.run(["verify", "--store", scratch.store]).status == 0)
    }

    @Test func anEnormousInputIsRefusedWithoutReadingItAll() throws {
        let scratch = Scratch()
        // 80 MiB of a valid-looking document, past the default limit of 64 MiB.
        var document = Data(#"{"schema": "x-v1", "pad": ""#.utf8)
        document.append(Data(repeating: UInt8(ascii: "a"), count: 80 << 20))
        document.append(Data("\"}".utf8))
        let result = try HandoffProcess.run(
            ["put", "--from", "a", "--store", scratch.store], stdin: document)
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("handoff: standard input is larger than the limit of 67108864 bytes"))
        #expect(!(try TestBackend.somethingIsAt(scratch.store)))
    }

    @Test func readCommandsOnAMissingStoreExit66() throws {
        let scratch = Scratch()
        for arguments in [["ls"], ["stats"], ["verify"], ["get", "3f2a9c01"], ["show", "3f2a9c01"]] {
            let result = try HandoffProcess.run(arguments + ["--store", scratch.store])
            #expect(result.status == 66, "\(arguments)")
            #expect(result.stderr.hasPrefix("handoff: no store at \(scratch.store)\n"), "\(arguments)")
            #expect(result.stderr.contains("hint: create one with `handoff init`"))
        }
        #expect(!(try TestBackend.somethingIsAt(scratch.store)))
    }

    @Test func unknownArtifactsExit66() throws {
        let scratch = Scratch()
        try #require(try HandoffProcess.run(["init", "--store", scratch.store]).status == 0)
        let result = try HandoffProcess.run(["get", "xxh128:3f2a9c01", "--store", scratch.store])
        #expect(result.status == 66)
        #expect(result.stderr == "handoff: no artifact xxh128:3f2a9c01 in the store at \(scratch.store)\n")
        let handoff = try HandoffProcess.run(["show", "01JD3XQ2K8B6W5N2M7T4R9C1ZP", "--store", scratch.store])
        #expect(handoff.status == 66)
        #expect(
            handoff.stderr
                == "handoff: no handoff \"01JD3XQ2K8B6W5N2M7T4R9C1ZP\" in the store at \(scratch.store)\n")
    }
}
