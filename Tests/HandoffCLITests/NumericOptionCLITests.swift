import Foundation
import HandoffSchema
import Testing

/// Every number a user can type into every numeric option of every command: each is answered with a clear
/// usage error (exit 64, naming the option) or does the work, and none traps. The options come from the
/// executable's own description of itself, so an option added later is tried too.
struct NumericOptionCLITests {
    let scratch = Scratch()

    /// What users type by mistake or on purpose: the edges of 64-bit integers and doubles, signs, specials,
    /// a number too long for anything, and nothing.
    static let values = [
        "9223372036854775807", "-9223372036854775808", "18446744073709551616", "1e308", "-1", "0", "nan",
        "inf", "-inf", String(repeating: "9", count: 400), "",
    ]

    /// The value names of options that take numbers.
    static let numericValueNames: Set<String> = [
        "n", "seconds", "bytes", "levels", "days", "ms", "number", "step", "port",
    ]

    /// The positionals each command needs to get past its argument parsing and use the option. A command
    /// missing here fails the test, so that a new command is thought about.
    static func positionals(_ command: String) -> [String]? {
        switch command {
        case "canonicalize", "hash", "validate", "schema add", "schema check": ["/dev/null"]
        case "put", "import", "log record", "log start", "init", "ls", "stats", "verify", "gc", "demo",
            "logs",
            "escalations", "insights ls", "config show", "explain", "mcp", "schema ls", "ui":
            []
        case "get", "show", "chain", "next": ["xxh128:00000000"]
        case "inbox", "claim": ["c"]
        case "copy": []
        case "ack", "release", "extend": ["01J00000000000000000000000.1.00000000000000000000000000000000"]
        case "retry", "route": ["01J00000000000000000000000"]
        case "work": ["c", "--", "true"]
        case "log add", "log end": ["01J00000000000000000000000"]
        case "how": ["question"]
        case "schema show": ["tool-result-v1"]
        case "insights approve", "insights reject": ["01J00000000000000000000000"]
        case "config set": ["work_logs.info_sample_rate", "1"]
        case "config unset": ["work_logs.info_sample_rate"]
        default: nil
        }
    }

    struct NumericOption: CustomStringConvertible {
        var command: [String]
        var name: String
        var description: String { (command + [name]).joined(separator: " ") }
    }

    /// Every option of every command whose value is a number, from `handoff --experimental-dump-help`.
    static func numericOptions() throws -> [NumericOption] {
        let dump = try HandoffProcess.run(["--experimental-dump-help"])
        let root = try #require(try dump.json() as? [String: Any])
        var found: [NumericOption] = []
        func walk(_ command: [String: Any], path: [String]) {
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                guard argument["kind"] as? String == "option",
                    let valueName = argument["valueName"] as? String, numericValueNames.contains(valueName),
                    let name = (argument["names"] as? [[String: Any]])?.first?["name"] as? String
                else { continue }
                found.append(NumericOption(command: path, name: "--" + name))
            }
            for subcommand in command["subcommands"] as? [[String: Any]] ?? [] {
                walk(subcommand, path: path + [subcommand["commandName"] as! String])
            }
        }
        walk(try #require(root["command"] as? [String: Any]), path: [])
        return found
    }

    @Test func noNumberTrapsAnyOption() throws {
        let options = try Self.numericOptions()
        // The options this test was written against are all among them.
        for expected in [
            "ls --limit", "ls --offset", "inbox --limit", "claim --lease", "claim --max-attempts",
            "release --delay",
            "extend --lease", "chain --depth", "work --poll", "work --retry-delay", "logs --limit",
            "escalations --limit", "insights ls --limit", "how --limit", "gc --keep-days", "put --max-bytes",
            "put --max-depth", "log add --confidence", "log add --duration-ms", "log add --response-to",
            "mcp --max-bytes", "init --busy-timeout", "ui --port",
        ] {
            #expect(options.contains { $0.description == expected }, "\(expected)")
        }
        #expect(try HandoffProcess.run(["init", "--store", scratch.store]).status == 0)
        let runs = options.flatMap { option in Self.values.map { (option, $0) } }
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: runs.count) { index in
            let (option, value) = runs[index]
            let command = option.command.joined(separator: " ")
            guard let positionals = Self.positionals(command) else {
                failures.withLock { $0.append("\(command): no positionals known for this command") }
                return
            }
            var arguments = option.command + [option.name, value, "--store", scratch.store]
            // `work` stops after one handoff, and finds none; `--poll` alone would keep it waiting.
            if command == "work" && option.name != "--limit" { arguments += ["--limit", "1"] }
            // `copy` copies into a folder of the run's own.
            if command == "copy" { arguments += ["--to", scratch.path + "/copy-\(index)"] }
            // `ui` serves until it is stopped: on a store that is not there, it parses its options and exits
            // 66 without serving.
            if command == "ui" {
                arguments =
                    option.command + [option.name, value, "--no-open", "--store", scratch.path + "/absent"]
            }
            arguments += positionals
            let result: HandoffProcess.Result
            do {
                result = try HandoffProcess.run(arguments, stdin: Data(), timeLimit: 30)
            } catch {
                failures.withLock { $0.append("\(option) \(value.prefix(20)): \(error)") }
                return
            }
            // A busy timeout of 0 does not wait: a command that meets another's lock (these runs go at once, on
            // one store) says the store is busy and exits 75, which is the answer it asked for.
            let busyAsAsked =
                option.name == "--busy-timeout" && result.status == 75
                && result.stderr.hasPrefix("handoff: the store is busy")
            let problem: String? =
                if busyAsAsked {
                    nil
                } else if result.signaled {
                    "killed by a signal, or still running after 30 s"
                } else if result.status >= 128 || ![0, 1, 2, 3, 64, 65, 66].contains(result.status) {
                    "exit \(result.status): \(result.stderr.prefix(300))"
                } else if result.status == 64 && !result.stderr.hasPrefix("handoff: ") {
                    "a usage error without the usual form: \(result.stderr.prefix(300))"
                } else if result.stderr.count > 600 {
                    "an error too long to read: \(result.stderr.prefix(300))"
                } else {
                    nil
                }
            if let problem {
                failures.withLock { $0.append("\(option) '\(value.prefix(20))': \(problem)") }
            }
        }
        let found = failures.withLock { $0 }
        #expect(
            found.isEmpty, "\(found.count) of \(runs.count):\n\(found.prefix(40).joined(separator: "\n"))")
    }

    /// The numbers the issue was filed with: each listing is answered, not killed.
    @Test func theLargestLimitListsEverything() throws {
        let put = try HandoffProcess.run(
            ["put", "--from", "p", "--to", "c", "--store", scratch.store],
            stdin: Data(HardeningCLITests.toolResult.utf8))
        #expect(put.status == 0, "\(put.stderr)")
        for command in [
            ["ls"], ["ls", "--handoffs"], ["inbox", "c"], ["logs"], ["escalations"], ["insights"],
        ] {
            let result = try HandoffProcess.run(
                command + ["--limit", "9223372036854775807", "--json", "--store", scratch.store])
            #expect(!result.signaled && result.status == 0, "\(command): \(result.status) \(result.stderr)")
            let object = try #require(try result.json() as? [String: Any], "\(command)")
            #expect(object["truncated"] as? Bool == false, "\(command)")
        }
        let inbox = try HandoffProcess.run([
            "inbox", "c", "--offset", "9223372036854775807", "--limit", "9223372036854775807", "--json",
            "--store", scratch.store,
        ])
        #expect(inbox.status == 0)
        #expect((try inbox.json() as? [String: Any])?["handoffs"] as? [Any] != nil)
    }

    @Test func aLongRefusedValueIsShownByItsStart() throws {
        let result = try HandoffProcess.run(["ls", "--limit", String(repeating: "9", count: 400)])
        #expect(result.status == 64)
        #expect(
            result.stderr.hasPrefix(
                "handoff: the value '99999999999999999999… (400 characters)' is invalid for '--limit <n>'"),
            "\(result.stderr)")
    }
}
