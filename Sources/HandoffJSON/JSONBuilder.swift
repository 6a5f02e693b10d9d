/// What a parse makes of the values it reads, as `JSONParser` hands them over: a tree of `JSONValue`s
/// (`TreeBuilder`) or a flat `JSONTape` (`TapeBuilder`). The parser does all the reading and checking;
/// a builder only keeps the values, and orders each object's members when it closes.
///
/// Values are handed over bottom-up: a container's elements (and an object's keys) are pushed as they are
/// read, then the container is closed from the positions where it started.
protocol JSONBuilder {
    associatedtype Value
    /// Values pushed so far and still open, where the next container's elements will start.
    var valueCount: Int { get }

    mutating func string(_ utf8: UnsafeBufferPointer<UInt8>) -> Value
    mutating func number(_ value: Double) -> Value
    mutating func bool(_ value: Bool) -> Value
    mutating func null() -> Value
    mutating func emptyArray() -> Value
    mutating func emptyObject() -> Value
    /// The next key of the innermost object; its value follows.
    mutating func key(_ utf8: UnsafeBufferPointer<UInt8>)
    /// Adds a finished value to the innermost container.
    mutating func push(_ value: Value)
    /// The array of the values pushed since `valuesFrom`, which are popped.
    mutating func closeArray(valuesFrom: Int) -> Value
    /// The object of the keys pushed since `keysFrom` (the `keysFrom`-th key of all open objects) and the
    /// values since `valuesFrom`, in canonical key order.
    /// - Throws: `DuplicateKey` naming the first key, in document order, that repeats an earlier one.
    mutating func closeObject(valuesFrom: Int, keysFrom: Int) throws(DuplicateKey) -> Value
    /// Frees what the builder allocated and did not hand over.
    func deallocate()
}

/// A key that appears twice in one object: the later one's position among that object's keys, and the key.
struct DuplicateKey: Error {
    let position: Int
    let key: String
}

/// Builds `JSONValue` trees.
struct TreeBuilder: JSONBuilder {
    /// Values and keys of all open containers; a closing container moves its own into its arrays.
    private var values = MoveStack<JSONValue>()
    private var keys = MoveStack<String>()

    var valueCount: Int { values.count }

    func string(_ utf8: UnsafeBufferPointer<UInt8>) -> JSONValue {
        .string(String(decoding: utf8, as: UTF8.self))
    }
    func number(_ value: Double) -> JSONValue { .number(value) }
    func bool(_ value: Bool) -> JSONValue { .bool(value) }
    func null() -> JSONValue { .null }
    func emptyArray() -> JSONValue { .array([]) }
    func emptyObject() -> JSONValue { .object(JSONObject()) }
    mutating func key(_ utf8: UnsafeBufferPointer<UInt8>) { keys.push(String(decoding: utf8, as: UTF8.self)) }
    mutating func push(_ value: JSONValue) { values.push(value) }

    func deallocate() {
        values.deallocate()
        keys.deallocate()
    }

    mutating func closeArray(valuesFrom start: Int) -> JSONValue { .array(values.popArray(from: start)) }

    mutating func closeObject(valuesFrom valueStart: Int, keysFrom keyStart: Int) throws(DuplicateKey)
        -> JSONValue
    {
        let members = keys.elements(from: keyStart)
        let order = utf16SortedOrder(members)
        // Sorted input is strictly increasing; sorted output has any duplicates side by side.
        if let order,
            order.indices.dropFirst().contains(where: {
                scalarsEqual(members[order[$0 - 1]], members[order[$0]])
            })
        {
            var seen = Set<ScalarKey>()
            for position in members.indices where !seen.insert(ScalarKey(members[position])).inserted {
                throw DuplicateKey(position: position, key: members[position])
            }
        }
        let objectKeys = keys.popArray(from: keyStart, order: order)
        let objectValues = values.popArray(from: valueStart, order: order)
        return .object(JSONObject(sortedUniqueKeys: objectKeys, values: objectValues))
    }
}
