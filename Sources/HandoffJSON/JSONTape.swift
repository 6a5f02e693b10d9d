/// A parsed document laid out flat: one entry per value in a few arrays, with no allocation per value and
/// no reference counting to read it. Validating a document from its bytes goes through a tape; building
/// a `JSONValue` tree first cost more than the validation itself.
///
/// `JSONParser.withTape` makes one with exactly the checks and errors of `JSONParser.parse`, lends it to its
/// caller and frees it. An object's members are in canonical key order, as in `JSONObject`, so both are
/// walked in the same order. Strings without escapes are not copied: their entries point into the input.
package enum JSONTape {
    /// What kind of value an entry is.
    package enum Kind: UInt8, Sendable, BitwiseCopyable {
        case null, bool, number, string, array, object
    }

    /// One value: for a string, where its bytes are (in the input when `payload` has `inInput`, else in
    /// `text`); for an array, its elements' entries in `children`; for an object, its members in `members`;
    /// for a number, its bits; for a Boolean, 0 or 1.
    struct Entry: BitwiseCopyable {
        var kind: Kind
        var count: Int
        var payload: UInt64

        /// Marks a string's offset as one into the input.
        static let inInput: UInt64 = 1 << 63

        /// The bytes of a string entry, in a tape whose `text` and input start at these addresses.
        @inline(__always)
        func utf8(text: UnsafePointer<UInt8>, input: UnsafePointer<UInt8>?) -> UnsafeBufferPointer<UInt8> {
            let offset = Int(payload & ~Self.inInput)
            let base = payload & Self.inInput != 0 ? input! : text
            return UnsafeBufferPointer(start: base + offset, count: count)
        }
    }

    /// An object member: the entries of its key (a string) and of its value.
    struct Member: BitwiseCopyable {
        var key: Int
        var value: Int
    }
}

/// The tape's arrays while it is being read.
package struct TapeView {
    let entries: UnsafeBufferPointer<JSONTape.Entry>
    let children: UnsafeBufferPointer<Int>
    let members: UnsafeBufferPointer<JSONTape.Member>
    let text: UnsafeBufferPointer<UInt8>
    let input: UnsafeBufferPointer<UInt8>

    /// The bytes of a string entry.
    @inline(__always)
    func utf8(_ entry: JSONTape.Entry) -> UnsafeBufferPointer<UInt8> {
        entry.utf8(text: text.baseAddress!, input: input.baseAddress)
    }
}

/// One value of a tape, valid inside `JSONParser.withTape`: a pointer and an index, copied for free.
package struct TapeValue {
    let view: UnsafePointer<TapeView>
    let index: Int

    @inline(__always)
    private var entry: JSONTape.Entry { view.pointee.entries[index] }

    package var kind: JSONTape.Kind { entry.kind }

    /// Elements of an array, members of an object, bytes of a string.
    package var count: Int { entry.count }

    /// The Boolean, for a `bool`.
    package var boolValue: Bool { entry.payload != 0 }

    /// The number, for a `number`.
    package var doubleValue: Double { Double(bitPattern: entry.payload) }

    /// The UTF-8 bytes of a `string`.
    package var utf8: UnsafeBufferPointer<UInt8> { view.pointee.utf8(entry) }

    /// The string, for a `string`.
    package var textValue: String { String(decoding: utf8, as: UTF8.self) }

    /// The element at `position` of an array.
    package func element(_ position: Int) -> TapeValue {
        TapeValue(view: view, index: view.pointee.children[Int(entry.payload) + position])
    }

    /// The key (a string) of the member at `position` of an object, in canonical order.
    package func key(_ position: Int) -> TapeValue {
        TapeValue(view: view, index: view.pointee.members[Int(entry.payload) + position].key)
    }

    /// The value of the member at `position` of an object.
    package func value(_ position: Int) -> TapeValue {
        TapeValue(view: view, index: view.pointee.members[Int(entry.payload) + position].value)
    }

    /// The position of the member whose key has these UTF-8 bytes, for an object.
    package func position(ofKey name: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = count
        if count <= 16 {
            // Small objects are scanned: lengths tell most keys apart without reading them.
            for position in 0..<count {
                let key = key(position).utf8
                if key.count == name.count, bytesEqual(key, name) { return position }
            }
            return nil
        }
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            let order = utf16Compare(key(middle).utf8, name)
            if order == 0 { return middle }
            if order < 0 {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return nil
    }

    /// The value as a tree.
    package var jsonValue: JSONValue {
        switch kind {
        case .null: .null
        case .bool: .bool(boolValue)
        case .number: .number(doubleValue)
        case .string: .string(textValue)
        case .array: .array((0..<count).map { element($0).jsonValue })
        case .object:
            .object(
                JSONObject(
                    sortedUniqueKeys: (0..<count).map { key($0).textValue },
                    values: (0..<count).map { value($0).jsonValue }))
        }
    }

    /// JSON equality with a tree value, as `JSONValue`'s `==` defines it.
    package func equals(_ other: JSONValue) -> Bool {
        switch (kind, other) {
        case (.null, .null): return true
        case (.bool, .bool(let value)): return boolValue == value
        case (.number, .number(let value)): return doubleValue == value
        case (.string, .string(var value)):
            return value.withUTF8 { sameBytes(utf8, $0) }
        case (.array, .array(let elements)):
            guard count == elements.count else { return false }
            return elements.indices.allSatisfy { element($0).equals(elements[$0]) }
        case (.object, .object(let object)):
            guard count == object.count else { return false }
            return object.indices.allSatisfy {
                key($0).equals(.string(object.keys[$0])) && value($0).equals(object.values[$0])
            }
        default: return false
        }
    }

    /// JSON equality with another value of a tape.
    package func equals(_ other: TapeValue) -> Bool {
        guard kind == other.kind else { return false }
        switch kind {
        case .null: return true
        case .bool: return boolValue == other.boolValue
        case .number: return doubleValue == other.doubleValue
        case .string: return sameBytes(utf8, other.utf8)
        case .array:
            return count == other.count && (0..<count).allSatisfy { element($0).equals(other.element($0)) }
        case .object:
            return count == other.count
                && (0..<count).allSatisfy {
                    key($0).equals(other.key($0)) && value($0).equals(other.value($0))
                }
        }
    }
}

@inline(__always)
private func sameBytes(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
    lhs.count == rhs.count && bytesEqual(lhs, rhs)
}

/// Builds a `JSONTape`: values are appended as they are read, so a container follows its contents.
struct TapeBuilder: JSONBuilder {
    // Sized by the input, so that a typical document never grows them (a value takes ten bytes or so), up to
    // a size past which growing costs little against reading.
    private var entries: RawBuffer<JSONTape.Entry>
    private var children: RawBuffer<Int>
    private var members: RawBuffer<JSONTape.Member>
    private var text = RawBuffer<UInt8>(capacity: 256)
    /// Entries of the values of all open containers, and of the keys of all open objects.
    private var values = RawBuffer<Int>(capacity: 64)
    private var keys = RawBuffer<Int>(capacity: 64)
    /// The document's bytes, where strings without escapes stay.
    private let input: UnsafeBufferPointer<UInt8>

    init(input: UnsafeBufferPointer<UInt8>) {
        self.input = input
        let size = min(input.count, 1 << 20)
        entries = RawBuffer(capacity: size / 6)
        children = RawBuffer(capacity: size / 16)
        members = RawBuffer(capacity: size / 16)
    }

    var valueCount: Int { values.count }

    /// Calls `body` with the value at entry `root`, valid only inside `body`.
    func withValue<Result>(_ root: Int, _ body: (TapeValue) -> Result) -> Result {
        var view = TapeView(
            entries: entries.elements, children: children.elements, members: members.elements,
            text: text.elements, input: input)
        return withUnsafePointer(to: &view) { body(TapeValue(view: $0, index: root)) }
    }

    func deallocate() {
        values.deallocate()
        keys.deallocate()
        entries.deallocate()
        children.deallocate()
        members.deallocate()
        text.deallocate()
    }

    @inline(__always)
    private mutating func append(_ kind: JSONTape.Kind, count: Int = 0, payload: UInt64 = 0) -> Int {
        entries.append(JSONTape.Entry(kind: kind, count: count, payload: payload))
        return entries.count - 1
    }

    @inline(__always)
    mutating func string(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        if let base = utf8.baseAddress, let inputBase = input.baseAddress, base >= inputBase,
            base < inputBase + input.count
        {
            return append(
                .string, count: utf8.count, payload: UInt64(base - inputBase) | JSONTape.Entry.inInput)
        }
        let start = text.count
        text.append(utf8)
        return append(.string, count: utf8.count, payload: UInt64(start))
    }

    @inline(__always)
    mutating func number(_ value: Double) -> Int { append(.number, payload: value.bitPattern) }
    mutating func bool(_ value: Bool) -> Int { append(.bool, payload: value ? 1 : 0) }
    mutating func null() -> Int { append(.null) }
    mutating func emptyArray() -> Int { append(.array, payload: UInt64(children.count)) }
    mutating func emptyObject() -> Int { append(.object, payload: UInt64(members.count)) }
    @inline(__always)
    mutating func key(_ utf8: UnsafeBufferPointer<UInt8>) { keys.append(string(utf8)) }
    @inline(__always)
    mutating func push(_ value: Int) { values.append(value) }

    mutating func closeArray(valuesFrom start: Int) -> Int {
        let first = children.count
        children.append(UnsafeBufferPointer(rebasing: values.elements[start...]))
        values.truncate(to: start)
        return append(.array, count: children.count - first, payload: UInt64(first))
    }

    mutating func closeObject(valuesFrom valueStart: Int, keysFrom keyStart: Int) throws(DuplicateKey) -> Int
    {
        let first = members.count
        let count = keys.count - keyStart
        for offset in 0..<count {
            members.append(JSONTape.Member(key: keys[keyStart + offset], value: values[valueStart + offset]))
        }
        let unfinished = UnsafeMutableBufferPointer(start: members.start + first, count: count)
        if !sortByKey(unfinished) { throw firstRepeat(keysFrom: keyStart) }
        keys.truncate(to: keyStart)
        values.truncate(to: valueStart)
        return append(.object, count: count, payload: UInt64(first))
    }

    /// Sorts `members` by key in UTF-16 order; false when two keys are equal. Objects are small and usually in
    /// order already (documents written by a canonical writer are), so the order is checked first and small
    /// objects are sorted by insertion.
    private func sortByKey(_ members: UnsafeMutableBufferPointer<JSONTape.Member>) -> Bool {
        @inline(__always)
        func key(_ member: JSONTape.Member) -> UnsafeBufferPointer<UInt8> { keyBytes(member.key) }
        var position = 1
        while position < members.count, keyOrder(key(members[position - 1]), key(members[position])) < 0 {
            position += 1
        }
        guard position < members.count else { return true }
        if members.count <= 32 {
            for next in position..<members.count {
                let moving = members[next]
                let movingKey = key(moving)
                var slot = next
                while slot > 0, keyOrder(movingKey, key(members[slot - 1])) < 0 {
                    members[slot] = members[slot - 1]
                    slot -= 1
                }
                members[slot] = moving
            }
        } else {
            var members = members
            members.sort { utf16Compare(key($0), key($1)) < 0 }
        }
        return (1..<members.count).allSatisfy { keyOrder(key(members[$0 - 1]), key(members[$0])) != 0 }
    }

    /// The bytes of the string at `entry`.
    @inline(__always)
    private func keyBytes(_ entry: Int) -> UnsafeBufferPointer<UInt8> {
        entries[entry].utf8(text: text.start, input: input.baseAddress)
    }

    /// The first key of the innermost object, in document order, that repeats an earlier one.
    private func firstRepeat(keysFrom keyStart: Int) -> DuplicateKey {
        var seen = Set<ScalarKey>()
        for position in keyStart..<keys.count {
            let key = String(decoding: keyBytes(keys[position]), as: UTF8.self)
            if !seen.insert(ScalarKey(key)).inserted {
                return DuplicateKey(position: position - keyStart, key: key)
            }
        }
        preconditionFailure("no repeated key among keys that sort to a tie")
    }
}
