import Foundation
import HandoffJSON
import HandoffKit

/// Canonicalize+hash throughput, and its parts, on a ~2 KB and a ~1 MB work log.
@MainActor
func benchCanonicalization(_ bench: Bench) throws {
    bench.section("canonical JSON and hashing")
    let small = JSONWriter.encode(workLog(decisions: 3, seed: 0), options: .pretty)
    let large = JSONWriter.encode(workLog(decisions: 1_900, seed: 0), options: .pretty)
    try measure(bench, small, label: "~2 KB", iterations: bench.count(20_000))
    try measure(bench, large, label: "~1 MB", iterations: bench.count(40))
}

@MainActor
private func measure(_ bench: Bench, _ bytes: [UInt8], label: String, iterations: Int) throws {
    var checksum: UInt64 = 0
    for _ in 0..<max(1, iterations / 10) {
        checksum ^= ArtifactID(canonicalBytes: try CanonicalJSON.canonicalize(bytes)).low
    }
    let megabytes = Double(bytes.count * iterations) / 1_048_576
    let total = try seconds {
        for _ in 0..<iterations {
            checksum ^= ArtifactID(canonicalBytes: try CanonicalJSON.canonicalize(bytes)).low
        }
    }
    bench.report(
        "canonicalize+hash \(label) (\(bytes.count) B)", megabytes / total, "MB/s",
        "\(Int(Double(iterations) / total)) docs/s")
    let parse = try seconds { for _ in 0..<iterations { _ = try JSONParser.parse(bytes) } }
    bench.report("  parse \(label)", megabytes / parse, "MB/s")
    let parsed = try JSONParser.parse(bytes)
    var canonical: [UInt8] = []
    let write = seconds { for _ in 0..<iterations { canonical = CanonicalJSON.encode(parsed) } }
    bench.report("  canonical write \(label)", megabytes / write, "MB/s")
    let hash = seconds { for _ in 0..<iterations { checksum ^= ArtifactID(canonicalBytes: canonical).high } }
    bench.report("  xxh3-128 \(label)", Double(canonical.count * iterations) / 1_048_576 / hash, "MB/s")
    if checksum == 42 { print("") }
}
