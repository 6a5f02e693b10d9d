import Foundation
import Testing

@testable import HandoffCLI

/// The fast path's spellings of each command, read from the same place it reads them, against
/// ArgumentParser's own reading of that command (`--experimental-dump-help`): an option added to a command
/// and not to its fast path, or the other way round, fails here rather than surprising a user.
struct FastPathGrammarTests {
    struct Spelled: Equatable, CustomStringConvertible {
        var options: Set<String>
        var repeatable: Set<String>
        var flags: Set<String>
        var positionals: ClosedRange<Int>

        var description: String {
            "options \(options.sorted()), repeatable \(repeatable.sorted()), flags \(flags.sorted()), positionals \(positionals)"
        }
    }

    /// What ArgumentParser takes for `command`, help and --version left out (the fast path leaves those to it).
    func argumentParser(_ command: String) throws -> Spelled {
        let dump = try HandoffProcess.run([command, "--experimental-dump-help"])
        #expect(dump.status == 0)
        let root = try #require(try dump.json() as? [String: Any])
        let arguments = try #require((root["command"] as? [String: Any])?["arguments"] as? [[String: Any]])
        var spelled = Spelled(options: [], repeatable: [], flags: [], positionals: 0...0)
        var required = 0
        var optional = 0
        for argument in arguments {
            let kind = argument["kind"] as? String
            if kind == "positional" {
                if argument["isOptional"] as? Bool == true { optional += 1 } else { required += 1 }
                continue
            }
            let names = (argument["names"] as? [[String: String]] ?? []).filter { $0["kind"] == "long" }
                .compactMap { $0["name"].map { "--" + $0 } }
            for name in names where !["--help", "--version"].contains(name) {
                if kind == "option" { spelled.options.insert(name) } else { spelled.flags.insert(name) }
                if argument["isRepeating"] as? Bool == true { spelled.repeatable.insert(name) }
            }
        }
        spelled.positionals = required...(required + optional)
        return spelled
    }

    @Test(arguments: FastPath.grammars.map(\.command))
    func theFastPathSpellsACommandAsArgumentParserDoes(_ command: String) throws {
        let grammar = try #require(FastPath.grammars.first { $0.command == command }?.grammar)
        let fast = Spelled(
            options: Set(grammar.options), repeatable: Set(grammar.repeatable), flags: Set(grammar.flags),
            positionals: grammar.positionals)
        #expect(grammar.options.count == fast.options.count, "an option listed twice")
        #expect(fast == (try argumentParser(command)))
    }

    @Test func everyCommandTheFastPathReadsIsListed() {
        // `read`'s switch and `grammars` name the same commands.
        for command in ["inbox", "get", "next", "show", "put", "claim", "ack", "release", "extend"] {
            #expect(FastPath.grammars.contains { $0.command == command }, "\(command)")
        }
        #expect(FastPath.grammars.count == 9)
    }
}

/// `handoff mcp` and `handoff ui` are read by ArgumentParser, then `handoff-mcp` and `handoff-ui` read the
/// same options again with their own small parsers (so the servers start without ArgumentParser): both must
/// take the same options, spelt alike.
struct MCPOptionTests {
    @Test(arguments: ["mcp", "ui"])
    func theServerTakesTheOptionsItsCommandDescribes(command: String) throws {
        let dump = try HandoffProcess.run([command, "--experimental-dump-help"])
        let root = try #require(try dump.json() as? [String: Any])
        let arguments = try #require((root["command"] as? [String: Any])?["arguments"] as? [[String: Any]])
        var described: [String: Bool] = [:]
        for argument in arguments {
            for name in (argument["names"] as? [[String: String]] ?? []) where name["kind"] == "long" {
                guard let long = name["name"], !["help", "version"].contains(long) else { continue }
                described["--" + long] = argument["kind"] as? String == "option"
            }
        }
        // What the server says it takes: `[--name VALUE]` or `[--flag]` in its usage line.
        let server = HandoffProcess.executable.deletingLastPathComponent().appendingPathComponent(
            "handoff-" + command)
        let help = try HandoffProcess.run(["--help"], program: server)
        #expect(help.status == 0)
        let usage = try #require(help.outputLines.first { $0.hasPrefix("usage: handoff \(command) ") })
        var taken: [String: Bool] = [:]
        for group in usage.split(separator: "[").dropFirst() {
            let words = group.prefix { $0 != "]" }.split(separator: " ")
            taken[String(words[0])] = words.count > 1
        }
        #expect(taken == described)
        // And spelt as ArgumentParser takes them: with the value after = too.
        let scratch = Scratch()
        if command == "mcp" {
            let run = try HandoffProcess.run(
                ["--store=\(scratch.store)", "--as=reviewer", "--max-bytes=1000", "--busy-timeout=1"],
                stdin: Data(),
                program: server)
            #expect(run.status == 0, "\(run.stderr)")
        } else {
            // On a store that is not there the UI exits before it serves, once its options are read.
            let run = try HandoffProcess.run(
                ["--store=\(scratch.path)/absent", "--port=0", "--no-open", "--busy-timeout=1"],
                stdin: Data(),
                program: server)
            #expect(run.status == 66, "\(run.stderr)")
            #expect(run.stderr.hasPrefix("handoff: no store at \(scratch.path)/absent"), "\(run.stderr)")
        }
    }
}
