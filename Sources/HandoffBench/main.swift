import Foundation
import HandoffJSON
import HandoffKit

// handoff-bench: measures the hot paths. Build it in release mode:
//
//   swift run -c release handoff-bench [--quick] [--json] [--dir DIR]
//
// Figures are throughput over a fixed amount of work, after a warm-up; "peak RSS" is the process's maximum
// resident set size as the kernel reports it.

struct Options {
    var quick = false
    var json = false
    var directory = NSTemporaryDirectory()

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--quick": quick = true
            case "--json": json = true
            case "--dir": directory = iterator.next() ?? directory
            case "--help", "-h":
                print("usage: handoff-bench [--quick] [--json] [--dir DIR]")
                exit(0)
            default:
                FileHandle.standardError.write(Data("handoff-bench: unknown argument \(argument)\n".utf8))
                exit(64)
            }
        }
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let scale = options.quick ? 0.1 : 1.0
var results: [(name: String, value: Double, unit: String, note: String)] = []

@MainActor
func report(_ name: String, _ value: Double, _ unit: String, _ note: String = "") {
    results.append((name, value, unit, note))
    if !options.json {
        let formatted = value >= 100 ? String(Int(value.rounded())) : String(format: "%.2f", value)
        print(
            "\(name.padding(toLength: 44, withPad: " ", startingAt: 0)) \(formatted.leftPadded(12)) \(unit)\(note.isEmpty ? "" : "  (\(note))")"
        )
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
}

// MARK: Documents

/// A work log of `decisions` tool calls, shaped like what `toAgentArtifact()` writes.
func workLog(decisions: Int, seed: Int) -> JSONValue {
    var entries: [JSONValue] = []
    for step in 0..<decisions {
        entries.append([
            "step": .number(Double(step + 1)), "category": "tool_execution",
            "tool": step % 2 == 0 ? "web_search" : "bird",
            "input": [
                "args": [],
                "kwargs": ["query": .string("agent artifact handoffs \(seed)-\(step)"), "count": 20],
                "timestamp": "2026-11-20T09:31:07.412311+00:00", "caller": "researcher",
            ],
            "output": [
                "results": .array(
                    (0..<3).map { index in
                        [
                            "title": .string("Result \(index) for step \(step)"),
                            "score": .number(0.91 - Double(index) * 0.17),
                        ]
                    }),
                "next_actions": step % 5 == 0 ? ["summarize_top_categories"] : [],
            ],
            "status": "success", "confidence": .number(0.62 + Double(step % 4) / 10),
            "duration_ms": .number(Double(120 + step)),
            "error": nil,
        ])
    }
    return [
        "schema": "work-log-v1", "workflow_id": .string("bench-\(seed)"),
        "query": "Check my X bookmarks — résumé 📚",
        "decisions": .array(entries),
        "summary": [
            "total_steps": .number(Double(decisions)), "tool_calls": .number(Double(decisions)), "errors": 0,
            "total_duration_ms": .number(Double(decisions * 150)), "final_output": "Done.",
        ],
        "recommendations": ["summarize_top_categories", "verify_low_confidence_decisions"],
    ]
}

let small = workLog(decisions: 3, seed: 0)
let large = workLog(decisions: 1_900, seed: 0)
let smallBytes = JSONWriter.encode(small, options: .pretty)
let largeBytes = JSONWriter.encode(large, options: .pretty)

if !options.json {
    print(
        "handoff-bench\(options.quick ? " (quick)" : ""): documents of \(smallBytes.count) and \(largeBytes.count) bytes (pretty-printed input)"
    )
}

// MARK: Canonicalize + hash

@MainActor
func measureCanonicalizeAndHash(_ bytes: [UInt8], label: String, iterations: Int) throws {
    var checksum: UInt64 = 0
    for _ in 0..<max(1, iterations / 10) {
        checksum ^= ArtifactID(canonicalBytes: try CanonicalJSON.canonicalize(bytes)).low
    }
    let elapsed = try seconds {
        for _ in 0..<iterations {
            checksum ^= ArtifactID(canonicalBytes: try CanonicalJSON.canonicalize(bytes)).low
        }
    }
    let megabytes = Double(bytes.count * iterations) / 1_048_576
    report(
        "canonicalize+hash \(label)", megabytes / elapsed, "MB/s",
        "\(Int(Double(iterations) / elapsed)) docs/s")
    let parsed = try JSONParser.parse(bytes)
    let parse = try seconds { for _ in 0..<iterations { _ = try JSONParser.parse(bytes) } }
    report("  parse \(label)", megabytes / parse, "MB/s")
    var canonical: [UInt8] = []
    let write = seconds { for _ in 0..<iterations { canonical = CanonicalJSON.encode(parsed) } }
    report("  canonical write \(label)", megabytes / write, "MB/s")
    let hash = seconds { for _ in 0..<iterations { checksum ^= ArtifactID(canonicalBytes: canonical).high } }
    report("  xxh3-128 \(label)", Double(canonical.count * iterations) / 1_048_576 / hash, "MB/s")
    if checksum == 42 { print("") }
}

try measureCanonicalizeAndHash(smallBytes, label: "~2 KB", iterations: Int(20_000 * scale))
try measureCanonicalizeAndHash(largeBytes, label: "~1 MB", iterations: Int(40 * scale))
report("peak RSS after canonicalization", peakResidentMegabytes(), "MB")

// MARK: Store

let storePath = options.directory + "/handoff-bench-\(getpid())"
defer { try? FileManager.default.removeItem(atPath: storePath) }
let store = try Store.create(at: storePath)

func document(_ n: Int) -> JSONValue {
    guard case .object(var object) = small else { fatalError() }
    object["workflow_id"] = .string("bench-\(n)")
    return .object(object)
}

let singlePuts = Int(400 * scale)
var ids: [ArtifactID] = []
let single = try seconds {
    for n in 0..<singlePuts {
        ids.append(try store.put(document(n), from: "bench", to: ["consumer"]).id)
    }
}
report(
    "put, one per transaction", Double(singlePuts) / single, "puts/s",
    "each durable: object fsync + index commit")

let batchSize = 100
let batches = Int(50 * scale)
let batched = try seconds {
    for batch in 0..<batches {
        let requests = (0..<batchSize).map { index in
            PutRequest(
                document: document(100_000 + batch * batchSize + index), producer: "bench",
                consumers: ["consumer"])
        }
        ids.append(contentsOf: try store.put(requests).map(\.id))
    }
}
report("put, batches of \(batchSize)", Double(batches * batchSize) / batched, "puts/s")

let largePuts = Int(20 * scale)
let largeElapsed = try seconds {
    for n in 0..<largePuts {
        guard case .object(var object) = large else { fatalError() }
        object["workflow_id"] = .string("large-\(n)")
        _ = try store.put(.object(object), from: "bench")
    }
}
report("put ~1 MB documents", Double(largePuts) / largeElapsed, "puts/s")

var generator = SystemRandomNumberGenerator()
let gets = Int(20_000 * scale)
var touched = 0
let getElapsed = try seconds {
    for _ in 0..<gets {
        touched += try store.document(ids.randomElement(using: &generator)!).objectValue?.count ?? 0
    }
}
report("get (verify + parse)", Double(gets) / getElapsed, "gets/s")
let rawElapsed = try seconds {
    for _ in 0..<gets {
        touched += try store.canonicalBytes(of: ids.randomElement(using: &generator)!).count
    }
}
report("get canonical bytes (verify only)", Double(gets) / rawElapsed, "gets/s")

// MARK: Whole processes, as bots call the CLI

let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    .deletingLastPathComponent()
    .appendingPathComponent("handoff")
if FileManager.default.isExecutableFile(atPath: executable.path) {
    let input = storePath + "/../handoff-bench-input-\(getpid()).json"
    precondition(FileManager.default.createFile(atPath: input, contents: Data(smallBytes)))
    defer { try? FileManager.default.removeItem(atPath: input) }
    // posix_spawn and waitpid, not Foundation's Process, whose wait adds tens of milliseconds of polling.
    func runProcess(_ arguments: [String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable.path, &actions, nil, argv, environ) == 0 else {
            throw HandoffError(.io, "cannot start \(executable.path)")
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        guard status == 0 else {
            throw HandoffError(.io, "handoff \(arguments) failed with status \(status)")
        }
    }
    let runs = Int(100 * scale)
    let version = try seconds { for _ in 0..<runs { try runProcess(["--version"]) } }
    report("process: handoff --version", version / Double(runs) * 1000, "ms")
    let hash = try seconds { for _ in 0..<runs { try runProcess(["hash", input]) } }
    report("process: handoff hash (2 KB)", hash / Double(runs) * 1000, "ms")
    let put = try seconds {
        for _ in 0..<runs {
            try runProcess(["put", input, "--from", "bench", "--to", "consumer", "--store", storePath])
        }
    }
    report("process: handoff put (2 KB)", put / Double(runs) * 1000, "ms")
    let get = try seconds {
        for _ in 0..<runs { try runProcess(["get", ids[0].description, "--store", storePath]) }
    }
    report("process: handoff get", get / Double(runs) * 1000, "ms")
}

report("peak RSS", peakResidentMegabytes(), "MB")
if touched == -1 { print("") }

if options.json {
    var object = JSONObject()
    for result in results {
        object[result.name.trimmingCharacters(in: .whitespaces)] = [
            "value": .number(result.value), "unit": .string(result.unit),
        ]
    }
    print(JSONValue.object(object).description)
}
