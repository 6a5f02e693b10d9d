import HandoffJSON

/// The canonical writer: parse → write → parse → write is a fixed point, canonicalizing bytes (mostly
/// without the parser) gives the same bytes and refuses the same documents, and pretty output parses to
/// the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCanonical(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let limits = JSONParser.Limits(maxDepth: 512, maxBytes: 4 << 20)
    guard let value = try? JSONParser.parse(bytes, limits: limits) else {
        // Canonicalizing reads most documents without the parser; it must refuse what the parser refuses.
        precondition(
            (try? CanonicalJSON.canonicalize(Array(bytes), limits: limits)) == nil,
            "canonicalize accepts what the parser refuses")
        return 0
    }
    let first = CanonicalJSON.encode(value)
    guard let reread = try? JSONParser.parse(first, limits: limits) else {
        fatalError("canonical output does not parse")
    }
    let second = CanonicalJSON.encode(reread)
    precondition(first == second, "canonical writing is not a fixed point")
    let canonicalized = try? CanonicalJSON.canonicalize(Array(bytes), limits: limits)
    precondition(canonicalized == first, "canonicalize differs from parse + encode")
    let pretty = JSONWriter.encode(value, options: .pretty)
    guard let prettyValue = try? JSONParser.parse(pretty, limits: limits) else {
        fatalError("pretty output does not parse")
    }
    precondition(CanonicalJSON.encode(prettyValue) == first, "pretty output reads back to another value")
    return 0
}
