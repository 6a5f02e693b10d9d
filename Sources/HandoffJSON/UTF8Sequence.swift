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
