/// The PostgreSQL store's schema, one migration per released change, applied in order, each once. A released
/// migration is never edited; a change is a new migration.
///
/// The tables are the SQLite index's, in PostgreSQL's types, plus `object` for the artifacts' bytes (a file
/// each in a folder store). Times are milliseconds since 1970, as there; the database's clock sets them.
enum PostgresMigrations {
    /// Migrations a command that only reads can do without (it shows what was there before them); any other
    /// missing one makes it ask for a writer to upgrade the store first.
    static let optionalForReaders: Set<String> = [
        "v2: failed and timed-out tool runs count as a session's errors"
    ]

    static let all: [(identifier: String, sql: String)] = [
        (
            "v1: artifacts, objects, handoffs, lineage, next actions, schemas, work logs, insights, settings",
            """
            CREATE TABLE object (
                id text COLLATE "C" PRIMARY KEY,
                bytes bytea NOT NULL,
                written_at bigint NOT NULL
            );

            CREATE TABLE artifact (
                seq bigserial PRIMARY KEY,
                id text COLLATE "C" NOT NULL UNIQUE,
                schema text COLLATE "C" NOT NULL,
                size bigint NOT NULL,
                created_at bigint NOT NULL,
                producer text COLLATE "C" NOT NULL,
                workflow text COLLATE "C",
                workspace text COLLATE "C",
                validated boolean NOT NULL,
                -- The next actions as the JSON array listings print, written once when recorded.
                next_actions_json text COLLATE "C" NOT NULL
            );
            CREATE INDEX artifact_by_created ON artifact (created_at, seq);
            CREATE INDEX artifact_by_schema ON artifact (schema, created_at);
            CREATE INDEX artifact_by_producer ON artifact (producer, created_at);
            CREATE INDEX artifact_by_workflow ON artifact (workflow, created_at) WHERE workflow IS NOT NULL;
            CREATE INDEX artifact_by_workspace ON artifact (workspace, created_at) WHERE workspace IS NOT NULL;

            CREATE TABLE artifact_parent (
                child bigint NOT NULL REFERENCES artifact (seq),
                parent bigint NOT NULL REFERENCES artifact (seq),
                PRIMARY KEY (child, parent)
            );
            CREATE INDEX artifact_parent_by_parent ON artifact_parent (parent, child);

            CREATE TABLE next_action (
                seq bigserial PRIMARY KEY,
                artifact bigint NOT NULL REFERENCES artifact (seq),
                action text COLLATE "C" NOT NULL,
                source text COLLATE "C" NOT NULL,
                inferred boolean NOT NULL,
                UNIQUE (artifact, source, action)
            );
            CREATE INDEX next_action_by_action ON next_action (action, artifact);

            CREATE TABLE handoff (
                seq bigserial PRIMARY KEY,
                id text COLLATE "C" NOT NULL UNIQUE,
                artifact bigint NOT NULL REFERENCES artifact (seq),
                producer text COLLATE "C" NOT NULL,
                consumer text COLLATE "C" NOT NULL,
                workflow text COLLATE "C",
                workspace text COLLATE "C",
                state text COLLATE "C" NOT NULL CHECK (
                    state IN ('pending', 'claimed', 'done', 'blocked', 'rejected', 'dead', 'routed')),
                attempts integer NOT NULL DEFAULT 0,
                created_at bigint NOT NULL,
                updated_at bigint NOT NULL,
                available_at bigint NOT NULL,
                lease_expires_at bigint,
                lease_token text COLLATE "C",
                worker text COLLATE "C",
                note text COLLATE "C",
                routed_from bigint REFERENCES handoff (seq)
            );
            -- Inbox and claim: a consumer's handoffs in one state, oldest first; the leases a consumer's
            -- workers hold, soonest to expire first; the pending ones available first.
            CREATE INDEX handoff_by_consumer ON handoff (consumer, state, created_at, seq);
            CREATE INDEX handoff_leased ON handoff (consumer, lease_expires_at) WHERE state = 'claimed';
            CREATE INDEX handoff_by_artifact ON handoff (artifact);
            CREATE INDEX handoff_pending_delivery ON handoff (artifact, consumer, producer) WHERE state = 'pending';
            CREATE INDEX handoff_by_producer ON handoff (producer, created_at);
            CREATE INDEX handoff_by_created ON handoff (created_at, seq);
            CREATE INDEX handoff_by_origin ON handoff (routed_from) WHERE routed_from IS NOT NULL;

            CREATE TABLE handoff_event (
                seq bigserial PRIMARY KEY,
                handoff bigint NOT NULL REFERENCES handoff (seq),
                kind text COLLATE "C" NOT NULL,
                at bigint NOT NULL,
                worker text COLLATE "C",
                attempt integer,
                lease_expires_at bigint,
                note text COLLATE "C"
            );
            CREATE INDEX handoff_event_by_handoff ON handoff_event (handoff, seq);

            -- Store-local schemas; their documents are objects like artifacts'.
            CREATE TABLE schema_entry (
                name text COLLATE "C" PRIMARY KEY,
                object text COLLATE "C" NOT NULL,
                size bigint NOT NULL,
                created_at bigint NOT NULL
            );

            CREATE TABLE work_session (
                seq bigserial PRIMARY KEY,
                id text COLLATE "C" NOT NULL UNIQUE,
                workspace text COLLATE "C" NOT NULL,
                workspace_type text COLLATE "C" NOT NULL
                    CHECK (workspace_type IN ('open', 'project', 'direct', 'coordination')),
                query text COLLATE "C" NOT NULL,
                bot text COLLATE "C" NOT NULL,
                participants text COLLATE "C" NOT NULL,
                coordinator text COLLATE "C",
                workflow text COLLATE "C",
                stepwise boolean NOT NULL,
                started_at bigint NOT NULL,
                ended_at bigint,
                last_entry_at bigint,
                steps integer NOT NULL DEFAULT 0,
                errors integer NOT NULL DEFAULT 0,
                escalations integer NOT NULL DEFAULT 0,
                final_output text COLLATE "C",
                summary text COLLATE "C",
                session_artifact bigint REFERENCES artifact (seq),
                work_log_artifact bigint REFERENCES artifact (seq),
                holder text COLLATE "C",
                holder_token text COLLATE "C",
                held_until bigint
            );
            CREATE INDEX work_session_by_started ON work_session (started_at, seq);
            CREATE INDEX work_session_by_workspace ON work_session (workspace, started_at);
            CREATE INDEX work_session_by_type ON work_session (workspace_type, started_at);
            CREATE INDEX work_session_by_artifact ON work_session (work_log_artifact)
                WHERE work_log_artifact IS NOT NULL;
            CREATE INDEX work_session_by_record ON work_session (session_artifact)
                WHERE session_artifact IS NOT NULL;

            CREATE TABLE work_session_bot (
                bot text COLLATE "C" NOT NULL,
                session bigint NOT NULL REFERENCES work_session (seq),
                first_step integer NOT NULL,
                PRIMARY KEY (bot, session)
            );
            CREATE INDEX work_session_bot_by_session ON work_session_bot (session, first_step);

            CREATE TABLE work_entry (
                seq bigserial PRIMARY KEY,
                session bigint NOT NULL REFERENCES work_session (seq),
                step integer NOT NULL,
                at bigint NOT NULL,
                level text COLLATE "C" NOT NULL,
                category text COLLATE "C" NOT NULL,
                message text COLLATE "C" NOT NULL,
                details text COLLATE "C" NOT NULL,
                confidence double precision,
                duration_ms bigint,
                tool_name text COLLATE "C",
                tool_input text COLLATE "C",
                tool_output text COLLATE "C",
                tool_status text COLLATE "C",
                tool_error text COLLATE "C",
                bot text COLLATE "C" NOT NULL,
                bot_role text COLLATE "C",
                triggered_by text COLLATE "C" NOT NULL,
                mentions text COLLATE "C" NOT NULL,
                response_to integer,
                coordinator_mode boolean NOT NULL,
                escalation boolean NOT NULL,
                shareable_insight boolean NOT NULL,
                insight_category text COLLATE "C",
                UNIQUE (session, step)
            );

            -- `how`: each field's stems (Handoff's own, as the SQLite store holds them), and one search
            -- vector over them all to find candidates; the score is computed from the fields themselves.
            CREATE TABLE work_entry_text (
                entry bigint PRIMARY KEY REFERENCES work_entry (seq),
                message text COLLATE "C" NOT NULL,
                category text COLLATE "C" NOT NULL,
                details text COLLATE "C" NOT NULL,
                tool_name text COLLATE "C" NOT NULL,
                tool_error text COLLATE "C" NOT NULL,
                bot text COLLATE "C" NOT NULL,
                terms tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig,
                    message || ' ' || category || ' ' || details || ' ' || tool_name || ' ' || tool_error || ' '
                    || bot)) STORED
            );
            CREATE INDEX work_entry_text_terms ON work_entry_text USING gin (terms);

            CREATE TABLE work_escalation (
                artifact bigint PRIMARY KEY REFERENCES artifact (seq),
                session bigint NOT NULL REFERENCES work_session (seq),
                step integer NOT NULL
            );
            CREATE INDEX work_escalation_by_session ON work_escalation (session, step);

            CREATE TABLE insight (
                seq bigserial PRIMARY KEY,
                id text COLLATE "C" NOT NULL UNIQUE,
                session bigint NOT NULL REFERENCES work_session (seq),
                step integer NOT NULL,
                bot text COLLATE "C" NOT NULL,
                category text COLLATE "C" NOT NULL,
                confidence double precision,
                content text COLLATE "C" NOT NULL,
                applies_to text COLLATE "C" NOT NULL,
                learnt_at bigint NOT NULL,
                state text COLLATE "C" NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
                queued_at bigint NOT NULL,
                decided_at bigint,
                note text COLLATE "C",
                artifact bigint REFERENCES artifact (seq),
                UNIQUE (session, step)
            );
            CREATE INDEX insight_by_state ON insight (state, queued_at);

            CREATE TABLE setting (
                name text COLLATE "C" PRIMARY KEY,
                value text COLLATE "C" NOT NULL
            );
            """
        ),
        (
            "v2: failed and timed-out tool runs count as a session's errors",
            """
            -- A session's error count is WorkLogEntry.isError: error entries and tool runs that failed or timed
            -- out, as explain lists them (it counted error entries only).
            UPDATE work_session SET errors = (
                SELECT count(*) FROM work_entry e
                WHERE e.session = work_session.seq AND (e.level = 'error' OR e.tool_status IN ('error', 'timeout'))
            );
            """
        ),
    ]
}
