/// Whether `value` is an integer multiple of `divisor`, judged on the decimal numbers the two doubles
/// are written as (their shortest round-tripping digits), so that `0.0075` is a multiple of `0.0001` even
/// though neither is exact in binary, and `1e308` is a multiple of `0.5` without overflowing.
func isMultiple(_ value: Double, of divisor: Double) -> Bool {
    if value == 0 { return true }
    guard value.isFinite, divisor.isFinite, divisor > 0 else { return false }
    if value.magnitude < 0x1p53, divisor < 0x1p53, value.rounded(.towardZero) == value,
        divisor.rounded(.towardZero) == divisor
    {
        return Int64(value.magnitude) % Int64(divisor) == 0
    }
    let (valueDigits, valueExponent) = decimalForm(value.magnitude)
    let (divisorDigits, divisorExponent) = decimalForm(divisor)
    if valueExponent >= divisorExponent {
        // value / divisor = valueDigits * 10^k / divisorDigits
        let power = powerOfTen(valueExponent - divisorExponent, modulo: divisorDigits)
        return multiply(valueDigits % divisorDigits, power, modulo: divisorDigits) == 0
    }
    // value / divisor = valueDigits / (divisorDigits * 10^k)
    var modulus = divisorDigits
    for _ in 0..<(divisorExponent - valueExponent) {
        let (product, overflow) = modulus.multipliedReportingOverflow(by: 10)
        if overflow || product > valueDigits { return false }
        modulus = product
    }
    return valueDigits % modulus == 0
}

/// `x` as `digits × 10^exponent`, from the shortest decimal that reads back as `x`, without trailing
/// zeros in `digits`.
func decimalForm(_ x: Double) -> (digits: UInt64, exponent: Int) {
    var digits: UInt64 = 0
    var exponent = 0
    var fractionDigits = 0
    var inFraction = false
    var inExponent = false
    var exponentNegative = false
    var writtenExponent = 0
    for byte in x.description.utf8 {
        switch byte {
        case UInt8(ascii: "."): inFraction = true
        case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
        case UInt8(ascii: "-") where inExponent: exponentNegative = true
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            let digit = UInt64(byte - UInt8(ascii: "0"))
            if inExponent {
                writtenExponent = writtenExponent * 10 + Int(digit)
            } else {
                digits = digits * 10 + digit
                if inFraction { fractionDigits += 1 }
            }
        default: break
        }
    }
    exponent = (exponentNegative ? -writtenExponent : writtenExponent) - fractionDigits
    while digits != 0, digits % 10 == 0 {
        digits /= 10
        exponent += 1
    }
    return (digits, exponent)
}

private func multiply(_ a: UInt64, _ b: UInt64, modulo m: UInt64) -> UInt64 {
    let product = a.multipliedFullWidth(by: b)
    return m.dividingFullWidth((product.high, product.low)).remainder
}

private func powerOfTen(_ exponent: Int, modulo m: UInt64) -> UInt64 {
    var result: UInt64 = 1 % m
    var base: UInt64 = 10 % m
    var exponent = exponent
    while exponent > 0 {
        if exponent & 1 == 1 { result = multiply(result, base, modulo: m) }
        base = multiply(base, base, modulo: m)
        exponent >>= 1
    }
    return result
}
