import ArgumentParser
import Testing

@testable import HandoffCLI

/// Help is read on 80-column terminals: examples must not be wrapped in the middle of a command, and a
/// mistyped command name gets the nearest real one.
struct HelpTests {
    /// Every command, with the words that run it.
    static func commands(
        _ command: any ParsableCommand.Type = HandoffCommand.self, path: String = "handoff"
    ) -> [(String, any ParsableCommand.Type)] {
        [(path, command)]
            + command.configuration.subcommands.flatMap { commands($0, path: path + " " + $0._commandName) }
    }

    @Test func everyExampleIsPrintedWholeOnAnEightyColumnTerminal() throws {
        var examples = 0
        for (path, command) in Self.commands() {
            // Paragraphs are wrapped by the parser; lines indented by two spaces are examples, and must come
            // out as they are written: what `--help` prints, 80 columns wide, holds each of them as a line.
            let lines = command.configuration.discussion.split(separator: "\n").filter { $0.hasPrefix("  ") }
            guard !lines.isEmpty else { continue }
            let help = try HandoffProcess.run(
                Array(path.split(separator: " ").dropFirst().map(String.init)) + ["--help"])
            #expect(help.status == 0, "\(path)")
            let printed = Set(help.outputLines)
            for line in lines {
                examples += 1
                #expect(printed.contains(String(line)), "`\(path) --help` wraps the example: \(line)")
            }
        }
        #expect(examples > 50)
    }

    @Test func aMistypedCommandGetsTheNearestOne() throws {
        let root = try HandoffProcess.run(["inbx", "reviewer"])
        #expect(root.status == 64)
        #expect(
            root.stderr
                == "handoff: unknown command \"inbx\" for `handoff`\n  hint: did you mean `handoff inbox`?\n")
        let nested = try HandoffProcess.run(["schema", "lss"])
        #expect(nested.stderr.hasPrefix(#"handoff: unknown command "lss" for `handoff schema`"#))
        #expect(nested.stderr.contains("did you mean `handoff schema ls`?"))
        let far = try HandoffProcess.run(["frobnicate"])
        #expect(far.stderr.hasSuffix("  hint: see `handoff --help`\n"))
        // An argument of a command with a default subcommand is not mistaken for a command.
        #expect(
            try HandoffProcess.run(["config", "nonsense.key"]).stderr.contains("unknown command") == false)
    }
}
