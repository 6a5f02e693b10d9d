/// Whether `lhs` sorts before `rhs` by UTF-16 code units, the key order of RFC 8785.
///
/// Compares UTF-8 bytes, which order like code points, and corrects the one place where UTF-16 disagrees:
/// characters from U+10000 up are surrogate pairs (0xD800…) in UTF-16 and so sort before U+E000…U+FFFF,
/// while their UTF-8 lead bytes (0xF0…0xF4) sort after those characters' (0xEE, 0xEF).
package func utf16Precedes(_ lhs: String, _ rhs: String) -> Bool { utf16Compare(lhs, rhs) < 0 }

/// How `lhs` compares with `rhs` in UTF-16 code unit order: negative, zero or positive. Zero means the same
/// Unicode scalars. One pass for an object's lookup, where asking "equal?" then "before?" took two.
package func utf16Compare(_ lhs: String, _ rhs: String) -> Int {
    let result = lhs.utf8.withContiguousStorageIfAvailable { left in
        rhs.utf8.withContiguousStorageIfAvailable { right in utf16Compare(left, right) }
    }
    if let result, let result { return result }
    let left = Array(lhs.utf8)
    let right = Array(rhs.utf8)
    return left.withUnsafeBufferPointer { left in right.withUnsafeBufferPointer { utf16Compare(left, $0) } }
}

func utf16Compare(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Int {
    let common = min(left.count, right.count)
    var position = 0
    // Eight bytes at a time while they are the same.
    if let leftBase = left.baseAddress, let rightBase = right.baseAddress {
        while position + 8 <= common,
            UnsafeRawPointer(leftBase + position).loadUnaligned(as: UInt64.self)
                == UnsafeRawPointer(rightBase + position).loadUnaligned(as: UInt64.self)
        {
            position += 8
        }
    }
    while position < common {
        let a = left[position]
        let b = right[position]
        if a != b {
            // Equal prefixes end on a character boundary or inside characters with the same lead byte, so a
            // differing lead byte here is the start of both characters.
            if a >= 0xF0, b == 0xEE || b == 0xEF { return -1 }
            if b >= 0xF0, a == 0xEE || a == 0xEF { return 1 }
            return a < b ? -1 : 1
        }
        position += 1
    }
    return left.count == right.count ? 0 : left.count < right.count ? -1 : 1
}

/// `utf16Compare`, deciding at once when the first bytes differ and are below the bytes where UTF-16 order
/// departs from UTF-8's, as most keys of an object do.
@inline(__always)
func keyOrder(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Int {
    if let left = lhs.first, let right = rhs.first, left != right, left < 0xEE, right < 0xEE {
        return left < right ? -1 : 1
    }
    return utf16Compare(lhs, rhs)
}

func utf16Precedes(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
    utf16Compare(left, right) < 0
}

/// The positions of `keys` in UTF-16 order, or nil when they are in that order already (as documents read
/// back from the store are: checking is cheaper than sorting). Equal keys end up side by side.
///
/// Most keys differ within their first eight bytes, so each is summarised by those bytes as one integer
/// and compared by it; only ties, and keys whose first bytes include the lead bytes where UTF-16 order
/// departs from UTF-8 order, are compared in full.
func utf16SortedOrder(_ keys: UnsafeBufferPointer<String>) -> [Int]? {
    let count = keys.count
    guard count > 1 else { return nil }
    return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: count) { prefixes in
        withUnsafeTemporaryAllocation(of: Bool.self, capacity: count) { exact in
            for position in 0..<count {
                let (prefix, isExact) = summary(of: keys[position])
                prefixes.initializeElement(at: position, to: prefix)
                exact.initializeElement(at: position, to: isExact)
            }
            @inline(__always)
            func precedes(_ left: Int, _ right: Int) -> Bool {
                let a = prefixes[left]
                let b = prefixes[right]
                if a != b, exact[left], exact[right] { return a < b }
                return utf16Precedes(keys[left], keys[right])
            }
            var sorted = true
            for position in 1..<count where !precedes(position - 1, position) {
                sorted = false
                break
            }
            if sorted { return nil }
            var order = Array(0..<count)
            if count <= 32 {
                // Insertion sort: objects are small, and this avoids the general sort's closure calls.
                for next in 1..<count {
                    let moving = order[next]
                    var slot = next
                    while slot > 0, precedes(moving, order[slot - 1]) {
                        order[slot] = order[slot - 1]
                        slot -= 1
                    }
                    order[slot] = moving
                }
            } else {
                order.sort(by: precedes)
            }
            return order
        }
    }
}

/// The first eight UTF-8 bytes of `key` as a big-endian integer (zero-padded), and whether comparing such
/// integers orders keys as UTF-16 does (none of those bytes is 0xEE or above).
@inline(__always)
private func summary(of key: String) -> (prefix: UInt64, exact: Bool) {
    let result = key.utf8.withContiguousStorageIfAvailable { bytes in
        var prefix: UInt64 = 0
        var exact = true
        for position in 0..<min(8, bytes.count) {
            let byte = bytes[position]
            prefix |= UInt64(byte) << (56 - 8 * UInt64(position))
            exact = exact && byte < 0xEE
        }
        return (prefix, exact)
    }
    // Strings the parser made are contiguous; anything else is compared in full.
    return result ?? (0, false)
}
