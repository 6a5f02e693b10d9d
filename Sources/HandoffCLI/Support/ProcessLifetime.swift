/// Values a command keeps until the process exits instead of freeing them.
///
/// Freeing a large parsed document takes about as long as writing it out again, and a command that has
/// printed its answer is about to exit, which frees everything at once.
enum ProcessLifetime {
    nonisolated(unsafe) private static var kept: [Any] = []

    static func keep(_ value: Any) {
        kept.append(value)
    }

    /// Lets go of everything kept: the process goes on to run another command (`runInProcess`).
    static func releaseAll() {
        kept.removeAll()
    }
}
