import Foundation
import Testing

/// A store's name is never taken for something else: a folder holding other files is not taken over, and a
/// URL the store does not serve creates nothing.
struct StoreNameCLITests {
    let scratch = Scratch()

    func listing(_ folder: String) throws -> [String: Int] {
        var found: [String: Int] = [:]
        for name in try FileManager.default.subpathsOfDirectory(atPath: folder) {
            let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/" + name)
            found[name] = attributes[.posixPermissions] as? Int
        }
        found["."] = try FileManager.default.attributesOfItem(atPath: folder)[.posixPermissions] as? Int
        return found
    }

    @Test func aFolderHoldingOtherFilesIsNotTakenOver() throws {
        let folder = scratch.path + "/project"
        try FileManager.default.createDirectory(atPath: folder + "/src", withIntermediateDirectories: true)
        _ = scratch.write("project/notes.txt", "mine")
        chmod(folder, 0o755)
        let before = try listing(folder)
        for command in [
            ["put", "--from", "p", "--to", "c"], ["log", "record", "--bot", "b", "--query", "q"],
            ["import", "-", "--from", "p"], ["schema", "add", "-"],
            ["config", "set", "work_logs.enabled", "true"],
        ] {
            let input =
                command[0] == "schema"
                ? #"{"$id": "urn:handoff:schema:review-v1"}"# : HardeningCLITests.toolResult
            let refused = try HandoffProcess.run(command + ["--store", folder], stdin: Data(input.utf8))
            #expect(refused.status == 66, "\(command): \(refused.stderr)")
            #expect(
                refused.stderr.hasPrefix(
                    "handoff: \(folder) is not a Handoff store: it holds other files (\"notes.txt\" and 1 more); nothing was written"
                ), "\(command): \(refused.stderr)")
            #expect(refused.stderr.contains("hint: `handoff init \(folder)` makes a store there"))
            #expect(try listing(folder) == before, "\(command) changed the folder")
        }
        // Through the environment, and from MCP, the same.
        let environment = try HandoffProcess.run(
            ["put", "--from", "p"], stdin: Data(HardeningCLITests.toolResult.utf8),
            environment: ["HANDOFF_STORE": folder])
        #expect(environment.status == 66)
        let mcp = try HandoffProcess.run(["mcp", "--store", folder], stdin: Data())
        #expect(mcp.status == 66 && mcp.stderr.contains("is not a Handoff store"), "\(mcp.stderr)")
        #expect(try listing(folder) == before)
        // Asked for by name, it becomes one.
        let made = try HandoffProcess.run(["init", folder])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.output == "Created a store at \(folder).\n")
        #expect(FileManager.default.fileExists(atPath: folder + "/notes.txt"))
        let put = try HandoffProcess.run(
            ["put", "--from", "p", "--store", folder], stdin: Data(HardeningCLITests.toolResult.utf8))
        #expect(put.status == 0, "\(put.stderr)")
        // An empty folder, such as one mktemp made, is fine.
        let empty = scratch.path + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
        let into = try HandoffProcess.run(
            ["put", "--from", "p", "--store", empty], stdin: Data(HardeningCLITests.toolResult.utf8))
        #expect(into.status == 0, "\(into.stderr)")
    }

    @Test func aURLCreatesNothing() throws {
        for url in [
            "s3://bucket/handoff", "file:///tmp/x", "http://example.com/store", "HTTPS://x/y",
            "git+ssh://h/r",
        ] {
            for (arguments, environment) in [
                (["put", "--from", "p", "--store", url], [:]),
                (["put", "--from", "p"], ["HANDOFF_STORE": url]),
                (["inbox", "c", "--store", url], [:]), (["init", url], [:]), (["mcp", "--store", url], [:]),
            ] as [([String], [String: String])] {
                let refused = try HandoffProcess.run(
                    arguments, stdin: Data(HardeningCLITests.toolResult.utf8), environment: environment,
                    directory: scratch.path)
                #expect(refused.status == 64, "\(arguments) \(url): \(refused.stderr)")
                #expect(refused.stderr.contains("is a URL ("), "\(arguments): \(refused.stderr)")
                #expect(
                    try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "\(arguments)")
            }
        }
        // A folder whose name merely holds a colon is a folder.
        let put = try HandoffProcess.run(
            ["put", "--from", "p", "--store", "bots:prod"], stdin: Data(HardeningCLITests.toolResult.utf8),
            directory: scratch.path)
        #expect(put.status == 0, "\(put.stderr)")
    }
}
