import HandoffKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a stream line by line, a chunk at a time, holding at most one line of at most `limit` bytes, so a
/// stream of any length (or a huge line) takes bounded memory.
struct LineReader {
    enum Line {
        /// A line's bytes, without its newline (or carriage return and newline).
        case text([UInt8], number: Int)
        /// A line longer than the limit; its bytes were skipped.
        case tooLong(number: Int, length: Int)
    }

    private let descriptor: Int32
    private let name: String
    private let limit: Int
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)
    private var chunkStart = 0
    private var chunkEnd = 0
    private var number = 0
    private var finished = false
    /// Whether the chunk ends where a NUL byte was found: the stream is not text past it.
    private var stoppedAtNUL = false

    /// How many lines were read so far.
    var linesRead: Int { number }

    init(descriptor: Int32, name: String, limit: Int) {
        self.descriptor = descriptor
        self.name = name
        self.limit = limit
    }

    /// The next line, or nil at the end of the stream.
    mutating func next() throws(HandoffError) -> Line? {
        var line: [UInt8] = []
        var length = 0
        while true {
            if chunkStart == chunkEnd {
                if stoppedAtNUL {
                    throw HandoffError(
                        .invalidInput,
                        "\(name) holds a NUL byte in line \(number + 1): it is not JSON Lines text")
                }
                guard !finished, try fill() else {
                    guard length > 0 else { return nil }
                    number += 1
                    return finish(line, length: length)
                }
            }
            let available = chunk[chunkStart..<chunkEnd]
            if let newline = Self.index(of: 0x0A, in: chunk, from: chunkStart, to: chunkEnd) {
                let piece = chunk[chunkStart..<newline]
                length += piece.count
                if length <= limit { line.append(contentsOf: piece) }
                chunkStart = newline + 1
                number += 1
                return finish(line, length: length)
            }
            length += available.count
            if length <= limit { line.append(contentsOf: available) } else { line = [] }
            chunkStart = chunkEnd
        }
    }

    private func finish(_ line: [UInt8], length: Int) -> Line {
        guard length <= limit else { return .tooLong(number: number, length: length) }
        return .text(line.last == 0x0D ? Array(line.dropLast()) : line, number: number)
    }

    /// The first index of `byte` in `bytes[start..<end]`: memchr, which reads many bytes at a step (a byte
    /// loop was a tenth of `validate --jsonl`'s instructions).
    private static func index(of byte: UInt8, in bytes: [UInt8], from start: Int, to end: Int) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            guard end > start, let base = buffer.baseAddress,
                let found = memchr(base + start, Int32(byte), end - start)
            else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Reads the next chunk; false at the end of the stream.
    private mutating func fill() throws(HandoffError) -> Bool {
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress!, buffer.count)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileIO.failure("cannot read", name, errno)
            }
            chunkStart = 0
            chunkEnd = count
            if count == 0 { finished = true }
            // JSON text never holds a NUL byte; a stream of them (a huge sparse file, /dev/zero) is not JSON
            // Lines, and is refused at the line that holds one rather than read to its end in search of a newline.
            if count > 0, let nul = Self.index(of: 0, in: chunk, from: 0, to: count) {
                chunkEnd = nul
                stoppedAtNUL = true
                return true
            }
            return count > 0
        }
    }
}
