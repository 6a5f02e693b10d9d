import HandoffJSON

/// What an import did.
public struct ImportReport: Sendable {
    /// One input that was not imported, and why.
    public struct Refusal: Sendable, Hashable {
        /// The file, or `FILE line N`.
        public let source: String
        public let message: String

        public init(source: String, message: String) {
            self.source = source
            self.message = message
        }
    }

    /// Inputs read.
    public var read = 0
    /// New artifacts stored.
    public var imported = 0
    /// Inputs whose content was already stored (by an earlier import, or earlier in this one).
    public var duplicates = 0
    /// Handoffs created.
    public var handoffs = 0
    /// Inputs refused, none of them half-imported.
    public var invalid: [Refusal] = []
    /// The ids of the artifacts imported or found already stored, in input order.
    public var ids: [ArtifactID] = []

    /// An empty report.
    public init() {}
}

extension Store {
    /// How many artifacts an import records per index transaction.
    public static let importBatchSize = 500

    /// Stores many artifacts, refusing the invalid ones and importing the rest in batches, each batch one
    /// index transaction: every artifact is either wholly imported (object, index entry, handoffs) or not at all.
    /// - Parameter progress: Called after each batch with how many inputs are done and how many there are.
    public func importArtifacts(
        _ requests: [PutRequest], batchSize: Int = Store.importBatchSize,
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws(HandoffError) -> ImportReport {
        var report = ImportReport()
        report.read = requests.count
        var batch: [PreparedPut] = []
        var done = 0
        func flush() throws(HandoffError) {
            guard !batch.isEmpty else { return }
            for result in try commit(batch) {
                report.ids.append(result.id)
                report.handoffs += result.handoffs.count
                if result.existed { report.duplicates += 1 } else { report.imported += 1 }
            }
            done += batch.count
            batch.removeAll(keepingCapacity: true)
            progress?(done, requests.count)
        }
        for request in requests {
            do {
                batch.append(try prepare(request))
            } catch {
                report.invalid.append(.init(source: request.source, message: error.message))
                done += 1
                continue
            }
            if batch.count >= max(1, batchSize) { try flush() }
        }
        try flush()
        progress?(requests.count, requests.count)
        return report
    }

    /// Imports a JSON Lines file's documents, one per non-blank line, as put by `producer` for `consumers`.
    /// - Parameter source: How to name the input in messages, such as its path.
    public func importJSONLines(
        _ bytes: [UInt8], source: String, producer: String, consumers: [String] = [], workflow: String? = nil,
        workspace: String? = nil, validate: Bool = true,
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws(HandoffError) -> ImportReport {
        let input = try ImportInput.jsonLines(
            bytes, source: source, producer: producer, consumers: consumers, workflow: workflow,
            workspace: workspace,
            validate: validate, limits: configuration.limits)
        return try importArtifacts(input, progress: progress)
    }

    /// Imports a folder written by the seed's `AgentArtifactStore` (a `.nanobot/artifacts` folder); see
    /// `ImportInput.nanobot(folder:validate:limits:)`.
    public func importNanobot(
        folder: String, validate: Bool = true, progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws(HandoffError) -> ImportReport {
        try importArtifacts(
            try ImportInput.nanobot(folder: folder, validate: validate, limits: configuration.limits),
            progress: progress)
    }

    /// Imports what an input holds: its artifacts in batches, its unreadable entries reported as invalid.
    public func importArtifacts(_ input: ImportInput, progress: ((_ done: Int, _ total: Int) -> Void)? = nil)
        throws(HandoffError) -> ImportReport
    {
        var report = try importArtifacts(input.requests, progress: progress)
        report.read += input.refused.count
        report.invalid = (input.refused + report.invalid).sorted { sourceOrder($0.source, $1.source) }
        return report
    }
}

/// What an import reads before it stores anything: the artifacts, and the entries that are not artifacts.
public struct ImportInput: Sendable {
    public var requests: [PutRequest]
    public var refused: [ImportReport.Refusal]

    /// A JSON Lines file's documents, one per non-blank line, as put by `producer` for `consumers`.
    public static func jsonLines(
        _ bytes: [UInt8], source: String, producer: String, consumers: [String] = [], workflow: String? = nil,
        workspace: String? = nil, validate: Bool = true, limits: JSONParser.Limits = .init()
    ) throws(HandoffError) -> ImportInput {
        try Name.check(producer, as: "producer")
        var input = ImportInput(requests: [], refused: [])
        var lineNumber = 0
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            var content = line[...]
            if content.last == 0x0D { content = content.dropLast() }
            guard content.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
            let name = "\(source) line \(lineNumber)"
            do {
                let document = try ArtifactDocument.parse(Array(content), source: name, limits: limits)
                input.requests.append(
                    PutRequest(
                        document: document, producer: producer, consumers: consumers, workflow: workflow,
                        workspace: workspace, source: name, validate: validate))
            } catch {
                input.refused.append(.init(source: name, message: error.message))
            }
        }
        return input
    }

    /// A folder written by the seed's `AgentArtifactStore` (a `.nanobot/artifacts` folder): one
    /// `<uuid>.json` per artifact, each the artifact plus a `_meta` object of `id`, `producer`, `consumer`,
    /// `created_at` and `schema`. The `_meta` object is not part of the stored artifact; its producer,
    /// consumer and time become the handoff's. A `created_at` without a time zone (as Python's `isoformat()`
    /// writes them) is taken as UTC.
    public static func nanobot(folder: String, validate: Bool = true, limits: JSONParser.Limits = .init())
        throws(HandoffError) -> ImportInput
    {
        guard FileIO.isDirectory(folder) else {
            throw HandoffError(.notFound, "no such folder: \(folder)")
        }
        let names = try FileIO.contentsOfDirectory(folder).filter { $0.hasSuffix(".json") }.sorted()
        var input = ImportInput(requests: [], refused: [])
        for name in names {
            let path = folder + "/" + name
            do {
                // Only regular files are read: a FIFO named *.json would block, a device would never end,
                // and a link could lead anywhere.
                let bytes = try FileIO.readRegularFile(path, maxSize: limits.maxBytes, followLink: false)
                let document = try ArtifactDocument.parse(bytes, source: path, limits: limits)
                var request = try nanobotRequest(document, path: path)
                request.validate = validate
                input.requests.append(request)
            } catch {
                input.refused.append(.init(source: path, message: error.message))
            }
        }
        // The seed's store lists artifacts by creation time; importing in that order keeps inboxes in it.
        input.requests.sort {
            ($0.createdAt ?? Timestamp(millisecondsSince1970: 0))
                < ($1.createdAt ?? Timestamp(millisecondsSince1970: 0))
        }
        return input
    }

    private static func nanobotRequest(_ document: JSONValue, path: String) throws(HandoffError) -> PutRequest
    {
        guard case .object(var object) = document else {
            throw HandoffError(
                .invalidInput, "\(path): an artifact must be a JSON object, not \(document.typeName)")
        }
        guard case .object(let meta) = object["_meta"] else {
            throw HandoffError(
                .invalidInput, "\(path): no _meta object, so this is not a file of the seed's artifact store")
        }
        object["_meta"] = nil
        guard case .string(let producer) = meta["producer"] else {
            throw HandoffError(.invalidInput, "\(path): _meta has no producer")
        }
        var consumers: [String] = []
        switch meta["consumer"] {
        case .string(let consumer): consumers = [consumer]
        case .null, nil: break
        default: throw HandoffError(.invalidInput, "\(path): _meta.consumer must be a string or null")
        }
        var createdAt: Timestamp?
        if let created = meta["created_at"] {
            guard case .string(let text) = created, let time = Timestamp(rfc3339: text) else {
                throw HandoffError(
                    .invalidInput, "\(path): _meta.created_at is not a date and time: \(created)")
            }
            createdAt = time
        }
        if case .string(let declared) = meta["schema"], case .string(let schema) = object["schema"],
            declared != schema
        {
            throw HandoffError(
                .invalidInput,
                "\(path): _meta.schema \(quotedForMessage(declared)) differs from the artifact's \(quotedForMessage(schema))"
            )
        }
        return PutRequest(
            document: .object(object), producer: producer, consumers: consumers, createdAt: createdAt,
            source: path)
    }
}

/// Orders inputs by name, and lines of one file (`FILE line N`) by N.
private func sourceOrder(_ lhs: String, _ rhs: String) -> Bool {
    func split(_ source: String) -> (String, Int) {
        guard let range = source.ranges(of: " line ").last, let number = Int(source[range.upperBound...])
        else { return (source, 0) }
        return (String(source[..<range.lowerBound]), number)
    }
    let (left, right) = (split(lhs), split(rhs))
    return left.0 == right.0 ? left.1 < right.1 : left.0 < right.0
}
