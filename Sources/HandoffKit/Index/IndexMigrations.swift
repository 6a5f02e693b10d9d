/// The index's schema, one migration per released change. A released migration is never edited; a change
/// is a new migration.
enum IndexMigrations {
    static let migrator: Migrator = {
        var migrator = Migrator()
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
        migrator.registerMigration("v2: work sessions, entries and their full-text index, insights, settings")
        { db in
            try db.execute(
                sql: """
                    -- One agent session in one workspace. Counters are kept as entries arrive, so listings read
                    -- one row per session.
                    CREATE TABLE work_session (
                        seq INTEGER PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        workspace TEXT NOT NULL,
                        workspace_type TEXT NOT NULL
                            CHECK (workspace_type IN ('open', 'project', 'direct', 'coordination')),
                        query TEXT NOT NULL,
                        bot TEXT NOT NULL,
                        participants TEXT NOT NULL,
                        coordinator TEXT,
                        workflow TEXT,
                        stepwise INTEGER NOT NULL,
                        started_at INTEGER NOT NULL,
                        ended_at INTEGER,
                        last_entry_at INTEGER,
                        steps INTEGER NOT NULL DEFAULT 0,
                        errors INTEGER NOT NULL DEFAULT 0,
                        escalations INTEGER NOT NULL DEFAULT 0,
                        final_output TEXT,
                        summary TEXT,
                        session_artifact INTEGER REFERENCES artifact(seq),
                        work_log_artifact INTEGER REFERENCES artifact(seq)
                    );
                    CREATE INDEX work_session_by_started ON work_session(started_at);
                    CREATE INDEX work_session_by_workspace ON work_session(workspace, started_at);
                    CREATE INDEX work_session_by_type ON work_session(workspace_type, started_at);
                    CREATE INDEX work_session_by_artifact ON work_session(work_log_artifact)
                        WHERE work_log_artifact IS NOT NULL;
                    CREATE INDEX work_session_by_record ON work_session(session_artifact)
                        WHERE session_artifact IS NOT NULL;

                    -- The bots of a session: the recording bot (step 0) and every bot that recorded an entry.
                    CREATE TABLE work_session_bot (
                        bot TEXT NOT NULL,
                        session INTEGER NOT NULL REFERENCES work_session(seq),
                        first_step INTEGER NOT NULL,
                        PRIMARY KEY (bot, session)
                    ) WITHOUT ROWID;
                    CREATE INDEX work_session_bot_by_session ON work_session_bot(session, first_step);

                    -- One entry, field by field (JSON values as canonical JSON text), after masking.
                    CREATE TABLE work_entry (
                        seq INTEGER PRIMARY KEY,
                        session INTEGER NOT NULL REFERENCES work_session(seq),
                        step INTEGER NOT NULL,
                        at INTEGER NOT NULL,
                        level TEXT NOT NULL,
                        category TEXT NOT NULL,
                        message TEXT NOT NULL,
                        details TEXT NOT NULL,
                        confidence REAL,
                        duration_ms INTEGER,
                        tool_name TEXT,
                        tool_input TEXT,
                        tool_output TEXT,
                        tool_status TEXT,
                        tool_error TEXT,
                        bot TEXT NOT NULL,
                        bot_role TEXT,
                        triggered_by TEXT NOT NULL,
                        mentions TEXT NOT NULL,
                        response_to INTEGER,
                        coordinator_mode INTEGER NOT NULL,
                        escalation INTEGER NOT NULL,
                        shareable_insight INTEGER NOT NULL,
                        insight_category TEXT,
                        UNIQUE (session, step)
                    );
                    -- `how`: ranked full-text search over what people ask about. The text stays in work_entry
                    -- (external content); stemming lets "escalate" find "escalation".
                    CREATE VIRTUAL TABLE work_entry_text USING fts5(
                        message, category, details, tool_name, tool_error, bot,
                        content = 'work_entry', content_rowid = 'seq',
                        tokenize = 'porter unicode61 remove_diacritics 2'
                    );

                    -- The escalation artifacts raised by entries.
                    CREATE TABLE work_escalation (
                        artifact INTEGER PRIMARY KEY REFERENCES artifact(seq),
                        session INTEGER NOT NULL REFERENCES work_session(seq),
                        step INTEGER NOT NULL
                    );
                    CREATE INDEX work_escalation_by_session ON work_escalation(session, step);

                    -- The learning exchange: insights waiting for approval, approved or rejected.
                    CREATE TABLE insight (
                        seq INTEGER PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        session INTEGER NOT NULL REFERENCES work_session(seq),
                        step INTEGER NOT NULL,
                        bot TEXT NOT NULL,
                        category TEXT NOT NULL,
                        confidence REAL,
                        content TEXT NOT NULL,
                        applies_to TEXT NOT NULL,
                        learnt_at INTEGER NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
                        queued_at INTEGER NOT NULL,
                        decided_at INTEGER,
                        note TEXT,
                        artifact INTEGER REFERENCES artifact(seq),
                        UNIQUE (session, step)
                    );
                    CREATE INDEX insight_by_state ON insight(state, queued_at);

                    -- Per-store settings, such as the work-log configuration, as JSON values.
                    CREATE TABLE setting (
                        name TEXT PRIMARY KEY,
                        value TEXT NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        // Readers of a store that has not had it yet list next actions from `next_action`, as before.
        migrator.registerMigration(renderedNextActions, optionalForReaders: true) { db in
            try db.execute(
                sql: """
                    -- The artifact's next actions as the JSON array listings print ([{action, inferred,
                    -- source}] in the order they were found), written once when the artifact is recorded, so
                    -- that a listing copies it instead of querying and writing them out for every handoff.
                    -- NULL for artifacts recorded before this column: those are listed from next_action.
                    ALTER TABLE artifact ADD COLUMN next_actions_json TEXT;
                    """)
        }
        // Only writers read the holder (ending, appending, gc), so readers of a store without it need nothing.
        migrator.registerMigration(sessionHolders, optionalForReaders: true) { db in
            try db.execute(
                sql: """
                    -- A session recorded from one process (log record, MCP, the Swift recorder) is held by it: a
                    -- lease renewed with each group commit, so that another process does not end it, and gc does
                    -- not collect it, while entries are still on their way.
                    ALTER TABLE work_session ADD COLUMN holder TEXT;
                    ALTER TABLE work_session ADD COLUMN holder_token TEXT;
                    ALTER TABLE work_session ADD COLUMN held_until INTEGER;
                    """)
        }
        // A reader of a store without it can do everything but `how`, which says so.
        migrator.registerMigration(searchStems, optionalForReaders: true) { db in
            try db.execute(
                sql: """
                    -- `how` reads entries as Handoff reads them (SearchText: stems of lower-case words), so that
                    -- every backend matches and ranks alike: the index holds each field's stems, split on spaces
                    -- only, instead of SQLite's own Porter stemming of the text.
                    DROP TABLE work_entry_text;
                    CREATE VIRTUAL TABLE work_entry_text USING fts5(
                        message, category, details, tool_name, tool_error, bot,
                        tokenize = 'unicode61 remove_diacritics 0'
                    );
                    """)
            let insert = try db.cachedStatement(sql: SQLiteBackend.insertSearchText)
            try db.cachedStatement(
                sql: "SELECT seq, message, category, details, tool_name, tool_error, bot FROM work_entry"
            ).forEachRow(arguments: []) { row in
                insert.setUncheckedArguments(
                    SQLiteBackend.searchText(
                        entry: row[0], message: row[1], category: row[2], details: row[3], toolName: row[4],
                        toolError: row[5], bot: row[6]))
                try insert.execute()
                return true
            }
        }
        // Counts only: a reader of a store without it shows the old counts.
        migrator.registerMigration(failedToolsCount, optionalForReaders: true) { db in
            try db.execute(
                sql: """
                    -- A session's error count is WorkLogEntry.isError: error entries and tool runs that failed or
                    -- timed out, as explain lists them (it counted error entries only).
                    UPDATE work_session SET errors = (
                        SELECT count(*) FROM work_entry e
                        WHERE e.session = work_session.seq
                            AND (e.level = 'error' OR e.tool_status IN ('error', 'timeout'))
                    );
                    """)
        }
        return migrator
    }()

    static let renderedNextActions = "v3: next actions rendered once per artifact for listings"
    static let sessionHolders = "v4: work sessions held by their recorder"
    static let searchStems = "v5: work-log entries searched by their stems"
    static let failedToolsCount = "v6: failed and timed-out tool runs count as a session's errors"
}
