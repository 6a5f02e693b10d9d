import Foundation
import HandoffJSON
import Logging
import MCP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// MCP's stdio transport, one JSON-RPC message per line, made for hostile input and for hosts that come and
/// go. Only well-formed JSON-RPC 2.0 reaches the SDK's server, and only in MCP's lifecycle:
///
/// - a line longer than the limit is skipped without being held whole (answered with -32600 naming the
///   request, when its id can be read from the start or the end of the line); a line that is not JSON is
///   answered with -32700; one nested deeper than the SDK decodes, with -32600;
/// - a message that is not a JSON-RPC 2.0 object (a batch, another `jsonrpc`, an id that is neither a string
///   nor an integer, a method that is not a string) is answered with -32600 and the request's id, or null
///   when that id is itself the problem; parameters that are not an object, with -32602;
/// - before `initialize`, requests other than `ping` are refused (-32600) and notifications dropped; what
///   arrives after `initialize` waits until its answer is written, so a host that writes its whole
///   conversation at once is answered in order;
/// - at the end of input, every request read is answered before the server stops (`drain()`);
/// - an answer that cannot be written (the host went away) is handed to `undelivered`, so that a claim in it
///   can be given back, and nothing more is read.
///
/// Reading blocks a thread of its own, not the concurrency pool.
actor LineTransport: Transport {
    nonisolated let logger = Logger(
        label: "handoff.mcp.transport", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The deepest nesting a message may have: the SDK decodes messages with Foundation's JSONDecoder, which
    /// refuses more than 512 levels, and a request's envelope takes a few.
    static let maximumDepth = 500

    private let input: Int32
    private let output: Int32
    private let limit: Int
    private let stream: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var started = false

    private enum Lifecycle {
        /// No `initialize` yet.
        case waiting
        /// `initialize` was passed on (its id's JSON text); its answer is not written yet.
        case initializing(String)
        case initialized
    }

    private var lifecycle = Lifecycle.waiting
    /// Messages that arrived while `initialize` was being answered, in order.
    private var held: [(bytes: [UInt8], message: JSONObject)] = []
    /// The ids (as JSON text) of requests passed on to the server and not answered yet.
    private var inFlight: Set<String> = []
    private var inputEnded = false
    private var streamFinished = false
    private var outputBroken = false
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []
    /// Called with each answer that could not be written.
    private var undelivered: (@Sendable (JSONObject) async -> Void)?

    /// - Parameter limit: The longest message accepted, in bytes.
    init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, limit: Int) {
        self.input = input
        self.output = output
        self.limit = limit
        (stream, continuation) = AsyncThrowingStream.makeStream()
    }

    /// Sets what is done with an answer the host never got.
    func onUndelivered(_ handler: @escaping @Sendable (JSONObject) async -> Void) {
        undelivered = handler
    }

    func connect() async throws {
        guard !started else { return }
        started = true
        let reader = LineReaderThread(descriptor: input, limit: limit, transport: self)
        let thread = Thread { reader.run() }
        thread.name = "handoff-mcp-reader"
        thread.start()
    }

    func disconnect() async {
        finishStream()
    }

    func receive() -> AsyncThrowingStream<Data, any Error> { stream }

    /// Waits until every request read has been answered (or its answer found undeliverable), after the end of
    /// input, so that a host that closes its end after writing is still answered.
    ///
    /// - Parameter seconds: How long to wait at most: a request the server never answers (which would be a
    ///   fault) is then answered with an internal error, so that the server still exits.
    func drain(atMost seconds: Double) async {
        guard !isDrained else { return }
        let timer = Task {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            await self.abandonUnanswered()
        }
        await withCheckedContinuation { drainWaiters.append($0) }
        timer.cancel()
    }

    private func abandonUnanswered() async {
        held = []
        for key in inFlight {
            guard
                let id = try? JSONParser.parse(
                    key, limits: JSONParser.Limits(maxDepth: 1, maxBytes: .max))
            else { continue }
            await reject(id: id, code: -32603, message: "Internal error: the server stopped before answering")
        }
        inFlight = []
        wakeDrainWaiters()
    }

    private var isDrained: Bool { inFlight.isEmpty && held.isEmpty }

    private func wakeDrainWaiters() {
        guard isDrained else { return }
        let waiters = drainWaiters
        drainWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    private func finishStream() {
        guard !streamFinished else { return }
        streamFinished = true
        continuation.finish()
    }

    // MARK: Sending

    func send(_ data: Data) async throws {
        var bytes = [UInt8](data)
        let message = try? JSONParser.parse(
            bytes, limits: JSONParser.Limits(maxDepth: JSONParser.Limits.depthCeiling, maxBytes: .max)
        ).objectValue
        bytes.append(0x0A)
        let failure = outputBroken ? EPIPE : write(bytes)
        // A response (an id, no method) finishes its request, delivered or not.
        let answered = message.flatMap { $0["method"] == nil ? $0["id"] : nil }.map(Self.key)
        if let answered { inFlight.remove(answered) }
        if let failure {
            outputBroken = true
            // Nobody will read what comes next: stop taking requests.
            finishStream()
            if answered != nil, let message, let undelivered { await undelivered(message) }
            wakeDrainWaiters()
            throw MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: failure) ?? .EIO))
        }
        if let answered, case .initializing(let id) = lifecycle, answered == id {
            // A refused initialize leaves the server waiting for another.
            lifecycle = message?["error"] == nil ? .initialized : .waiting
            let waiting = held
            held = []
            for (bytes, message) in waiting { await route(bytes, message) }
            if inputEnded && held.isEmpty { finishStream() }
        }
        wakeDrainWaiters()
    }

    /// Writes all of `bytes`; returns errno on failure.
    private func write(_ bytes: [UInt8]) -> Int32? {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                Glibc.write(output, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                return errno
            }
            written += result
        }
        return nil
    }

    /// Answers a message that never reached the server, as JSON-RPC 2.0 asks.
    private func reject(id: JSONValue, code: Int, message: String) async {
        let response: JSONValue = [
            "jsonrpc": "2.0", "id": id,
            "error": ["code": .number(Double(code)), "message": .string(message)],
        ]
        try? await send(Data(JSONWriter.encode(response)))
    }

    // MARK: Receiving

    /// A line that was too long to read whole.
    func refuseLong(length: Int, id: JSONValue) async {
        guard !outputBroken else { return }
        await reject(
            id: id, code: -32600,
            message:
                "Invalid Request: the message is \(length) bytes, more than the limit of \(limit) (handoff mcp --max-bytes)"
        )
    }

    /// One line of input, read whole.
    func received(_ line: [UInt8]) async {
        guard !outputBroken, !streamFinished else { return }
        let value: JSONValue
        do {
            value = try JSONParser.parse(
                line, limits: JSONParser.Limits(maxDepth: Self.maximumDepth, maxBytes: limit))
        } catch {
            if error.code == .tooDeep {
                await reject(
                    id: LineReaderThread.requestID(
                        head: Array(line.prefix(256)), tail: Array(line.suffix(256))),
                    code: -32600,
                    message: "Invalid Request: the message nests deeper than \(Self.maximumDepth) levels")
            } else {
                await reject(id: .null, code: -32700, message: "Parse error: \(error)")
            }
            return
        }
        guard case .object(let message) = value else {
            let what =
                value.arrayValue != nil
                ? "a batch (an array); MCP takes one message per line" : "not an object"
            await reject(id: .null, code: -32600, message: "Invalid Request: the message is \(what)")
            return
        }
        let id = message["id"]
        let validID = id.map(Self.isValidID) ?? true
        let answerID = validID ? (id ?? .null) : .null
        guard validID else {
            await reject(
                id: .null, code: -32600,
                message: "Invalid Request: an id is a string or an integer, not \(Self.describe(id!))")
            return
        }
        guard message["jsonrpc"]?.stringValue == "2.0" else {
            await reject(id: answerID, code: -32600, message: #"Invalid Request: "jsonrpc" must be "2.0""#)
            return
        }
        if let method = message["method"] {
            guard method.stringValue != nil else {
                await reject(
                    id: answerID, code: -32600, message: "Invalid Request: the method must be a string")
                return
            }
            if let params = message["params"], params.objectValue == nil {
                guard id != nil else { return }  // a notification is never answered
                await reject(
                    id: answerID, code: -32602,
                    message: "Invalid params: params must be an object, not \(Self.describe(params))")
                return
            }
        } else {
            // A response to a request of the server's (a ping): an id and a result or an error.
            guard id != nil, (message["result"] != nil) != (message["error"] != nil) else {
                await reject(
                    id: answerID, code: -32600,
                    message: "Invalid Request: a message needs a method, or an id and a result or an error")
                return
            }
        }
        await route(line, message)
    }

    /// Passes a checked message on as the lifecycle allows: before `initialize`, only `initialize` and
    /// `ping`; while it is answered, nothing yet; after it, everything.
    private func route(_ line: [UInt8], _ message: JSONObject) async {
        switch lifecycle {
        case .waiting:
            let method = message["method"]?.stringValue
            let id = message["id"]
            if method == Initialize.name, let id {
                lifecycle = .initializing(Self.key(id))
                accept(line, message)
            } else if method == Ping.name, id != nil {
                accept(line, message)
            } else if method != nil, let id {
                await reject(
                    id: id, code: -32600,
                    message: "Invalid Request: the server is not initialized; send initialize first")
            }
        case .initializing:
            held.append((line, message))
        case .initialized:
            accept(line, message)
        }
    }

    /// The end of input: once what waits for `initialize` has been passed on, the server's stream ends.
    func inputClosed() {
        inputEnded = true
        if held.isEmpty { finishStream() }
    }

    /// Passes a checked message on to the server.
    private func accept(_ bytes: [UInt8], _ message: JSONObject) {
        guard !streamFinished else { return }
        if let method = message["method"]?.stringValue {
            if let id = message["id"] {
                inFlight.insert(Self.key(id))
            } else if method == CancelledNotification.name,
                let request = message["params"]?.objectValue?["requestId"]
            {
                // A cancelled request is not answered (MCP): nothing waits for it any more.
                inFlight.remove(Self.key(request))
            }
        }
        continuation.yield(Data(bytes))
    }

    // MARK: Ids

    /// An id the SDK takes: a string, or an integer (JSON-RPC allows fractions, which the SDK cannot carry).
    private static func isValidID(_ id: JSONValue) -> Bool {
        switch id {
        case .string: true
        case .number(let number): number.rounded() == number && abs(number) < 9.007_199_254_740_992e15
        default: false
        }
    }

    /// An id as the key it is tracked under: its canonical JSON text, so that 1 and 1.0 are one id.
    private static func key(_ id: JSONValue) -> String {
        String(decoding: CanonicalJSON.encode(id), as: UTF8.self)
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a fraction"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Reads lines from a descriptor with blocking reads, scanning each byte once, and hands each to the
/// transport in order, waiting until it has taken it.
private final class LineReaderThread: @unchecked Sendable {
    let descriptor: Int32
    let limit: Int
    let transport: LineTransport

    init(descriptor: Int32, limit: Int, transport: LineTransport) {
        self.descriptor = descriptor
        self.limit = limit
        self.transport = transport
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
        let transport = transport
        wait { await transport.inputClosed() }
    }

    private func deliver(_ line: [UInt8], length: Int, head: [UInt8], tail: [UInt8]) {
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) || length > limit else {
            return
        }
        let transport = transport
        if length > limit {
            let id = Self.requestID(head: head, tail: tail)
            wait { await transport.refuseLong(length: length, id: id) }
        } else {
            wait { await transport.received(line) }
        }
    }

    /// Runs `work` on the transport and waits for it: lines are taken one at a time, in order.
    private func wait(_ work: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task {
            await work()
            done.signal()
        }
        done.wait()
    }

    /// The `"id"` of a request whose whole line could not be read: the top-level member, found either first in
    /// the object (before any nested one opens) or last (right before it closes), as clients write it.
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
