import Foundation
import HandoffJSON
import HandoffKit

/// The wall time of whole `handoff` processes, as bots that call the command line see it, beside a
/// statically linked Swift "hello world" built on the spot: the floor any Swift command line starts from.
/// Ratios to it are what the noisy, shared machines these run on keep steady.
@MainActor
func benchProcesses(_ bench: Bench) throws {
    let directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent()
    let executable = directory.appendingPathComponent("handoff").path
    guard FileManager.default.isExecutableFile(atPath: executable) else {
        if !bench.options.json {
            say(
                "\n(no handoff executable beside the benchmark: build it with scripts/build-release to time processes)"
            )
        }
        return
    }
    bench.section("whole processes (\(executable))")
    let store = try bench.temporaryStore("processes")
    let runs = bench.count(100)
    // A new document for every timed put, so that each one stores an object (none finds it there already).
    let inputs = (0..<runs).map { store.path + "/input-\($0).json" }
    for (run, input) in inputs.enumerated() {
        let document = workLog(decisions: 3, seed: 1_000 + run)
        precondition(
            FileManager.default.createFile(
                atPath: input, contents: Data(JSONWriter.encode(document, options: .pretty))))
    }
    let stored = try store.put(workLog(decisions: 3, seed: 8), from: "bench", to: ["consumer"])

    /// The wall time, in milliseconds, of one run of `program` with `line`.
    func once(_ program: String, _ line: [String]) throws -> Double {
        try seconds {
            let pid = try spawn(program, line, stdout: "/dev/null", stderr: "/dev/null")
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            precondition(status == 0 || status == 2 << 8, "\(program) \(line) failed with \(status)")
        } * 1000
    }

    // The goals' floor is hello world with the standard library linked in, the way the goals were set.
    // A fully static one (no dynamic loader at all, as scripts/build-release links `handoff`) is the
    // lower floor beside it: the ratio to it says how much of a command's time is its own work.
    let hello = try buildHello(in: bench.options.directory, linking: "-static-stdlib", name: "hello")
    let fullyStatic = try buildHello(
        in: bench.options.directory, linking: "-static-executable", name: "hello-static")
    if let hello {
        let floor = median(try (0..<runs).map { _ in try once(hello, []) })
        bench.report("Swift hello world, standard library linked in", floor, "ms", "median: the floor")
    } else if !bench.options.json {
        say("  (swiftc is not on PATH: no hello world to compare with)")
    }
    if let fullyStatic {
        let lower = median(try (0..<runs).map { _ in try once(fullyStatic, []) })
        bench.report("Swift hello world, fully static", lower, "ms", "median")
    }

    /// The median wall time of running `arguments` (each run's may differ), and its ratio to each hello
    /// world's, run just before each of those runs: the machine's load shifts from one moment to the next,
    /// and a ratio of runs taken side by side keeps it out.
    func report(_ name: String, goal: Double, _ arguments: (Int) -> [String]) throws {
        var samples: [Double] = []
        var floors: [Double] = []
        var lowerFloors: [Double] = []
        for run in 0..<runs {
            if let hello { floors.append(try once(hello, [])) }
            if let fullyStatic { lowerFloors.append(try once(fullyStatic, [])) }
            samples.append(try once(executable, arguments(run)))
        }
        bench.report(name, median(samples), "ms", "median")
        if !floors.isEmpty {
            bench.report(
                "  \(name) / hello world", median(samples) / median(floors), "×",
                "goal ≤ \(Int(goal))×, hello world run alternately")
        }
        if !lowerFloors.isEmpty {
            bench.report(
                "  \(name) / fully static hello world", median(samples) / median(lowerFloors), "×",
                "run alternately")
        }
    }

    let id = stored.artifact.id.description
    let storeOption = ["--store", store.path]
    try report("handoff --version", goal: 2) { _ in ["--version"] }
    try report("handoff inbox --json", goal: 2) { _ in ["inbox", "consumer", "--json"] + storeOption }
    try report("handoff get", goal: 2) { _ in ["get", id] + storeOption }
    try report("handoff next", goal: 2) { _ in ["next", id] + storeOption }
    try report("handoff show", goal: 2) { _ in ["show", id] + storeOption }
    try report("handoff put (2 KB)", goal: 3) {
        ["put", inputs[$0], "--from", "bench", "--to", "consumer"] + storeOption
    }
    // Enough distinct handoffs that every timed claim finds one, and receipts for every timed ack.
    try store.put(
        (0..<(2 * runs + 10)).map { n in
            PutRequest(
                document: workLog(decisions: 3, seed: 9), producer: "bench", consumers: ["claimer"],
                workflow: "run-\(n)")
        })
    try report("handoff claim", goal: 3) { _ in ["claim", "claimer"] + storeOption }
    var receipts: [String] = []
    for _ in 0..<runs {
        guard let claim = try store.claim(for: "claimer") else { fatalError("the claimer's inbox ran dry") }
        receipts.append(claim.receipt.description)
    }
    try report("handoff ack", goal: 3) { ["ack", receipts[$0]] + storeOption }

    try benchCLIWorkers(bench, executable: executable)
    try benchWholeInbox(bench, executable: executable)
}

/// A "hello world" linked with `linking` (`-static-stdlib` or `-static-executable`), built with the same
/// toolchain into `directory`; nil without swiftc or when it cannot be linked so.
private func buildHello(in directory: String, linking: String, name: String) throws -> String? {
    let source = directory + "/hello.swift"
    let binary = directory + "/" + name
    try Data("print(\"hello\")\n".utf8).write(to: URL(fileURLWithPath: source))
    let compiler = Process()
    compiler.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    compiler.arguments = ["swiftc", "-O", linking, source, "-o", binary]
    compiler.standardError = FileHandle.nullDevice
    do {
        try compiler.run()
    } catch {
        return nil
    }
    compiler.waitUntilExit()
    return compiler.terminationStatus == 0 ? binary : nil
}

/// Eight shell loops, each claiming and acking with the command line until the inbox is empty: what a
/// team of bots calling `handoff` from scripts moves. With `--baseline`, the same loops drive that earlier
/// `handoff` too, by turns with this one, each on its own store filled by its own `import` of the same
/// documents, and the figure that counts is the ratio of the two rates.
@MainActor
private func benchCLIWorkers(_ bench: Bench, executable: String) throws {
    let handoffs = bench.count(600)
    let documents = try bench.temporaryDirectory("cli-workers") + "/documents.jsonl"
    var lines: [UInt8] = []
    for n in 0..<handoffs {
        lines += JSONWriter.encode(workLog(decisions: 3, seed: 20_000 + n), options: .compact)
        lines.append(0x0A)
    }
    precondition(FileManager.default.createFile(atPath: documents, contents: Data(lines)))

    // The receipt is the line `receipt  R` of claim's text output, in every version. The lean loop cuts it
    // out with the shell's own parameter expansion; the sed loop, the one the 45/s of before was measured
    // with, runs printf and sed for it, two more processes per handoff.
    let lean = """
        while out=$("$0" claim team --worker "w$1" --store "$2"); do
            r=${out#*receipt  }
            "$0" ack "${r%%[!0-9A-Za-z.]*}" --store "$2" > /dev/null || exit 1
        done
        """
    let sed = """
        while out=$("$0" claim team --worker "w$1" --store "$2"); do
            r=$(printf '%s\\n' "$out" | sed -n 's/^receipt  //p')
            "$0" ack "$r" --store "$2" > /dev/null || exit 1
        done
        """

    /// The handoffs a second that eight `loop`s move through `binary`, on a store it filled itself.
    var round = 0
    func rate(_ binary: String, _ loop: String) throws -> Double {
        round += 1
        let store = try bench.temporaryDirectory("cli-workers-\(round)") + "/store"
        try run(binary, ["init", "--store", store])
        try run(binary, ["import", documents, "--from", "bench", "--to", "team", "--store", store])
        let elapsed = try seconds {
            let pids = try (0..<8).map { worker in
                try spawn(
                    "/bin/sh", ["-c", loop, binary, String(worker), store], stdout: "/dev/null",
                    stderr: "/dev/null")
            }
            for pid in pids {
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                precondition(status == 0, "a CLI worker of \(binary) failed with \(status)")
            }
        }
        // A worker also stops when a claim fails for another reason than an empty inbox (a busy store, say):
        // the rate counts only if every handoff was claimed and acked.
        try run(binary, ["claim", "team", "--store", store], expecting: 2 << 8)
        return Double(handoffs) / elapsed
    }

    for (name, loop) in [("sed loop", sed), ("lean loop", lean)] {
        guard let baseline = bench.options.baseline else {
            bench.report(
                "8 CLI workers, claim+ack, \(name)", try rate(executable, loop), "handoffs/s",
                "goal: 4× --baseline's (scripts/build-baseline)")
            continue
        }
        var ours: [Double] = []
        var theirs: [Double] = []
        for _ in 0..<3 {
            theirs.append(try rate(baseline, loop))
            ours.append(try rate(executable, loop))
        }
        bench.report("8 CLI workers, claim+ack, \(name)", median(ours), "handoffs/s", "median of 3")
        bench.report(
            "  the same, --baseline, \(name)", median(theirs), "handoffs/s", "median of 3, run by turns")
        bench.report(
            "  8 CLI workers, \(name), vs --baseline", median(zip(ours, theirs).map { $0 / $1 }), "×",
            "goal ≥ 4×; median of 3 alternating rounds")
    }
}

/// Runs `binary` with `arguments` to its end, output discarded, and stops the benchmark unless it exits
/// with the wait status `expecting`.
private func run(_ binary: String, _ arguments: [String], expecting: Int32 = 0) throws {
    let pid = try spawn(binary, arguments, stdout: "/dev/null", stderr: "/dev/null")
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    precondition(status == expecting, "\(binary) \(arguments.joined(separator: " ")) ended with \(status)")
}

/// The whole inbox of 10,000 handoffs as JSON, in one process, beside the seed's artifact store listing
/// a consumer's artifacts by reading every file (`list_artifacts_for_consumer`) of a folder of 100,000.
/// Each handoff hands on its own work log, as in a real inbox, so that nothing known about one artifact
/// serves another.
@MainActor
private func benchWholeInbox(_ bench: Bench, executable: String) throws {
    let store = try bench.temporaryStore("whole-inbox")
    let handoffs = 10_000
    for start in stride(from: 0, to: handoffs, by: 1_000) {
        try store.put(
            (start..<start + 1_000).map { n in
                PutRequest(
                    document: workLog(decisions: 3, seed: 100_000 + n), producer: "bench", consumers: ["big"],
                    workflow: "item-\(n)")
            })
    }
    var samples: [Double] = []
    for _ in 0..<bench.count(20) {
        samples.append(
            try seconds {
                try run(executable, ["inbox", "big", "--json", "--limit", "10000", "--store", store.path])
            } * 1000)
    }
    let ours = median(samples)
    bench.report("handoff inbox --json, 10,000 handoffs", ours, "ms", "median, whole process; goal ≤ 60")
    let files = bench.options.quick ? 10_000 : 100_000
    if let seed = seedScanMilliseconds(files: files, directory: store.path + "-seed") {
        let label = files == 100_000 ? "100k" : "10k"
        bench.report("the seed's list_artifacts_for_consumer, \(label) files", seed, "ms", "python3")
        bench.report(
            "whole inbox vs the seed's scan", seed / ours, "×",
            files == 100_000 ? "faster; goal ≥ 50×" : "faster (quick: a tenth of the seed's files)")
    }
}

/// The seed's `AgentArtifactStore.list_artifacts_for_consumer` over a folder of `files` artifacts written
/// as its `save_artifact` writes them, timed with python3; nil without python3.
private func seedScanMilliseconds(files: Int, directory: String) -> Double? {
    let script = """
        import json, os, sys, time, uuid
        from datetime import datetime
        from pathlib import Path
        folder, count = Path(sys.argv[1]), int(sys.argv[2])
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(count):
            artifact = {"schema": "tool-result-v1", "tool": "bird", "input": {"args": [], "kwargs": {}},
                        "status": "success", "duration_ms": n}
            artifact["_meta"] = {"id": str(uuid.uuid4()), "producer": "bench",
                                 "consumer": "big" if n % 10 == 0 else "other",
                                 "created_at": datetime.now().isoformat(), "schema": artifact["schema"]}
            (folder / f"{artifact['_meta']['id']}.json").write_text(json.dumps(artifact, indent=2))
        def list_artifacts_for_consumer(consumer):
            artifacts = []
            for artifact_file in folder.glob("*.json"):
                data = json.loads(artifact_file.read_text())
                if data.get("_meta", {}).get("consumer") == consumer:
                    artifacts.append(data)
            return sorted(artifacts, key=lambda x: x["_meta"]["created_at"])
        start = time.perf_counter()
        found = list_artifacts_for_consumer("big")
        print((time.perf_counter() - start) * 1000, len(found))
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, directory, String(files)]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do {
        try process.run()
    } catch {
        return nil
    }
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    try? FileManager.default.removeItem(atPath: directory)
    guard process.terminationStatus == 0, let first = text.split(separator: " ").first else { return nil }
    return Double(first)
}
