import HandoffJSON

/// Validation throughput, for benchmarks (`handoff-bench`): documents per second, validating values
/// already parsed and validating straight from bytes.
package enum SchemaBenchmark {
    package struct Figure: Sendable {
        package let name: String
        package let documentsPerSecond: Double
        /// Input bytes per second, for the figures that start from bytes.
        package let megabytesPerSecond: Double
    }

    /// The figures that start from bytes, as `measure` names them; `measure(bytesOnly: true)` takes only
    /// these, for rounds that alternate with a peer's.
    package static let fromBytes = ["isValid(json: bytes)", "validate(json: bytes)"]

    /// Measures `schema` over `documents` (their JSON bytes): each figure repeats passes over all of them
    /// for at least `seconds`, after one warm-up pass.
    /// - Throws: when a document does not parse.
    package static func measure(
        schema: CompiledSchema, documents: [[UInt8]], seconds: Double = 1, bytesOnly: Bool = false
    ) throws -> [Figure] {
        var values: [JSONValue] = []
        for bytes in documents { values.append(try JSONParser.parse(bytes)) }
        let totalBytes = Double(documents.reduce(0) { $0 + $1.count })
        var sink = 0

        func figure(_ name: String, usesBytes: Bool, _ pass: () -> Int) -> Figure {
            sink &+= pass()
            var passes = 0
            let clock = ContinuousClock()
            let start = clock.now
            var elapsed = 0.0
            repeat {
                sink &+= pass()
                passes += 1
                let duration = start.duration(to: clock.now)
                elapsed = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            } while elapsed < seconds
            let documentsPerSecond = Double(passes * documents.count) / elapsed
            let megabytesPerSecond = usesBytes ? Double(passes) * totalBytes / elapsed / 1e6 : 0
            return Figure(
                name: name, documentsPerSecond: documentsPerSecond, megabytesPerSecond: megabytesPerSecond)
        }

        var figures = [
            figure(fromBytes[0], usesBytes: true) {
                documents.reduce(0) { count, bytes in
                    let valid = bytes.withUnsafeBytes { try? schema.isValid(json: $0) }
                    return count + (valid == true ? 1 : 0)
                }
            },
            figure(fromBytes[1], usesBytes: true) {
                documents.reduce(0) { count, bytes in
                    let result = bytes.withUnsafeBytes { try? schema.validate(json: $0) }
                    return count + (result?.errors.count ?? 0)
                }
            },
        ]
        if !bytesOnly {
            figures += [
                figure("isValid(parsed value)", usesBytes: false) {
                    values.reduce(0) { $0 + (schema.isValid($1) ? 1 : 0) }
                },
                figure("validate(parsed value)", usesBytes: false) {
                    values.reduce(0) { $0 + schema.validate($1).errors.count }
                },
                figure("parse to JSONValue + isValid", usesBytes: true) {
                    documents.reduce(0) { count, bytes in
                        guard let value = try? JSONParser.parse(bytes) else { return count }
                        return count + (schema.isValid(value) ? 1 : 0)
                    }
                },
                figure("parse to JSONValue only", usesBytes: true) {
                    documents.reduce(0) { count, bytes in
                        count + ((try? JSONParser.parse(bytes)) == nil ? 0 : 1)
                    }
                },
            ]
        }
        precondition(sink != Int.min)
        return figures
    }
}
