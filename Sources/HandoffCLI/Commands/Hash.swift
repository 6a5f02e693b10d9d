import ArgumentParser
import HandoffJSON
import HandoffKit

extension HandoffCommand {
    struct Hash: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hash",
            abstract: "Print the artifact id of a document.",
            discussion: """
                The id is xxh128: and the XXH3-128 of the document's canonical bytes, so the same content has \
                the same id on every machine, however it is formatted:

                  handoff hash scan.json
                  xxh128:3f2a…
                """)

        @Argument(help: ArgumentHelp("The document (default: standard input).", valueName: "file"))
        var file: String?

        @OptionGroup var limits: LimitOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (bytes, _) = try Input.canonical(file, limits: limits.limits)
            let id = ArtifactID(canonicalBytes: bytes)
            ProcessLifetime.keep(bytes)
            if output.json {
                Terminal.printJSON(["id": .string(id.description), "size": .number(Double(bytes.count))])
            } else {
                Terminal.print(id.description)
            }
        }
    }
}
