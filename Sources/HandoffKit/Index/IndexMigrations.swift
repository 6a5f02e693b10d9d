import GRDB

/// The index's schema, one migration per released change. A released migration is never edited; a change
/// is a new migration.
enum IndexMigrations {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: artifacts and handoffs") { db in
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
                        workspace TEXT
                    );
                    CREATE INDEX artifact_by_created ON artifact(created_at);
                    CREATE INDEX artifact_by_schema ON artifact(schema, created_at);
                    CREATE INDEX artifact_by_producer ON artifact(producer, created_at);
                    CREATE INDEX artifact_by_workflow ON artifact(workflow, created_at) WHERE workflow IS NOT NULL;
                    CREATE INDEX artifact_by_workspace ON artifact(workspace, created_at) WHERE workspace IS NOT NULL;

                    CREATE TABLE handoff (
                        seq INTEGER PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        artifact INTEGER NOT NULL REFERENCES artifact(seq),
                        producer TEXT NOT NULL,
                        consumer TEXT NOT NULL,
                        workflow TEXT,
                        workspace TEXT,
                        state TEXT NOT NULL
                            CHECK (state IN ('pending', 'claimed', 'done', 'blocked', 'rejected', 'dead')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        available_at INTEGER NOT NULL,
                        lease_expires_at INTEGER,
                        lease_token TEXT,
                        worker TEXT,
                        note TEXT
                    );
                    CREATE INDEX handoff_by_consumer ON handoff(consumer, state, created_at, seq);
                    CREATE INDEX handoff_by_artifact ON handoff(artifact);
                    CREATE INDEX handoff_by_producer ON handoff(producer, created_at);
                    CREATE INDEX handoff_by_created ON handoff(created_at);
                    """)
        }
        return migrator
    }()
}
