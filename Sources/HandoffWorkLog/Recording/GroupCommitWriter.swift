import HandoffJSON
import HandoffKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes recorded entries to the store in batches, from a thread of its own: a bot's `record` only queues
/// the entry, and one transaction (one fsync) makes every entry of the last moment durable. An entry waits
/// at most `delay` before its batch is written, so it is durable well within a second of being recorded.
final class GroupCommitWriter: @unchecked Sendable {
    /// A recorded entry waiting to be written, with the session it belongs to.
    struct Pending {
        var session: RecordingSession
        var entry: WorkLogEntry
    }

    private let store: Store
    private let configuration: WorkLogConfiguration
    private let holder: SessionHolder
    private let delayNanoseconds: UInt64
    /// How often the leases on the sessions held are renewed when no batch renews them: a third of a lease.
    private let renewalNanoseconds = UInt64(SessionHolder.leaseMilliseconds) * 1_000_000 / 3
    /// A batch this large is written at once, without waiting for the delay.
    private let batchLimit = 8_192
    /// How long the thread waits for entries before it ends (a new entry starts it again).
    private let idleNanoseconds: UInt64 = 2_000_000_000

    /// Guards the queue and the fields below; `writing` serializes batches, so they are written in order.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wakeup = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let writing = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var queue: [Pending] = []
    private var firstQueuedAt: UInt64 = 0
    /// The sessions this process's recorders stream into, and when their leases were last renewed.
    private var held: [String] = []
    private var renewedAt: UInt64 = 0
    private var threadRunning = false
    /// The first failure no caller has been told of yet.
    private var failure: HandoffError?

    init(store: Store, configuration: WorkLogConfiguration, delaySeconds: Double, holder: SessionHolder) {
        self.store = store
        self.configuration = configuration
        self.holder = holder
        delayNanoseconds = UInt64(max(0, delaySeconds) * 1e9)
        pthread_mutex_init(mutex, nil)
        pthread_mutex_init(writing, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(wakeup, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(wakeup)
        pthread_mutex_destroy(mutex)
        pthread_mutex_destroy(writing)
        wakeup.deallocate()
        mutex.deallocate()
        writing.deallocate()
    }

    /// Keeps the lease on a session a recorder of this process streams into renewed until `release`, also
    /// while no entries come.
    func hold(_ session: String) {
        pthread_mutex_lock(mutex)
        held.append(session)
        if held.count == 1 { renewedAt = Self.monotonicNow() }
        let startThread = !threadRunning
        if startThread { threadRunning = true }
        pthread_mutex_unlock(mutex)
        if startThread { startWriterThread() }
    }

    /// Stops renewing a session's lease: its recorder ended it.
    func release(_ session: String) {
        pthread_mutex_lock(mutex)
        held.removeAll { $0 == session }
        pthread_mutex_unlock(mutex)
    }

    /// Queues an entry; cheap, and never blocks on the store.
    func enqueue(_ pending: Pending) {
        pthread_mutex_lock(mutex)
        if queue.isEmpty { firstQueuedAt = Self.monotonicNow() }
        queue.append(pending)
        let startThread = !threadRunning
        if startThread { threadRunning = true }
        let signal = queue.count == 1 || queue.count == batchLimit
        pthread_mutex_unlock(mutex)
        if startThread {
            startWriterThread()
        } else if signal {
            pthread_cond_signal(wakeup)
        }
    }

    /// Writes everything queued so far, on the caller's thread, and reports any failure since the last call.
    func flush() throws(HandoffError) {
        let error = writeBatch()
        pthread_mutex_lock(mutex)
        let reported = failure ?? error
        failure = nil
        pthread_mutex_unlock(mutex)
        if let reported { throw reported }
    }

    // MARK: The thread

    private func startWriterThread() {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(
            &thread, nil,
            { context in
                let writer = Unmanaged<GroupCommitWriter>.fromOpaque(context!).takeRetainedValue()
                writer.run()
                return nil
            }, context)
        if created == 0 {
            pthread_detach(thread)
        } else {
            // No thread: the entries are written by the next flush, when the session ends.
            Unmanaged<GroupCommitWriter>.fromOpaque(context).release()
            pthread_mutex_lock(mutex)
            threadRunning = false
            pthread_mutex_unlock(mutex)
        }
    }

    private func run() {
        pthread_mutex_lock(mutex)
        while true {
            if queue.isEmpty {
                let idleUntil = Self.monotonicNow() + idleNanoseconds
                wait(until: held.isEmpty ? idleUntil : min(idleUntil, renewedAt + renewalNanoseconds))
                if !held.isEmpty, Self.monotonicNow() >= renewedAt + renewalNanoseconds {
                    renewLeases()
                    continue
                }
                if queue.isEmpty && held.isEmpty {
                    threadRunning = false
                    pthread_mutex_unlock(mutex)
                    return
                }
                if queue.isEmpty { continue }
            }
            let due = firstQueuedAt + delayNanoseconds
            while !queue.isEmpty, queue.count < batchLimit, Self.monotonicNow() < due { wait(until: due) }
            pthread_mutex_unlock(mutex)
            let error = writeBatch()
            pthread_mutex_lock(mutex)
            if let error {
                if failure == nil { failure = error }
                // The store is busy or failing: try again a little later rather than spin.
                wait(until: Self.monotonicNow() + 250_000_000)
            }
        }
    }

    /// Renews the leases on the sessions held, with the mutex held on entry and exit (not while writing). A
    /// session another process ended meanwhile (`log end --force`) is no longer held, and what its recorder
    /// records from now on cannot be stored: the next flush says so.
    private func renewLeases() {
        let sessions = held
        renewedAt = Self.monotonicNow()
        pthread_mutex_unlock(mutex)
        let outcome: Result<[String], HandoffError>
        do throws(HandoffError) {
            outcome = .success(try store.renewWorkSessions(sessions, holder: holder))
        } catch {
            outcome = .failure(error)
        }
        pthread_mutex_lock(mutex)
        switch outcome {
        case .success(let lost):
            held.removeAll { lost.contains($0) }
            if let session = lost.first, failure == nil {
                failure = HandoffError(
                    .conflict,
                    "work session \(quotedForMessage(session)) was ended by another process while it was being recorded here; what is recorded from now on cannot be stored",
                    hint: "start a new session")
            }
        case .failure:
            // Busy or failing: tried again soon; a lease outlives a few failed renewals.
            renewedAt -= renewalNanoseconds / 2
        }
    }

    /// Waits on the condition until `deadline` (monotonic nanoseconds) or a signal; the mutex is held.
    private func wait(until deadline: UInt64) {
        var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        pthread_cond_timedwait(wakeup, mutex, &time)
    }

    private static func monotonicNow() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    // MARK: Writing

    /// Takes what is queued and writes it in one transaction. A store that is busy or failing keeps the
    /// entries queued for the next try; a session that cannot take entries (gone, or ended by someone else)
    /// loses them, and the error says so.
    private func writeBatch() -> HandoffError? {
        pthread_mutex_lock(writing)
        defer { pthread_mutex_unlock(writing) }
        pthread_mutex_lock(mutex)
        let batch = queue
        queue.removeAll(keepingCapacity: true)
        pthread_mutex_unlock(mutex)
        guard !batch.isEmpty else { return nil }
        do {
            try write(batch)
            return nil
        } catch  where error.code == .busy || error.code == .io {
            pthread_mutex_lock(mutex)
            queue.insert(contentsOf: batch, at: 0)
            firstQueuedAt = Self.monotonicNow()
            pthread_mutex_unlock(mutex)
            return error
        } catch {
            // Write session by session, so one session's trouble does not cost the others their entries.
            var first: HandoffError?
            for session in Set(batch.map(\.session.info.id)).sorted() {
                do {
                    try write(batch.filter { $0.session.info.id == session })
                } catch {
                    first = first ?? error
                }
            }
            return first.map { error in
                HandoffError(error.code, "work-log entries were lost: \(error.message)", hint: error.hint)
            }
        }
    }

    private func write(_ batch: [Pending]) throws(HandoffError) {
        var order: [String] = []
        var bySession: [String: (session: RecordingSession, entries: [WorkLogEntry])] = [:]
        var escalations: [(session: String, step: Int, request: PutRequest)] = []
        for pending in batch {
            let entry = configuration.masker.map { pending.entry.masked(by: $0) } ?? pending.entry
            let id = pending.session.info.id
            if bySession[id] == nil {
                order.append(id)
                bySession[id] = (pending.session, [])
            }
            bySession[id]!.entries.append(entry)
            if entry.escalation {
                escalations.append(
                    (
                        id, entry.step,
                        WorkLog.escalationRequest(entry, session: pending.session.info, configuration)
                    ))
            }
        }
        try store.appendWorkEntries(
            order.map { ($0, bySession[$0]!.entries) }, escalations: escalations, holder: holder)
    }
}

/// A session a recorder streams entries into; shared by reference between the recorder and the writer.
final class RecordingSession: Sendable {
    let info: WorkSessionInfo

    init(_ info: WorkSessionInfo) { self.info = info }
}
