import Foundation
import HandoffJSON
import HandoffSchema

// handoff-schema-bench: how fast work-log-v1 artifacts validate. Build it in release mode, from the
// repository root (it reads Schemas/ and Samples/):
//
//   swift run -c release handoff-schema-bench [--documents N] [--seconds S]
//
// The N documents are the valid work-log samples, each copy made distinct by its query and workflow id,
// written compactly. Figures are documents per second over at least S seconds per figure, after a
// warm-up pass; "invalid" runs over the invalid work-log samples, whose errors are collected.

var documentCount = 3_000
var seconds = 2.0
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--documents": documentCount = arguments.next().flatMap(Int.init) ?? documentCount
    case "--seconds": seconds = arguments.next().flatMap(Double.init) ?? seconds
    default:
        FileHandle.standardError.write(
            Data("usage: handoff-schema-bench [--documents N] [--seconds S]\n".utf8))
        exit(64)
    }
}

func load(_ path: String) throws -> JSONValue {
    try JSONParser.parse([UInt8](FileManager.default.contents(atPath: path) ?? Data()))
}

func samples(_ folder: String) throws -> [JSONValue] {
    try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        .map { try load(folder + "/" + $0) }
}

let options = ValidationOptions(formatAssertion: true)
let schemaDocument = try load("Schemas/work-log-v1.schema.json")
let compileStart = ContinuousClock.now
let compileRounds = 200
for _ in 0..<compileRounds { _ = try CompiledSchema(schemaDocument, options: options) }
let compileTime = (ContinuousClock.now - compileStart) / compileRounds
let schema = try CompiledSchema(schemaDocument, options: options)

let valid = try samples("Samples/valid/work-log-v1")
var documents: [[UInt8]] = []
for index in 0..<documentCount {
    guard case .object(var object) = valid[index % valid.count] else { continue }
    object["query"] = .string((object["query"]?.stringValue ?? "") + " (run \(index))")
    object["workflow_id"] = .string("bench-\(index)")
    documents.append(JSONWriter.encode(.object(object)))
}
let invalid = try samples("Samples/invalid/work-log-v1").map { JSONWriter.encode($0) }
let average = documents.reduce(0) { $0 + $1.count } / max(documents.count, 1)
let sizes = documents.map(\.count)

print(
    "work-log-v1: \(documents.count) valid documents of \(sizes.min() ?? 0)-\(sizes.max() ?? 0) bytes "
        + "(\(average) on average); compiling the schema takes \(compileTime)")
func show(_ figures: [SchemaBenchmark.Figure], _ label: String) {
    for figure in figures {
        let rate = String(format: "%10.0f documents/s", figure.documentsPerSecond)
        let bytes =
            figure.megabytesPerSecond > 0 ? String(format: "  %6.1f MB/s", figure.megabytesPerSecond) : ""
        print("  \(label) \(figure.name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(rate)\(bytes)")
    }
}
show(try SchemaBenchmark.measure(schema: schema, documents: documents, seconds: seconds), "valid  ")
show(try SchemaBenchmark.measure(schema: schema, documents: invalid, seconds: seconds), "invalid")
