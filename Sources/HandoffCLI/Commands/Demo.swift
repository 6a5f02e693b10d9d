import ArgumentParser
import HandoffJSON
import HandoffKit

extension HandoffCommand {
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a small multi-bot workflow on the default store and show what happened.",
            discussion: """
                A security scanner bot scans a skill and hands the structured result to a reviewer bot, which \
                finds it waiting, reads it without parsing any prose, and sees what the scanner recommends. \
                Running it again shows that the same content is stored once and the same pending delivery is \
                not duplicated.

                  handoff demo
                  handoff demo --store /tmp/demo-store
                """)

        @OptionGroup var store: StoreOptions

        func run() throws {
            let store = try store.openOrCreate()
            let scanner = "security_scanner"
            let reviewer = "reviewer"
            let workflow = "install-x-bookmarks"
            let source = "the demo's scan_skill result"
            Terminal.print(Terminal.bold("Handoff demo") + " on the store at \(store.path)")
            Terminal.print()

            Terminal.print(Terminal.bold("1. \(scanner) runs scan_skill and hands the result to \(reviewer)"))
            let document = try ArtifactDocument.parse(
                PackageResources.scan_skill_x_bookmarks_json, source: source)
            let result = try store.put(
                [
                    PutRequest(
                        document: document, producer: scanner, consumers: [reviewer], workflow: workflow,
                        workspace: "#general", source: source)
                ]
            )[0]
            Terminal.print(
                "   $ handoff put scan-skill.json --from \(scanner) --to \(reviewer) --workflow \(workflow)")
            Terminal.print("   \(result.id)")
            if result.existed {
                Terminal.print("   The same content was already stored, so its bytes were not written again.")
            } else {
                Terminal.print(
                    "   Stored \(result.artifact.schema), \(result.artifact.size) canonical bytes.")
            }
            for handoff in result.handoffs {
                Terminal.print("   New handoff \(handoff.id) to \(handoff.consumer).")
            }
            for handoff in result.pendingDuplicates {
                Terminal.print(
                    "   Handoff \(handoff.id) to \(handoff.consumer) was still pending, so no second one was made."
                )
            }
            Terminal.print()

            Terminal.print(Terminal.bold("2. \(reviewer) looks at what is waiting for it"))
            Terminal.print("   $ handoff ls --handoffs --to \(reviewer) --state pending")
            let waiting = try store.handoffs(HandoffFilter(consumer: reviewer, states: [.pending]))
            Terminal.print(handoffTable(waiting).render(indent: "   "))
            Terminal.print()

            Terminal.print(Terminal.bold("3. \(reviewer) reads the artifact as data"))
            Terminal.print("   $ handoff get \(result.id.hex.prefix(12))")
            let read = try store.document(result.id)
            let output = read["output"]
            let findings = output?["findings"]?.arrayValue ?? []
            Terminal.print(
                "   tool \(read["tool"]?.stringValue ?? "?"), status \(read["status"]?.stringValue ?? "?")")
            Terminal.print(
                "   skill \(output?["skill_name"]?.stringValue ?? "?"): risk \(output?["risk_score"]?.intValue ?? -1)/100, \(output?["status"]?.stringValue ?? "?"), \(findings.count) finding(s)"
            )
            for finding in findings {
                Terminal.print(
                    "   - [\(finding["severity"]?.stringValue ?? "?")] \(finding["category"]?.stringValue ?? "?"): \(finding["code"]?.stringValue ?? "") (confidence \(finding["confidence"]?.numberValue ?? 0))"
                )
            }
            let actions = (read["next_actions"]?.arrayValue ?? []).compactMap(\.stringValue)
            Terminal.print("   The scanner recommends: \(actions.joined(separator: ", "))")
            Terminal.print()

            Terminal.print(Terminal.bold("Try next"))
            Terminal.print(
                "   handoff show \(result.id.hex.prefix(12))          the artifact and its handoffs")
            Terminal.print("   handoff get \(result.id.hex.prefix(12)) --meta --pretty")
            Terminal.print("   handoff ls                        everything stored, newest first")
            Terminal.print("   handoff verify                    re-hash every object")
            Terminal.print("   handoff stats")
        }
    }
}
