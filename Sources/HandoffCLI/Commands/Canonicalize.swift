import ArgumentParser
import HandoffJSON
import HandoffKit

extension HandoffCommand {
    struct Canonicalize: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "canonicalize",
            abstract: "Print a document's RFC 8785 canonical bytes.",
            discussion: """
                Reads one JSON document (FILE, or standard input when FILE is absent or -), checks it strictly \
                (UTF-8, no duplicate keys, numbers a double can hold) and prints its canonical form, with no \
                trailing newline. These are the bytes an artifact id hashes:

                  handoff canonicalize scan.json | xxhsum -H2
                """)

        @Argument(help: ArgumentHelp("The document (default: standard input).", valueName: "file"))
        var file: String?

        @OptionGroup var limits: LimitOptions

        func run() throws {
            let (bytes, _) = try Input.canonical(file, limits: limits.limits)
            Terminal.write(bytes)
            ProcessLifetime.keep(bytes)
        }
    }
}
