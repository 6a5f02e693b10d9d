/// A growable run of plain values that the writers and the tape append to without the uniqueness and
/// capacity checks of an `Array` on every element. The owner deallocates it.
struct RawBuffer<Element: BitwiseCopyable> {
    private(set) var start: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        start = .allocate(capacity: self.capacity)
    }

    func deallocate() { start.deallocate() }

    var elements: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: start, count: count) }

    @inline(__always)
    subscript(position: Int) -> Element {
        get { start[position] }
        nonmutating set { start[position] = newValue }
    }

    @inline(__always)
    mutating func append(_ element: Element) {
        if count == capacity { grow(minimum: count + 1) }
        start[count] = element
        count += 1
    }

    @inline(__always)
    mutating func append(_ elements: UnsafeBufferPointer<Element>) {
        guard let base = elements.baseAddress, !elements.isEmpty else { return }
        if count + elements.count > capacity { grow(minimum: count + elements.count) }
        (start + count).update(from: base, count: elements.count)
        count += elements.count
    }

    mutating func append(repeating element: Element, count extra: Int) {
        guard extra > 0 else { return }
        if count + extra > capacity { grow(minimum: count + extra) }
        (start + count).initialize(repeating: element, count: extra)
        count += extra
    }

    /// Drops everything from `count` on.
    mutating func truncate(to count: Int) {
        self.count = min(self.count, count)
    }

    private mutating func grow(minimum: Int) {
        let newCapacity = max(minimum, capacity * 2)
        let newStart = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newStart.initialize(from: start, count: count)
        start.deallocate()
        start = newStart
        capacity = newCapacity
    }
}

/// The bytes the writers produce.
typealias ByteBuffer = RawBuffer<UInt8>

extension RawBuffer<UInt8> {
    var bytes: UnsafeBufferPointer<UInt8> { elements }

    mutating func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
