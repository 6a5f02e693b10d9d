/// What the index knows about a stored artifact.
public struct ArtifactInfo: Sendable, Hashable {
    public let id: ArtifactID
    /// The artifact's declared schema, such as `work-log-v1`.
    public let schema: String
    /// Size of the canonical bytes.
    public let size: Int
    /// When it was first stored.
    public let createdAt: Timestamp
    /// The producer that first stored it.
    public let producer: String
    /// The workflow and workspace of the first put, when given.
    public let workflow: String?
    public let workspace: String?
    /// Whether the document was checked against its schema when it was stored (`put --no-validate` skips it).
    public let validated: Bool

    public init(
        id: ArtifactID, schema: String, size: Int, createdAt: Timestamp, producer: String, workflow: String?,
        workspace: String?, validated: Bool
    ) {
        self.id = id
        self.schema = schema
        self.size = size
        self.createdAt = createdAt
        self.producer = producer
        self.workflow = workflow
        self.workspace = workspace
        self.validated = validated
    }
}

/// A schema name and major version, as an artifact declares it in its top-level `"schema"` field:
/// `<name>-v<N>`, the name in lowercase letters, digits and hyphens.
public struct SchemaName: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// `tool-result` in `tool-result-v1`.
    public let name: String
    /// `1` in `tool-result-v1`.
    public let version: Int

    /// Parses `<name>-v<N>`; nil for anything else.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count <= 128,
            let marker = (0..<max(utf8.count - 1, 0)).last(where: { utf8[$0] == 0x2D && utf8[$0 + 1] == 0x76 }
            )
        else { return nil }
        let name = utf8[..<marker]
        let digits = utf8[(marker + 2)...]
        let isLowercaseLetter: (UInt8) -> Bool = { (0x61...0x7A).contains($0) }
        let isDigit: (UInt8) -> Bool = { (0x30...0x39).contains($0) }
        guard let first = name.first, isLowercaseLetter(first), name.last != 0x2D,
            name.allSatisfy({ isLowercaseLetter($0) || isDigit($0) || $0 == 0x2D }),
            let firstDigit = digits.first, firstDigit != 0x30, digits.count <= 9, digits.allSatisfy(isDigit)
        else { return nil }
        self.name = String(decoding: name, as: UTF8.self)
        self.version = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    public var description: String { "\(name)-v\(version)" }

    public static func < (lhs: SchemaName, rhs: SchemaName) -> Bool {
        (lhs.name, lhs.version) < (rhs.name, rhs.version)
    }
}
