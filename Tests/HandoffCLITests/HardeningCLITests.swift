import Foundation
import HandoffTesting
import Testing

/// What another user on the machine, an odd file where an object should be, or a reader that goes away can
/// still do to a store: each test sets the trap up for real and checks what the user sees.
struct HardeningCLITests {
    let scratch = Scratch()

    static let toolResult =
        #"{"schema": "tool-result-v1", "tool": "t", "input": {"args": [], "kwargs": {}}, "status": "success", "duration_ms": 1}"#

    /// Nobody, the unprivileged user these tests hand files to when they run as root.
    static let nobody: uid_t = 65534
    static let isRoot = getuid() == 0

    func handoff(_ arguments: [String], stdin: String? = nil, store: String? = nil) throws
        -> HandoffProcess.Result
    {
        try HandoffProcess.run(
            arguments + ["--store", store ?? scratch.store], stdin: stdin.map { Data($0.utf8) }, timeLimit: 60
        )
    }

    func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    func objectPath(_ id: String, in store: String? = nil) -> String {
        let hex = String(id.dropFirst("xxh128:".count))
        return (store ?? scratch.store) + "/objects/xxh128/" + hex.prefix(2) + "/" + hex.dropFirst(2)
    }

    func putToolResult() throws -> String {
        let put = try handoff(["put", "--from", "p", "--to", "c"], stdin: Self.toolResult)
        #expect(put.status == 0, "\(put.stderr)")
        return put.output.trimmingCharacters(in: .newlines)
    }

    // MARK: The store's own folder

    @Test(.storesAreFolders) func aStoreInAFolderOthersMayWriteIsMadeOwnerOnly() throws {
        try FileManager.default.createDirectory(atPath: scratch.store, withIntermediateDirectories: false)
        chmod(scratch.store, 0o777)
        try FileManager.default.createDirectory(
            atPath: scratch.store + "/objects", withIntermediateDirectories: false)
        chmod(scratch.store + "/objects", 0o777)
        #expect(try handoff(["init"]).status == 0)
        for folder in ["", "/objects", "/objects/xxh128", "/tmp"] {
            #expect(try mode(scratch.store + folder) == 0o700, "\(folder)")
        }
        #expect(try mode(scratch.store + "/index.sqlite") == 0o600)
        // A write opens it up no more than init did, even when someone widened it since.
        chmod(scratch.store, 0o755)
        chmod(scratch.store + "/index.sqlite", 0o644)
        _ = try putToolResult()
        #expect(try mode(scratch.store) == 0o700)
        #expect(try mode(scratch.store + "/index.sqlite") == 0o600)
    }

    @Test func aStoreInAnotherUsersFolderIsRefusedAndNothingIsCreated() throws {
        // As root, the folder is given to nobody; as anyone else, a folder root owns serves.
        let folder: String
        if Self.isRoot {
            folder = scratch.path + "/theirs"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            chmod(folder, 0o777)
            chown(folder, Self.nobody, Self.nobody)
        } else {
            folder = "/usr/share"
        }
        let refused = try handoff(["put", "--from", "p"], stdin: Self.toolResult, store: folder)
        #expect(refused.status == 74)
        #expect(refused.stderr.hasPrefix("handoff: \(folder) belongs to "))
        #expect(refused.stderr.contains("only a store's owner may write to it"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/index.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/objects"))
    }

    @Test(.storesAreFolders) func linksWhereTheStoresFoldersBelongAreNotFollowed() throws {
        let id = try putToolResult()
        let elsewhere = scratch.path + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: false)

        // objects/xxh128 swapped for a link: puts refuse to write through it.
        let root = scratch.store + "/objects/xxh128"
        try FileManager.default.moveItem(atPath: root, toPath: scratch.path + "/moved")
        try FileManager.default.createSymbolicLink(atPath: root, withDestinationPath: elsewhere)
        let other =
            #"{"schema": "tool-result-v1", "tool": "u", "input": {"args": [], "kwargs": {}}, "status": "success", "duration_ms": 2}"#
        let refused = try handoff(["put", "--from", "p"], stdin: other)
        #expect(refused.status == 74)
        #expect(refused.stderr.hasPrefix("handoff: \(root) is a symbolic link, not a folder"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
        try FileManager.default.removeItem(atPath: root)
        try FileManager.default.moveItem(atPath: scratch.path + "/moved", toPath: root)

        // A shard swapped for a link: a put into that shard refuses it, and verify does not look inside.
        let shard = String(objectPath(id).dropLast(31))
        try FileManager.default.moveItem(atPath: shard, toPath: scratch.path + "/shard")
        try FileManager.default.createSymbolicLink(atPath: shard, withDestinationPath: elsewhere)
        let again = try handoff(["put", "--from", "p"], stdin: Self.toolResult)
        #expect(again.status == 74)
        #expect(again.stderr.contains("is a symbolic link, not a folder"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
        let verify = try handoff(["verify", "--json"])
        #expect(verify.status == 1)
        let report = try #require(try verify.json() as? [String: Any])
        #expect((report["stray_files"] as? [String]) == [shard])
        #expect((report["problems"] as? [[String: Any]])?.first?["kind"] as? String == "missing")
    }

    // MARK: Reading objects and inputs

    @Test(.storesAreFolders, arguments: ["fifo", "device link", "sparse", "link to a copy"])
    func anObjectThatIsNotItsFileIsDamageAndNeverAHang(_ kind: String) throws {
        let id = try putToolResult()
        let path = objectPath(id)
        let copy = scratch.write("copy", Self.toolResult)
        try FileManager.default.removeItem(atPath: path)
        switch kind {
        case "fifo": #expect(mkfifo(path, 0o600) == 0)
        case "device link":
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/zero")
        case "sparse":
            #expect(FileManager.default.createFile(atPath: path, contents: nil))
            #expect(truncate(path, 1 << 40) == 0)
        default:
            // Even a link to the right bytes is not the store's own file.
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: copy)
        }
        let get = try handoff(["get", id])
        #expect(!get.signaled, "get hung")
        #expect(get.status == 74)
        #expect(get.stderr.hasPrefix("handoff: object \(id) is damaged: \(path) is "))
        let claim = try handoff(["claim", "c"])
        #expect(!claim.signaled && claim.status == 74)
        #expect(claim.stderr.contains("went back to c's inbox"))
        let verify = try handoff(["verify", "--json"])
        #expect(!verify.signaled && verify.status == 1)
        let problems = try #require((try verify.json() as? [String: Any])?["problems"] as? [[String: Any]])
        #expect(problems.map { $0["kind"] as? String } == ["damaged"])
        // Putting the document again puts the right file back.
        #expect(try handoff(["put", "--from", "p"], stdin: Self.toolResult).status == 0)
        #expect(try handoff(["verify"]).status == 0)
        #expect(try handoff(["get", id]).status == 0)
    }

    @Test func aNanobotFolderWithAFIFOALinkAndADeviceIsImportedWithoutThem() throws {
        let folder = scratch.path + "/artifacts"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let good =
            #"{"schema": "tool-result-v1", "tool": "t", "input": {"args": [], "kwargs": {}}, "status": "success", "duration_ms": 1, "_meta": {"producer": "p", "consumer": "c"}}"#
        _ = scratch.write("artifacts/good.json", good)
        #expect(mkfifo(folder + "/fifo.json", 0o600) == 0)
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/zero.json", withDestinationPath: "/dev/zero")
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/link.json", withDestinationPath: folder + "/good.json")
        let imported = try handoff(["import", "--nanobot", folder, "--json"])
        #expect(!imported.signaled, "the import hung")
        #expect(imported.status == 1)
        let report = try #require(try imported.json() as? [String: Any])
        #expect(report["imported"] as? Int == 1)
        let invalid = try #require(report["refused"] as? [[String: String]])
        #expect(
            invalid == [
                [
                    "source": folder + "/fifo.json",
                    "message": folder + "/fifo.json is a FIFO, not a regular file",
                ],
                [
                    "source": folder + "/link.json",
                    "message": folder + "/link.json is a symbolic link, not a regular file",
                ],
                [
                    "source": folder + "/zero.json",
                    "message": folder + "/zero.json is a symbolic link, not a regular file",
                ],
            ])
    }

    @Test func aHugeSparseJSONLinesFileIsRefusedWithoutReadingItWhole() throws {
        let file = scratch.path + "/huge.jsonl"
        #expect(FileManager.default.createFile(atPath: file, contents: Data((Self.toolResult + "\n").utf8)))
        #expect(truncate(file, 1 << 40) == 0)
        for arguments in [["import", file, "--from", "p"], ["validate", "--jsonl", file]] {
            let result = try handoff(arguments)
            #expect(!result.signaled, "\(arguments[0]) hung")
            #expect(result.status == 65, "\(arguments[0])")
            #expect(
                result.stderr.hasPrefix(
                    "handoff: \(file) holds a NUL byte in line 2: it is not JSON Lines text"),
                "\(result.stderr)")
        }
    }

    // MARK: Validation cost

    @Test func aCostlySchemaMakesPutFailQuicklyWithABudgetErrorNotHang() throws {
        // Registered as the store's own schema: every level doubles the work, 2^60 evaluations in all.
        var definitions: [String] = []
        for level in 0..<60 {
            definitions.append(
                ##""d\##(level)": {"allOf": [{"$ref": "#/$defs/d\##(level + 1)"}, {"$ref": "#/$defs/d\##(level + 1)"}]}"##
            )
        }
        definitions.append(##""d60": {"type": "object"}"##)
        let schema = scratch.write(
            "fan-v1.schema.json",
            ##"{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:handoff:schema:fan-v1", "title": "fan", "$defs": {"##
                + definitions.joined(separator: ", ") + ##"}, "$ref": "#/$defs/d0"}"##)
        let added = try handoff(["schema", "add", schema])
        #expect(added.status == 0, "\(added.stderr)")
        let put = try HandoffProcess.run(
            ["put", "--from", "p", "--store", scratch.store], stdin: Data(#"{"schema": "fan-v1"}"#.utf8),
            environment: ["HANDOFF_VALIDATION_BUDGET": "200000"], timeLimit: 60)
        #expect(!put.signaled, "put hung")
        #expect(put.status == 65)
        #expect(put.stderr.contains("validation took more than its budget of 200000 steps"), "\(put.stderr)")
        // The budget is the user's to set, and a bad value is a usage error.
        let bad = try HandoffProcess.run(
            ["validate", "--store", scratch.store], stdin: Data(Self.toolResult.utf8),
            environment: ["HANDOFF_VALIDATION_BUDGET": "lots"])
        #expect(bad.status == 64)
        #expect(
            bad.stderr.hasPrefix(
                #"handoff: HANDOFF_VALIDATION_BUDGET must be a positive whole number of steps, not "lots""#))
        let ordinary = try HandoffProcess.run(
            ["validate", "--store", scratch.store], stdin: Data(Self.toolResult.utf8),
            environment: ["HANDOFF_VALIDATION_BUDGET": "200000"])
        #expect(ordinary.status == 0, "\(ordinary.stderr)")
    }

    // MARK: Claims that lose their output

    @Test func aClaimWhoseReaderWentAwayGivesTheHandoffBack() throws {
        let id = try putToolResult()
        _ = id
        let process = ChildProcess()
        process.executableURL = HandoffProcess.executable
        process.arguments = ["claim", "c", "--json", "--store", scratch.store]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        // Nobody will ever read what the claim prints.
        try output.fileHandleForReading.close()
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "killed by SIGPIPE")
        #expect(process.terminationStatus == 74)
        #expect(message.contains("cannot write to standard output: Broken pipe; handoff "))
        #expect(message.contains("went back to c's inbox"))
        let inbox = try #require(
            (try handoff(["inbox", "c", "--json"]).json() as? [String: Any])?["handoffs"] as? [[String: Any]])
        #expect((inbox.first?["handoff"] as? [String: Any])?["state"] as? String == "pending")
        // A listing cut short by its reader is no error worth a message.
        let listing = try HandoffProcess.shell(
            "\"\(HandoffProcess.executable.path)\" ls --store \"\(scratch.store)\" | head -c 1 > /dev/null")
        #expect(listing.status == 0 && listing.stderr.isEmpty)
    }

    // MARK: A store the user may only read

    /// Every file in the store not owned by the store's owner: what a reader left behind.
    func filesNotOwned(by owner: uid_t) throws -> [String] {
        let enumerator = try #require(FileManager.default.enumerator(atPath: scratch.store))
        return (enumerator.allObjects as! [String]).filter { name in
            var info = stat()
            return lstat(scratch.store + "/" + name, &info) == 0 && info.st_uid != owner
        }
    }

    @Test(.storesAreFolders) func readCommandsWorkOnAStoreTheyMayOnlyReadAndLeaveItAsItWas() throws {
        let id = try putToolResult()
        let before = try FileManager.default.contentsOfDirectory(atPath: scratch.store).sorted()
        let reads = [
            ["ls"], ["inbox", "c"], ["get", id], ["show", id], ["next", id], ["stats"], ["verify"],
        ]
        if Self.isRoot {
            // Another user's store, read by root: nothing it does may create files root owns in it.
            #expect(chmod(scratch.path, 0o755) == 0)
            _ = try HandoffProcess.shell("chown -R \(Self.nobody):\(Self.nobody) \"\(scratch.store)\"")
            for arguments in reads {
                let result = try handoff(arguments)
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
            }
            #expect(try filesNotOwned(by: Self.nobody).isEmpty)
            // Writes are refused: root's files in nobody's store would lock nobody out of it.
            let put = try handoff(["put", "--from", "p"], stdin: #"{"schema": "x-v1"}"#)
            #expect(put.status == 74 && put.stderr.contains("belongs to nobody"))
            // Nobody reading root's store, opened up for reading: the same, as an unprivileged user.
            _ = try HandoffProcess.shell(
                "chown -R 0:0 \"\(scratch.store)\" && chmod -R a+rX \"\(scratch.store)\"")
            for arguments in reads {
                let result = try HandoffProcess.shell(
                    "setpriv --reuid=\(Self.nobody) --regid=\(Self.nobody) --clear-groups \"\(HandoffProcess.executable.path)\" "
                        + arguments.map { "'\($0)'" }.joined(separator: " ") + " --store \"\(scratch.store)\""
                )
                #expect(result.status == 0, "\(arguments) as nobody: \(result.stderr)")
            }
            #expect(try filesNotOwned(by: 0).isEmpty)
        } else {
            // The owner's own store, made read-only.
            _ = try HandoffProcess.shell("chmod -R a-w \"\(scratch.store)\"")
            for arguments in reads {
                let result = try handoff(arguments)
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
            }
            _ = try HandoffProcess.shell("chmod -R u+w \"\(scratch.store)\"")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.store).sorted() == before)
        // And the store still works for its owner afterwards.
        if Self.isRoot { _ = try HandoffProcess.shell("chown -R 0:0 \"\(scratch.store)\"") }
        let claim = try handoff(["claim", "c", "--json"])
        #expect(claim.status == 0, "\(claim.stderr)")
        #expect(try handoff(["verify"]).status == 0)
    }

    // MARK: Terminal output

    @Test func controlCharactersInNotesActionsAndNamesAreShownEscaped() throws {
        let document =
            #"{"schema": "handoff-request-v1", "task": "t", "expected_schema": "tool-result-v1", "priority": "normal", "next_actions": ["do\nFORGED ROW", "\u001b[31mred"]}"#
        let put = try handoff(["put", "--from", "p", "--to", "c", "--no-validate"], stdin: document)
        let id = put.output.trimmingCharacters(in: .newlines)
        let claim = try #require(try handoff(["claim", "c", "--json"]).json() as? [String: Any])
        let receipt = try #require(claim["receipt"] as? String)
        #expect(
            try handoff(["ack", receipt, "--outcome", "blocked", "--note", "line one\nFORGED\u{1B}[2J"])
                .status == 0)
        for arguments in [
            ["show", id], ["next", id], ["chain", id], ["inbox", "c", "--state", "blocked"],
            ["ls", "--handoffs"],
        ] {
            let text = try handoff(arguments).output
            #expect(!text.contains("\u{1B}"), "\(arguments)")
            #expect(!text.contains("\nFORGED"), "\(arguments)")
            #expect(text.contains(#"\u{1b}"#) || text.contains(#"\n"#), "\(arguments): \(text)")
        }
        // Errors that quote a file name escape it too.
        let name = scratch.path + "/bad\n\u{1B}[31mname.json"
        #expect(FileManager.default.createFile(atPath: name, contents: Data("{".utf8)))
        let refused = try handoff(["put", name, "--from", "p"])
        #expect(refused.status == 65)
        #expect(!refused.stderr.contains("\u{1B}") && refused.stderr.contains(#"bad\n\u{1b}[31mname.json"#))
        // --json is unaffected: the bytes are JSON's own escapes.
        let json = try handoff(["show", id, "--json"]).output
        #expect(json.contains(#"line one\nFORGED\u001b[2J"#))
    }

    // MARK: verify --repair

    /// Another program changed the index's record of an artifact's next actions, so `inbox` lists others than
    /// those recorded: verify reports it, and --repair lists the recorded ones.
    @Test(.storesAreFolders) func nextActionsListedOtherwiseThanRecordedAreRepaired() throws {
        let scan =
            #"{"schema": "security-scan-v1", "skill_name": "x", "risk_score": 15, "passed": false, "status": "needs_review", "findings": [], "critical_count": 0, "high_count": 0, "medium_count": 0, "low_count": 0, "next_actions": ["manual_review", "notify_owner"]}"#
        let put = try handoff(["put", "--from", "scanner", "--to", "reviewer"], stdin: scan)
        #expect(put.status == 0, "\(put.stderr)")
        let id = put.output.trimmingCharacters(in: .newlines)
        func listedActions() throws -> [String?] {
            let inbox = try #require(try handoff(["inbox", "reviewer", "--json"]).json() as? [String: Any])
            let handoffs = try #require(inbox["handoffs"] as? [[String: Any]])
            let actions = try #require(handoffs.first?["next_actions"] as? [[String: Any]])
            return actions.map { $0["action"] as? String }
        }
        #expect(try listedActions() == ["manual_review", "notify_owner"])
        let script = scratch.write(
            "tamper.py",
            """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("UPDATE next_action SET action = 'escalate' WHERE action = 'notify_owner'")
            db.commit()
            """)
        let python = try HandoffProcess.shell("python3 '\(script)' '\(scratch.store)/index.sqlite'")
        try #require(python.status == 0, "\(python.stderr)")

        let verify = try handoff(["verify"])
        #expect(verify.status == 1)
        #expect(
            verify.output.contains(
                "  index: index: the next actions listed for \(id) are not those recorded for it\n"))
        let repair = try handoff(["verify", "--repair"])
        #expect(repair.status == 0, "\(repair.output)")
        #expect(
            repair.output.contains("1 artifacts' next actions are listed again as the index records them.\n"))
        #expect(repair.output.hasSuffix("The store is sound.\n"))
        #expect(try listedActions() == ["manual_review", "escalate"])
        let again = try #require(try handoff(["verify", "--repair", "--json"]).json() as? [String: Any])
        #expect(again["relisted"] as? [String] == [])
        #expect(again["clean"] as? Bool == true)
        #expect(
            (try handoff(["verify", "--json"]).json() as? [String: Any])?["relisted"] is NSNull)
    }

    @Test(.storesAreFolders) func objectsTheIndexLostAreReportedAndRepairListsThemAgain() throws {
        let id = try putToolResult()
        // The index loses its entries; the objects stay.
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: scratch.store + "/index.sqlite" + suffix)
        }
        #expect(try handoff(["init"]).status == 0)
        let verify = try handoff(["verify"])
        #expect(verify.status == 0)
        #expect(
            verify.output.contains(
                "1 objects the index does not know: left by interrupted puts, or index entries lost."))
        #expect(verify.output.contains("  \(id)\n"))
        #expect(verify.output.contains("`handoff verify --repair` lists them as artifacts again."))
        #expect(!verify.output.contains("harmless"))
        let repaired = try #require(try handoff(["verify", "--repair", "--json"]).json() as? [String: Any])
        #expect(repaired["repaired"] as? [String] == [id])
        let listed = try #require(
            (try handoff(["ls", "--json"]).json() as? [String: Any])?["artifacts"] as? [[String: Any]])
        #expect(listed.count == 1)
        #expect(listed.first?["id"] as? String == id)
        #expect(listed.first?["producer"] as? String == "unknown")
        #expect(listed.first?["schema"] as? String == "tool-result-v1")
        #expect(listed.first?["validated"] as? Bool == true)
        let clean = try handoff(["verify", "--json"])
        #expect((try clean.json() as? [String: Any])?["unindexed_objects"] as? [String] == [])
        #expect(
            try handoff(["get", id]).output == String(
                decoding: try HandoffProcess.run(["canonicalize"], stdin: Self.toolResult).stdout,
                as: UTF8.self) + "\n")
    }
}
