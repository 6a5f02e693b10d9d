/// The members of a JSON object, in document order, with keys unique by Unicode scalars.
///
/// Document order is kept so that a value parsed and written back reads the way it was written;
/// the canonical form sorts keys itself.
public struct JSONObject: Sendable {
    public typealias Member = (key: String, value: JSONValue)

    public private(set) var keys: [String] = []
    public private(set) var values: [JSONValue] = []
    /// Built once an object grows past `indexThreshold`; small objects are faster to scan.
    private var positions: [ScalarKey: Int]?

    private static let indexThreshold = 12

    /// An empty object.
    public init() {}

    /// An object of the given members; a repeated key keeps the last value, at the first key's place.
    public init(_ members: some Sequence<Member>) {
        for (key, value) in members { self[key] = value }
    }

    /// Members known to have distinct keys, as the parser produces them.
    init(uniqueKeys keys: [String], values: [JSONValue]) {
        self.keys = keys
        self.values = values
        if keys.count > Self.indexThreshold { rebuildPositions() }
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
            if let position = position(of: key) {
                if let newValue {
                    values[position] = newValue
                } else {
                    keys.remove(at: position)
                    values.remove(at: position)
                    positions = nil
                    if keys.count > Self.indexThreshold { rebuildPositions() }
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
                if positions != nil {
                    positions![ScalarKey(key)] = keys.count - 1
                } else if keys.count > Self.indexThreshold {
                    rebuildPositions()
                }
            }
        }
    }

    /// The position of `key` in document order.
    public func position(of key: String) -> Int? {
        if let positions { return positions[ScalarKey(key)] }
        for (position, candidate) in keys.enumerated() where scalarsEqual(candidate, key) {
            return position
        }
        return nil
    }

    private mutating func rebuildPositions() {
        var positions = [ScalarKey: Int](minimumCapacity: keys.count)
        for (position, key) in keys.enumerated() { positions[ScalarKey(key)] = position }
        self.positions = positions
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
        right.withContiguousStorageIfAvailable { rightBytes in
            leftBytes.elementsEqual(rightBytes)
        }
    }
    if let fast, let result = fast { return result }
    return left.elementsEqual(right)
}
