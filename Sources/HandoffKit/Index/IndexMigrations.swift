import GRDB

/// The index's schema, one migration per released change. A released migration is never edited; a change
/// is a new migration.
enum IndexMigrations {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: artifacts, handoffs, lineage, next actions, schemas") { db in
            try db.execute(
                sql: """
                    CREATE TABLE artifact (
                        seq INTEGER PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        schema TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        created_at INTEGER NOT NULL,
                        producer TEXT NOT NULL,
                        workflow TEXT,
                        workspace TEXT,
                        validated INTEGER NOT NULL
                    );
                    CREATE INDEX artifact_by_created ON artifact(created_at);
                    CREATE INDEX artifact_by_schema ON artifact(schema, created_at);
                    CREATE INDEX artifact_by_producer ON artifact(producer, created_at);
                    CREATE INDEX artifact_by_workflow ON artifact(workflow, created_at) WHERE workflow IS NOT NULL;
                    CREATE INDEX artifact_by_workspace ON artifact(workspace, created_at) WHERE workspace IS NOT NULL;

                    CREATE TABLE artifact_parent (
                        child INTEGER NOT NULL REFERENCES artifact(seq),
                        parent INTEGER NOT NULL REFERENCES artifact(seq),
                        PRIMARY KEY (child, parent)
                    ) WITHOUT ROWID;
                    CREATE INDEX artifact_parent_by_parent ON artifact_parent(parent, child);

                    CREATE TABLE next_action (
                        artifact INTEGER NOT NULL REFERENCES artifact(seq),
                        action TEXT NOT NULL,
                        source TEXT NOT NULL,
                        inferred INTEGER NOT NULL,
                        UNIQUE (artifact, source, action)
                    );
                    CREATE INDEX next_action_by_action ON next_action(action, artifact);

                    CREATE TABLE handoff (
                        seq INTEGER PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        artifact INTEGER NOT NULL REFERENCES artifact(seq),
                        producer TEXT NOT NULL,
                        consumer TEXT NOT NULL,
                        workflow TEXT,
                        workspace TEXT,
                        state TEXT NOT NULL CHECK (
                            state IN ('pending', 'claimed', 'done', 'blocked', 'rejected', 'dead', 'routed')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        available_at INTEGER NOT NULL,
                        lease_expires_at INTEGER,
                        lease_token TEXT,
                        worker TEXT,
                        note TEXT,
                        routed_from INTEGER REFERENCES handoff(seq)
                    );
                    -- Inbox and claim: a consumer's handoffs in one state, oldest first; and the leases a
                    -- consumer's workers hold, soonest to expire first (a partial index: only claimed ones).
                    CREATE INDEX handoff_by_consumer ON handoff(consumer, state, created_at, seq);
                    CREATE INDEX handoff_leased ON handoff(consumer, lease_expires_at) WHERE state = 'claimed';
                    CREATE INDEX handoff_by_artifact ON handoff(artifact);
                    -- Finds the same delivery still pending, which a repeated put must not duplicate.
                    CREATE INDEX handoff_pending_delivery ON handoff(artifact, consumer, producer, workflow)
                        WHERE state = 'pending';
                    CREATE INDEX handoff_by_producer ON handoff(producer, created_at);
                    CREATE INDEX handoff_by_created ON handoff(created_at);
                    CREATE INDEX handoff_by_origin ON handoff(routed_from) WHERE routed_from IS NOT NULL;

                    -- The history of each handoff after its creation: claims, acks, releases, extensions,
                    -- routes, dead-lettering and retries.
                    CREATE TABLE handoff_event (
                        seq INTEGER PRIMARY KEY,
                        handoff INTEGER NOT NULL REFERENCES handoff(seq),
                        kind TEXT NOT NULL,
                        at INTEGER NOT NULL,
                        worker TEXT,
                        attempt INTEGER,
                        lease_expires_at INTEGER,
                        note TEXT
                    );
                    CREATE INDEX handoff_event_by_handoff ON handoff_event(handoff, seq);

                    -- Store-local schemas; their documents are content-addressed objects like artifacts.
                    CREATE TABLE schema (
                        name TEXT PRIMARY KEY,
                        object TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        created_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        return migrator
    }()
}
