import HandoffJSON

/// The strict parser: any bytes, no crash, no hang; what it accepts it can write back canonically, and
/// that form reads back to the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let value = try? JSONParser.parse(bytes, limits: .init(maxDepth: 512, maxBytes: 1 << 20)) else {
        return 0
    }
    let canonical = CanonicalJSON.encode(value)
    guard let again = try? JSONParser.parse(canonical, limits: .init(maxDepth: 512, maxBytes: 4 << 20)) else {
        fatalError(
            "the canonical form of an accepted document does not parse: \(String(decoding: canonical, as: UTF8.self))"
        )
    }
    precondition(again == value, "the canonical form reads back to another value")
    return 0
}
