#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few POSIX file operations the store needs, with the durability steps spelled out and failures turned
/// into `HandoffError`s that name the path.
package enum FileIO {
    /// The folder for temporary files: `$TMPDIR`, else `/tmp`.
    package static var temporaryDirectory: String {
        getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    /// Creates a directory with owner-only permissions; returns whether it was created (false: it existed).
    @discardableResult
    package static func makeDirectory(_ path: String) throws(HandoffError) -> Bool {
        if mkdir(path, 0o700) == 0 { return true }
        let code = errno
        if code == EEXIST, isDirectory(path) { return false }
        throw failure("cannot create directory", path, code)
    }

    package static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether `path` is a directory itself, not a link to one.
    package static func isRealDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    package static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The size of a regular file, or nil when there is none.
    package static func fileSize(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    /// The whole content of a file.
    /// - Throws: `.notFound` when it does not exist, `.io` otherwise; `.invalidInput` past `limit` bytes.
    package static func readFile(_ path: String, limit: Int = .max) throws(HandoffError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw HandoffError(.notFound, "no such file: \(path)") }
            throw failure("cannot open", path, code)
        }
        defer { close(descriptor) }
        return try readAll(descriptor, name: path, limit: limit)
    }

    /// The whole content of a regular file, refusing anything else before reading a byte: a FIFO (which
    /// would block), a device (endless, or with side effects when opened), a socket, a directory, and, unless
    /// `followLink`, a symbolic link. A file larger than `maxSize` is refused from its size, before anything is
    /// allocated, so a huge sparse file costs nothing.
    /// - Throws: `.notFound` when it does not exist; `.invalidInput` when it is not a regular file or is too
    ///   large; `.io` when it cannot be read.
    package static func readRegularFile(_ path: String, maxSize: Int, followLink: Bool) throws(HandoffError)
        -> [UInt8]
    {
        // Look before opening: opening a FIFO blocks, and opening a device can act on it.
        var info = stat()
        let found = followLink ? stat(path, &info) : lstat(path, &info)
        guard found == 0 else {
            let code = errno
            if code == ENOENT { throw HandoffError(.notFound, "no such file: \(path)") }
            throw failure("cannot read", path, code)
        }
        try requireRegular(path, info, maxSize: maxSize)
        // O_NOFOLLOW and O_NONBLOCK keep a file swapped in meanwhile from being a link or a blocking FIFO.
        let descriptor = open(
            path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (followLink ? 0 : O_NOFOLLOW))
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw HandoffError(.notFound, "no such file: \(path)") }
            if code == ELOOP { throw HandoffError(.invalidInput, "\(path) is a symbolic link, not a file") }
            throw failure("cannot open", path, code)
        }
        defer { close(descriptor) }
        guard fstat(descriptor, &info) == 0 else { throw failure("cannot read", path, errno) }
        try requireRegular(path, info, maxSize: maxSize)
        return try readAll(descriptor, name: path, limit: maxSize)
    }

    private static func requireRegular(_ path: String, _ info: stat, maxSize: Int) throws(HandoffError) {
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            throw HandoffError(.invalidInput, "\(path) is \(kindName(type)), not a regular file")
        }
        guard Int(info.st_size) <= maxSize else {
            throw HandoffError(
                .invalidInput, "\(path) is \(info.st_size) bytes, larger than the limit of \(maxSize) bytes")
        }
    }

    /// What a file of this type is, for messages: "a FIFO", "a directory", ….
    private static func kindName(_ type: mode_t) -> String {
        switch type {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFLNK: "a symbolic link"
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "a file of unknown type"
        }
    }

    /// Makes sure `path` is a folder only this user can enter: a real directory (a link could send writes
    /// anywhere), owned by this user (its owner could swap what is in it), with no permissions for group or
    /// others, which are taken away when it has them. Creates it when `create` is set and it is missing.
    /// With `followLink`, `path` may be a link this user made to such a folder.
    /// - Throws: `.notFound` when it is missing and `create` is not set; `.io` for a link, a file, a folder
    ///   of another user, or one whose permissions cannot be changed.
    package static func secureDirectory(_ path: String, create: Bool, followLink: Bool = false)
        throws(HandoffError)
    {
        var info = stat()
        if followLink, lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK {
            // Somebody else's link could lead this user's writes anywhere.
            try requireOwner(path, info)
            guard stat(path, &info) == 0 else { throw failure("cannot use folder", path, errno) }
        } else if lstat(path, &info) != 0 {
            let code = errno
            guard code == ENOENT, create else { throw failure("cannot use folder", path, code) }
            if try makeDirectory(path) { return }
            guard lstat(path, &info) == 0 else { throw failure("cannot use folder", path, errno) }
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFDIR else {
            throw HandoffError(
                .io, "\(path) is \(kindName(type)), not a folder: the store's folders must be real folders",
                hint: type == S_IFLNK ? "a link there could send the store's writes anywhere; remove it" : nil
            )
        }
        try requireOwner(path, info)
        if info.st_mode & 0o077 != 0, chmod(path, 0o700) != 0 {
            throw failure("cannot make the folder owner-only:", path, errno)
        }
    }

    /// Makes sure a file of the store (the index and its companions) belongs to this user and that only they
    /// may read it; a missing file is fine.
    package static func secureFile(_ path: String) throws(HandoffError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            throw HandoffError(.io, "\(path) is \(kindName(type)), not a regular file: the store is damaged")
        }
        try requireOwner(path, info)
        if info.st_mode & 0o077 != 0, chmod(path, info.st_mode & 0o700) != 0 {
            throw failure("cannot make the file owner-only:", path, errno)
        }
    }

    private static func requireOwner(_ path: String, _ info: stat) throws(HandoffError) {
        let user = geteuid()
        guard info.st_uid == user else {
            throw HandoffError(
                .io,
                "\(path) belongs to \(userName(info.st_uid)), not to you (\(userName(user))): only a store's owner may write to it",
                hint: "read it with the read commands (ls, get, show, inbox), or use a store of your own")
        }
    }

    /// A user's login name and id, such as `alice (uid 1000)`.
    private static func userName(_ user: uid_t) -> String {
        guard let entry = getpwuid(user), let name = entry.pointee.pw_name else { return "uid \(user)" }
        return "\(String(cString: name)) (uid \(user))"
    }

    /// Everything readable from a descriptor (a file, a pipe, a terminal), refusing more than `limit` bytes
    /// without reading further than one byte past it.
    package static func readAll(_ descriptor: Int32, name: String, limit: Int = .max) throws(HandoffError)
        -> [UInt8]
    {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure("cannot read", name, errno) }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw HandoffError(.usage, "\(name) is a directory, not a file")
        }
        // A regular file says how big it is (though /proc files say 0, and files can grow while read).
        let expected = (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : 0
        // Read at most one byte past the limit: enough to know the input is too large.
        let ceiling = limit == .max ? Int.max : limit + 1
        var bytes = [UInt8](repeating: 0, count: max(4096, min(expected + 1, ceiling)))
        var count = 0
        while count < ceiling {
            if count == bytes.count {
                let growth = min(bytes.count, ceiling - count)
                bytes.append(contentsOf: repeatElement(0, count: growth))
            }
            let read = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(descriptor, buffer.baseAddress! + count, min(buffer.count, ceiling) - count)
            }
            if read < 0 {
                if errno == EINTR { continue }
                throw failure("cannot read", name, errno)
            }
            if read == 0 { break }
            count += read
        }
        if count > limit {
            throw HandoffError(
                .invalidInput, "\(name) is larger than the limit of \(limit) bytes",
                hint: "raise the limit with --max-bytes if this document is meant to be that large")
        }
        bytes.removeSubrange(count...)
        return bytes
    }

    /// Writes `bytes` to a new file at `path` (which must not exist) and flushes it to stable storage.
    package static func writeNewFileDurably(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o400)
        throws(HandoffError)
    {
        try writeNewFile(path, bytes, mode: mode, flush: true)
    }

    /// Writes `bytes` to a new file at `path` (which must not exist), flushing it to stable storage when
    /// `flush` is set; otherwise the caller flushes the whole file system later.
    package static func writeNewFile(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o400, flush: Bool)
        throws(HandoffError)
    {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw failure("cannot create", path, errno) }
        do throws(HandoffError) {
            try writeAll(descriptor, bytes, name: path)
            guard !flush || fsync(descriptor) == 0 else { throw failure("cannot flush", path, errno) }
        } catch {
            close(descriptor)
            unlink(path)
            throw error
        }
        guard close(descriptor) == 0 else {
            let code = errno
            unlink(path)
            throw failure("cannot close", path, code)
        }
    }

    package static func createFileIfAbsent(_ path: String, mode: mode_t) throws(HandoffError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, mode)
        guard descriptor >= 0 else { throw failure("cannot create", path, errno) }
        close(descriptor)
    }

    package static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], name: String) throws(HandoffError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw failure("cannot write", name, errno)
            }
            written += result
        }
    }

    /// Flushes everything written to the file system holding `path`, data and directory entries alike: one
    /// call instead of one per file, for writing many files at once.
    package static func syncFileSystem(containing path: String) throws(HandoffError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open directory", path, errno) }
        defer { close(descriptor) }
        guard let syncfs = Self.syncfs else {
            // Without syncfs(2), sync(2) flushes every file system, which covers this one too.
            sync()
            return
        }
        guard syncfs(descriptor) == 0 else { throw failure("cannot flush the file system of", path, errno) }
    }

    /// Linux's syncfs(2), which the Glibc module does not export (it is behind _GNU_SOURCE).
    private static let syncfs: (@convention(c) (Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    }()

    /// Flushes a directory's entries, so that a file created or renamed in it survives a power loss.
    package static func syncDirectory(_ path: String) throws(HandoffError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open directory", path, errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("cannot flush directory", path, errno) }
    }

    package enum LinkOutcome {
        case linked
        case targetExists
    }

    /// Gives the file at `source` a second name, `target`, without ever replacing an existing `target`.
    package static func linkWithoutReplacing(_ source: String, _ target: String) throws(HandoffError)
        -> LinkOutcome
    {
        if link(source, target) == 0 { return .linked }
        let code = errno
        if code == EEXIST { return .targetExists }
        // Some file systems have no hard links; a rename is atomic too, and the caller checked the target first.
        if code == EPERM || code == ENOTSUP || code == EXDEV {
            guard !exists(target) else { return .targetExists }
            guard rename(source, target) == 0 else { throw failure("cannot rename into", target, errno) }
            return .linked
        }
        throw failure("cannot link into", target, code)
    }

    package static func removeFile(_ path: String) {
        unlink(path)
    }

    /// Replaces `target` with `source` atomically.
    package static func replace(_ target: String, with source: String) throws(HandoffError) {
        guard rename(source, target) == 0 else { throw failure("cannot replace", target, errno) }
    }

    /// The names in a directory, without `.` and `..`; empty when the directory does not exist.
    package static func contentsOfDirectory(_ path: String) throws(HandoffError) -> [String] {
        guard let directory = opendir(path) else {
            let code = errno
            if code == ENOENT { return [] }
            throw failure("cannot list", path, code)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Modification time in milliseconds since 1970, or nil when the file is gone.
    package static func modificationTime(_ path: String) -> Int64? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
    }

    package static func failure(_ action: String, _ path: String, _ code: Int32) -> HandoffError {
        let reason = String(cString: strerror(code))
        if code == ENOENT {
            return HandoffError(.notFound, "\(action) \(path): \(reason)")
        }
        return HandoffError(.io, "\(action) \(path): \(reason)")
    }
}
