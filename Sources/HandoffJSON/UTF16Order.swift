/// Whether `lhs` sorts before `rhs` by UTF-16 code units, the key order of RFC 8785.
///
/// Compares UTF-8 bytes, which order like code points, and corrects the one place where UTF-16 disagrees:
/// characters from U+10000 up are surrogate pairs (0xD800…) in UTF-16 and so sort before U+E000…U+FFFF,
/// while their UTF-8 lead bytes (0xF0…0xF4) sort after those characters' (0xEE, 0xEF).
package func utf16Precedes(_ lhs: String, _ rhs: String) -> Bool {
    let result = lhs.utf8.withContiguousStorageIfAvailable { left in
        rhs.utf8.withContiguousStorageIfAvailable { right in
            utf16Precedes(left, right)
        }
    }
    if let result, let result { return result }
    let left = Array(lhs.utf8)
    let right = Array(rhs.utf8)
    return left.withUnsafeBufferPointer { left in right.withUnsafeBufferPointer { utf16Precedes(left, $0) } }
}

private func utf16Precedes(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
    let common = min(left.count, right.count)
    var position = 0
    while position < common {
        let a = left[position]
        let b = right[position]
        if a != b {
            // Equal prefixes end on a character boundary or inside characters with the same lead byte, so a
            // differing lead byte here is the start of both characters.
            if a >= 0xF0, b == 0xEE || b == 0xEF { return true }
            if b >= 0xF0, a == 0xEE || a == 0xEF { return false }
            return a < b
        }
        position += 1
    }
    return left.count < right.count
}
