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

#endif
