#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Named places in the write path where a crash test can have the process kill itself
/// (`HANDOFF_FAILPOINT=object-linked handoff put …`), to prove what survives a crash at exactly that point.
///
/// Reading the variable happens once; in normal runs a hit is one comparison against nil.
package enum Failpoint {
    private static let armed: String? = {
        guard let value = getenv("HANDOFF_FAILPOINT") else { return nil }
        return String(cString: value)
    }()

    /// Dies by SIGKILL, as a power cut or `kill -9` would end the process, when `name` is the armed failpoint.
    package static func hit(_ name: StaticString) {
        guard let armed, armed == name.description else { return }
        kill(getpid(), SIGKILL)
    }
}
