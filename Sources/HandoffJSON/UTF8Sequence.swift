/// The shape of a multi-byte UTF-8 sequence (RFC 3629) by its lead byte: how many bytes it has, and the
/// range its second byte must fall in, which is what rules out overlong forms, surrogates and anything
/// above U+10FFFF (later bytes are always 0x80...0xBF). Nil for a byte that cannot lead one.
@inline(__always)
func utf8SequenceShape(lead: UInt8) -> (length: Int, second: ClosedRange<UInt8>)? {
    switch lead {
    case 0xC2...0xDF: (2, 0x80...0xBF)
    case 0xE0: (3, 0xA0...0xBF)
    case 0xE1...0xEC, 0xEE...0xEF: (3, 0x80...0xBF)
    case 0xED: (3, 0x80...0x9F)
    case 0xF0: (4, 0x90...0xBF)
    case 0xF1...0xF3: (4, 0x80...0xBF)
    case 0xF4: (4, 0x80...0x8F)
    default: nil
    }
}

/// Where the run of JSON whitespace (space, tab, line feed, carriage return) that starts at `position` ends.
///
/// A byte above a space ends it at once, as between the tokens of compact JSON; longer runs, such as a
/// pretty-printed document's line breaks and indentation, are crossed eight bytes at a time.
@inline(__always)
func whitespaceEnd(_ bytes: UnsafeBufferPointer<UInt8>, from position: Int) -> Int {
    var position = position
    guard position < bytes.count, bytes[position] <= 0x20 else { return position }
    // One space, as after a pretty-printed colon, is the most common run of all.
    if position + 1 < bytes.count, bytes[position] == 0x20, bytes[position + 1] > 0x20 { return position + 1 }
    if let base = bytes.baseAddress {
        while position + 8 <= bytes.count {
            let other = notWhitespace(UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
            if other != 0 { return position + other.trailingZeroBitCount >> 3 }
            position += 8
        }
    }
    while position < bytes.count {
        switch bytes[position] {
        case 0x20, 0x0A, 0x0D, 0x09: position += 1
        default: return position
        }
    }
    return position
}

/// The high bit of each byte of `word` that is not JSON whitespace, exactly (no borrow crosses a byte).
@inline(__always)
private func notWhitespace(_ word: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    @inline(__always)
    func nonzero(_ value: UInt64) -> UInt64 { ((value & lows) &+ lows | value) & ~lows }
    return nonzero(word ^ (ones &* 0x20)) & nonzero(word ^ (ones &* 0x0A)) & nonzero(word ^ (ones &* 0x0D))
        & nonzero(word ^ (ones &* 0x09))
}
