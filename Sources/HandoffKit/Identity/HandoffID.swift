/// Handoff ids are ULIDs: 48 bits of milliseconds and 80 random bits in Crockford's base 32, so they sort by
/// creation time, are unique across processes without coordination, and are safe to type.
package enum HandoffID {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    package static func make(at time: Timestamp) -> String {
        var generator = SystemRandomNumberGenerator()
        let randomHigh = generator.next() & 0xFFFF  // 16 bits
        let randomLow = generator.next()  // 64 bits
        let milliseconds = UInt64(max(0, time.millisecondsSince1970)) & 0xFFFF_FFFF_FFFF
        // 128 bits: 48 time | 80 random, written as 26 groups of 5 bits from the top (the first group has 3).
        let high = milliseconds << 16 | randomHigh
        let low = randomLow
        var characters = [UInt8](repeating: 0, count: 26)
        for position in 0..<26 {
            let shift = 125 - 5 * position
            let value: UInt64
            if shift >= 64 {
                value = high >> UInt64(shift - 64)
            } else if shift > 59 {
                value = (high << UInt64(64 - shift)) | (low >> UInt64(shift))
            } else {
                value = low >> UInt64(shift)
            }
            characters[position] = alphabet[Int(value & 0x1F)]
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// Whether `text` has the form of a handoff id, so it can be told apart from an artifact id.
    static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 26 && text.utf8.allSatisfy { alphabet.contains($0) }
    }
}
