import ArgumentParser
import HandoffJSON
import HandoffKit

extension HandoffCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract:
                "List artifacts, or handoffs, by schema, producer, consumer, workflow, workspace and time.",
            discussion: """
                Artifacts are listed newest first; with --handoffs, handoffs are listed oldest first. Times are \
                RFC 3339 (2026-11-20T09:00:00Z), a date (2026-11-20), or an age such as 15m, 2h or 7d.

                  handoff ls --schema work-log-v1 --since 1d
                  handoff ls --handoffs --to reviewer --state pending
                """)

        @Flag(name: .long, help: "List handoffs instead of artifacts.")
        var handoffs = false

        @Option(
            name: [.customLong("to"), .customLong("consumer")],
            help: ArgumentHelp("Only handed to this consumer.", valueName: "consumer"))
        var consumer: String?

        @OptionGroup var filters: FilterOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if !filters.state.isEmpty && !handoffs {
                throw ValidationError("--state lists handoffs: add --handoffs")
            }
        }

        func run() throws {
            let store = try store.openToRead()
            if handoffs {
                let filter = try filters.handoffFilter(consumer: consumer)
                let page = Page(try store.handoffs(filter), limit: filters.limit, offset: filters.offset)
                if output.json {
                    Terminal.printJSON(page.json("handoffs", page.shown.map(\.listed)))
                } else if page.shown.isEmpty {
                    Terminal.print("No handoffs match.")
                } else {
                    Terminal.print(handoffTable(page.shown).render())
                    page.printContinuation()
                }
                return
            }
            let filter = ArtifactFilter(
                schema: filters.schema, producer: filters.producer, consumer: consumer,
                workflow: filters.workflow,
                workspace: filters.workspace, since: filters.since?.timestamp,
                until: filters.until?.timestamp,
                limit: Paging.fetchCount(filters.limit), offset: filters.offset)
            let page = Page(try store.artifacts(filter), limit: filters.limit, offset: filters.offset)
            if output.json {
                Terminal.printJSON(page.json("artifacts", page.shown.map(\.json)))
                return
            }
            guard !page.shown.isEmpty else {
                Terminal.print("No artifacts match.")
                return
            }
            var table = TextTable()
            for artifact in page.shown {
                table.append([
                    artifact.id.description, artifact.schema, artifact.producer,
                    artifact.createdAt.description,
                    formatBytes(artifact.size),
                ])
            }
            Terminal.print(table.render())
            page.printContinuation()
        }
    }
}
