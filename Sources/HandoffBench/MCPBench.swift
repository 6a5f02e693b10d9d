import Foundation
import HandoffJSON
import HandoffKit

/// The round trip of a claim and an ack over MCP (one server process, JSON-RPC over its pipes), beside the
/// same pair as two whole `handoff` processes, as a bot without MCP pays it.
@MainActor
func benchMCP(_ bench: Bench) throws {
    let directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent()
    let server = directory.appendingPathComponent("handoff-mcp").path
    let cli = directory.appendingPathComponent("handoff").path
    guard FileManager.default.isExecutableFile(atPath: server),
        FileManager.default.isExecutableFile(atPath: cli)
    else {
        if !bench.options.json {
            say("\n(no handoff-mcp beside the benchmark: build it with scripts/build-release to time MCP)")
        }
        return
    }
    bench.section("MCP")
    let store = try bench.temporaryStore("mcp")
    let pairs = bench.count(300)
    let document: JSONValue = [
        "schema": "tool-result-v1", "tool": "bench", "input": ["args": [], "kwargs": [:]],
        "status": "success",
        "duration_ms": 1,
    ]
    try store.put(
        (0..<(pairs * 2 + 20)).map { index in
            PutRequest(document: document, producer: "bench", consumers: ["worker"], workflow: "run-\(index)")
        })

    let process = Process()
    process.executableURL = URL(fileURLWithPath: server)
    process.arguments = ["--store", store.path, "--as", "worker"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    var reader = PipeLines(output.fileHandleForReading.fileDescriptor)
    var nextID = 0
    func request(_ method: String, _ parameters: JSONValue) -> JSONValue {
        nextID += 1
        let message: JSONValue = [
            "jsonrpc": "2.0", "id": .number(Double(nextID)), "method": .string(method), "params": parameters,
        ]
        input.fileHandleForWriting.write(Data(JSONWriter.encode(message) + [0x0A]))
        while let line = reader.next() {
            guard let response = try? JSONParser.parse(line), response["id"]?.intValue == nextID else {
                continue
            }
            return response
        }
        fatalError("handoff-mcp closed its output")
    }
    _ = request(
        "initialize",
        [
            "protocolVersion": "2025-06-18", "capabilities": [:],
            "clientInfo": ["name": "bench", "version": "1"],
        ])
    input.fileHandleForWriting.write(
        Data(#"{"jsonrpc": "2.0", "method": "notifications/initialized"}"#.utf8 + [0x0A]))
    var overMCP: [Double] = []
    for _ in 0..<pairs {
        overMCP.append(
            seconds {
                let claim = request("tools/call", ["name": "claim", "arguments": [:]])
                let receipt = claim["result"]?["structuredContent"]?["receipt"] ?? .null
                let ack = request("tools/call", ["name": "ack", "arguments": ["receipt": receipt]])
                precondition(ack["result"]?["isError"] == false, "ack over MCP failed: \(ack)")
            } * 1000)
    }
    try input.fileHandleForWriting.close()
    process.waitUntilExit()

    // Started with posix_spawn, as the whole-process figures are (Foundation's Process adds tens of ms).
    var processes: [Double] = []
    let receiptFile = store.path + "/receipt.json"
    for _ in 0..<bench.count(60) {
        processes.append(
            try seconds {
                precondition(FileManager.default.createFile(atPath: receiptFile, contents: nil))
                var status: Int32 = 0
                let claim = try spawn(
                    cli, ["claim", "worker", "--json", "--store", store.path], stdout: receiptFile)
                waitpid(claim, &status, 0)
                precondition(status == 0, "handoff claim failed")
                let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: receiptFile)))
                let receipt = try JSONParser.parse(data)["receipt"]?.stringValue ?? ""
                let ack = try spawn(cli, ["ack", receipt, "--store", store.path], stdout: "/dev/null")
                waitpid(ack, &status, 0)
                precondition(status == 0, "handoff ack failed")
            } * 1000)
    }
    let mcp = median(overMCP)
    let cliPair = median(processes)
    bench.report("claim+ack over MCP, round trip", mcp, "ms", "median of \(pairs), one server process")
    bench.report("claim+ack as two handoff processes", cliPair, "ms", "median")
    bench.report("MCP vs whole processes", cliPair / mcp, "×", "faster over MCP")
}

/// Lines from a pipe, read a chunk at a time.
private struct PipeLines {
    let descriptor: Int32
    var buffer: [UInt8] = []

    init(_ descriptor: Int32) { self.descriptor = descriptor }

    mutating func next() -> [UInt8]? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            guard count > 0 else { return nil }
            buffer += chunk[..<count]
        }
    }
}
