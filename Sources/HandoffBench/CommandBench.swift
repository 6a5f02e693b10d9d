import Foundation
import HandoffJSON
import HandoffKit
import HandoffSchema

/// The commands bots run over many or large documents, as whole processes, beside what a bot would write in
/// Python with the fastest peers there are, also as whole processes, run by turns in the same run:
/// `validate --jsonl` of 20,000 work-log-like documents beside jsonschema-rs with orjson, and `hash`,
/// `canonicalize` and `put` of a 25 MB document beside orjson's loads and sorted dumps with xxhash's XXH3-128.
/// The documents are made here from seeds no other section uses, so nothing was tuned on them.
@MainActor
func benchCommands(_ bench: Bench) throws {
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("handoff").path
    guard FileManager.default.isExecutableFile(atPath: executable) else {
        say("\n(no handoff executable beside the benchmark: build it with scripts/build-release)")
        return
    }
    bench.section("commands over many and large documents, whole processes, beside Python peers")
    let directory = try bench.temporaryDirectory("commands")
    let runs = bench.options.quick ? 3 : 7

    // 20,000 documents of one JSON Lines file, and the schema they declare.
    let count = bench.options.quick ? 5_000 : 20_000
    let lines = directory + "/worklogs.jsonl"
    var text: [UInt8] = []
    for index in 0..<count {
        text += JSONWriter.encode(workLog(decisions: 3 + index % 5, seed: 700_000 + index)) + [0x0A]
    }
    try Data(text).write(to: URL(fileURLWithPath: lines))
    let schemaPath = directory + "/work-log-v1.schema.json"
    try Data(JSONWriter.encode(BuiltInSchemas.document(named: "work-log-v1")!)).write(
        to: URL(fileURLWithPath: schemaPath))

    // One document of about 25 MB: runs of work logs under one artifact.
    let large = directory + "/large.json"
    var runsOfLogs: [JSONValue] = []
    var size = 0
    var seed = 800_000
    let target = bench.options.quick ? 6_000_000 : 25_000_000
    while size < target {
        let log = workLog(decisions: 8, seed: seed)
        size += JSONWriter.encode(log, options: .pretty).count + 4
        runsOfLogs.append(log)
        seed += 1
    }
    // `variant` is rewritten before each put, so that each stores a new object.
    let document: JSONValue = ["schema": "bench-runs-v1", "runs": .array(runsOfLogs), "variant": "000000"]
    let largeBytes = JSONWriter.encode(document, options: .pretty)
    try Data(largeBytes).write(to: URL(fileURLWithPath: large))
    let megabytes = Double(largeBytes.count) / 1_048_576

    let python = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        .appendingPathComponent("scripts/bench-python").path
    let peers = directory + "/peers.py"
    try Data(
        """
        import sys, orjson
        if sys.argv[1] == "validate":
            import jsonschema_rs
            validator = jsonschema_rs.validator_for(orjson.loads(open(sys.argv[2], "rb").read()), validate_formats=True)
            invalid = 0
            with open(sys.argv[3], "rb") as lines:
                for line in lines:
                    if line.strip() and not validator.is_valid(orjson.loads(line)):
                        invalid += 1
            sys.exit(1 if invalid else 0)
        else:
            import xxhash
            canonical = orjson.dumps(orjson.loads(open(sys.argv[2], "rb").read()), option=orjson.OPT_SORT_KEYS)
            print("xxh128:" + xxhash.xxh3_128_hexdigest(canonical))

        """.utf8
    ).write(to: URL(fileURLWithPath: peers))
    let havePeers =
        FileManager.default.isExecutableFile(atPath: python)
        && (try? wallTime(python, [peers, "validate", schemaPath, lines])) != nil
    if !havePeers { say("  (Python peers not compared: scripts/bench-python could not run them here)") }

    /// Median wall times of `ours` and of the peer's `theirs`, run by turns.
    func byTurns(_ ours: [String], _ theirs: [String]?, before: () throws -> Void = {}) throws -> (
        ours: Double, theirs: Double?
    ) {
        var mine: [Double] = []
        var peer: [Double] = []
        for _ in 0..<runs {
            try before()
            mine.append(try wallTime(executable, ours))
            if let theirs, havePeers { peer.append(try wallTime(python, [peers] + theirs)) }
        }
        return (median(mine), peer.isEmpty ? nil : median(peer))
    }

    let validated = try byTurns(
        ["validate", "--jsonl", lines, "--store", directory + "/no-store"], ["validate", schemaPath, lines])
    bench.report("validate --jsonl, \(count) work logs", Double(count) / validated.ours * 1000, "docs/s")
    if let theirs = validated.theirs {
        bench.report("  jsonschema-rs + orjson, same file", Double(count) / theirs * 1000, "docs/s")
        bench.report(
            "  validate --jsonl / jsonschema-rs + orjson", theirs / validated.ours, "×", "goal ≥ 1.0×")
    }
    let label = String(format: "%.0f MB", megabytes)
    let hashed = try byTurns(["hash", large, "--max-bytes", "100000000"], ["hash", large])
    bench.report("hash, one \(label) document", megabytes / hashed.ours * 1000, "MB/s")
    if let theirs = hashed.theirs {
        bench.report("  orjson loads + sorted dumps + xxh3-128", megabytes / theirs * 1000, "MB/s")
        bench.report("  hash / orjson + xxhash", theirs / hashed.ours, "×", "goal ≥ 3×")
    }
    let canonical = try byTurns(
        ["canonicalize", large, "--max-bytes", "100000000"], havePeers ? ["hash", large] : nil)
    bench.report("canonicalize, one \(label) document", megabytes / canonical.ours * 1000, "MB/s")
    if let theirs = canonical.theirs {
        bench.report("  canonicalize / orjson + xxhash", theirs / canonical.ours, "×", "goal ≥ 3×")
    }
    // Each put into a store of its own, so that each writes the object.
    // Into one store, made beforehand, a new variant of the document each time: the put's own work.
    let putArguments = [
        "put", large, "--from", "bench", "--to", "c", "--max-bytes", "100000000", "--no-validate", "--store",
        directory + "/put-store",
    ]
    _ = try wallTime(executable, ["init", "--store", directory + "/put-store"])
    let variantAt = largeBytes.count - 9
    precondition(
        largeBytes[variantAt..<variantAt + 6].elementsEqual("000000".utf8), "the variant ends the document")
    var variant = 0
    let put = try byTurns(
        putArguments, nil,
        before: {
            variant += 1
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: large))
            try handle.seek(toOffset: UInt64(variantAt))
            try handle.write(contentsOf: Data(String(format: "%06d", variant).utf8))
            try handle.close()
        })
    bench.report("put --no-validate, one \(label) document", megabytes / put.ours * 1000, "MB/s")
    // The write a put adds to a hash: its canonical bytes to a new file, flushed, as the store writes them.
    let canonicalBytes = try CanonicalJSON.canonicalize(largeBytes, limits: .init(maxBytes: 100_000_000))
    let writes = try (0..<runs).map { run in
        try seconds {
            let path = directory + "/write-\(run)"
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            precondition(descriptor >= 0)
            _ = canonicalBytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            fsync(descriptor)
            close(descriptor)
        } * 1000
    }
    bench.report(
        "  writing its \(canonicalBytes.count / 1_048_576) MB canonical form, flushed", median(writes), "ms")
    bench.report(
        "  put / (hash + that write)", (hashed.ours + median(writes)) / put.ours, "×",
        "goal ≈ 1: the same bytes/s as hash, plus the write")
}

/// The wall time of one run, in milliseconds; the run must exit 0.
private func wallTime(_ program: String, _ arguments: [String]) throws -> Double {
    try seconds {
        let pid = try spawn(program, arguments, stdout: "/dev/null", stderr: "/dev/null")
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        guard status == 0 else { throw HandoffError(.io, "\(program) \(arguments) ended with \(status)") }
    } * 1000
}
