import Foundation
import HandoffJSON
import HandoffKit

struct BenchOptions {
    var quick = false
    var json = false
    var directory = NSTemporaryDirectory()
    var only: String?
    /// An earlier `handoff` executable that the CLI workers' figure is measured beside.
    var baseline: String?
    /// `postgresql` adds the PostgreSQL figures, beside SQLite's.
    var backend = "sqlite"
    /// The database for them; else `scripts/postgres` starts one.
    var postgres: String?

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--quick": quick = true
            case "--json": json = true
            case "--dir": directory = iterator.next() ?? directory
            case "--only": only = iterator.next()
            case "--baseline": baseline = iterator.next()
            case "--backend":
                backend = iterator.next() ?? ""
                guard ["sqlite", "postgresql"].contains(backend) else {
                    FileHandle.standardError.write(
                        Data("handoff-bench: --backend is sqlite or postgresql\n".utf8))
                    exit(64)
                }
            case "--postgres": postgres = iterator.next()
            case "--help", "-h":
                say(
                    "usage: handoff-bench [--quick] [--json] [--dir DIR] [--only canonical|schema|store|queue|worklog|mcp|processes|commands|pipeline|postgresql|ui] [--baseline HANDOFF] [--backend sqlite|postgresql] [--postgres URL]"
                )
                exit(0)
            default:
                FileHandle.standardError.write(Data("handoff-bench: unknown argument \(argument)\n".utf8))
                exit(64)
            }
        }
    }
}

/// Collects and prints the figures.
@MainActor
final class Bench {
    let options: BenchOptions
    private var results: [(name: String, value: Double, unit: String)] = []

    init(options: BenchOptions) { self.options = options }

    /// Scales iteration counts down for `--quick`.
    func count(_ full: Int) -> Int { max(1, options.quick ? full / 10 : full) }

    func report(_ name: String, _ value: Double, _ unit: String, _ note: String = "") {
        results.append((name, value, unit))
        guard !options.json else { return }
        let formatted = value >= 100 ? String(Int(value.rounded())) : String(format: "%.2f", value)
        // Padded to a column, never cut: a longer name pushes its figure right rather than lose its end.
        let label = name.count >= 52 ? name : name.padding(toLength: 52, withPad: " ", startingAt: 0)
        say(
            "\(label) \(String(repeating: " ", count: max(0, 10 - formatted.count)))\(formatted) \(unit)\(note.isEmpty ? "" : "  (\(note))")"
        )
    }

    func section(_ title: String) {
        if !options.json { say("\n\(title)") }
    }

    func printJSON() {
        var object = JSONObject()
        for result in results {
            object[result.name] = ["value": .number(result.value), "unit": .string(result.unit)]
        }
        say(JSONValue.object(object).description)
    }

    /// A fresh store directory, removed when the process exits.
    func temporaryStore(_ name: String, configuration: Store.Configuration = .init()) throws -> Store {
        try Store.create(at: scratchPath(name), configuration: configuration)
    }

    /// A fresh scratch directory, removed when the process exits.
    func temporaryDirectory(_ name: String) throws -> String {
        let path = scratchPath(name)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// This run's path for a scratch folder called `name`, removed when the process exits.
    private func scratchPath(_ name: String) -> String {
        let path = options.directory + "/handoff-bench-\(getpid())-\(name)"
        Bench.cleanup.append(path)
        return path
    }

    static var cleanup: [String] = [] {
        didSet {
            if oldValue.isEmpty {
                atexit {
                    MainActor.assumeIsolated {
                        for path in Bench.cleanup { try? FileManager.default.removeItem(atPath: path) }
                    }
                }
            }
        }
    }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
}

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
            "duration_ms": .number(Double(120 + step)), "error": nil,
        ])
    }
    return [
        "schema": "work-log-v1", "workflow_id": .string("bench-\(seed)"),
        "query": "Check my X bookmarks — résumé 📚", "decisions": .array(entries),
        "summary": [
            "total_steps": .number(Double(decisions)), "tool_calls": .number(Double(decisions)), "errors": 0,
            "total_duration_ms": .number(Double(decisions * 150)), "final_output": "Done.",
        ],
        "recommendations": ["summarize_top_categories", "verify_low_confidence_decisions"],
    ]
}

/// Everyone else's handoffs, for the inbox figures: puts of `document` to 1,000 other consumers, 20,000
/// handoffs at a time, until the store holds at least `size`.
struct StoreFiller {
    let document: JSONValue
    private var puts = 0

    init(document: JSONValue) { self.document = document }

    /// Fills `store` up to `size` handoffs; returns how many it holds then.
    mutating func grow(_ store: Store, to size: Int) throws -> Int {
        var total = try store.stats().handoffs
        let consumers = (0..<1_000).map { "other-\($0)" }
        while total < size {
            try store.put(
                (0..<20).map { _ in
                    puts += 1
                    return PutRequest(
                        document: document, producer: "producer", consumers: consumers,
                        workflow: "fill-\(puts)")
                })
            total += 20_000
        }
        return total
    }
}

/// Prints a line at once, unbuffered, so progress shows when the output goes to a file or a pipe.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
