import Foundation
import HandoffJSON
import HandoffKit
import HandoffSchema

/// How fast work-log-v1 artifacts validate: a few thousand realistic work logs of 1 to 12 tool calls,
/// parsed values and from bytes, valid ones and invalid ones (whose errors are collected).
@MainActor
func benchSchemas(_ bench: Bench) throws {
    bench.section("schema validation (work-log-v1, formats asserted)")
    let options = ValidationOptions(formatAssertion: true)
    let schemaDocument = BuiltInSchemas.document(named: "work-log-v1")!
    let rounds = bench.count(200)
    let compile = try seconds {
        for _ in 0..<rounds { _ = try CompiledSchema(schemaDocument, options: options) }
    }
    bench.report("compile work-log-v1 (with its metaschema check)", compile / Double(rounds) * 1000, "ms")
    let schema = try CompiledSchema(schemaDocument, options: options)

    let count = bench.count(3_000)
    let valid = (0..<count).map { JSONWriter.encode(workLog(decisions: 1 + $0 % 12, seed: $0)) }
    let invalid = (0..<count).map { n -> [UInt8] in
        guard case .object(var object) = workLog(decisions: 1 + n % 12, seed: n),
            case .array(var decisions) = object["decisions"], case .object(var first) = decisions[0]
        else { return [] }
        first["confidence"] = 1.7
        decisions[0] = .object(first)
        object["decisions"] = .array(decisions)
        return JSONWriter.encode(.object(object))
    }
    let (first, broken) = (try JSONParser.parse(valid[0]), try JSONParser.parse(invalid[0]))
    precondition(
        schema.isValid(first) && !schema.isValid(broken), "the benchmark's documents are not as labelled")
    let sizes = valid.map(\.count)
    if !bench.options.json {
        say(
            "  \(count) documents of \(sizes.min()!)–\(sizes.max()!) bytes, \(sizes.reduce(0, +) / count) on average"
        )
    }
    let seconds = bench.options.quick ? 0.3 : 1.5
    for figure in try SchemaBenchmark.measure(schema: schema, documents: valid, seconds: seconds) {
        bench.report(
            "valid: \(figure.name)", figure.documentsPerSecond, "docs/s",
            figure.megabytesPerSecond > 0 ? String(format: "%.1f MB/s", figure.megabytesPerSecond) : "")
    }
    // The peer runs in its own process. On a shared machine a rate drifts by a fifth from one second to the
    // next, so the two take turns, three rounds each, and each round's ratio is of figures taken back to
    // back; the median of the three is reported.
    var turns: [(peer: (isValid: Double, errors: Double), isValid: Double, validate: Double)] = []
    for _ in 0..<(bench.options.quick ? 1 : 3) {
        guard
            let peer = try jsonschemaRsPeer(bench, schema: schemaDocument, documents: valid, seconds: seconds)
        else { break }
        let figures = try SchemaBenchmark.measure(
            schema: schema, documents: valid, seconds: seconds, bytesOnly: true)
        turns.append((peer, figures[0].documentsPerSecond, figures[1].documentsPerSecond))
    }
    if !turns.isEmpty {
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        bench.report(
            "jsonschema-rs + orjson: loads + is_valid(bytes)", median(turns.map(\.peer.isValid)), "docs/s",
            "python binding")
        bench.report(
            "jsonschema-rs + orjson: loads + iter_errors(bytes)", median(turns.map(\.peer.errors)), "docs/s",
            "python binding")
        bench.report(
            "isValid(json:) vs jsonschema-rs + orjson", median(turns.map { $0.isValid / $0.peer.isValid }),
            "×",
            "goal ≥ 1.0; median of \(turns.count) alternating rounds")
        bench.report(
            "validate(json:) vs jsonschema-rs + orjson", median(turns.map { $0.validate / $0.peer.errors }),
            "×", "goal ≥ 1.0")
    }
    for figure in try SchemaBenchmark.measure(schema: schema, documents: invalid, seconds: seconds).prefix(4)
    {
        bench.report("invalid: \(figure.name)", figure.documentsPerSecond, "docs/s")
    }
}

/// jsonschema-rs (Rust, through its Python binding) with orjson parsing, over the same documents and
/// schema with formats asserted: documents per second for a yes/no answer and for collecting the errors.
/// Nil, with a note, when `scripts/bench-python` (which installs them) cannot run here.
@MainActor
private func jsonschemaRsPeer(_ bench: Bench, schema: JSONValue, documents: [[UInt8]], seconds: Double) throws
    -> (isValid: Double, errors: Double)?
{
    let runner = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        .appendingPathComponent("scripts/bench-python").path
    guard FileManager.default.isExecutableFile(atPath: runner) else {
        say(
            "  (jsonschema-rs not compared: run handoff-bench from the repository, which has scripts/bench-python)"
        )
        return nil
    }
    let directory = try bench.temporaryDirectory("jsonschema-rs")
    let schemaPath = directory + "/schema.json"
    let documentsPath = directory + "/documents.jsonl"
    try Data(JSONWriter.encode(schema)).write(to: URL(fileURLWithPath: schemaPath))
    try Data(documents.flatMap { $0 + [0x0A] }).write(to: URL(fileURLWithPath: documentsPath))
    let script = """
        import sys, time, orjson, jsonschema_rs
        schema = orjson.loads(open(sys.argv[1], "rb").read())
        documents = [line for line in open(sys.argv[2], "rb").read().split(b"\\n") if line]
        seconds = float(sys.argv[3])
        validator = jsonschema_rs.validator_for(schema, validate_formats=True)
        assert all(validator.is_valid(orjson.loads(d)) for d in documents), "a document is invalid"
        def rate(one):
            passes, start = 0, time.perf_counter()
            while True:
                for d in documents: one(d)
                passes += 1
                elapsed = time.perf_counter() - start
                if elapsed >= seconds: return passes * len(documents) / elapsed
        print(rate(lambda d: validator.is_valid(orjson.loads(d))))
        print(rate(lambda d: list(validator.iter_errors(orjson.loads(d)))))
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: runner)
    process.arguments = ["-c", script, schemaPath, documentsPath, String(seconds)]
    let output = Pipe()
    process.standardOutput = output
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let problem = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let rates = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { Double($0) }
    guard process.terminationStatus == 0, rates.count == 2 else {
        let reason = String(decoding: problem, as: UTF8.self).split(separator: "\n").last ?? "no output"
        say("  (jsonschema-rs not compared: scripts/bench-python failed: \(reason))")
        return nil
    }
    return (rates[0], rates[1])
}
