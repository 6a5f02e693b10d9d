import Foundation
import HandoffJSON
import HandoffKit

/// A three-stage pipeline, in process: each stage claims an input, makes its result, and hands it on to
/// the next stage with the ack in one transaction (`ack(_:handingOn:)`), beside the same pipeline built from
/// a separate put and ack per step (two transactions, which a crash between them turns into a duplicate).
@MainActor
func benchPipeline(_ bench: Bench) throws {
    bench.section("pipeline: three stages, each step handing its result on")
    let inputs = bench.count(1_000)
    // Both pipelines run by turns, fifty steps at a time, so that the machine's moods (its disk's flushes
    // above all) fall on both alike; each one's time is the sum of its turns.
    let variants = [("ack --put", true), ("put, then ack", false)]
    var stores: [Store] = []
    for (_, handsOnWithTheAck) in variants {
        let store = try bench.temporaryStore("pipeline-\(handsOnWithTheAck)")
        try store.put(
            (0..<inputs).map { n in
                PutRequest(document: step("source", n), producer: "source", consumers: ["s1"], workflow: "w")
            })
        stores.append(store)
    }
    let stages = [("s1", "s2"), ("s2", "s3"), ("s3", "out")]
    var elapsed = [0.0, 0.0]
    var finished = [false, false]
    while finished.contains(false) {
        for (index, (_, handsOnWithTheAck)) in variants.enumerated() where !finished[index] {
            let store = stores[index]
            elapsed[index] += try seconds {
                var steps = 0
                stageLoop: for (consumer, next) in stages {
                    while steps < 50, let claim = try store.claim(for: consumer) {
                        steps += 1
                        // The step reads its input, as a bot would, and makes a result of its own.
                        let input = try store.document(claim.handoff.artifactID)
                        let n = Int(input["input"]?["args"]?[0]?.numberValue ?? 0)
                        let result = PutRequest(
                            document: step(next, n), producer: consumer, consumers: [next], workflow: "w",
                            parents: [claim.handoff.artifactID])
                        if handsOnWithTheAck {
                            try store.ack(claim.receipt, handingOn: [result])
                        } else {
                            try store.put([result])
                            try store.ack(claim.receipt)
                        }
                    }
                    if steps >= 50 { break stageLoop }
                }
                if steps == 0 { finished[index] = true }
            }
        }
    }
    var rates: [String: Double] = [:]
    for (index, (name, _)) in variants.enumerated() {
        rates[name] = Double(inputs) / elapsed[index]
        bench.report(
            "\(name), \(inputs) inputs through three stages", Double(inputs) / elapsed[index], "inputs/s")
    }
    if let together = rates["ack --put"], let apart = rates["put, then ack"] {
        bench.report(
            "  ack --put / put, then ack", together / apart, "×", "one transaction a step instead of two")
    }
    try benchPipelineProcesses(bench)
}

/// The same pipelines as bots drive them from a shell: `claim`, then `ack --put` (one process) or `put` and
/// `ack` (two), each a whole process, by turns.
@MainActor
private func benchPipelineProcesses(_ bench: Bench) throws {
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("handoff").path
    guard FileManager.default.isExecutableFile(atPath: executable) else { return }
    let inputs = bench.count(300)
    let directory = try bench.temporaryDirectory("pipeline-processes")
    let variants = [("ack --put", true), ("put, then ack", false)]
    var locations: [String] = []
    for (_, handsOnWithTheAck) in variants {
        let store = try bench.temporaryStore("pipeline-processes-\(handsOnWithTheAck)")
        try store.put(
            (0..<inputs).map { n in
                PutRequest(document: step("source", n), producer: "source", consumers: ["s1"], workflow: "w")
            })
        locations.append(store.location)
    }
    func run(_ arguments: [String]) throws -> Data? {
        let output = directory + "/output"
        // spawn opens it to write, as it is: empty it first.
        FileManager.default.createFile(atPath: output, contents: nil)
        let pid = try spawn(executable, arguments, stdout: output, stderr: "/dev/null")
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return status == 0 ? FileManager.default.contents(atPath: output) : nil
    }
    let stages = [("s1", "s2"), ("s2", "s3"), ("s3", "out")]
    var elapsed = [0.0, 0.0]
    var finished = [false, false]
    var made = 0
    while finished.contains(false) {
        for (index, (_, handsOnWithTheAck)) in variants.enumerated() where !finished[index] {
            let store = locations[index]
            elapsed[index] += try seconds {
                var steps = 0
                stageLoop: for (consumer, next) in stages {
                    while steps < 20,
                        let claimed = try run(["claim", consumer, "--json", "--store", store]),
                        let claim = try? JSONParser.parse(Array(claimed)),
                        let receipt = claim["receipt"]?.stringValue
                    {
                        steps += 1
                        made += 1
                        let n = Int(claim["document"]?["input"]?["args"]?[0]?.numberValue ?? 0)
                        let result = directory + "/result-\(made).json"
                        FileManager.default.createFile(
                            atPath: result, contents: Data(JSONWriter.encode(step(next, n))))
                        if handsOnWithTheAck {
                            _ = try run(["ack", receipt, "--put", result, "--to", next, "--store", store])
                        } else {
                            _ = try run(["put", result, "--from", consumer, "--to", next, "--store", store])
                            _ = try run(["ack", receipt, "--store", store])
                        }
                    }
                    if steps >= 20 { break stageLoop }
                }
                if steps == 0 { finished[index] = true }
            }
        }
    }
    var rates: [String: Double] = [:]
    for (index, (name, _)) in variants.enumerated() {
        rates[name] = Double(inputs) / elapsed[index]
        bench.report(
            "\(name), whole processes, \(inputs) inputs through three stages",
            Double(inputs) / elapsed[index],
            "inputs/s")
    }
    if let together = rates["ack --put"], let apart = rates["put, then ack"] {
        bench.report("  ack --put / put, then ack, whole processes", together / apart, "×")
    }
}

/// The document a stage makes for input `n`.
private func step(_ stage: String, _ n: Int) -> JSONValue {
    [
        "schema": "tool-result-v1", "tool": .string(stage),
        "input": ["args": [.number(Double(n))], "kwargs": [:]], "status": "success", "duration_ms": 1,
    ]
}
