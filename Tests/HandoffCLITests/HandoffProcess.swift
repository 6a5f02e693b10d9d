import Foundation
import HandoffTesting
import Testing

/// The built `handoff` executable, run as a user runs it: a separate process, arguments, standard input,
/// environment; what comes back is its exit status and its two output streams.
struct HandoffProcess {
    struct Result {
        let status: Int32
        let stdout: Data
        let stderr: String
        /// Whether the process was killed by a signal rather than exiting.
        let signaled: Bool

        var output: String { String(decoding: stdout, as: UTF8.self) }
        var outputLines: [String] { output.split(separator: "\n").map(String.init) }

        func json() throws -> Any { try JSONSerialization.jsonObject(with: stdout) }
    }

    /// The directory holding the test bundle holds the executable too, unless `HANDOFF_TEST_EXECUTABLE`
    /// names another build of it (the release binary `scripts/build-release` links statically).
    static let executable: URL = {
        if let other = ProcessInfo.processInfo.environment["HANDOFF_TEST_EXECUTABLE"], !other.isEmpty {
            return URL(fileURLWithPath: other)
        }
        return testBuild.appendingPathComponent("handoff")
    }()

    /// The directory of the build that holds the test bundle, and the tools built with it.
    static let testBuild = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent()

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let samples = repositoryRoot.appendingPathComponent("Samples")

    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// Starts the executable (or `program`); the caller waits for it or kills it.
    static func start(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
        directory: String? = nil, program: URL = executable
    ) throws -> (ChildProcess, Pipe, Pipe) {
        let process = ChildProcess()
        process.executableURL = program
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "HANDOFF_STORE")
        env.removeValue(forKey: "HANDOFF_FAILPOINT")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        // The child may stop reading early (an input over its limit); that must not kill the test process.
        _ = ignoreBrokenPipes
        let writer = input.fileHandleForWriting
        DispatchQueue.global().async {
            if let stdin { try? writer.write(contentsOf: stdin) }
            try? writer.close()
        }
        return (process, out, err)
    }

    /// Runs the executable to its end and returns what it did.
    /// - Parameter timeLimit: seconds after which the process is killed (and `signaled` is then true), so a
    ///   command that would hang fails its test instead of hanging it.
    @discardableResult
    static func run(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
        directory: String? = nil, timeLimit: Double? = nil, program: URL = executable
    ) throws -> Result {
        let (process, out, err) = try start(
            arguments, stdin: stdin, environment: environment, directory: directory, program: program)
        if let timeLimit {
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + timeLimit) {
                if process.isRunning { kill(pid, SIGKILL) }
            }
        }
        // Read both pipes fully before waiting, so a large output cannot block the child.
        let errData = DataBox()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            errData.data = err.fileHandleForReading.readDataToEndOfFile()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        group.wait()
        return Result(
            status: process.terminationStatus, stdout: outData,
            stderr: String(decoding: errData.data, as: UTF8.self),
            signaled: process.terminationReason == .uncaughtSignal)
    }

    /// Runs a shell command line, for what needs a shell's redirections (such as writing to /dev/full).
    static func shell(_ command: String) throws -> Result {
        try run(["-c", command], program: URL(fileURLWithPath: "/bin/sh"))
    }

    static func run(_ arguments: [String], stdin text: String, environment: [String: String] = [:]) throws
        -> Result
    {
        try run(arguments, stdin: Data(text.utf8), environment: environment)
    }
}

private final class DataBox: @unchecked Sendable {
    var data = Data()
}

/// A fresh directory for one test's store and files, removed afterwards.
///
/// Its store is where `TestBackend.current` keeps stores: the folder `store` in it, or a PostgreSQL schema
/// of its own, dropped with it.
final class Scratch: Sendable {
    private let directory = try! TemporaryDirectory(prefix: "handoff-cli")
    var path: String { directory.path }
    /// The store's location, for `--store`.
    let store: String

    init() {
        store = TestBackend.current.freshLocation(folder: directory.path + "/store")
    }

    deinit { TestBackend.remove(store) }

    func write(_ name: String, _ text: String) -> String {
        let file = path + "/" + name
        precondition(FileManager.default.createFile(atPath: file, contents: Data(text.utf8)))
        return file
    }

    func write(_ name: String, bytes: [UInt8]) -> String {
        let file = path + "/" + name
        precondition(FileManager.default.createFile(atPath: file, contents: Data(bytes)))
        return file
    }
}

/// Every sample document in `Samples/`, as paths relative to it.
func sampleFiles() -> [String] {
    let enumerator = FileManager.default.enumerator(atPath: HandoffProcess.samples.path)!
    return (enumerator.allObjects as! [String]).filter {
        $0.hasSuffix(".json") && $0 != "invalid/expectations.json"
    }.sorted()
}

/// A random number generator (SplitMix64) whose seed each test prints, and takes from `HANDOFF_TEST_SEED`
/// when that is set, so that a run that failed can be repeated with the same draws.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    let seed: UInt64

    /// A generator for `test`, seeded from `HANDOFF_TEST_SEED` or at random; says which on standard output.
    init(for test: String) {
        var seed: UInt64
        if let text = ProcessInfo.processInfo.environment["HANDOFF_TEST_SEED"], let given = UInt64(text) {
            seed = given
        } else {
            var system = SystemRandomNumberGenerator()
            seed = system.next()
        }
        self.seed = seed
        state = seed
        print("\(test): seed \(seed) (HANDOFF_TEST_SEED=\(seed) repeats it)")
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
