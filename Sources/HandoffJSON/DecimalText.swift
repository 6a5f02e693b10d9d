#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The double nearest to the JSON number `text` (correctly rounded, as `Double(String)` reads it), without
/// building a `String`: the parser and the canonicalizer read every number of 16 or more digits this way.
/// Nil when the text is not a number; infinities are returned as such, for the caller to refuse.
///
/// The C library's `strtod` reads by the process's locale; should one with another decimal point be in
/// force, it stops early, and `Double(String)`, which always reads a point, decides.
func doubleFromDecimal(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
    if text.count < 64, let base = text.baseAddress {
        let value = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer -> Double? in
            UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: base, byteCount: text.count)
            buffer[text.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &end)
            return end == buffer.baseAddress! + text.count ? value : nil
        }
        if let value { return value }
    }
    return Double(String(decoding: text, as: UTF8.self))
}

/// The double the JSON number `text` reads as, given what scanning it found: its first significant digits as
/// `mantissa`, how many there are, the power of ten they are scaled by, and the sign. Read in exact integer
/// arithmetic when it has at most 19 significant digits and a small exponent, else from `text`; nil (or
/// infinite) as `doubleFromDecimal(_:)` says.
func doubleFromDecimal(
    _ text: UnsafeBufferPointer<UInt8>, mantissa: UInt64, exponent: Int, significantDigits: Int,
    negative: Bool
) -> Double? {
    guard significantDigits <= 19, (-19...19).contains(exponent) else { return doubleFromDecimal(text) }
    let magnitude = doubleFromDecimal(mantissa: mantissa, exponent: exponent)
    return negative ? -magnitude : magnitude
}

/// Powers of ten that fit in 64 bits, 10^0 through 10^19.
private let powersOfTen64: [UInt64] = (0...19).map { exponent in
    var value: UInt64 = 1
    for _ in 0..<exponent { value *= 10 }
    return value
}

/// The double nearest to `mantissa` × 10^`exponent` (ties to even), for |`exponent`| ≤ 19, in exact 128-bit
/// integer arithmetic: the numbers of 16 to 19 digits that computed values such as 0.5700000000000001
/// are written with, which Clinger's fast path cannot take, without the C library's `strtod`.
func doubleFromDecimal(mantissa: UInt64, exponent: Int) -> Double {
    precondition((-19...19).contains(exponent), "exponent out of range")
    guard mantissa != 0 else { return 0 }
    if exponent >= 0 {
        // Below 2^64 × 10^19 < 2^128: the product is exact.
        return rounded(UInt128(mantissa) * UInt128(powersOfTen64[exponent]), sticky: false, scale: 0)
    }
    // Shift the mantissa up to the top of 128 bits, so that the quotient keeps at least 64 bits; what the
    // division leaves over only decides ties.
    let shift = UInt128(mantissa).leadingZeroBitCount
    let (quotient, remainder) = (UInt128(mantissa) << shift).quotientAndRemainder(
        dividingBy: UInt128(powersOfTen64[-exponent]))
    return rounded(quotient, sticky: remainder != 0, scale: -shift)
}

/// `value` × 2^`scale` rounded to a double, ties to even; `sticky` says that the exact value is a little
/// more than `value` (a nonzero remainder below its last bit). `value` is not zero, and the result is a
/// normal double for every input `doubleFromDecimal` passes.
private func rounded(_ value: UInt128, sticky: Bool, scale: Int) -> Double {
    let leadingZeros = value.leadingZeroBitCount
    let normalized = value << leadingZeros
    let top = UInt64(truncatingIfNeeded: normalized >> 64)
    let below = UInt64(truncatingIfNeeded: normalized) != 0 || sticky
    var significand = top >> 11
    let rest = top & 0x7FF
    if rest > 0x400 || (rest == 0x400 && (below || significand & 1 == 1)) { significand += 1 }
    // The value is significand × 2^(127 - leadingZeros - 52 + scale), the significand 53 bits (or 2^53).
    return Double(sign: .plus, exponent: 75 - leadingZeros + scale, significand: Double(significand))
}
