import HandoffJSON
import HandoffSchema

/// The schema compiler: any JSON as a schema compiles or is refused with an error; never a crash or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSchema(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let document = try? JSONParser.parse(bytes, limits: .init(maxDepth: 128, maxBytes: 1 << 20)) else {
        return 0
    }
    _ = try? CompiledSchema(document, options: ValidationOptions(formatAssertion: size % 2 == 0))
    return 0
}
