#ifndef HANDOFF_CSQLITE_SHIM_H
#define HANDOFF_CSQLITE_SHIM_H

#include <sqlite3.h>
#include <time.h>

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

/// How a connection waits for other processes' locks: its busy handler's and its WAL hook's context.
typedef struct handoff_sqlite_wait {
    /// The longest wait for one lock, in milliseconds.
    int timeout_ms;
    /// Set while the WAL hook checkpoints: the checkpoint is tried without waiting for anyone.
    int checkpointing;
    /// When the current wait began (CLOCK_MONOTONIC).
    struct timespec start;
} handoff_sqlite_wait;

/// The busy handler: polls the lock every 50 µs at first, backing off to 1.6 ms, with jitter, until
/// `timeout_ms` have passed since the wait began. SQLite's own handler (sqlite3_busy_timeout) sleeps 1, 2,
/// 5, 10, 15, 20 and then 25 ms between tries, far longer than the one or two milliseconds a command holds
/// the write lock for: with several processes taking turns, waiters slept while the lock stood free, and
/// eight CLI workers left a quarter of the machine idle.
static inline int handoff_sqlite_busy(void *context, int count) {
    handoff_sqlite_wait *wait = (handoff_sqlite_wait *)context;
    if (wait->checkpointing || wait->timeout_ms <= 0) return 0;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (count == 0) wait->start = now;
    long long waited = (now.tv_sec - wait->start.tv_sec) * 1000000LL + (now.tv_nsec - wait->start.tv_nsec) / 1000;
    long long left = (long long)wait->timeout_ms * 1000 - waited;
    if (left <= 0) return 0;
    long long step = 50LL << (count < 5 ? count : 5);
    // Jitter from the clock's low bits, so that waiters that woke together do not retry together.
    long long delay = step / 2 + (now.tv_nsec / 1000) % step;
    if (delay > left) delay = left;
    struct timespec pause = {(time_t)(delay / 1000000), (long)(delay % 1000000) * 1000};
    nanosleep(&pause, (struct timespec *)0);
    return 1;
}

/// After each commit that leaves the WAL `frames` long, from 64 frames on: a checkpoint that copies the
/// WAL into the database and, when no other connection still reads it, empties the file; tried without
/// waiting for anyone. `context` is the connection's `handoff_sqlite_wait`.
///
/// SQLite's own automatic checkpoint copies the WAL but leaves it to the next write to start it over, and
/// only a writer whose snapshot began after that copy may. Each `handoff` process opens the store afresh
/// and rebuilds the WAL's index from the file, which forgets what was copied, so no write ever started it
/// over: the WAL grew by every commit (3 MB after 40 puts), and every process read all of it on opening.
static inline int handoff_sqlite_wal_hook(void *context, sqlite3 *db, const char *name, int frames) {
    if (frames >= 64) {
        handoff_sqlite_wait *wait = (handoff_sqlite_wait *)context;
        wait->checkpointing = 1;
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_TRUNCATE, (int *)0, (int *)0);
        wait->checkpointing = 0;
    }
    return SQLITE_OK;
}

/// Installs `handoff_sqlite_busy` as the connection's busy handler and, unless `reads_only`, checkpoints
/// after commits with `handoff_sqlite_wal_hook` in place of `PRAGMA wal_autocheckpoint`. `wait` must
/// outlive the connection.
static inline void handoff_sqlite_install_wait(sqlite3 *db, handoff_sqlite_wait *wait, int reads_only) {
    sqlite3_busy_handler(db, handoff_sqlite_busy, wait);
    if (!reads_only) sqlite3_wal_hook(db, handoff_sqlite_wal_hook, wait);
}

#endif
