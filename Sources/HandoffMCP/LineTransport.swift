import Foundation
import HandoffJSON
import Logging
import MCP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// MCP's stdio transport, one JSON-RPC message per line, made for hostile input: a line longer than the
/// limit is skipped without being held whole (and answered with an error naming the request, when its id can
/// be read from the start of the line), a line that is not JSON is answered with a parse error, and only
/// well-formed JSON reaches the SDK's server. Reading blocks a thread of its own, not the concurrency pool.
actor LineTransport: Transport {
    nonisolated let logger = Logger(
        label: "handoff.mcp.transport", factory: { _ in SwiftLogNoOpLogHandler() })

    private let input: Int32
    private let output: Int32
    private let limit: Int
    private let stream: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var started = false

    /// - Parameter limit: The longest message accepted, in bytes.
    init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, limit: Int) {
        self.input = input
        self.output = output
        self.limit = limit
        (stream, continuation) = AsyncThrowingStream.makeStream()
    }

    func connect() async throws {
        guard !started else { return }
        started = true
        let reader = LineReaderThread(
            descriptor: input, limit: limit, transport: self, continuation: continuation)
        let thread = Thread { reader.run() }
        thread.name = "handoff-mcp-reader"
        thread.start()
    }

    func disconnect() async {
        continuation.finish()
    }

    func send(_ data: Data) async throws {
        var bytes = [UInt8](data)
        bytes.append(0x0A)
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(output, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
            }
            written += result
        }
    }

    func receive() -> AsyncThrowingStream<Data, any Error> { stream }

    /// Answers a message that never reached the server, as JSON-RPC 2.0 asks.
    fileprivate func reject(id: JSONValue, code: Int, message: String) async {
        let response: JSONValue = [
            "jsonrpc": "2.0", "id": id,
            "error": ["code": .number(Double(code)), "message": .string(message)],
        ]
        try? await send(Data(JSONWriter.encode(response)))
    }
}

/// Reads lines from a descriptor with blocking reads, scanning each byte once.
private final class LineReaderThread: @unchecked Sendable {
    let descriptor: Int32
    let limit: Int
    let transport: LineTransport
    let continuation: AsyncThrowingStream<Data, any Error>.Continuation

    init(
        descriptor: Int32, limit: Int, transport: LineTransport,
        continuation: AsyncThrowingStream<Data, any Error>.Continuation
    ) {
        self.descriptor = descriptor
        self.limit = limit
        self.transport = transport
        self.continuation = continuation
    }

    func run() {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var line: [UInt8] = []
        var length = 0
        var head: [UInt8] = []
        var tail: [UInt8] = []
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            var start = 0
            while start < count {
                let newline = chunk[start..<count].firstIndex(of: 0x0A)
                let end = newline ?? count
                let piece = chunk[start..<end]
                if length < 256 { head.append(contentsOf: piece.prefix(256 - length)) }
                if length + piece.count > limit {
                    tail = Array((tail + piece.suffix(256)).suffix(256))
                }
                length += piece.count
                if length <= limit { line.append(contentsOf: piece) } else if !line.isEmpty { line = [] }
                guard newline != nil else { break }
                deliver(line, length: length, head: head, tail: tail)
                line.removeAll(keepingCapacity: length <= 1 << 20)
                head.removeAll(keepingCapacity: true)
                tail.removeAll(keepingCapacity: true)
                length = 0
                start = end + 1
            }
        }
        if length > 0 { deliver(line, length: length, head: head, tail: tail) }
        continuation.finish()
    }

    private func deliver(_ line: [UInt8], length: Int, head: [UInt8], tail: [UInt8]) {
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) || length > limit else {
            return
        }
        guard length <= limit else {
            let id = Self.requestID(head: head, tail: tail)
            let message =
                "Invalid Request: the message is \(length) bytes, more than the limit of \(limit) (handoff mcp --max-bytes)"
            let transport = transport
            Task { await transport.reject(id: id, code: -32600, message: message) }
            return
        }
        do {
            _ = try JSONParser.parse(
                line, limits: JSONParser.Limits(maxDepth: JSONParser.Limits.depthCeiling, maxBytes: limit))
        } catch {
            let transport = transport
            Task { await transport.reject(id: .null, code: -32700, message: "Parse error: \(error)") }
            return
        }
        continuation.yield(Data(line))
    }

    /// The `"id"` of a request whose whole line was too long to read: the top-level member, found either
    /// first in the object (before any nested one opens) or last (right before it closes), as clients write it.
    static func requestID(head: [UInt8], tail: [UInt8]) -> JSONValue {
        let start = String(decoding: head, as: UTF8.self)
        if let key = start.range(of: "\"id\""),
            !start[start.index(after: start.startIndex)..<key.lowerBound].contains("{"),
            let (value, _) = idValue(start[key.upperBound...])
        {
            return value
        }
        let end = String(decoding: tail, as: UTF8.self)
        if let key = end.range(of: "\"id\"", options: .backwards),
            let (value, rest) = idValue(end[key.upperBound...]),
            rest.allSatisfy({ $0 == "}" || $0.isWhitespace })
        {
            return value
        }
        return .null
    }

    /// A number or string id after `"id"`, and what follows it.
    private static func idValue(_ text: Substring) -> (JSONValue, Substring)? {
        var rest = text.drop { $0 == " " || $0 == ":" }
        if rest.first == "\"" {
            rest = rest.dropFirst()
            guard let close = rest.firstIndex(of: "\"") else { return nil }
            return (.string(String(rest[..<close])), rest[rest.index(after: close)...])
        }
        let digits = rest.prefix { $0.isNumber || $0 == "-" }
        guard let number = Int(digits) else { return nil }
        return (.number(Double(number)), rest.dropFirst(digits.count))
    }
}
