#ifndef HANDOFF_CSQLITE_SHIM_H
#define HANDOFF_CSQLITE_SHIM_H

#include <sqlite3.h>

/// SQLITE_TRANSIENT, which Swift cannot import: bound text and blobs are copied by SQLite.
static inline sqlite3_destructor_type handoff_sqlite_transient(void) { return SQLITE_TRANSIENT; }

/// sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &on): keeps the WAL file when the last
/// connection closes, so that closing does not truncate and flush it.
static inline int handoff_sqlite_persist_wal(sqlite3 *db) {
    int on = 1;
    return sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
}

/// sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, 0): the last connection to close leaves the
/// WAL as it is, instead of copying it into the database there and then, at the cost of three more fsyncs.
/// Committed transactions are durable in the WAL either way; writers still checkpoint as it grows.
static inline int handoff_sqlite_no_checkpoint_on_close(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}

/// After each commit that leaves the WAL `frames` long, from 64 frames on: a checkpoint that copies the
/// WAL into the database and, when no other connection still reads it, empties the file; tried without
/// waiting for anyone. `context` is the connection's busy timeout in milliseconds, restored after.
///
/// SQLite's own automatic checkpoint copies the WAL but leaves it to the next write to start it over, and
/// only a writer whose snapshot began after that copy may. Each `handoff` process opens the store afresh
/// and rebuilds the WAL's index from the file, which forgets what was copied, so no write ever started it
/// over: the WAL grew by every commit (3 MB after 40 puts), and every process read all of it on opening.
static inline int handoff_sqlite_wal_hook(void *context, sqlite3 *db, const char *name, int frames) {
    if (frames >= 64) {
        sqlite3_busy_timeout(db, 0);
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_TRUNCATE, (int *)0, (int *)0);
        sqlite3_busy_timeout(db, (int)(long)context);
    }
    return SQLITE_OK;
}

/// Checkpoints after commits with `handoff_sqlite_wal_hook`, in place of `PRAGMA wal_autocheckpoint`;
/// `busy_timeout` is the connection's, in milliseconds.
static inline void handoff_sqlite_checkpoint_after_commits(sqlite3 *db, int busy_timeout) {
    sqlite3_wal_hook(db, handoff_sqlite_wal_hook, (void *)(long)busy_timeout);
}

#endif
