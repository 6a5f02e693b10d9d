#ifndef HANDOFF_CPOSTGRES_SHIM_H
#define HANDOFF_CPOSTGRES_SHIM_H

#include <libpq-fe.h>
#include <poll.h>

/// Waits until the connection's socket can be read (a notification, or the end of the connection), at most
/// `timeout_ms` milliseconds; returns poll's result: 1 readable, 0 timed out, -1 failed.
static inline int handoff_pq_wait_readable(PGconn *connection, int timeout_ms) {
    int socket = PQsocket(connection);
    if (socket < 0) return -1;
    struct pollfd request = {socket, POLLIN, 0};
    return poll(&request, 1, timeout_ms);
}

#endif
