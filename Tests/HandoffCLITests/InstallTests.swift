import Foundation
import Testing

/// `scripts/install`: what a user who installs Handoff gets, installed from the binaries this test run built.
struct InstallTests {
    let scratch = Scratch()

    @Test func installPutsTheBinariesTheManualAndTheCompletionsUnderThePrefix() throws {
        let built = HandoffProcess.executable.deletingLastPathComponent().path
        let prefix = scratch.path + "/prefix"
        let install = ChildProcess()
        install.executableURL = HandoffProcess.repositoryRoot.appendingPathComponent("scripts/install")
        install.arguments = [prefix]
        var environment = ProcessInfo.processInfo.environment
        environment["HANDOFF_INSTALL_FROM"] = built
        environment["HANDOFF_MANUAL_TOOL"] = HandoffProcess.testBuild.path + "/handoff-manual"
        install.environment = environment
        let errors = Pipe()
        install.standardError = errors
        try install.run()
        let messages = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        install.waitUntilExit()
        #expect(install.terminationStatus == 0, "\(messages)")
        #expect(messages.contains("Installed handoff 0.2.0 into \(prefix)."))

        let version = try HandoffProcess.shell("\"\(prefix)/bin/handoff\" --version")
        #expect(version.output == "0.2.0\n")
        let mcp = try HandoffProcess.shell("\"\(prefix)/bin/handoff-mcp\" --help")
        #expect(mcp.status == 0 && mcp.output.contains("usage: handoff mcp"))
        let ui = try HandoffProcess.shell("\"\(prefix)/bin/handoff-ui\" --help")
        #expect(ui.status == 0 && ui.output.contains("usage: handoff ui"))

        // A page per command, and mandoc finds nothing to say about any of them.
        let pages = prefix + "/share/man/man1"
        let manual = try String(contentsOfFile: pages + "/handoff.1", encoding: .utf8)
        #expect(manual.contains(".Dt HANDOFF 1"))
        #expect(manual.contains(".It Xr handoff-inbox 1") && manual.contains(".It Xr handoff-claim 1"))
        let claim = try String(contentsOfFile: pages + "/handoff-claim.1", encoding: .utf8)
        #expect(claim.contains(".Nm handoff claim") && claim.contains(".It Fl -lease Ar seconds"))
        // The claim example, a line of 78 characters, is kept whole in a literal display.
        #expect(
            claim.contains(
                "jq .document <<<\"$C\" | ./review && handoff ack \"$(jq \\-r .receipt <<<\"$C\")\""))
        let files = try FileManager.default.contentsOfDirectory(atPath: pages)
        for page in [
            "handoff-log-add.1", "handoff-schema-ls.1", "handoff-insights-approve.1", "handoff-copy.1",
        ] {
            #expect(files.contains(page), "\(page)")
        }
        #expect(files.count == 49)
        let setup = try HandoffProcess.shell("'\(HandoffProcess.repositoryRoot.path)/scripts/setup' mandoc")
        #expect(setup.status == 0, "\(setup.stderr)")
        let lint = try HandoffProcess.shell("cd '\(pages)' && mandoc -T lint *.1")
        #expect(
            lint.status == 0 && lint.output.isEmpty && lint.stderr.isEmpty, "\(lint.output)\(lint.stderr)")

        // The binaries are stripped; their symbols are beside them, where debuggers look.
        for binary in ["handoff", "handoff-mcp", "handoff-ui"] {
            let installed = try HandoffProcess.shell("readelf -S '\(prefix)/bin/\(binary)'")
            #expect(installed.status == 0)
            #expect(!installed.output.contains(".debug_info") && !installed.output.contains(".symtab"))
            #expect(installed.output.contains(".gnu_debuglink"))
            let symbols = try HandoffProcess.shell("readelf -S '\(prefix)/bin/.debug/\(binary).debug'")
            #expect(symbols.output.contains(".debug_info") || symbols.output.contains(".symtab"))
        }

        // Each completion script is what the shell loads, and knows the subcommands.
        let bash = prefix + "/share/bash-completion/completions/handoff"
        let loaded = try HandoffProcess.shell("bash -c 'source \"\(bash)\" && complete -p handoff'")
        #expect(loaded.status == 0 && loaded.output.contains("handoff"), "\(loaded.stderr)")
        #expect(try String(contentsOfFile: bash, encoding: .utf8).contains("inbox"))
        let zsh = try String(contentsOfFile: prefix + "/share/zsh/site-functions/_handoff", encoding: .utf8)
        #expect(zsh.hasPrefix("#compdef handoff") && zsh.contains("inbox"))
        let fish = try String(
            contentsOfFile: prefix + "/share/fish/vendor_completions.d/handoff.fish", encoding: .utf8)
        #expect(fish.contains("complete -c 'handoff'") && fish.contains("inbox"))
    }

    @Test func installRefusesTwoPrefixes() throws {
        let result = try HandoffProcess.shell(
            "\"\(HandoffProcess.repositoryRoot.path)/scripts/install\" /tmp/a /tmp/b")
        #expect(result.status == 64)
        #expect(result.stderr == "usage: scripts/install [PREFIX]\n")
    }
}
