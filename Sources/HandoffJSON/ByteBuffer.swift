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
        let byteCount = elements.count * MemoryLayout<Element>.stride
        let source = UnsafeRawPointer(base)
        let target = UnsafeMutableRawPointer(start + count)
        // Most runs are a key or a short value: two overlapping loads and stores, first and last, cost less
        // than calling memcpy, and read nothing outside the run.
        if byteCount >= 8 && byteCount <= 16 {
            let head = source.loadUnaligned(as: UInt64.self)
            let tail = source.loadUnaligned(fromByteOffset: byteCount - 8, as: UInt64.self)
            target.storeBytes(of: head, as: UInt64.self)
            target.storeBytes(of: tail, toByteOffset: byteCount - 8, as: UInt64.self)
        } else if byteCount >= 4 && byteCount < 8 {
            let head = source.loadUnaligned(as: UInt32.self)
            let tail = source.loadUnaligned(fromByteOffset: byteCount - 4, as: UInt32.self)
            target.storeBytes(of: head, as: UInt32.self)
            target.storeBytes(of: tail, toByteOffset: byteCount - 4, as: UInt32.self)
        } else {
            target.copyMemory(from: source, byteCount: byteCount)
        }
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
