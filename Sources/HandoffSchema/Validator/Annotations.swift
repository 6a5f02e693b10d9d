/// The members and elements of one instance value that subschemas have evaluated successfully, which
/// `unevaluatedProperties` and `unevaluatedItems` must leave alone.
struct Evaluated {
    /// Positions of evaluated object members (document order).
    var properties = PositionSet()
    /// Indices of evaluated array elements.
    var items = PositionSet()

    mutating func formUnion(_ other: Evaluated) {
        properties.formUnion(other.properties)
        items.formUnion(other.items)
    }
}

/// A set of small non-negative integers: one inline word, more words only for large values.
struct PositionSet {
    private var first: UInt64 = 0
    private var more: [UInt64] = []
    private var containsAll = false

    mutating func insert(_ position: Int) {
        if position < 64 {
            first |= 1 << UInt64(position)
            return
        }
        let word = position / 64 - 1
        if word >= more.count { more += repeatElement(0, count: word - more.count + 1) }
        more[word] |= 1 << UInt64(position % 64)
    }

    mutating func insertAll() { containsAll = true }

    func contains(_ position: Int) -> Bool {
        if containsAll { return true }
        if position < 64 { return first & (1 << UInt64(position)) != 0 }
        let word = position / 64 - 1
        return word < more.count && more[word] & (1 << UInt64(position % 64)) != 0
    }

    mutating func formUnion(_ other: PositionSet) {
        containsAll = containsAll || other.containsAll
        first |= other.first
        if more.count < other.more.count { more += repeatElement(0, count: other.more.count - more.count) }
        for (word, bits) in other.more.enumerated() { more[word] |= bits }
    }
}
