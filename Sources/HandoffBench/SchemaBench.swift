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
    for figure in try SchemaBenchmark.measure(schema: schema, documents: invalid, seconds: seconds).prefix(2)
    {
        bench.report("invalid: \(figure.name)", figure.documentsPerSecond, "docs/s")
    }
}
