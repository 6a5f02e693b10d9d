import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffWorkLog

extension HandoffCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create a store.",
            discussion: """
                Creates the store directory with owner-only permissions, its object directory and its index. \
                An existing store is left as it is. Commands that write (put) create the store too.

                  handoff init --store /var/lib/bots/handoff
                """)

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let existed = Store.exists(at: store.path)
            _ = try store.openOrCreate()
            if output.json {
                Terminal.printJSON(["path": .string(store.path), "created": .bool(!existed)])
            } else if existed {
                Terminal.print("A store already exists at \(Display.line(store.path)); it was left as it is.")
            } else {
                Terminal.print("Created a store at \(Display.line(store.path)).")
            }
        }
    }
}
