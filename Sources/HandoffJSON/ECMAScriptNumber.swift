/// Writes doubles the way ECMAScript's `Number.prototype.toString` does, which RFC 8785 requires.
///
/// The shortest digits that read back as the same double come from Swift's own `description` (shortest,
/// and closest where several are equally short, as ECMAScript asks); only their layout differs.
enum ECMAScriptNumber {
    /// Appends the ECMAScript form of `value`; like `JSON.stringify`, a NaN or infinity becomes `null`
    /// (callers that must refuse them check `JSONValue.firstInterchangeProblem()` first).
    static func write(_ value: Double, into output: inout ByteBuffer) {
        guard value.isFinite else {
            output.append("null")
            return
        }
        if value == 0 {
            output.append(UInt8(ascii: "0"))
            return
        }
        // Integers below 2^53 print as themselves, and they are most of the numbers in artifacts.
        if value.magnitude < 0x1p53, value.rounded(.towardZero) == value {
            appendInteger(Int64(value), into: &output)
            return
        }
        if value < 0 { output.append(UInt8(ascii: "-")) }
        // At most 17 digits; on the stack, as this runs for every fractional number written.
        var scratch: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { raw in
            let digits = raw.bindMemory(to: UInt8.self)
            var count = 0
            var pointPosition: Int?
            var exponent = 0
            var exponentNegative = false
            var inExponent = false
            var description = value.magnitude.description
            description.withUTF8 { text in
                for byte in text {
                    switch byte {
                    case UInt8(ascii: "."): pointPosition = count
                    case UInt8(ascii: "e"): inExponent = true
                    case UInt8(ascii: "-") where inExponent: exponentNegative = true
                    case UInt8(ascii: "+"): break
                    case UInt8(ascii: "0")...UInt8(ascii: "9"):
                        if inExponent {
                            exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
                        } else if count < digits.count {
                            digits[count] = byte
                            count += 1
                        }
                    default: break
                    }
                }
            }
            // ECMAScript's n: the value is 0.d₁d₂…dₖ × 10ⁿ.
            var n = (pointPosition ?? count) + (exponentNegative ? -exponent : exponent)
            var leading = 0
            while leading < count - 1, digits[leading] == UInt8(ascii: "0") { leading += 1 }
            n -= leading
            var trailing = count
            while trailing > leading + 1, digits[trailing - 1] == UInt8(ascii: "0") { trailing -= 1 }
            layOut(UnsafeBufferPointer(rebasing: digits[leading..<trailing]), n: n, into: &output)
        }
    }

    /// Appends the ECMAScript form of `mantissa` × 10^`exponent` (negated when `negative`), for a mantissa
    /// of at most 15 digits: such a decimal is the only one of its length that reads back as its double, so
    /// its own digits, without trailing zeros, are the shortest ones `write` would find.
    static func write(mantissa: UInt64, exponent: Int, negative: Bool, into output: inout ByteBuffer) {
        precondition(mantissa < 1_000_000_000_000_000, "more than 15 digits")
        guard mantissa != 0 else {
            output.append(UInt8(ascii: "0"))
            return
        }
        if negative { output.append(UInt8(ascii: "-")) }
        var scratch: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &scratch) { raw in
            let buffer = raw.bindMemory(to: UInt8.self)
            var position = buffer.count
            var rest = mantissa
            repeat {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            let length = buffer.count - position
            var end = buffer.count
            while buffer[end - 1] == UInt8(ascii: "0") { end -= 1 }
            layOut(UnsafeBufferPointer(rebasing: buffer[position..<end]), n: length + exponent, into: &output)
        }
    }

    /// The ECMAScript form of `value` as bytes.
    static func bytes(_ value: Double) -> [UInt8] {
        var output = ByteBuffer(capacity: 32)
        defer { output.deallocate() }
        write(value, into: &output)
        return Array(output.bytes)
    }

    /// Number::toString steps 6–10 (ECMA-262 §6.1.6.1.20), for the significant digits d₁…dₖ and n.
    private static func layOut(_ digits: UnsafeBufferPointer<UInt8>, n: Int, into output: inout ByteBuffer) {
        let k = digits.count
        let zero = UInt8(ascii: "0")
        if k <= n && n <= 21 {
            output.append(digits)
            output.append(repeating: zero, count: n - k)
        } else if 0 < n && n <= 21 {
            output.append(UnsafeBufferPointer(rebasing: digits[..<n]))
            output.append(UInt8(ascii: "."))
            output.append(UnsafeBufferPointer(rebasing: digits[n...]))
        } else if -6 < n && n <= 0 {
            output.append(zero)
            output.append(UInt8(ascii: "."))
            output.append(repeating: zero, count: -n)
            output.append(digits)
        } else {
            output.append(digits[0])
            if k > 1 {
                output.append(UInt8(ascii: "."))
                output.append(UnsafeBufferPointer(rebasing: digits[1...]))
            }
            output.append(UInt8(ascii: "e"))
            output.append(n - 1 < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            appendInteger(Int64((n - 1).magnitude), into: &output)
        }
    }

    private static func appendInteger(_ value: Int64, into output: inout ByteBuffer) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { raw in
            let buffer = raw.bindMemory(to: UInt8.self)
            var position = buffer.count
            repeat {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            output.append(UnsafeBufferPointer(rebasing: buffer[position...]))
        }
    }
}
