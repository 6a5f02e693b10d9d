import Foundation
import HandoffJSON
import HandoffKit
import HandoffPostgres

// handoff-bench: measures the hot paths. Build it in release mode:
//
//   scripts/build-release && .build/release/handoff-bench [--quick] [--json] [--dir DIR] [--only SECTION]
//       [--backend postgresql [--postgres URL]]
//
// Figures are throughput over a fixed amount of work after a warm-up, or latencies as a median of many
// runs; "peak RSS" is the process's maximum resident set size as the kernel reports it.

HandoffPostgres.register()
if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "--claim-worker" {
    // A worker process of the multi-process claim+ack measurement (see QueueBench.swift).
    exit(runClaimWorker(Array(CommandLine.arguments.dropFirst(2))))
}

let options = BenchOptions(Array(CommandLine.arguments.dropFirst()))
let bench = Bench(options: options)
if !options.json {
    say(
        "handoff-bench\(options.quick ? " (quick)" : ""), release build, store directory \(options.directory)"
    )
}
let sections: [(String, @MainActor (Bench) throws -> Void)] = [
    ("canonical", benchCanonicalization), ("schema", benchSchemas), ("store", benchStore),
    ("queue", benchQueue), ("worklog", benchWorkLogs), ("mcp", benchMCP),
    ("processes", benchProcesses), ("commands", benchCommands), ("pipeline", benchPipeline),
    ("postgresql", benchPostgres), ("ui", benchUI),
]
for (name, section) in sections where options.only == nil || options.only == name {
    try section(bench)
}
bench.report("peak RSS", peakResidentMegabytes(), "MB")
if options.json { bench.printJSON() }
