import HandoffJSON
import HandoffKit

/// Reading the store's rows, and building the WHERE clauses of listings, in PostgreSQL's terms.
extension PostgresBackend {
    static let artifactColumns =
        "a.seq, a.id, a.schema, a.size, a.created_at, a.producer, a.workflow, a.workspace, a.validated"

    static let handoffColumns = """
        h.seq, h.id, a.id AS artifact_id, a.schema, h.producer, h.consumer, h.workflow, h.workspace, h.state,
        h.attempts, h.created_at, h.updated_at, h.available_at, h.lease_expires_at, h.worker, h.note,
        (SELECT o.id FROM handoff o WHERE o.seq = h.routed_from) AS routed_from
        """

    /// Decodes `artifactColumns` from column `base` of `row`.
    static func artifactInfo(_ rows: PGResult, _ row: Int, from base: Int = 0) throws(HandoffError)
        -> ArtifactInfo
    {
        ArtifactInfo(
            id: try ArtifactID(stored: rows.string(row, base + 1) ?? ""),
            schema: rows.string(row, base + 2) ?? "",
            size: Int(rows.int(row, base + 3) ?? 0),
            createdAt: Timestamp(millisecondsSince1970: rows.int(row, base + 4) ?? 0),
            producer: rows.string(row, base + 5) ?? "", workflow: rows.string(row, base + 6),
            workspace: rows.string(row, base + 7), validated: rows.bool(row, base + 8) ?? false)
    }

    /// Decodes `handoffColumns` from column `base` of `row`.
    static func handoff(_ rows: PGResult, _ row: Int, from base: Int = 0) throws(HandoffError) -> Handoff {
        let stateName = rows.string(row, base + 8) ?? ""
        guard let state = Handoff.State(rawValue: stateName) else {
            throw HandoffError(
                .io,
                "the index holds handoff \(rows.string(row, base + 1) ?? "?") in an unknown state \"\(stateName)\""
            )
        }
        return Handoff(
            id: rows.string(row, base + 1) ?? "",
            artifactID: try ArtifactID(stored: rows.string(row, base + 2) ?? ""),
            schema: rows.string(row, base + 3) ?? "", producer: rows.string(row, base + 4) ?? "",
            consumer: rows.string(row, base + 5) ?? "", workflow: rows.string(row, base + 6),
            workspace: rows.string(row, base + 7), state: state, attempts: Int(rows.int(row, base + 9) ?? 0),
            createdAt: Timestamp(millisecondsSince1970: rows.int(row, base + 10) ?? 0),
            updatedAt: Timestamp(millisecondsSince1970: rows.int(row, base + 11) ?? 0),
            availableAt: Timestamp(millisecondsSince1970: rows.int(row, base + 12) ?? 0),
            leaseExpiresAt: rows.int(row, base + 13).map(Timestamp.init(millisecondsSince1970:)),
            worker: rows.string(row, base + 14), note: rows.string(row, base + 15),
            routedFrom: rows.string(row, base + 16))
    }
}

/// The WHERE clause of a listing, from the filters that are set, with its parameters numbered `$1`, `$2`, …
/// after those already taken.
struct PGConditions {
    private var clauses: [String] = []
    private(set) var arguments: [PGValue?] = []

    init(after arguments: [PGValue?] = []) {
        self.arguments = arguments
    }

    /// The next parameter's placeholder, for `value`.
    mutating func placeholder(_ value: PGValue?) -> String {
        arguments.append(value)
        return "$\(arguments.count)"
    }

    /// Adds `clause`, whose `?` stands for its one argument, when the filter has a value.
    mutating func add(_ clause: String, _ value: (some PGBindable)?) {
        guard let value else { return }
        let mark = placeholder(value.pgValue)
        clauses.append(clause.replacingFirst("?", with: mark))
    }

    mutating func add(_ clause: String) { clauses.append(clause) }

    var sql: String { clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ") }
}

extension String {
    /// The statement with each placeholder `$n` made `$(n + offset)`, to follow other parameters.
    func renumberingPlaceholders(by offset: Int) -> String {
        var result = ""
        // The digits after a `$`, while reading them.
        var digits: String?
        func flush() {
            guard let read = digits else { return }
            result += read.isEmpty ? "$" : "$\(Int(read)! + offset)"
            digits = nil
        }
        for character in self {
            if character.isASCII, character.isNumber, digits != nil {
                digits!.append(character)
                continue
            }
            flush()
            if character == "$" { digits = "" } else { result.append(character) }
        }
        flush()
        return result
    }

    func replacingFirst(_ target: Character, with replacement: String) -> String {
        guard let index = firstIndex(of: target) else { return self }
        return String(self[..<index]) + replacement + String(self[self.index(after: index)...])
    }
}
