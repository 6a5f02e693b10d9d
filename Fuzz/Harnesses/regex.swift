import HandoffJSON
import HandoffSchema

/// The ECMA-262 regex engine, through the `pattern` keyword: the bytes before the first NUL are a pattern,
/// the rest a subject. A pattern compiles or is refused; a match answers or stops at its budget.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRegex(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let split = bytes.firstIndex(of: 0) ?? size
    guard let pattern = String(validating: bytes[..<split], as: UTF8.self),
        let subject = String(validating: bytes[min(split + 1, size)...], as: UTF8.self),
        let schema = try? CompiledSchema(
            ["pattern": .string(pattern)], options: ValidationOptions(regexBudget: 200_000))
    else { return 0 }
    _ = schema.validate(.string(subject))
    return 0
}
