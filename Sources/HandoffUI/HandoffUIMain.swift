import HandoffKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The command line of `handoff ui` (the `handoff-ui` executable): parses the options, serves, and opens
/// the page in a browser.
public enum HandoffUIMain {
    static let usage = """
        usage: handoff ui [--store DIR] [--port N] [--no-open] [--busy-timeout SECONDS]

        Serves a web UI of the store at DIR (default: $HANDOFF_STORE, else ./.handoff) on 127.0.0.1, and opens it
        in a browser. The first line printed is its address with a one-time token; it runs until interrupted.

          --port N      the port to listen on (default 0: a free one)
          --no-open     print the address only, without opening a browser
        """

    /// Runs the UI with `arguments`; returns the process's exit status.
    public static func run(_ arguments: [String]) async -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        var port = 0
        var opens = true
        let (options, outcome) = ServerArguments.read(
            arguments, usage: usage, environment: { name in getenv(name).map { String(cString: $0) } },
            say: { line, error in writeLine(error ? 2 : 1, line) },
            other: { option, value in
                switch option {
                case "--port":
                    guard let text = value(), let number = Int(text), (0...65535).contains(number) else {
                        return "--port must be a port number from 0 to 65535 (0 picks a free one)"
                    }
                    port = number
                case "--no-open":
                    opens = false
                default:
                    return "unknown option \(option)"
                }
                return nil
            })
        if case .exit(let status) = outcome { return status }
        var configuration = UIServer.Configuration(storePath: options.storePath)
        configuration.store = options.store
        configuration.port = port
        configuration.openBrowser = opens
        let open = opens
        do {
            try await UIServer.run(configuration) { url in
                // The first line of standard output, whole, before anything else: scripts read it.
                writeLine(1, url)
                if open { openBrowser(url) }
            }
            return 0
        } catch let error as HandoffError {
            complain(error.message + (error.hint.map { "\n  hint: \($0)" } ?? ""))
            return error.code.exitStatus
        } catch {
            // What the server could not do: most often, listen on a port another program holds.
            complain("cannot serve the UI: \(error)")
            return 74
        }
    }

    /// Opens `url` with the desktop's opener, when there is one; the URL is printed either way.
    static func openBrowser(_ url: String) {
        let opener = ["xdg-open", "open"].lazy.compactMap(executable).first
        guard let opener else {
            complain("no browser opener (xdg-open) found: open the address above in a browser")
            return
        }
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The opener's chatter would mix with the server's output.
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = [strdup(opener), strdup(url), nil]
        defer { for argument in argv { free(argument) } }
        if posix_spawn(&pid, opener, &actions, nil, argv, environ) != 0 {
            complain("could not start \(opener): open the address above in a browser")
        }
    }

    private static func executable(_ name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    private static func complain(_ message: String) {
        writeLine(2, "handoff: " + message)
    }

    /// Writes a line straight to a file descriptor, unbuffered: the URL must reach a pipe before the server
    /// waits for requests.
    private static func writeLine(_ descriptor: Int32, _ text: String) {
        var bytes = Array((text + "\n").utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
