/// The members of a JSON object: keys unique by Unicode scalars and kept in RFC 8785 order (UTF-16 code
/// units), whatever order they were written or inserted in.
///
/// Keeping the canonical order makes writing the canonical form a straight walk, lets the parser find
/// duplicate keys with the same sort, and makes lookups a binary search.
public struct JSONObject: Sendable {
    public typealias Member = (key: String, value: JSONValue)

    /// The keys in UTF-16 order.
    public private(set) var keys: [String] = []
    /// The values, in the order of `keys`.
    public private(set) var values: [JSONValue] = []

    /// An empty object.
    public init() {}

    /// An object of the given members; a repeated key keeps the last value.
    public init(_ members: some Sequence<Member>) {
        for (key, value) in members { self[key] = value }
    }

    /// Members whose keys are known to be unique and in UTF-16 order, as the parser produces them, or a
    /// builder of a fixed shape whose keys were sorted once.
    package init(sortedUniqueKeys keys: [String], values: [JSONValue]) {
        self.keys = keys
        self.values = values
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// The value of the member named `key`, compared by Unicode scalars; setting `nil` removes it.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let position = position(of: key) else { return nil }
            return values[position]
        }
        set {
            let (position, found) = search(key)
            switch (found, newValue) {
            case (true, let value?):
                values[position] = value
            case (true, nil):
                keys.remove(at: position)
                values.remove(at: position)
            case (false, let value?):
                keys.insert(key, at: position)
                values.insert(value, at: position)
            case (false, nil):
                break
            }
        }
    }

    /// The position of `key` among the members.
    public func position(of key: String) -> Int? {
        let (position, found) = search(key)
        return found ? position : nil
    }

    /// Where `key` is, or where it would be inserted.
    private func search(_ key: String) -> (position: Int, found: Bool) {
        if keys.count <= 8 {
            for (position, candidate) in keys.enumerated() {
                let order = utf16Compare(key, candidate)
                if order <= 0 { return (position, order == 0) }
            }
            return (keys.count, false)
        }
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            let order = utf16Compare(keys[middle], key)
            if order == 0 { return (middle, true) }
            if order < 0 {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return (low, false)
    }
}

extension JSONObject: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { keys.count }
    public subscript(position: Int) -> Member { (keys[position], values[position]) }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.lazy.map { (key: $0.0, value: $0.1) })
    }
}

/// A string key whose equality and hash are those of its Unicode scalars (its UTF-8 bytes).
///
/// Swift's `String` equality is canonical equivalence, which would make `"é"` and `"e\u{301}"` one key;
/// JSON keeps them apart.
package struct ScalarKey: Hashable, Sendable {
    package let string: String

    package init(_ string: String) { self.string = string }

    package static func == (lhs: ScalarKey, rhs: ScalarKey) -> Bool {
        scalarsEqual(lhs.string, rhs.string)
    }

    package func hash(into hasher: inout Hasher) {
        var string = string
        string.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// Whether two strings consist of the same Unicode scalars.
@inline(__always)
package func scalarsEqual(_ lhs: String, _ rhs: String) -> Bool {
    let left = lhs.utf8
    let right = rhs.utf8
    guard left.count == right.count else { return false }
    let fast = left.withContiguousStorageIfAvailable { leftBytes in
        right.withContiguousStorageIfAvailable { rightBytes in bytesEqual(leftBytes, rightBytes) }
    }
    if let fast, let result = fast { return result }
    return left.elementsEqual(right)
}

/// Whether two runs of bytes of the same length are equal, eight bytes at a time: objects look their keys
/// up by it, and the generic `elementsEqual` went byte by byte through an iterator.
@inline(__always)
func bytesEqual(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let left = lhs.baseAddress, let right = rhs.baseAddress else { return lhs.count == rhs.count }
    let count = lhs.count
    var position = 0
    while position + 8 <= count {
        if UnsafeRawPointer(left + position).loadUnaligned(as: UInt64.self)
            != UnsafeRawPointer(right + position).loadUnaligned(as: UInt64.self)
        {
            return false
        }
        position += 8
    }
    while position < count {
        if left[position] != right[position] { return false }
        position += 1
    }
    return true
}
