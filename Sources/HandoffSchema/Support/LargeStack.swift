#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs `body` on a new thread with a stack of `size` bytes and waits for it.
///
/// Deep validation recurses once or twice per level of nesting. The caller's thread may have a small
/// stack (512 KiB for secondary threads on macOS), so a validation that goes deep continues on a thread
/// whose stack is sized for the deepest evaluation allowed. The stack is reserved address space; only
/// the pages used are backed by memory.
/// - Returns: `false` when no thread could be started; `body` has then not run.
func runWithLargeStack(size: Int, _ body: () -> Void) -> Bool {
    withoutActuallyEscaping(body) { escapable in
        final class Work {
            let body: () -> Void
            init(_ body: @escaping () -> Void) { self.body = body }
        }
        let work = Unmanaged.passRetained(Work(escapable))
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, size)
        #if canImport(Darwin)
            var thread: pthread_t?
            let started = pthread_create(
                &thread, &attributes,
                { context in
                    Unmanaged<Work>.fromOpaque(context).takeRetainedValue().body()
                    return nil
                }, work.toOpaque())
        #else
            var thread = pthread_t()
            let started = pthread_create(
                &thread, &attributes,
                { context in
                    Unmanaged<Work>.fromOpaque(context!).takeRetainedValue().body()
                    return nil
                }, work.toOpaque())
        #endif
        guard started == 0 else {
            work.release()
            return false
        }
        #if canImport(Darwin)
            pthread_join(thread!, nil)
        #else
            pthread_join(thread, nil)
        #endif
        return true
    }
}
