/// Lineage (which artifacts one was derived from) and next actions.
extension SQLiteBackend {
    func parents(of id: ArtifactID) throws(HandoffError) -> [ArtifactInfo] {
        try related(to: id, through: "p.child = c.seq JOIN artifact a ON a.seq = p.parent")
    }

    func children(of id: ArtifactID) throws(HandoffError) -> [ArtifactInfo] {
        try related(to: id, through: "p.parent = c.seq JOIN artifact a ON a.seq = p.child")
    }

    /// Artifacts joined to `id` (as `c`) through `artifact_parent` (as `p`), oldest first.
    private func related(to id: ArtifactID, through join: String) throws(HandoffError) -> [ArtifactInfo] {
        try read { db in
            try db.rows(
                sql: """
                    SELECT \(Self.artifactColumns) FROM artifact c JOIN artifact_parent p ON \(join)
                    WHERE c.id = ? ORDER BY a.created_at, a.seq
                    """,
                arguments: [id.description]
            ).map(Self.artifactInfo)
        }
    }

    func nextActions(of id: ArtifactID) throws(HandoffError) -> [NextAction] {
        try read { db in
            try db.rows(
                sql: """
                    SELECT n.action, n.source, n.inferred FROM next_action n JOIN artifact a ON a.seq = n.artifact
                    WHERE a.id = ? ORDER BY n.rowid
                    """,
                arguments: [id.description]
            ).map { row in NextAction(action: row["action"], source: row["source"], inferred: row["inferred"])
            }
        }
    }

    func inboxVersion(_ consumer: String) throws(HandoffError) -> String {
        try read { db in
            let row = try db.row(
                sql:
                    "SELECT count(*), coalesce(max(seq), 0), coalesce(max(updated_at), 0) FROM handoff WHERE consumer = ? AND state = 'pending'",
                arguments: [consumer])!
            return "\(row[0] as Int64)/\(row[1] as Int64)/\(row[2] as Int64)"
        }
    }
}
