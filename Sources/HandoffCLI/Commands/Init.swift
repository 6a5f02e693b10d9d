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
                An existing store is left as it is. Commands that write (put) create the store too, but only \
                in a folder that does not exist yet or is empty: init is how a folder holding other files \
                becomes a store.

                  handoff init /var/lib/bots/handoff
                  handoff init --store /var/lib/bots/handoff
                """)

        @Argument(help: ArgumentHelp("The store directory (the same as --store).", valueName: "dir"))
        var directory: String?

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let directory, let named = store.store, named != directory {
                throw ValidationError("give the store once: \(directory) or --store \(named)")
            }
            if directory?.isEmpty == true { throw ValidationError("the store directory must not be empty") }
        }

        func run() throws {
            var choice = store.choice
            if let directory { choice.store = directory }
            let opened = try choice.openOrCreate(intoExistingFolder: true)
            let existed = !opened.backend.createdStore
            let path = opened.location
            if output.json {
                Terminal.printJSON(["path": .string(path), "created": .bool(!existed)])
            } else if existed {
                Terminal.print("A store already exists at \(Display.line(path)); it was left as it is.")
            } else {
                Terminal.print("Created a store at \(Display.line(path)).")
            }
        }
    }
}
