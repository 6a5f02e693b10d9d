import ArgumentParser
import HandoffJSON
import HandoffKit

extension HandoffCommand {
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "demo",
            abstract:
                "Run the bookmark workflow with three bots on the default store and show what happened.",
            discussion: """
                A bookmark_analyzer bot hands its work log to an action_suggester, which claims it, reads the \
                data without parsing any prose, derives a handoff-request for a reviewer, and acks. Then the \
                demo prints the reviewer's inbox, the chain of handoffs and the next actions, and says which \
                commands to try. Running it again stores nothing twice: the same content has the same id.

                  handoff demo
                  handoff demo --store /tmp/demo-store
                """)

        @OptionGroup var store: StoreOptions

        func run() throws {
            let store = try store.openOrCreate()
            let analyzer = "bookmark_analyzer"
            let suggester = "action_suggester"
            let reviewer = "reviewer"
            let workflow = "bookmarks-demo"
            Terminal.print(
                Terminal.bold("Handoff demo") + ": the bookmark workflow, on the store at \(store.path)")
            Terminal.print()

            step(1, "\(analyzer) finishes its analysis and hands its work log to \(suggester)")
            let source = "the demo's bookmark analysis"
            let workLog = try ArtifactDocument.parse(PackageResources.bookmark_analysis_json, source: source)
            command(
                "handoff put bookmark-analysis.json --from \(analyzer) --to \(suggester) --workflow \(workflow)"
            )
            let put = try store.put([
                PutRequest(
                    document: workLog, producer: analyzer, consumers: [suggester], workflow: workflow,
                    workspace: "#general", source: source)
            ])[0]
            say(
                "\(put.id)  \(put.artifact.schema), \(put.existed ? "already stored, so not written again" : "stored")"
            )
            say("recommends: \(actionNames(try store.nextActions(of: put.id)).joined(separator: ", "))")
            Terminal.print()

            step(2, "\(suggester) claims the next handoff in its inbox and reads it as data")
            command("handoff claim \(suggester) --lease 60")
            guard let claim = try store.claim(for: suggester, leaseSeconds: 60, worker: "demo") else {
                throw HandoffError(.io, "the demo found nothing to claim for \(suggester)")
            }
            say("claimed \(claim.handoff.id) (attempt \(claim.handoff.attempts)), receipt \(claim.receipt)")
            let analysis = try store.document(claim.handoff.artifactID)
            let decisions = analysis["decisions"]?.arrayValue ?? []
            let categories = decisions.last?["output"]?["categories"]?.objectValue ?? JSONObject()
            let ranked = categories.sorted { ($0.value.numberValue ?? 0) > ($1.value.numberValue ?? 0) }
            let count = decisions.first?["output"]?["count"]?.intValue ?? 0
            say(
                "\(count) bookmarks; top categories: "
                    + ranked.prefix(3).map { "\($0.key) \($0.value.intValue ?? 0)" }.joined(separator: ", "))
            Terminal.print()

            step(3, "\(suggester) derives a request for \(reviewer), linked to the work log, and acks")
            let request = reviewRequest(
                for: claim.handoff.artifactID, top: ranked.prefix(3).map(\.key), workflow: workflow)
            command(
                "handoff put review-request.json --from \(suggester) --to \(reviewer) --parent \(shortID(claim.handoff.artifactID))"
            )
            let derived = try store.put(
                request, from: suggester, to: [reviewer], workflow: workflow, workspace: "#general",
                parents: [claim.handoff.artifactID])
            say("\(derived.id)  handoff-request-v1")
            command("handoff ack \(claim.receipt)")
            let acked = try store.ack(
                claim.receipt, outcome: .done, note: "asked \(reviewer) to review the suggestions")
            say("\(acked.id) is \(acked.state)")
            Terminal.print()

            step(4, "what is waiting for \(reviewer)")
            command("handoff inbox \(reviewer)")
            let waiting = try store.inbox(reviewer, filter: HandoffFilter(limit: 5))
            Terminal.print(handoffTable(waiting).render(indent: "   "))
            Terminal.print()

            step(5, "the chain: where the request came from")
            command("handoff chain \(shortID(derived.id))")
            for line in chainText(try store.chain(of: derived.id)).split(separator: "\n") {
                Terminal.print("   " + line)
            }
            Terminal.print()

            step(6, "what the request asks for next")
            command("handoff next \(shortID(derived.id))")
            for action in try store.nextActions(of: derived.id) {
                say("\(action.action)  from \(action.source)\(action.inferred ? " (inferred)" : "")")
            }
            Terminal.print()

            Terminal.print(Terminal.bold("Try next"))
            for (line, what) in [
                ("handoff claim \(reviewer)", "take the request, with its receipt"),
                ("handoff chain \(shortID(derived.id)) --format mermaid", "the chain as a diagram"),
                ("handoff show \(acked.id)", "a handoff and its history"),
                ("handoff ls --handoffs --workflow \(workflow)", "every handoff of the workflow"),
                ("handoff verify", "re-hash every object"),
            ] {
                Terminal.print(
                    "   \(line)" + String(repeating: " ", count: max(2, 56 - line.count)) + Terminal.dim(what)
                )
            }
        }

        private func step(_ number: Int, _ text: String) {
            Terminal.print(Terminal.bold("\(number). \(text)"))
        }

        private func command(_ text: String) {
            Terminal.print(Terminal.dim("   $ \(text)"))
        }

        private func say(_ text: String) {
            Terminal.print("   \(text)")
        }

        /// The handoff-request-v1 the suggester derives from the analysis.
        private func reviewRequest(for analysis: ArtifactID, top: [String], workflow: String) -> JSONValue {
            [
                "schema": "handoff-request-v1",
                "task": .string(
                    "Review the follow-ups suggested for the top bookmark categories: \(top.joined(separator: ", "))"
                ),
                "inputs": [
                    "analysis": .string(analysis.description),
                    "top_categories": .array(top.map(JSONValue.string)),
                ],
                "input_artifacts": [.string(analysis.description)],
                "expected_schema": "tool-result-v1",
                "priority": "normal",
                "mentions": ["@reviewer"],
                "requested_by": "action_suggester",
                "context": ["workflow_id": .string(workflow), "workspace_id": "#general"],
                "next_actions": ["manual_review", "approve_if_trusted"],
            ]
        }
    }
}
