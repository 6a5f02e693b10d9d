import HandoffJSON
import HandoffSchema

/// The validator: a JSON array [schema, instance] — any schema that compiles, any instance — validates to
/// an answer, and the answer of `isValid` agrees with the full report.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzValidator(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let input = try? JSONParser.parse(bytes, limits: .init(maxDepth: 128, maxBytes: 1 << 20)),
        case .array(let pair) = input, pair.count == 2,
        let schema = try? CompiledSchema(
            pair[0], options: ValidationOptions(formatAssertion: true, regexBudget: 100_000, maxErrors: 20))
    else { return 0 }
    let quick = schema.isValid(pair[1])
    let full = schema.validate(pair[1])
    precondition(quick == full.isValid, "isValid and validate disagree")
    precondition(full.isValid == full.errors.isEmpty, "a valid result with errors, or an invalid one without")
    return 0
}
