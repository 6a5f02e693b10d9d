/// A stack of values that hands a run of its top elements over to a new array by moving them, not copying:
/// no retain for the new array and no release for the stack, which matters when every parsed value passes
/// through it once.
///
/// A struct of plain fields whose owner calls `deallocate()`, not a class: a parser holding it is then plain
/// data too, and destroying one needs no run-time type metadata (whose first lookup costs a scan of every
/// conformance record in the binary).
struct MoveStack<Element> {
    private var start: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 64) {
        self.capacity = capacity
        start = .allocate(capacity: capacity)
    }

    /// Destroys the elements still on the stack and frees its memory.
    func deallocate() {
        start.deinitialize(count: count)
        start.deallocate()
    }

    @inline(__always)
    mutating func push(_ element: Element) {
        if count == capacity { grow() }
        (start + count).initialize(to: element)
        count += 1
    }

    func element(at position: Int) -> Element { start[position] }

    /// The elements from `position` to the top.
    func elements(from position: Int) -> UnsafeBufferPointer<Element> {
        UnsafeBufferPointer(start: start + position, count: count - position)
    }

    /// Moves the elements from `position` to the top into a new array, in `order` (positions relative to
    /// `position`) when given, and pops them.
    mutating func popArray(from position: Int, order: [Int]? = nil) -> [Element] {
        let length = count - position
        let source = start + position
        // reserveCapacity and append are specialised here; Array(unsafeUninitializedCapacity:) goes through the
        // runtime's generic allocation, which costs more than the rest of a small object's parse.
        var array: [Element] = []
        array.reserveCapacity(length)
        if let order {
            for from in order { array.append((source + from).move()) }
        } else {
            for offset in 0..<length { array.append((source + offset).move()) }
        }
        count = position
        return array
    }

    private mutating func grow() {
        let newCapacity = capacity * 2
        let newStart = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newStart.moveInitialize(from: start, count: count)
        start.deallocate()
        start = newStart
        capacity = newCapacity
    }
}
