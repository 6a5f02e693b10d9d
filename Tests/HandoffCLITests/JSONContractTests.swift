import Foundation
import HandoffJSON
import HandoffSchema
import Testing

/// `--json` output is an API bots program against, published as one JSON Schema per command in Schemas/cli.
///
/// A scenario builds stores in every state worth showing (empty, paged, claimed, acked, blocked, dead,
/// routed, imported, damaged, with work sessions, escalations and insights) and runs every command with
/// `--json`. Each output must be one JSON document on one line, valid against its command's schema, with
/// nothing on standard error; each failure one error object on standard error, valid against
/// error.schema.json, with nothing on standard output. The schemas close every object Handoff builds and
/// require every member it always prints, so a member renamed or dropped fails here; one test checks that
/// they are strict enough for that, others that no schema and no command taking `--json` is left without a
/// case.
struct JSONContractTests {
    /// One command the scenario ran: what the contract expects of it, and what it did.
    struct Case: Sendable, CustomStringConvertible {
        /// The schema of its standard output or, for `error`, of its standard error.
        let schema: String
        let arguments: [String]
        let expectedStatus: Int32
        let result: HandoffProcess.Result

        var description: String {
            "handoff "
                + arguments.map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " ")
        }

        /// The bytes the schema describes.
        var document: [UInt8] { schema == "error" ? Array(result.stderr.utf8) : Array(result.stdout) }
    }

    /// Everything the scenario ran, and what did not go as planned while it set the stores up.
    struct ScenarioRun: Sendable {
        var cases: [Case] = []
        var problems: [String] = []
    }

    /// The scenario, run once for all the tests of the suite.
    static let run = Scenario().perform()

    /// Schemas/cli, found from this file's place in the repository.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Schemas/cli")

    /// The names of the schema files, without `.schema.json`.
    static func schemaNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".schema.json")
        }
        .map { String($0.dropLast(".schema.json".count)) }.sorted()
    }

    static func document(_ name: String) throws -> JSONValue {
        try JSONParser.parse(Array(Data(contentsOf: folder.appendingPathComponent("\(name).schema.json"))))
    }

    /// Every schema of Schemas/cli, compiled from one registry that holds them all, so that
    /// `urn:handoff:cli:common#/$defs/…` resolves; formats (`date-time`) are asserted.
    static func schemas() throws -> [String: CompiledSchema] {
        let registry = SchemaRegistry()
        let names = try schemaNames()
        for name in names { try registry.register(try document(name)) }
        var compiled: [String: CompiledSchema] = [:]
        for name in names {
            compiled[name] = try CompiledSchema(
                uri: "urn:handoff:cli:\(name)", registry: registry,
                options: ValidationOptions(formatAssertion: true))
        }
        return compiled
    }

    // MARK: The contract

    @Test func theScenarioRanAsPlanned() {
        for problem in Self.run.problems { Issue.record("\(problem)") }
        #expect(Self.run.cases.count > 150)
    }

    @Test func everyOutputMatchesItsSchema() throws {
        let schemas = try Self.schemas()
        for item in Self.run.cases {
            let violations = Self.violations(of: item, schemas)
            guard !violations.isEmpty else { continue }
            Issue.record(
                """
                \(item) broke the contract of \(item.schema).schema.json:
                \(violations.map { "  - \($0)" }.joined(separator: "\n"))
                exit status \(item.result.status); standard output:
                \(item.result.output)
                standard error:
                \(item.result.stderr)
                """)
        }
    }

    /// How a case breaks the contract: its exit status, its streams, its document.
    static func violations(of item: Case, _ schemas: [String: CompiledSchema]) -> [String] {
        var found: [String] = []
        if item.result.signaled { found.append("it was killed by a signal") }
        if item.result.status != item.expectedStatus {
            found.append("exit status \(item.result.status), not \(item.expectedStatus)")
        }
        if item.schema == "error" {
            if !item.result.stdout.isEmpty { found.append("it failed, yet printed on standard output") }
        } else if !item.result.stderr.isEmpty {
            found.append("with --json, standard error must be empty unless the command fails")
        }
        let bytes = item.document
        if bytes.last != 0x0A || bytes.dropLast().contains(0x0A) {
            found.append("the document is not one line ending in a newline")
        }
        guard let schema = schemas[item.schema] else {
            return found + ["there is no \(item.schema).schema.json"]
        }
        do {
            let value = try JSONParser.parse(bytes)
            for error in schema.validate(value).errors {
                let place = error.instanceLocation.isEmpty ? "(root)" : error.instanceLocation
                found.append("\(place): \(error.message) (\(error.absoluteKeywordLocation))")
            }
        } catch {
            found.append("not one JSON document: \(error)")
        }
        return found
    }

    @Test func everySchemaFileHasACaseAndEveryCaseASchemaFile() throws {
        let names = Set(try Self.schemaNames())
        let used = Set(Self.run.cases.map(\.schema))
        for name in names.subtracting(used).subtracting(["common"]).sorted() {
            Issue.record("Schemas/cli/\(name).schema.json is used by no case")
        }
        for name in used.subtracting(names).sorted() {
            Issue.record("cases name \(name), but there is no Schemas/cli/\(name).schema.json")
        }
    }

    @Test func everyCommandThatTakesJSONHasACase() throws {
        let tree = try CommandTree.read()
        let checked = Set(
            Self.run.cases.filter { $0.schema != "error" }.map { tree.command(of: $0.arguments) })
        let takingJSON = tree.leaves.filter { $0.value }.map { $0.key }
        #expect(takingJSON.count > 30, "the help lists too few commands taking --json; was it read right?")
        for command in takingJSON.sorted(by: { $0.lexicographicallyPrecedes($1) })
        where !checked.contains(command) {
            Issue.record(
                """
                `handoff \(command.joined(separator: " ")) --json` has no case: give its output a schema in \
                Schemas/cli and run it in JSONContractTests
                """)
        }
        for command in checked where tree.leaves[command] != true {
            Issue.record(
                "a case runs `handoff \(command.joined(separator: " "))`, which does not take --json")
        }
    }

    @Test func everySchemaFileIsWellFormed() throws {
        for name in try Self.schemaNames() {
            let document = try Self.document(name)
            #expect(
                document["$schema"]?.stringValue == "https://json-schema.org/draft/2020-12/schema", "\(name)")
            #expect(document["$id"]?.stringValue == "urn:handoff:cli:\(name)", "\(name): $id")
            #expect(document["title"]?.stringValue?.isEmpty == false, "\(name) has no title")
            #expect(document["description"]?.stringValue?.isEmpty == false, "\(name) has no description")
        }
        // Compiling resolves every $ref: a reference to a definition that is not there fails here.
        #expect(try Self.schemas().count == Self.schemaNames().count)
    }

    // MARK: Strictness

    /// Members whose values are the bots' own JSON, not Handoff's: nothing in them is required or closed.
    static let openMembers: Set<String> = ["document", "details", "tool_input", "tool_output", "value"]
    /// Objects keyed by data (schema names), whose members come and go.
    static let mapMembers: Set<String> = ["artifacts_by_schema"]

    /// One step of a path into a document.
    enum Step: Hashable {
        case member(String)
        case element(Int)
    }

    /// Every output, with any one member of any object Handoff built renamed, or dropped, is invalid: the
    /// schemas would catch a field renamed or dropped by a change to the code.
    @Test func renamingOrDroppingAnyMemberBreaksTheContract() throws {
        let schemas = try Self.schemas()
        var tried = Set<String>()
        // `get` prints the artifact's own document, `schema show` the schema's: neither is Handoff's shape.
        for item in Self.run.cases where !["get", "schema-show"].contains(item.schema) {
            guard let schema = schemas[item.schema], let value = try? JSONParser.parse(item.document),
                schema.isValid(value)
            else { continue }
            for (path, members) in Self.ownObjects(in: value, at: []) {
                // get --meta: the document is the bot's; only _meta is Handoff's.
                if item.schema == "get-meta" && path.first != .member("_meta") { continue }
                let pattern = path.map { step -> String in
                    switch step {
                    case .member(let key): return key
                    case .element: return "*"
                    }
                }.joined(separator: "/")
                for key in members.keys {
                    for drop in [false, true] {
                        if drop, case .member(let name)? = path.last, Self.mapMembers.contains(name) {
                            continue
                        }
                        guard tried.insert("\(item.schema) /\(pattern) \(key) \(drop)").inserted else {
                            continue
                        }
                        let mutated = Self.replacing(value, at: path[...]) { object in
                            let member = object[key]
                            object[key] = nil
                            if !drop { object[key + "_renamed"] = member }
                        }
                        if schema.isValid(mutated) {
                            Issue.record(
                                """
                                \(item.schema).schema.json still accepts the output of `\(item)` with \
                                \(drop ? "" : "renamed ")member \(key) of /\(pattern)\(drop ? " dropped" : "")
                                """)
                        }
                    }
                }
            }
        }
        #expect(tried.count > 1000, "too few members tried: \(tried.count)")
    }

    /// The objects in `value` that Handoff built, with their paths: everything but the bots' own JSON.
    static func ownObjects(in value: JSONValue, at path: [Step]) -> [(path: [Step], object: JSONObject)] {
        if case .member(let name)? = path.last, openMembers.contains(name) { return [] }
        switch value {
        case .object(let object):
            var found: [(path: [Step], object: JSONObject)] = [(path: path, object: object)]
            for member in object { found += ownObjects(in: member.value, at: path + [.member(member.key)]) }
            return found
        case .array(let elements):
            return elements.indices.flatMap { ownObjects(in: elements[$0], at: path + [.element($0)]) }
        default:
            return []
        }
    }

    /// `value` with the object at `path` changed.
    static func replacing(_ value: JSONValue, at path: ArraySlice<Step>, _ change: (inout JSONObject) -> Void)
        -> JSONValue
    {
        switch (path.first, value) {
        case (nil, .object(var object)):
            change(&object)
            return .object(object)
        case (.member(let key)?, .object(var object)):
            if let member = object[key] { object[key] = replacing(member, at: path.dropFirst(), change) }
            return .object(object)
        case (.element(let index)?, .array(var elements)) where elements.indices.contains(index):
            elements[index] = replacing(elements[index], at: path.dropFirst(), change)
            return .array(elements)
        default:
            return value
        }
    }
}

/// The commands `handoff --help` lists, read level by level: each group with its subcommands and default
/// subcommand, each command with whether it takes `--json`.
struct CommandTree {
    var groups: [[String]: (children: [String], fallback: String?)] = [:]
    /// Every command that takes no subcommand, and whether it takes `--json`.
    var leaves: [[String]: Bool] = [:]

    static func read() throws -> CommandTree {
        var tree = CommandTree()
        try tree.visit([])
        return tree
    }

    private mutating func visit(_ path: [String]) throws {
        let help = try HandoffProcess.run(path + ["--help"])
        try #require(help.status == 0, "handoff \(path.joined(separator: " ")) --help: \(help.stderr)")
        let (children, fallback) = Self.subcommands(in: help.output)
        guard !children.isEmpty else {
            leaves[path] = help.output.contains("--json")
            return
        }
        groups[path] = (children, fallback)
        for child in children { try visit(path + [child]) }
    }

    /// The names under SUBCOMMANDS, and the one marked `(default)`.
    static func subcommands(in help: String) -> (names: [String], fallback: String?) {
        var names: [String] = []
        var fallback: String?
        var listing = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "SUBCOMMANDS:" {
                listing = true
                continue
            }
            // A subcommand's line starts with two spaces and its name; its description's next lines are
            // indented further, and the closing "See 'handoff help …'" starts with a capital.
            guard listing, line.hasPrefix("  "), let first = line.dropFirst(2).first, first.isLowercase else {
                continue
            }
            let words = line.dropFirst(2).split(separator: " ")
            names.append(String(words[0]))
            if words.count > 1 && words[1] == "(default)" { fallback = String(words[0]) }
        }
        return (names, fallback)
    }

    /// The command `arguments` run: at each level the subcommand they name, or the group's default.
    func command(of arguments: [String]) -> [String] {
        var path: [String] = []
        var rest = arguments[...]
        while let group = groups[path] {
            if let next = rest.first, group.children.contains(next) {
                path.append(next)
                rest = rest.dropFirst()
            } else if let fallback = group.fallback {
                path.append(fallback)
            } else {
                break
            }
        }
        return path
    }
}

/// Builds the stores and runs the commands, recording each as a case, in order: later commands use the ids,
/// receipts and sessions earlier ones printed.
private final class Scenario {
    let scratch = Scratch()
    var run = JSONContractTests.ScenarioRun()

    let samples = HandoffProcess.samples.path
    var valid: String { samples + "/valid" }

    /// `--store` and a store in the scratch directory.
    func store(_ name: String) -> [String] { ["--store", scratch.path + "/" + name] }
    var demo: [String] { store("demo") }
    var coordination: [String] { store("coordination") }
    var queue: [String] { store("queue") }
    var workLogs: [String] { store("worklogs") }
    var empty: [String] { store("empty") }

    // What earlier commands printed, for later ones.
    var request = ""
    var workLog = ""
    var record = ""
    var doneHandoff = ""
    var toolResult = ""
    var receipt2 = ""
    var session = ""
    var secondSession = ""
    var insight = ""

    func perform() -> JSONContractTests.ScenarioRun {
        readingTheDemo()
        theQueue()
        working()
        validating()
        importing()
        recordingWork()
        settings()
        moreStates()
        damage()
        failures()
        collecting()
        return run
    }

    // MARK: Running

    private func execute(_ arguments: [String], stdin: Data?) -> HandoffProcess.Result? {
        do {
            return try HandoffProcess.run(arguments, stdin: stdin, directory: scratch.path)
        } catch {
            run.problems.append("cannot run handoff \(arguments): \(error)")
            return nil
        }
    }

    /// Runs a command to set something up, noting when it does not exit as expected.
    @discardableResult
    func setup(_ arguments: [String], stdin: Data? = nil, status: Int32 = 0) -> HandoffProcess.Result? {
        guard let result = execute(arguments, stdin: stdin) else { return nil }
        if result.status != status {
            run.problems.append(
                "setup: handoff \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)"
            )
        }
        return result
    }

    /// Runs a command as a case of `schema`, which its exit status must be `status`; returns the document it
    /// printed (on standard error for `error`), or null.
    @discardableResult
    func check(_ schema: String, _ arguments: [String], status: Int32 = 0, stdin: Data? = nil) -> JSONValue {
        guard let result = execute(arguments, stdin: stdin) else { return .null }
        let item = JSONContractTests.Case(
            schema: schema, arguments: arguments, expectedStatus: status, result: result)
        run.cases.append(item)
        return (try? JSONParser.parse(item.document)) ?? .null
    }

    /// The string at a place in an output, noting its absence.
    func string(_ value: JSONValue?, _ what: String) -> String {
        if let text = value?.stringValue { return text }
        run.problems.append("no \(what) in the output that should have had it")
        return "missing-" + what.replacingOccurrences(of: " ", with: "-")
    }

    func contents(_ path: String) -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            run.problems.append("cannot read \(path)")
            return Data()
        }
        return data
    }

    // MARK: The scenario

    /// The demo's stores: a work log handed on and acked, a request derived from it, an escalation waiting;
    /// the coordination demo's conversation and decided escalation.
    func readingTheDemo() {
        setup(["demo"] + demo)
        setup(["demo", "--coordination"] + coordination)
        setup(["init"] + empty)
        check("init", ["init", "--json"] + store("fresh"))
        check("init", ["init", "--json"] + store("fresh"))
        check("hash", ["hash", valid + "/tool-result-v1/bird-bookmarks.json", "--json"])
        check("hash", ["hash", "--json"], stdin: contents(valid + "/insight-v1/c-research-finding.json"))

        request = string(
            check("ls", ["ls", "--schema", "handoff-request-v1", "--json"] + demo)["artifacts"]?[0]?["id"],
            "handoff-request-v1 artifact")
        workLog = string(
            check("ls", ["ls", "--schema", "work-log-v1", "--json"] + demo)["artifacts"]?[0]?["id"],
            "work-log-v1 artifact")
        record = string(
            check("ls", ["ls", "--schema", "work-session-v1", "--json"] + demo)["artifacts"]?[0]?["id"],
            "work-session-v1 artifact")
        doneHandoff = string(
            check("ls", ["ls", "--handoffs", "--state", "done", "--json"] + demo)["handoffs"]?[0]?[
                "handoff"]?["id"],
            "done handoff")
        let prefix = String(request.dropFirst("xxh128:".count).prefix(12))

        // (schema, store, arguments)
        let listings: [(String, [String], [String])] = [
            ("ls", demo, ["ls", "--json"]),
            ("ls", demo, ["ls", "--limit", "1", "--json"]),
            ("ls", demo, ["ls", "--limit", "1", "--offset", "3", "--json"]),
            ("ls", demo, ["ls", "--handoffs", "--json"]),
            ("ls", demo, ["ls", "--handoffs", "--limit", "2", "--json"]),
            ("ls", empty, ["ls", "--json"]),
            ("ls", empty, ["ls", "--handoffs", "--json"]),
            ("inbox", demo, ["inbox", "reviewer", "--json"]),
            ("inbox", demo, ["inbox", "nobody", "--json"]),
            ("inbox", demo, ["inbox", "action_suggester", "--state", "done", "--json"]),
            ("inbox", demo, ["inbox", "user", "--action", "decide", "--json"]),
            ("show", demo, ["show", request, "--json"]),
            ("show", demo, ["show", prefix, "--json"]),
            ("show", demo, ["show", doneHandoff, "--json"]),
            ("show", demo, ["show", record, "--json"]),
            ("next", demo, ["next", request, "--json"]),
            ("next", demo, ["next", workLog, "--json"]),
            ("next", demo, ["next", record, "--json"]),
            ("chain", demo, ["chain", request, "--json"]),
            ("chain", demo, ["chain", request, "--depth", "0", "--json"]),
            ("chain", demo, ["chain", request, "--format", "json"]),
            ("get", demo, ["get", request, "--json"]),
            ("get", demo, ["get", doneHandoff, "--json"]),
            ("get-meta", demo, ["get", request, "--meta", "--json"]),
            ("get-meta", demo, ["get", record, "--meta", "--json"]),
            ("stats", demo, ["stats", "--json"]),
            ("stats", empty, ["stats", "--json"]),
            ("verify", demo, ["verify", "--json"]),
            ("escalations", demo, ["escalations", "--json"]),
            ("escalations", demo, ["escalations", "--all", "--json"]),
            ("escalations", coordination, ["escalations", "--all", "--json"]),
            ("escalations", coordination, ["escalations", "--json"]),
            ("logs", demo, ["logs", "--json"]),
            ("logs", empty, ["logs", "--json"]),
            ("explain", demo, ["explain", "--json"]),
            ("explain", demo, ["explain", "--mode", "detailed", "--json"]),
            ("explain", demo, ["explain", "--mode", "debug", "--json"]),
            ("explain", coordination, ["explain", "--mode", "coordination", "--json"]),
            ("explain", coordination, ["explain", "--json"]),
            ("explain", demo, ["explain", workLog, "--json"]),
            ("explain", demo, ["explain", "--format", "json"]),
            ("how", demo, ["how", "confidence", "--json"]),
            ("how", demo, ["how", "confidence", "--limit", "1", "--json"]),
            ("how", demo, ["how", "zyzzyva", "--json"]),
            ("how", coordination, ["how", "why did you escalate", "--json"]),
            ("schema-ls", [], ["schema", "ls", "--json"]),
            ("schema-ls", demo, ["schema", "ls", "--json"]),
            ("schema-show", [], ["schema", "show", "work-log-v1", "--json"]),
            ("config-show", demo, ["config", "show", "--json"]),
            ("config-show", demo, ["config", "--json"]),
            ("gc", demo, ["gc", "--dry-run", "--json"]),
            ("insights-ls", demo, ["insights", "--json"]),
            // Copied, then copied again: nothing left to copy.
            ("copy", demo, ["copy", "--to", scratch.path + "/copied", "--json"]),
            ("copy", demo, ["copy", "--to", scratch.path + "/copied", "--json"]),
        ]
        for (schema, place, arguments) in listings { check(schema, arguments + place) }
    }

    /// Puts, claims and every state a handoff can be in.
    func theQueue() {
        let bird = valid + "/tool-result-v1/bird-bookmarks.json"
        let put = check(
            "put", ["put", bird, "--from", "scanner", "--to", "a", "--to", "b", "--json"] + queue)
        toolResult = string(put["artifact"]?["id"], "artifact id")
        let prefix = String(toolResult.dropFirst("xxh128:".count).prefix(10))
        check("put", ["put", bird, "--from", "scanner", "--to", "a", "--to", "c", "--json"] + queue)
        check(
            "put",
            ["put", valid + "/tool-result-v1/web-search-timeout.json", "--from", "scanner", "--json"] + queue)
        check(
            "put",
            [
                "put", "--from", "scanner", "--to", "a", "--workflow", "wf1", "--workspace", "#general",
                "--json",
            ]
                + queue,
            stdin: contents(valid + "/tool-result-v1/translate-string-output.json"))
        check(
            "put",
            [
                "put", valid + "/handoff-request-v1/minimal.json", "--from", "suggester", "--to", "reviewer",
                "--parent", prefix, "--json",
            ] + queue)
        let unvalidated = scratch.write("unvalidated.json", #"{"schema": "mystery-v3", "anything": [1, 2]}"#)
        let stored = check(
            "put", ["put", unvalidated, "--from", "scanner", "--to", "a", "--no-validate", "--json"] + queue)
        let mystery = string(stored["artifact"]?["id"], "unvalidated artifact")

        let first = check("claim", ["claim", "a", "--worker", "w1", "--lease", "120", "--json"] + queue)
        let receipt = string(first["receipt"], "receipt")
        let claimed = string(first["handoff"]?["id"], "claimed handoff")
        check("extend", ["extend", receipt, "--lease", "600", "--json"] + queue)
        check("release", ["release", receipt, "--note", "later", "--json"] + queue)
        receipt2 = string(
            check("claim", ["claim", "a", "--schema", "tool-result-v1", "--json"] + queue)["receipt"],
            "receipt")
        check("ack", ["ack", receipt2, "--note", "fine", "--json"] + queue)
        let receipt3 = string(check("claim", ["claim", "a", "--json"] + queue)["receipt"], "receipt")
        let blocked = check(
            "ack", ["ack", receipt3, "--outcome", "blocked", "--note", "needs a password", "--json"] + queue)
        let receipt4 = string(check("claim", ["claim", "a", "--json"] + queue)["receipt"], "receipt")
        check("ack", ["ack", receipt4, "--outcome", "rejected", "--json"] + queue)
        // A step handing its results on with the ack.
        check(
            "put",
            [
                "put", valid + "/tool-result-v1/web-search-timeout.json", "--from", "p", "--to", "step",
                "--json",
            ] + queue)
        let receipt5 = string(check("claim", ["claim", "step", "--json"] + queue)["receipt"], "receipt")
        check(
            "ack",
            [
                "ack", receipt5, "--put", valid + "/tool-result-v1/bird-bookmarks.json", "--put",
                valid + "/tool-result-v1/categorize-array-output.json", "--to", "next", "--to", "audit",
                "--json",
            ] + queue)
        check("claim", ["claim", "a", "--json"] + queue, status: 2)
        check(
            "retry",
            ["retry", string(blocked["handoff"]?["id"], "blocked handoff"), "--note", "again", "--json"]
                + queue)
        check("show", ["show", claimed, "--json"] + queue)

        // Dead-lettered: a claim whose lease runs out, then a claim that allows one attempt.
        setup(
            ["put", valid + "/tool-result-v1/run-tests-refactor.json", "--from", "scanner", "--to", "dl"]
                + queue)
        setup(["claim", "dl", "--lease", "0.001"] + queue)
        Thread.sleep(forTimeInterval: 0.2)
        setup(["claim", "dl", "--max-attempts", "1"] + queue, status: 2)
        let deadLetters = check("inbox", ["inbox", "dl", "--state", "dead", "--json"] + queue)
        let dead = string(deadLetters["handoffs"]?[0]?["handoff"]?["id"], "dead handoff")
        check("show", ["show", dead, "--json"] + queue)
        check("retry", ["retry", dead, "--json"] + queue)
        check(
            "route", ["route", dead, "--to", "security", "--note", "touches credentials", "--json"] + queue)
        check("route", ["route", prefix, "--from", "coordinator", "--to", "coder", "--json"] + queue)
        check("show", ["show", dead, "--json"] + queue)
        let held = check("claim", ["claim", "c", "--json"] + queue)
        check(
            "route",
            [
                "route", string(held["handoff"]?["id"], "handoff"), "--to", "auditor", "--receipt",
                string(held["receipt"], "receipt"), "--json",
            ] + queue)

        check("ls", ["ls", "--json"] + queue)
        check("ls", ["ls", "--handoffs", "--json"] + queue)
        check("ls", ["ls", "--handoffs", "--state", "routed", "--json"] + queue)
        check(
            "ls",
            ["ls", "--schema", "tool-result-v1", "--from", "scanner", "--to", "a", "--since", "1d", "--json"]
                + queue)
        check(
            "inbox",
            [
                "inbox", "a", "--state", "done", "--state", "blocked", "--state", "rejected",
                "--state", "pending", "--limit", "2", "--json",
            ] + queue)
        check("show", ["show", mystery, "--json"] + queue)
        check("get", ["get", mystery, "--json"] + queue)
        check("stats", ["stats", "--json"] + queue)
        check("chain", ["chain", prefix, "--json"] + queue)
        check(
            "next",
            ["next", handoffHash(valid + "/tool-result-v1/web-search-timeout.json"), "--json"] + queue)
    }

    /// The artifact id `handoff hash` gives a file.
    func handoffHash(_ path: String) -> String {
        (setup(["hash", path])?.output ?? "").trimmingCharacters(in: .newlines)
    }

    /// `work`, its command exiting 0, 65, 75 and 1, and an empty inbox.
    func working() {
        let scans = (try? FileManager.default.contentsOfDirectory(atPath: valid + "/security-scan-v1")) ?? []
        for file in scans.sorted() {
            setup(
                ["put", valid + "/security-scan-v1/" + file, "--from", "scanner", "--to", "worker"] + queue)
        }
        check("work", ["work", "worker", "--limit", "1", "--json"] + queue + ["--", "true"])
        check("work", ["work", "worker", "--limit", "1", "--json"] + queue + ["--", "sh", "-c", "exit 65"])
        check("work", ["work", "worker", "--limit", "1", "--json"] + queue + ["--", "sh", "-c", "exit 75"])
        check("work", ["work", "worker", "--json"] + queue + ["--", "false"])
        check("work", ["work", "nobody", "--json"] + queue + ["--", "true"])
    }

    /// `validate` (valid, invalid, not JSON, an unknown schema, JSON Lines, a schema file) and the schema
    /// registry.
    func validating() {
        let invalid = samples + "/invalid/insight-v1/category-with-a-space.json"
        check("validate", ["validate", valid + "/insight-v1/c-research-finding.json", "--json"])
        check(
            "validate", ["validate", invalid, valid + "/work-log-v1/weather-general.json", "--json"],
            status: 1)
        let unknown = scratch.write("unknown.json", #"{"schema": "zzz-v1"}"#)
        check("validate", ["validate", unknown, "--json"], status: 65)
        let lines = scratch.write("lines.jsonl", "{\"a\": 1}\n\n{\"schema\": \"insight-v1\"}\nnot json\n")
        check("validate", ["validate", "--jsonl", lines, "--schema", "insight-v1", "--json"], status: 65)
        check("validate", ["validate", "--jsonl", samples + "/jsonl/bookmarks.jsonl", "--json"])
        let review = scratch.write(
            "review.schema.json",
            """
            {"$schema": "https://json-schema.org/draft/2020-12/schema",
             "$id": "urn:handoff:schema:code-review-v1", "title": "Code review", "type": "object",
             "required": ["schema", "verdict"],
             "properties": {"schema": {"const": "code-review-v1"},
                            "verdict": {"enum": ["approve", "reject"]}}}
            """)
        let maybe = scratch.write("maybe.json", #"{"schema": "code-review-v1", "verdict": "maybe"}"#)
        check("validate", ["validate", "--schema", review, maybe, "--json"], status: 1)
        check("schema-check", ["schema", "check", review, "--json"])
        check(
            "schema-check",
            ["schema", "check", scratch.write("no-id.json", #"{"type": "object"}"#), "--json"])
        check(
            "schema-check", ["schema", "check", scratch.write("bad.json", #"{"type": 12}"#), "--json"],
            status: 1)
        check("schema-add", ["schema", "add", review, "--json"] + queue)
        check("schema-add", ["schema", "add", review, "--json"] + queue)
        check("schema-ls", ["schema", "ls", "--json"] + queue)
        check("schema-show", ["schema", "show", "code-review-v1", "--json"] + queue)
        let approve = scratch.write("approve.json", #"{"schema": "code-review-v1", "verdict": "approve"}"#)
        check("validate", ["validate", approve, "--json"] + queue)
    }

    /// JSON Lines with bad lines, the seed's artifact folder and its work-log database.
    func importing() {
        let imports = store("imports")
        let bookmarks = samples + "/jsonl/bookmarks.jsonl"
        let good = String(decoding: contents(bookmarks), as: UTF8.self).split(separator: "\n").map(
            String.init)
        // Three good lines, three bad ones, and the first again: a duplicate.
        let lines =
            Array(good.prefix(3)) + [#"{"bad json"#, #"{"schema": "nope-v1"}"#, "[1]"] + good.prefix(1)
        let mixed = scratch.write("mixed.jsonl", lines.joined(separator: "\n") + "\n")
        check(
            "import", ["import", mixed, "--from", "importer", "--to", "x", "--to", "y", "--json"] + imports,
            status: 1)
        check("import", ["import", bookmarks, "--from", "importer", "--json"] + imports)
        check(
            "import",
            ["import", scratch.path + "/unknown.json", "--from", "importer", "--json"] + store("none"),
            status: 1)
        check(
            "import", ["import", "--nanobot", samples + "/nanobot/artifacts", "--json"] + imports, status: 1)
        let database = scratch.path + "/work_logs.db"
        let script = HandoffProcess.repositoryRoot.appendingPathComponent(
            "Tests/HandoffWorkLogTests/Fixtures/nanobot_work_logs.py")
        let python = try? HandoffProcess.shell("python3 '\(script.path)' '\(database)'")
        if python?.status != 0 {
            run.problems.append("python3 could not write \(database): \(python?.stderr ?? "")")
        }
        check("import", ["import", "--nanobot-work-logs", database, "--json"] + imports)
        check("import", ["import", "--nanobot-work-logs", database, "--json"] + imports)
        check("logs", ["logs", "--json"] + imports)
        check("explain", ["explain", "--json"] + imports)
    }

    /// Sessions step by step and as JSON Lines (the four samples, bad lines, no end line), insights,
    /// escalations, explain and how over them.
    func recordingWork() {
        let started = check(
            "log-start",
            ["log", "start", "--bot", "nanobot", "--query", "What's the weather like?", "--json"] + workLogs)
        session = string(started["session"]?["id"], "session id")
        check(
            "log-add",
            [
                "log", "add", session, "--level", "decision", "--category", "routing",
                "--message", "Simple query", "--confidence", "0.95", "--json",
            ] + workLogs)
        check(
            "log-add",
            [
                "log", "add", session, "--tool", "weather_lookup", "--tool-input", #"{"location": "auto"}"#,
                "--tool-output", #"{"temp": 72}"#, "--tool-status", "success", "--duration-ms", "450",
                "--json",
            ] + workLogs)
        check(
            "log-add",
            [
                "log", "add", session, "--level", "coordination", "--category", "escalation", "--escalation",
                "--message", "Strict or passphrases?", "--json",
            ] + workLogs)
        let preference = """
            {"level": "decision", "category": "user_preference", "message": "Prefers Celsius",
             "confidence": 0.9, "shareable_insight": true, "insight_category": "user_preference"}
            """
        check("log-add", ["log", "add", session, "--entry", preference, "--json"] + workLogs)
        check("logs", ["logs", "--json"] + workLogs)
        check("explain", ["explain", "--session", session, "--mode", "debug", "--json"] + workLogs)
        check(
            "log-end",
            [
                "log", "end", session, "--final-output", "It's 72F and sunny", "--summary", "weather", "--to",
                "action_suggester", "--next-action", "manual_review", "--json",
            ] + workLogs)
        let direct = setup(
            [
                "log", "start", "--bot", "researcher", "--workspace", "dm-researcher",
                "--workspace-type", "direct", "--query", "q",
            ] + workLogs)
        secondSession = (direct?.output ?? "").trimmingCharacters(in: .newlines)
        check("log-end", ["log", "end", secondSession, "--json"] + workLogs)

        let worklogs = samples + "/worklogs/"
        check(
            "log-record",
            [
                "log", "record", "--bot", "nanobot", "--query", "What's the weather like?",
                "--to", "action_suggester", "--json",
            ] + workLogs,
            stdin: contents(worklogs + "a-general-weather.jsonl"))
        check(
            "log-record",
            [
                "log", "record", worklogs + "b-project-refactor.jsonl", "--bot", "nanobot",
                "--workspace", "#project-refactor", "--workspace-type", "project",
                "--participant", "nanobot", "--participant", "researcher", "--participant", "coder",
                "--coordinator", "nanobot", "--query", "Refactor auth", "--workflow", "wf-auth",
                "--to", "reviewer", "--json",
            ] + workLogs)
        check(
            "log-record",
            [
                "log", "record", worklogs + "c-direct-research.jsonl", "--bot", "researcher", "--workspace",
                "dm-researcher", "--workspace-type", "direct", "--query", "PQC", "--json",
            ] + workLogs)
        check(
            "log-record",
            [
                "log", "record", worklogs + "d-coordination-website.jsonl", "--bot", "nanobot", "--workspace",
                "#coordination-website", "--workspace-type", "coordination", "--participant", "nanobot",
                "--participant", "researcher", "--participant", "creative", "--participant", "coder",
                "--coordinator", "nanobot", "--query", "Build a website", "--json",
            ] + workLogs)
        let bad = scratch.write(
            "bad-session.jsonl",
            [
                #"{"level": "info", "category": "general", "message": "first"}"#,
                #"{"level": "info", "message": "unterminated"#,
                #"{"level": "decision", "message": "too sure", "confidence": 1.7}"#,
                #"{"tool_name": "bird", "tool_output": {"count": 12}}"#,
                #"{"end": {"final_output": 42}}"#,
            ].joined(separator: "\n") + "\n")
        check(
            "log-record", ["log", "record", bad, "--bot", "nanobot", "--query", "q", "--json"] + workLogs,
            status: 1)
        let open = scratch.write("open-session.jsonl", #"{"level": "info", "message": "only"}"# + "\n")
        check("log-record", ["log", "record", open, "--bot", "nanobot", "--query", "q", "--json"] + workLogs)

        let pending = check("insights-ls", ["insights", "--json"] + workLogs)
        check("insights-ls", ["insights", "ls", "--limit", "1", "--json"] + workLogs)
        insight = string(pending["insights"]?[0]?["id"], "insight id")
        check("insights-approve", ["insights", "approve", insight, "--note", "useful", "--json"] + workLogs)
        check(
            "insights-reject",
            [
                "insights", "reject", string(pending["insights"]?[1]?["id"], "second insight id"), "--note",
                "too specific", "--json",
            ] + workLogs)
        check("insights-ls", ["insights", "ls", "--state", "all", "--json"] + workLogs)
        check("insights-ls", ["insights", "ls", "--state", "approved", "--json"] + workLogs)
        check("escalations", ["escalations", "--all", "--json"] + workLogs)
        check("logs", ["logs", "--json"] + workLogs)
        check("logs", ["logs", "--limit", "2", "--offset", "1", "--json"] + workLogs)
        check("logs", ["logs", "--type", "direct", "--bot", "researcher", "--json"] + workLogs)
        check("explain", ["explain", "--session", session, "--json"] + workLogs)
        check(
            "explain",
            ["explain", "--workspace", "#coordination-website", "--mode", "coordination", "--json"] + workLogs
        )
        check("explain", ["explain", "--bot", "researcher", "--mode", "detailed", "--json"] + workLogs)
        check("how", ["how", "password policy", "--json"] + workLogs)
        check("how", ["how", "weather", "--bot", "nanobot", "--limit", "3", "--json"] + workLogs)

        // A store that holds a session's record but not the session: explain reads the record.
        let copy = scratch.write(
            "record.json", bytes: Array(setup(["get", record] + demo)?.stdout ?? Data()))
        check("put", ["put", copy, "--from", "bookmark_analyzer", "--json"] + store("records"))
        check("explain", ["explain", record, "--json"] + store("records"))
        check("explain", ["explain", record, "--mode", "detailed", "--json"] + store("records"))
    }

    /// `config set`, `show` and `unset`.
    func settings() {
        check("config-set", ["config", "set", "work_logs.escalate_to", "alice", "--json"] + workLogs)
        check(
            "config-set",
            ["config", "set", "work_logs.workspace_defaults.open.retention_days", "0", "--json"] + workLogs)
        check(
            "config-set",
            [
                "config", "set", "work_logs.log_levels", #"["decision","error","tool","coordination"]"#,
                "--json",
            ]
                + workLogs)
        check(
            "config-set",
            ["config", "set", "work_logs.categories", #"["routing","tool"]"#, "--json"] + workLogs)
        check("config-set", ["config", "set", "gc", #"{"keep_days": 0}"#, "--json"] + workLogs)
        check("config-show", ["config", "show", "--json"] + workLogs)
        check("config-unset", ["config", "unset", "work_logs.escalate_to", "--json"] + workLogs)
        check("config-unset", ["config", "unset", "work_logs.log_levels", "--json"] + workLogs)
        check("config-show", ["config", "show", "--json"] + workLogs)
    }

    /// Entries the settings drop, a session ended without consumers, inferred next actions.
    func moreStates() {
        let sparse = store("sparse")
        setup(["config", "set", "work_logs.log_levels", #"["decision", "tool"]"#] + sparse)
        let id = (setup(["log", "start", "--bot", "nanobot", "--query", "q"] + sparse)?.output ?? "")
            .trimmingCharacters(in: .newlines)
        check("log-add", ["log", "add", id, "--level", "info", "--message", "not kept", "--json"] + sparse)
        check(
            "log-add",
            [
                "log", "add", id, "--level", "decision", "--message", "User likes tables", "--insight",
                "--insight-category", "user_preference", "--json",
            ] + sparse)
        let dropping = scratch.write(
            "dropping.jsonl",
            """
            {"level": "info", "message": "dropped"}
            {"level": "decision", "message": "kept"}
            {"end": {"summary": "s"}}

            """)
        check(
            "log-record", ["log", "record", dropping, "--bot", "nanobot", "--query", "q", "--json"] + sparse)
        check("log-end", ["log", "end", id, "--json"] + sparse)
        check("insights-ls", ["insights", "--json"] + sparse)
        let failed = valid + "/tool-result-v1/write-file-permission-error.json"
        setup(["put", failed, "--from", "scanner"] + queue)
        check("next", ["next", handoffHash(failed), "--json"] + queue)
    }

    /// A store with a changed object, a missing one, an object nothing indexes and a stray file.
    func damage() {
        let damaged = scratch.path + "/damaged"
        do {
            try FileManager.default.copyItem(atPath: scratch.path + "/demo", toPath: damaged)
            let objects = damaged + "/objects"
            let files = try FileManager.default.subpathsOfDirectory(atPath: objects)
                .filter { $0.split(separator: "/").count == 3 }.sorted()
            guard files.count >= 2 else {
                run.problems.append("the demo store has fewer than two objects: \(files)")
                return
            }
            let changed = objects + "/" + files[0]
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: changed)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: changed))
            _ = try handle.seekToEnd()
            try handle.write(contentsOf: Data("xx".utf8))
            try handle.close()
            try FileManager.default.removeItem(atPath: objects + "/" + files[1])
            let stray = scratch.write("stray.json", #"{"schema": "x-v1", "n": 1}"#)
            let hex = String(handoffHash(stray).dropFirst("xxh128:".count))
            try FileManager.default.createDirectory(
                atPath: objects + "/xxh128/" + hex.prefix(2), withIntermediateDirectories: true)
            _ = FileManager.default.createFile(
                atPath: objects + "/xxh128/" + hex.prefix(2) + "/" + hex.dropFirst(2),
                contents: setup(["canonicalize", stray])?.stdout)
            _ = FileManager.default.createFile(
                atPath: damaged + "/tmp/put-1.tmp", contents: Data("junk".utf8))
        } catch {
            run.problems.append("cannot damage a copy of the demo store: \(error)")
        }
        check("verify", ["verify", "--json", "--store", damaged], status: 1)
        check("verify", ["verify", "--json"] + queue)
        // verify --repair, where this handoff has it, lists the unindexed object again.
        if setup(["verify", "--help"])?.output.contains("--repair") == true {
            check("verify", ["verify", "--repair", "--json", "--store", damaged], status: 1)
        }
    }

    /// Failures: one error object on standard error, the exit status of its kind.
    func failures() {
        let duplicate = scratch.write("duplicate.json", #"{"schema": "tool-result-v1", "a": 1, "a": 2}"#)
        let invalid = samples + "/invalid/insight-v1/category-with-a-space.json"
        let noID = scratch.path + "/no-id.json"
        let missing = scratch.path + "/missing.jsonl"
        let noSchema = scratch.path + "/nope.json"
        let maybe = scratch.path + "/maybe.json"
        let notJSON = Data("not json".utf8)
        // (exit status, store, arguments, standard input)
        let cases: [(Int32, [String], [String], Data?)] = [
            (66, demo, ["show", "0123456789abcdef", "--json"], nil),
            (66, demo, ["show", "01JD3XQ2K8B6W5N2M7T4R9C1ZP", "--json"], nil),
            (64, demo, ["show", "xyz", "--json"], nil),
            (66, store("nowhere"), ["inbox", "reviewer", "--json"], nil),
            (64, demo, ["put", "--json"], nil),
            (64, demo, ["ls", "--bogus", "--json"], nil),
            (64, demo, ["ls", "--state", "pending", "--json"], nil),
            (65, demo, ["put", invalid, "--from", "a", "--json"], nil),
            (65, demo, ["put", duplicate, "--from", "a", "--json"], nil),
            (3, queue, ["ack", receipt2, "--json"], nil),
            (3, demo, ["retry", doneHandoff, "--json"], nil),
            (64, queue, ["ack", "nonsense", "--json"], nil),
            (66, workLogs, ["explain", "--session", "nosuch", "--json"], nil),
            (66, empty, ["explain", "--json"], nil),
            (64, demo, ["explain", request, "--json"], nil),
            (64, workLogs, ["config", "set", "nope", "1", "--json"], nil),
            (65, workLogs, ["config", "set", "work_logs.info_sample_rate", "7", "--json"], nil),
            (3, workLogs, ["insights", "approve", insight, "--json"], nil),
            (65, queue, ["schema", "add", noID, "--json"], nil),
            (66, [], ["schema", "show", "nope-v1", "--json"], nil),
            (65, [], ["hash", "--json"], notJSON),
            (66, store("imports"), ["import", missing, "--from", "a", "--json"], nil),
            (
                65, workLogs, ["log", "add", secondSession, "--confidence", "3", "--message", "x", "--json"],
                nil
            ),
            (64, [], ["canonicalize", "--json"], nil),
            (64, queue, ["work", "a", "--json"], nil),
            (66, [], ["validate", "--schema", noSchema, maybe, "--json"], nil),
            (66, [], ["validate", maybe, scratch.path + "/nonexistent.json", "--json"], nil),
        ]
        for (status, place, arguments, stdin) in cases {
            check("error", arguments + place, status: status, stdin: stdin)
        }
    }

    /// `gc` last: it removes what the cases before use.
    func collecting() {
        setup(["config", "set", "work_logs.workspace_defaults.open.retention_days", "0"] + workLogs)
        check("gc", ["gc", "--dry-run", "--json"] + workLogs)
        check("gc", ["gc", "--json"] + workLogs)
        check("gc", ["gc", "--keep-days", "0", "--json"] + queue)
        check("gc", ["gc", "--keep-days", "0", "--json"] + queue)
    }
}
