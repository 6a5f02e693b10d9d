import HandoffCLI

#if canImport(Glibc)
    import Glibc
#endif

/// The command line itself: any argument vector (the input split at NUL bytes) runs in this process against a
/// scratch store, and is answered with one of the documented exit statuses, never a trap.
///
/// Command lines that would leave the sandbox are skipped: commands that run other programs or serve
/// (`work`, `demo`, `mcp`, `ui`) and absolute or parent paths other than `/dev/null`, since the fuzzer runs as
/// whoever starts it; so are claims that wait (`--wait`). Relative paths land in the scratch folder, which is the working directory. Standard
/// input is `/dev/null`; what the commands print goes there too, and so do their errors unless
/// `HANDOFF_FUZZ_VERBOSE` is set (to see what a finding prints when it is run again).
private let null = open("/dev/null", O_RDWR)

/// Where commands' errors go: nowhere, unless `HANDOFF_FUZZ_VERBOSE` is set.
private let errors = getenv("HANDOFF_FUZZ_VERBOSE") == nil ? null : STDERR_FILENO

private func run(_ arguments: [String]) -> Int32 {
    HandoffCommand.runInProcess(arguments, output: null, errors: errors)
}

private let scratch: String = {
    var template = Array("/tmp/handoff-fuzz-cli-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("cannot make a scratch folder") }
    let path = String(cString: made)
    guard chdir(path) == 0 else { fatalError("cannot enter \(path)") }
    setenv("HANDOFF_STORE", path + "/store", 1)
    setenv("NO_COLOR", "1", 1)
    unsetenv("HANDOFF_FAILPOINT")
    // Standard input is empty; what commands print goes to /dev/null (libFuzzer's own reports stay on
    // standard error).
    dup2(null, STDIN_FILENO)
    let document =
        #"{"schema": "tool-result-v1", "tool": "t", "input": {"args": [], "kwargs": {}}, "status": "success", "duration_ms": 1, "next_actions": ["review"]}"#
    let file = fopen("doc.json", "w")!
    fputs(document, file)
    fclose(file)
    return path
}()

/// Exit statuses the command line documents (and 130/143 for a stop by signal, which nothing sends here).
private let documented: [Int32] = [0, 1, 2, 3, 64, 65, 66, 74, 75]

private var runs = 0

/// A store with an artifact, a pending handoff, a claimed one and an open session, made again every few
/// thousand runs so that what the fuzzer put does not slow it down for good.
private func seed() {
    _ = run(["init"])
    for consumer in ["c", "d"] {
        _ = run(["put", "doc.json", "--from", "p", "--to", consumer])
    }
    _ = run(["claim", "d"])
    _ = run(["log", "start", "--bot", "b", "--query", "q"])
}

private func removeStore() {
    _ = system("rm -rf '\(scratch)/store'")
}

private let skippedCommands: Set<String> = ["work", "demo", "mcp", "ui"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCommandLine(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    _ = scratch
    guard size <= 4096 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    // argv arrives as C strings: no NUL inside one, and the process sees invalid UTF-8 repaired.
    let arguments = bytes.split(separator: 0, omittingEmptySubsequences: false).map {
        String(decoding: $0, as: UTF8.self)
    }
    guard arguments.count <= 64 else { return 0 }
    for argument in arguments {
        if skippedCommands.contains(argument) { return 0 }
        // A claim that waits for a handoff waits as long as it is told: longer than a run may take.
        if argument.hasPrefix("--wait") { return 0 }
        if argument.contains("..") { return 0 }
        if argument.contains("/") && argument != "/dev/null" && !argument.hasPrefix("./") { return 0 }
    }
    if runs % 5000 == 0 {
        removeStore()
        seed()
    }
    runs += 1
    let status = run(arguments)
    guard documented.contains(status) else {
        fatalError("exit status \(status) for \(arguments)")
    }
    return 0
}
