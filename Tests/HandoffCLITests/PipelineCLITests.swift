import Foundation
import HandoffTesting
import Testing

/// A pipeline of `handoff work --hand-on-to` steps, as bots run one: each step's output is handed on with its
/// ack, so a worker killed anywhere (before, during or after its command, between the command's exit and
/// the ack, just after the commit) hands on exactly once.
struct PipelineCLITests {
    let scratch = Scratch()

    static func input(_ n: Int) -> String {
        #"{"schema": "tool-result-v1", "tool": "source", "input": {"args": [\#(n)], "kwargs": {}}, "status": "success", "duration_ms": 1}"#
    }

    /// A step: reads the document on standard input and writes the next one, naming the input's number and
    /// the step.
    func step(_ name: String) -> String {
        let script = scratch.write(
            "\(name).sh",
            """
            n=$(sed -n 's/.*"args":\\[\\([0-9]*\\)\\].*/\\1/p')
            printf '{"schema": "tool-result-v1", "tool": "%s", "input": {"args": [%s], "kwargs": {}}, "status": "success", "duration_ms": 1}\\n' "\(name)" "$n"
            """)
        return script
    }

    func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try HandoffProcess.run(arguments + ["--json", "--store", scratch.store], timeLimit: 60)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try #require(try result.json() as? [String: Any])
    }

    func handoffs(to consumer: String) throws -> [[String: Any]] {
        (try json(["ls", "--handoffs", "--to", consumer, "--limit", "10000"])["handoffs"] as? [[String: Any]]
            ?? [])
            .compactMap { $0["handoff"] as? [String: Any] }
    }

    @Test func aStepHandsItsOutputOnOrSaysWhyNot() throws {
        for n in 0..<4 {
            #expect(
                try HandoffProcess.run(
                    ["put", "--from", "source", "--to", "s1", "--store", scratch.store],
                    stdin: Data(Self.input(n).utf8)
                ).status == 0)
        }
        // Input 1 gets output that is not JSON, 2 invalid output, 3 none: only 0 is handed on.
        let script = scratch.write(
            "mixed.sh",
            """
            n=$(sed -n 's/.*"args":\\[\\([0-9]*\\)\\].*/\\1/p')
            case $n in
              1) echo 'not json' ;;
              2) echo '{"schema": "tool-result-v1", "tool": ""}' ;;
              3) ;;
              *) printf '{"schema": "tool-result-v1", "tool": "a", "input": {}, "status": "success", "duration_ms": 1}\\n{"schema": "tool-result-v1", "tool": "b", "input": {}, "status": "success", "duration_ms": 1}\\n' ;;
            esac
            """)
        let worked = try HandoffProcess.run(
            [
                "work", "s1", "--hand-on-to", "s2", "--retry-delay", "3600", "--json", "--store",
                scratch.store, "--", "/bin/sh", script,
            ])
        #expect(worked.status == 0, "\(worked.stderr)")
        let summary = try #require(try worked.json() as? [String: Any])
        #expect(summary["done"] as? Int == 2 && summary["released"] as? Int == 2)
        #expect(worked.stderr.contains("line 1: column 1: invalid literal"))
        #expect(worked.stderr.contains("is not a valid tool-result-v1 artifact"))
        let handedOn = try handoffs(to: "s2")
        #expect(handedOn.count == 2, "both documents of JSON Lines output")
        let inputs = try handoffs(to: "s1")
        #expect(inputs.filter { $0["state"] as? String == "pending" }.count == 2)
        // The released ones say why in their history.
        for handoff in inputs where handoff["state"] as? String == "pending" {
            let shown = try json(["show", try #require(handoff["id"] as? String)])
            let notes = (shown["events"] as? [[String: Any]] ?? []).compactMap { $0["note"] as? String }
            #expect(notes.contains { $0.hasPrefix("nothing handed on: ") }, "\(notes)")
        }
        // Each result names the input it came from.
        for handoff in handedOn {
            let shown = try json(["show", try #require(handoff["artifact"] as? String)])
            #expect((shown["parents"] as? [String])?.count == 1)
        }
    }

    /// The issue's pipeline: three stages of `work --hand-on-to`, four workers a stage, inputs put at once;
    /// workers are killed at random moments, some armed to die between their command's exit and the ack, or
    /// just after the commit. Every input must come out once at each stage, each chain whole.
    @Test(.timeLimit(.minutes(5))) func aPipelineOfKilledWorkersHandsEachInputOnExactlyOnce() throws {
        let inputs = 300
        let lines = (0..<inputs).map { Self.input($0) }.joined(separator: "\n") + "\n"
        #expect(
            try HandoffProcess.run(
                [
                    "import", scratch.write("inputs.jsonl", lines), "--from", "source", "--to", "s1",
                    "--store", scratch.store,
                ]
            ).status == 0)
        let stages = [
            ("s1", "s2", step("stage-a")), ("s2", "s3", step("stage-b")), ("s3", "out", step("stage-c")),
        ]
        var random = SeededRandom(for: "aPipelineOfKilledWorkersHandsEachInputOnExactlyOnce")
        let failpoints = ["", "", "work-command-exited", "index-committed", "objects-durable"]
        func start(_ stage: (String, String, String)) throws -> ChildProcess {
            let armed = failpoints[Int(random.next() % UInt64(failpoints.count))]
            let (process, _, _) = try HandoffProcess.start(
                [
                    "work", stage.0, "--hand-on-to", stage.1, "--poll", "0.2", "--lease", "2",
                    "--max-attempts",
                    "1000", "--store", scratch.store, "--", "/bin/sh", stage.2,
                ], environment: armed.isEmpty ? [:] : ["HANDOFF_FAILPOINT": armed])
            return process
        }
        var workers: [(stage: Int, process: ChildProcess)] = []
        for (index, stage) in stages.enumerated() {
            for _ in 0..<4 { workers.append((index, try start(stage))) }
        }
        var kills = 0
        let deadline = Date().addingTimeInterval(240)
        while Date() < deadline {
            usleep(UInt32(50_000 + random.next() % 150_000))
            // Kill one at random, and bring back any that died (killed, or at its failpoint).
            let victim = Int(random.next() % UInt64(workers.count))
            kill(workers[victim].process.processIdentifier, SIGKILL)
            kills += 1
            for index in workers.indices where !workers[index].process.isRunning {
                workers[index].process.waitUntilExit()
                workers[index].process = try start(stages[workers[index].stage])
            }
            if try handoffs(to: "out").count >= inputs,
                try ["s1", "s2", "s3"].allSatisfy({
                    try handoffs(to: $0).allSatisfy { $0["state"] as? String == "done" }
                })
            {
                break
            }
        }
        for worker in workers {
            kill(worker.process.processIdentifier, SIGKILL)
            worker.process.waitUntilExit()
        }
        #expect(kills >= 5, "workers were killed while the pipeline ran")
        // Once at each stage: as many deliveries as inputs, each of another artifact, all done but the last.
        for consumer in ["s2", "s3", "out"] {
            let delivered = try handoffs(to: consumer)
            #expect(
                delivered.count == inputs, "\(consumer): \(delivered.count) deliveries for \(inputs) inputs")
            #expect(Set(delivered.compactMap { $0["artifact"] as? String }).count == inputs, "\(consumer)")
        }
        for consumer in ["s1", "s2", "s3"] {
            #expect(try handoffs(to: consumer).allSatisfy { $0["state"] as? String == "done" }, "\(consumer)")
        }
        // Every chain is whole: input, then one artifact of each stage, each derived from the one before.
        for handoff in try handoffs(to: "s1") {
            let chain = try json(["chain", try #require(handoff["artifact"] as? String), "--depth", "5"])
            let nodes = chain["nodes"] as? [[String: Any]] ?? []
            #expect(nodes.compactMap { $0["generation"] as? Int }.sorted() == [0, 1, 2, 3], "\(handoff)")
            #expect((chain["edges"] as? [Any])?.count == 3)
        }
    }
}
