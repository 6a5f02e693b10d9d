import Foundation

/// A child process started with `posix_spawn`, with the parts of Foundation's `Process` the tests use.
///
/// Foundation's `Process.run()` on Linux lists `/proc/self/fd` to find the descriptors to close in the child,
/// copying each directory entry whole past the end of the record readdir returned; when that record ends a
/// mapped page, the test process crashes (swift-corelibs-foundation#5472, fixed after the toolchain in use).
/// The more descriptors are open (a PostgreSQL connection per store, say), the likelier. This asks the C
/// library to close them in the child instead (`posix_spawn_file_actions_addclosefrom_np`).
final class ChildProcess: @unchecked Sendable {
    var executableURL: URL?
    var arguments: [String] = []
    /// The child's whole environment; nil gives it the test process's.
    var environment: [String: String]?
    var currentDirectoryURL: URL?
    /// A `Pipe` (the child reads its reading end), a `FileHandle`, or nil for the test process's own.
    var standardInput: Any?
    /// A `Pipe` (the child writes its writing end), a `FileHandle`, or nil for the test process's own.
    var standardOutput: Any?
    var standardError: Any?

    private(set) var processIdentifier: pid_t = 0
    private let lock = NSLock()
    /// The wait status, once the child was reaped.
    private var status: Int32?

    enum TerminationReason { case exit, uncaughtSignal }

    func run() throws {
        guard let executableURL else { throw POSIXError(.ENOENT) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        // The child's ends of its pipes, closed here once it has them.
        var handedOver: [FileHandle] = []
        for (target, stream, reads) in [
            (STDIN_FILENO, standardInput, true), (STDOUT_FILENO, standardOutput, false),
            (STDERR_FILENO, standardError, false),
        ] {
            let handle: FileHandle?
            switch stream {
            case let pipe as Pipe:
                handle = reads ? pipe.fileHandleForReading : pipe.fileHandleForWriting
                handedOver.append(handle!)
            case let file as FileHandle: handle = file
            default: handle = nil
            }
            if let handle { posix_spawn_file_actions_adddup2(&actions, handle.fileDescriptor, target) }
        }
        if let closeFrom = Self.addCloseFrom {
            _ = closeFrom(&actions, 3)
        } else {
            for descriptor in 3..<1024 { posix_spawn_file_actions_addclose(&actions, Int32(descriptor)) }
        }
        if let directory = currentDirectoryURL?.path {
            guard let addChdir = Self.addChdir else { throw POSIXError(.ENOSYS) }
            _ = addChdir(&actions, directory)
        }
        // The test process ignores SIGPIPE; a child starts with every signal at its default, none blocked.
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = [executableURL.path] + arguments
        let environment = (self.environment ?? ProcessInfo.processInfo.environment).map { "\($0)=\($1)" }
        var pid: pid_t = 0
        let result = withCStrings(argv) { argv in
            withCStrings(environment) { envp in
                posix_spawn(&pid, executableURL.path, &actions, &attributes, argv, envp)
            }
        }
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        processIdentifier = pid
        for handle in handedOver { try? handle.close() }
    }

    /// Whether the child has not exited yet (it is reaped when it has).
    var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        guard status == nil, processIdentifier > 0 else { return false }
        var raw: Int32 = 0
        if waitpid(processIdentifier, &raw, WNOHANG) == processIdentifier { status = raw }
        return status == nil
    }

    func waitUntilExit() {
        guard processIdentifier > 0 else { return }
        // Wait without reaping, then reap under the lock, so that `isRunning` on another thread never
        // reaps it first and leaves this wait on a process that is gone.
        var info = siginfo_t()
        while waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        lock.lock()
        defer { lock.unlock() }
        guard status == nil else { return }
        var raw: Int32 = 0
        while waitpid(processIdentifier, &raw, 0) < 0 && errno == EINTR {}
        status = raw
    }

    var terminationReason: TerminationReason {
        lock.lock()
        defer { lock.unlock() }
        return (status ?? 0) & 0x7F == 0 ? .exit : .uncaughtSignal
    }

    /// The exit status, or the signal that ended it.
    var terminationStatus: Int32 {
        lock.lock()
        defer { lock.unlock() }
        let raw = status ?? 0
        return raw & 0x7F == 0 ? (raw >> 8) & 0xFF : raw & 0x7F
    }

    func terminate() { if isRunning { kill(processIdentifier, SIGTERM) } }

    private typealias AddCloseFrom =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32)
        -> Int32
    private typealias AddChdir =
        @convention(c) (
            UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>
        ) -> Int32

    // Both are glibc's (2.34 and 2.29), declared only under _GNU_SOURCE, which Swift's Glibc module is not.
    private static let addCloseFrom: AddCloseFrom? = dlsym(
        UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np"
    ).map { unsafeBitCast($0, to: AddCloseFrom.self) }
    private static let addChdir: AddChdir? = dlsym(
        UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np"
    ).map { unsafeBitCast($0, to: AddChdir.self) }
}

/// Calls `body` with a NULL-terminated array of C strings, kept alive for the call.
private func withCStrings<Result>(
    _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result
) -> Result {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
