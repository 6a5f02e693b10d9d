/// A store in a folder: how one is found, made and kept its owner's.
extension SQLiteBackend {
    /// What a store's folder holds, besides which a folder is someone else's.
    private static let ownNames = [
        "objects", "tmp", "index.sqlite", "index.sqlite-wal", "index.sqlite-shm",
        "index.sqlite-journal",
    ]

    /// Whether `path` holds a store: a folder with an index.
    static func exists(at path: String) -> Bool {
        FileIO.fileSize(indexPath(path)) != nil
    }

    /// Opens the store in an existing folder.
    /// - Throws: `HandoffError` `.notFound` when there is no store at `path`.
    static func open(at path: String, configuration: Store.Configuration) throws(HandoffError)
        -> SQLiteBackend
    {
        guard exists(at: path) else {
            if FileIO.isDirectory(path) {
                throw HandoffError(
                    .notFound, "\(path) is not a Handoff store (it has no index.sqlite)",
                    hint: "create one with `handoff init --store \(path)`")
            }
            throw HandoffError(
                .notFound, "no store at \(path)",
                hint: "create one with `handoff init`, or name another with --store")
        }
        return try opened(path, configuration)
    }

    /// Opens the store in `path`, making it (with owner-only permissions) when there is none.
    static func create(at path: String, configuration: Store.Configuration, intoExistingFolder: Bool)
        throws(HandoffError) -> SQLiteBackend
    {
        if !exists(at: path) && !intoExistingFolder && FileIO.isDirectory(path) {
            let others = try FileIO.contentsOfDirectory(path).filter { !ownNames.contains($0) }.sorted()
            if let example = others.first {
                throw HandoffError(
                    .notFound,
                    "\(path) is not a Handoff store: it holds other files (\(quotedForMessage(example))\(others.count > 1 ? " and \(others.count - 1) more" : "")); nothing was written",
                    hint: "`handoff init \(path)` makes a store there; or name another --store")
            }
        }
        let created = !exists(at: path)
        if created {
            try makeDirectories(path)
            // Nothing is created in a folder that is not the user's alone.
            try secure(path)
            // SQLite gives its -wal and -shm files the permissions of the database file.
            try FileIO.createFileIfAbsent(indexPath(path), mode: 0o600)
            try FileIO.syncDirectory(path + "/objects")
            try FileIO.syncDirectory(path)
        }
        return try opened(path, configuration, created: created)
    }

    private static func opened(_ path: String, _ configuration: Store.Configuration, created: Bool = false)
        throws(HandoffError) -> SQLiteBackend
    {
        if !configuration.readOnly { try secure(path) }
        return try SQLiteBackend(
            storePath: path, busyTimeout: Store.busyTimeout(configuration), readOnly: configuration.readOnly,
            created: created)
    }

    private static func makeDirectories(_ path: String) throws(HandoffError) {
        guard !FileIO.isDirectory(path) else { return }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if !FileIO.isDirectory(prefix) {
                try FileIO.makeDirectory(prefix)
                let parent = prefix.contains("/") ? String(prefix[..<prefix.lastIndex(of: "/")!]) : "."
                try FileIO.syncDirectory(parent.isEmpty ? "/" : parent)
            }
            prefix += "/"
        }
    }

    /// Makes the store owner-only all the way down before anything is written to it: its folder (a link to
    /// it, if any, made by this user), `objects/`, `objects/xxh128/` and `tmp/` real folders of this user's
    /// with no permissions for anyone else, created when missing, and its index files this user's regular
    /// files. A folder or file that is another user's, or a link where a folder or file belongs, is refused:
    /// whoever owns a folder can swap what is in it.
    static func secure(_ path: String) throws(HandoffError) {
        try FileIO.secureDirectory(path, create: false, followLink: true)
        for directory in [path + "/objects", path + "/objects/xxh128", path + "/tmp"] {
            try FileIO.secureDirectory(directory, create: true)
        }
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try FileIO.secureFile(indexPath(path) + suffix)
        }
    }
}
