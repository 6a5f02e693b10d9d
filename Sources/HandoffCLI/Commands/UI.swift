import ArgumentParser
import HandoffKit

extension HandoffCommand {
    struct UI: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ui",
            abstract: "See the store in a browser: inboxes, chains, sessions, escalations to decide.",
            discussion: """
                Starts a web app on 127.0.0.1 and opens it in a browser. The first line it prints is the \
                address with a one-time token; the first visit trades the token for a cookie, so the link \
                opens once. It runs until interrupted (Ctrl-C, SIGTERM).

                Pages: / (every inbox by state, recent sessions, what waits for a person), \
                /inbox/CONSUMER, /artifacts/ID, /chain/ID (the lineage as a graph), /sessions/ID (a \
                session's timeline; an open session's page shows new entries as they are recorded), \
                /escalations (decide each with a note: the same claim and ack as from the command line), \
                /insights (approve or reject) and /search?q= (handoff how across every entry).

                It answers only requests for the address it printed, from the browser holding its cookie; \
                changes need the page's CSRF token and its origin.

                  handoff ui
                  handoff ui --port 8377 --no-open
                """)

        @Option(
            name: .long,
            help: ArgumentHelp("The port to listen on (0, the default, picks a free one).", valueName: "n"))
        var port: Int = 0

        @Flag(name: .long, help: "Print the address without opening a browser.")
        var noOpen = false

        @OptionGroup var store: StoreOptions

        func validate() throws {
            guard (0...65535).contains(port) else {
                throw ValidationError("--port must be a port number from 0 to 65535 (0 picks a free one)")
            }
        }

        func run() throws {
            var arguments = [
                "--store", store.path, "--busy-timeout", String(store.busyTimeout), "--port", String(port),
            ]
            if noOpen { arguments.append("--no-open") }
            try execSibling("handoff-ui", arguments)
        }
    }
}
