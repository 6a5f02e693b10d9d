import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffWorkLog

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension HandoffCommand {
    struct Work: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "work",
            abstract: "Work through a consumer's inbox, running a command for each handoff.",
            usage: """
                handoff work <consumer> [<options>] -- <command> [<argument> ...]
                  (everything after -- is the command's: its own options included)
                """,
            discussion: """
                Claims the consumer's handoffs one at a time and runs COMMAND for each, with the document on \
                its standard input and HANDOFF_ID, HANDOFF_RECEIPT, HANDOFF_ARTIFACT, HANDOFF_SCHEMA, \
                HANDOFF_PRODUCER, HANDOFF_CONSUMER, HANDOFF_ATTEMPT, HANDOFF_LEASE_EXPIRES_AT and HANDOFF_STORE \
                in its environment. The lease is extended while the command runs. The command's exit status \
                finishes the handoff: 0 done, 65 rejected, 75 released to be tried again after --retry-delay, \
                anything else blocked; the note says why, with the end of what the command wrote to standard \
                error. With --json, the command's standard output goes to standard error, so that standard \
                output is the one JSON summary. If the worker itself dies, its lease expires and another worker \
                takes the handoff.

                With --hand-on-to NEXT (repeatable), the command's standard output is the step's result: one \
                JSON document, or JSON Lines for several. When the command exits 0 the results are stored \
                (derived from the claimed artifact, from CONSUMER, in its workflow) and handed to each NEXT in the \
                same transaction as the ack, so a worker killed at any point hands on all or nothing. Output \
                that is not JSON, or not valid against its schema, hands nothing on: the handoff is released \
                after --retry-delay with a note saying why. No output hands nothing on and finishes it as done.

                Stops when the inbox is empty, after --limit handoffs, or, with --poll, never. SIGINT and SIGTERM \
                stop it cleanly: the running command gets the same signal and is waited for, its handoff is \
                finished by its exit status (released if the signal ended it), and work exits 130 or 143.

                  handoff work reviewer -- ./review.sh
                  handoff work summarizer --poll 5 --lease 120 -- python3 summarize.py
                  handoff work summarizer --hand-on-to reviewer -- ./summarize.sh
                """)

        @Argument(help: ArgumentHelp("The consumer whose inbox to work through.", valueName: "consumer"))
        var consumer: String

        @Argument(
            parsing: .postTerminator,
            help: ArgumentHelp("The command to run for each handoff.", valueName: "command"))
        var command: [String] = []

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Seconds each claim holds; extended while the command runs.", valueName: "seconds"))
        var lease: Double = 60

        @OptionGroup var claiming: ClaimOptions

        @Option(name: .long, help: ArgumentHelp("Stop after this many handoffs.", valueName: "n"))
        var limit: Int?

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Keep waiting on an empty inbox, looking at least every this many seconds; a handoff that arrives wakes it at once.",
                valueName: "seconds"))
        var poll: Double?

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Seconds before a released handoff (exit 75) is claimable again.", valueName: "seconds"))
        var retryDelay: Double = 30

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Hand the command's output on to this consumer with the ack; repeatable.",
                valueName: "consumer"))
        var handOnTo: [String] = []

        @OptionGroup var store: StoreOptions
        @OptionGroup var limits: LimitOptions
        @OptionGroup var output: OutputOptions

        /// The longest wait between looks at an empty inbox, an hour.
        static let longestPoll = 3600.0

        func validate() throws {
            guard !command.isEmpty else {
                throw ValidationError(
                    "give the command to run after --, such as: handoff work reviewer -- ./review.sh")
            }
            guard lease >= 1 else { throw ValidationError("--lease must be at least 1 second") }
            if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
            if let poll, !(poll > 0 && poll <= Self.longestPoll) {
                throw ValidationError(
                    "--poll must be more than 0 and at most \(Int(Self.longestPoll)) seconds")
            }
            guard lease <= Store.maximumSeconds else {
                throw ValidationError("--lease must be at most \(Int(Store.maximumSeconds)) seconds")
            }
            guard retryDelay >= 0, retryDelay <= Store.maximumSeconds else {
                throw ValidationError("--retry-delay must be 0 to \(Int(Store.maximumSeconds)) seconds")
            }
            for next in handOnTo {
                do {
                    try Store.checkName(next, as: "consumer")
                } catch {
                    throw ValidationError(error.message)
                }
            }
        }

        func run() throws {
            // A worker that waits may start before anything was ever put: its store is made for it.
            let store = poll != nil ? try store.openOrCreate() : try store.open()
            let worker = claiming.worker ?? "work-\(getpid())"
            var counts: [String: Int] = [:]
            var processed = 0
            Stop.install()
            // Heard from before the first claim, so that a handoff put between a claim that finds none and
            // the wait after it still wakes the wait.
            if poll != nil { try store.listenForHandoffs(for: consumer) }
            while Stop.signal == 0, limit.map({ processed < $0 }) ?? true {
                guard let claim = try claimOutlastingABusyStore(store, worker: worker) else {
                    guard let poll else { break }
                    // Wait in short steps, so that a signal stops the wait at once; a handoff announced for the
                    // consumer (or, on SQLite, any commit) ends it sooner.
                    let wake = Timestamp.now().adding(milliseconds: Int64(poll * 1000))
                    while Stop.signal == 0 {
                        let left = wake.millisecondsSince1970 - Timestamp.now().millisecondsSince1970
                        guard left > 0 else { break }
                        if try waitOutlastingABusyStore(store, milliseconds: min(left, 200)) { break }
                    }
                    continue
                }
                processed += 1
                let outcome: String
                do {
                    outcome = try process(claim, in: store)
                } catch {
                    // Do not leave it held by a worker that is giving up: give it back for another.
                    _ = try? store.release(claim.receipt, note: "handed back by work: \(error)")
                    throw error
                }
                counts[outcome, default: 0] += 1
            }
            let summary = ["done", "blocked", "rejected", "released", "lost"].compactMap { key in
                counts[key].map { "\(key) \($0)" }
            }
            if output.json {
                var object = JSONObject()
                object["processed"] = .number(Double(processed))
                for key in ["done", "blocked", "rejected", "released", "lost"] {
                    object[key] = .number(Double(counts[key] ?? 0))
                }
                Terminal.printJSON(.object(object))
            } else {
                Terminal.print(
                    "Processed \(processed) handoffs for \(consumer)\(summary.isEmpty ? "" : ": " + summary.joined(separator: ", "))."
                )
            }
            if Stop.signal != 0 { throw ExitCode(128 + Stop.signal) }
        }

        /// The next claim; with --poll, a store that is busy or a database that restarts counts as an empty
        /// inbox (said on standard error), so that a worker that keeps waiting outlasts it.
        private func claimOutlastingABusyStore(_ store: Store, worker: String) throws(HandoffError) -> Claim?
        {
            do {
                return try store.claim(
                    for: consumer, leaseSeconds: lease, worker: worker, schema: claiming.schema,
                    workspace: claiming.workspace, maxAttempts: claiming.maxAttempts)
            } catch {
                guard error.code == .busy, let poll else { throw error }
                Terminal.printError("\(Display.line(error.message)); trying again within \(poll) s")
                return nil
            }
        }

        /// Waits for an arrival; a store that is busy meanwhile is waited out the same time.
        private func waitOutlastingABusyStore(_ store: Store, milliseconds: Int64) throws(HandoffError)
            -> Bool
        {
            do {
                return try store.waitForHandoffs(for: consumer, seconds: Double(milliseconds) / 1000)
            } catch {
                guard error.code == .busy else { throw error }
                usleep(useconds_t(milliseconds * 1000))
                return false
            }
        }

        /// Runs the command for one claim and finishes the handoff by its exit status; returns what became of it.
        private func process(_ claim: Claim, in store: Store) throws -> String {
            let handoff = claim.handoff
            let document = try store.canonicalBytes(of: handoff.artifactID)
            // The document is the command's standard input, from a file removed once open: in the store's own
            // folder when it has one (owner-only), else in the temporary directory.
            let folder =
                Store.urlScheme(of: store.path) == nil ? store.path + "/tmp" : FileIO.temporaryDirectory
            let input = folder + "/handoff-work-\(getpid())-\(handoff.id)"
            try FileIO.writeNewFileDurably(input, document + [0x0A], mode: 0o600)
            let descriptor = open(input, O_RDONLY | O_CLOEXEC)
            FileIO.removeFile(input)
            guard descriptor >= 0 else { throw HandoffError(.io, "cannot reopen \(input)") }
            defer { close(descriptor) }
            var environment = HandoffCLI.environment()
            environment["HANDOFF_ID"] = handoff.id
            environment["HANDOFF_RECEIPT"] = claim.receipt.description
            environment["HANDOFF_ARTIFACT"] = handoff.artifactID.description
            environment["HANDOFF_SCHEMA"] = handoff.schema
            environment["HANDOFF_PRODUCER"] = handoff.producer
            environment["HANDOFF_CONSUMER"] = handoff.consumer
            environment["HANDOFF_ATTEMPT"] = String(handoff.attempts)
            environment["HANDOFF_LEASE_EXPIRES_AT"] = handoff.leaseExpiresAt?.description ?? ""
            environment["HANDOFF_STORE"] = store.path
            // The output to hand on goes to a file removed once open, read back when the command has exited.
            var results: Int32 = -1
            if !handOnTo.isEmpty {
                let path = folder + "/handoff-work-\(getpid())-\(handoff.id)-output"
                results = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                guard results >= 0 else { throw FileIO.failure("cannot make", path, errno) }
                FileIO.removeFile(path)
            }
            defer { if results >= 0 { close(results) } }
            var errors: [Int32] = [0, 0]
            guard pipe(&errors) == 0 else {
                throw FileIO.failure("cannot make a pipe for", command[0], errno)
            }
            let child: pid_t
            do {
                child = try spawn(
                    command, stdin: descriptor, stdout: results >= 0 ? results : nil, stderr: errors[1],
                    stdoutToStderr: output.json, environment: environment)
            } catch {
                close(errors[0])
                close(errors[1])
                throw error
            }
            close(errors[1])
            var stderr = StderrTail(descriptor: errors[0])
            defer { close(errors[0]) }
            // Keep the lease alive while the command works: extend it when half of it has passed.
            var nextExtension = Timestamp.now().adding(milliseconds: Int64(lease * 500))
            var status: Int32 = 0
            var forwarded = false
            while true {
                let result = waitpid(child, &status, WNOHANG)
                if result == child { break }
                if result < 0 && errno != EINTR { throw HandoffError(.io, "cannot wait for \(command[0])") }
                if Stop.signal != 0, !forwarded {
                    // Stopping: the command gets the same signal (unless a terminal sent it to both of us
                    // already, which is harmless twice), and is waited for.
                    forwarded = true
                    kill(child, Stop.signal)
                }
                if Timestamp.now() >= nextExtension {
                    // A failed extension (lost lease, busy store) must not abandon a running command: say so, and
                    // let finishing decide what happens to the handoff.
                    do {
                        try store.extend(claim.receipt, leaseSeconds: lease)
                    } catch {
                        Terminal.printError(
                            "could not extend the lease on \(handoff.id) while \(command[0]) ran: \(error)")
                    }
                    nextExtension = Timestamp.now().adding(milliseconds: Int64(lease * 500))
                }
                stderr.pump(waitingMilliseconds: 20)
            }
            stderr.drain()
            // Where a worker dies after its command did the work and before the handoff is finished.
            Failpoint.hit("work-command-exited")
            let tail = stderr.tail.map { ": " + $0 } ?? ""
            var outcome = "blocked"
            // The command ran: its outcome is recorded even through a busy store or a database restarting,
            // for as long as the lease lasts, so that it is not run again for want of an ack.
            let lost = try conflict(persistingFor: lease) { () throws(HandoffError) in
                guard exited(status) else {
                    let signal = status & 0x7F
                    if Stop.signal != 0 && signal == Stop.signal {
                        // Stopped with its worker: nothing is wrong with the handoff, so another worker gets it.
                        try store.release(
                            claim.receipt,
                            note: "\(command[0]) was stopped by signal \(signal) with its worker\(tail)")
                        outcome = "released"
                        return
                    }
                    try store.ack(
                        claim.receipt, outcome: .blocked,
                        note: "\(command[0]) was killed by signal \(signal)\(tail)")
                    return
                }
                switch exitStatus(status) {
                case 0 where results >= 0:
                    outcome = try handOn(claim, output: results, in: store)
                case 0:
                    try store.ack(claim.receipt, outcome: .done)
                    outcome = "done"
                case 65:
                    try store.ack(
                        claim.receipt, outcome: .rejected, note: "\(command[0]) rejected it (exit 65)\(tail)")
                    outcome = "rejected"
                case 75:
                    try store.release(
                        claim.receipt, delaySeconds: retryDelay,
                        note: "\(command[0]) asked to retry (exit 75)\(tail)")
                    outcome = "released"
                case let code:
                    try store.ack(
                        claim.receipt, outcome: .blocked,
                        note: "\(command[0]) exited with status \(code)\(tail)")
                }
            }
            if let lost {
                Terminal.printError("could not finish \(handoff.id): \(Display.line(lost.message))")
                return "lost"
            }
            return outcome
        }

        /// Finishes a claim whose command exited 0 by handing its output on with the ack (`done`), or, when
        /// the output cannot be handed on, by releasing it with a note saying why (`released`).
        private func handOn(_ claim: Claim, output descriptor: Int32, in store: Store) throws(HandoffError)
            -> String
        {
            let handoff = claim.handoff
            let requests: [PutRequest]
            do {
                requests = try Self.documents(in: descriptor, from: command[0], limits: limits.limits).map {
                    document in
                    PutRequest(
                        canonicalJSON: document.bytes, producer: handoff.consumer, consumers: handOnTo,
                        workflow: handoff.workflow, workspace: handoff.workspace, source: document.source,
                        validate: true)
                }
                try store.ack(claim.receipt, handingOn: requests)
                return "done"
            } catch  where error.code == .invalidInput || error.code == .usage || error.code == .notFound {
                // Nothing was stored or handed on; the handoff is tried again, and the note says why.
                Terminal.printError("\(handoff.id): \(Display.line(error.message))")
                try store.release(
                    claim.receipt, delaySeconds: retryDelay,
                    note: "nothing handed on: \(String(error.message.prefix(300)))")
                return "released"
            }
        }

        /// The documents a command wrote: one JSON document, or JSON Lines (a document per non-blank line),
        /// each as canonical bytes, named by where they came from.
        private static func documents(in descriptor: Int32, from command: String, limits: JSONParser.Limits)
            throws(HandoffError) -> [(bytes: [UInt8], source: String)]
        {
            guard lseek(descriptor, 0, SEEK_SET) == 0 else {
                throw FileIO.failure("cannot read back", command, errno)
            }
            let source = "the output of \(command)"
            // Read whole (up to a hundred documents of the largest size), as one document if it is one.
            let all = try FileIO.readAll(
                descriptor, name: source,
                limit: limits.maxBytes.multipliedReportingOverflow(by: 100).overflow
                    ? Int.max : limits.maxBytes * 100)
            guard all.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return [] }
            if all.count <= limits.maxBytes, let one = try? CanonicalJSON.canonicalize(all, limits: limits) {
                return [(one, source)]
            }
            var documents: [(bytes: [UInt8], source: String)] = []
            for (index, line) in all.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated()
            where line.contains(where: { ![0x20, 0x09, 0x0D].contains($0) }) {
                let name = "\(source), line \(index + 1)"
                guard line.count <= limits.maxBytes else {
                    throw HandoffError(
                        .invalidInput,
                        "\(name) is \(line.count) bytes, more than the limit of \(limits.maxBytes)")
                }
                do {
                    documents.append((try CanonicalJSON.canonicalize(Array(line), limits: limits), name))
                } catch {
                    // The parser counts lines within the line; the line is named already.
                    let text = "\(error)"
                    throw HandoffError(
                        .invalidInput,
                        "\(name): \(text.hasPrefix("line 1, ") ? String(text.dropFirst(8)) : text)",
                        cause: error)
                }
            }
            return documents
        }
    }
}

/// Runs `body`, returning the conflict it met (a receipt that no longer holds) instead of throwing it, and
/// running it again while the store is busy (`.busy`), for up to `seconds`.
private func conflict(persistingFor seconds: Double, _ body: () throws(HandoffError) -> Void)
    throws(HandoffError)
    -> HandoffError?
{
    let deadline = Timestamp.now().adding(milliseconds: Int64(seconds * 1000))
    while true {
        do {
            try body()
            return nil
        } catch {
            if error.code == .conflict { return error }
            guard error.code == .busy, Timestamp.now() < deadline else { throw error }
            usleep(200_000)
        }
    }
}

private func exited(_ status: Int32) -> Bool { status & 0x7F == 0 }
private func exitStatus(_ status: Int32) -> Int32 { (status >> 8) & 0xFF }

/// Starts `command` (looked up on PATH) with `stdin` as its standard input and `stderr` as its standard
/// error; its standard output goes where ours goes, or to our standard error with `stdoutToStderr`.
private func spawn(
    _ command: [String], stdin: Int32, stdout: Int32? = nil, stderr: Int32, stdoutToStderr: Bool,
    environment: [String: String]
) throws(HandoffError) -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, stdin, 0)
    if let stdout {
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
    } else if stdoutToStderr {
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
    }
    posix_spawn_file_actions_adddup2(&actions, stderr, 2)
    let argv = command.map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        for pointer in argv { free(pointer) }
        for pointer in envp { free(pointer) }
    }
    var pid: pid_t = 0
    let result = posix_spawnp(&pid, command[0], &actions, nil, argv, envp)
    guard result == 0 else {
        throw HandoffError(.notFound, "cannot run \(command[0]): \(String(cString: strerror(result)))")
    }
    return pid
}

/// The signal that asked `work` to stop, once one did: SIGINT and SIGTERM are caught rather than fatal, so
/// the running command can be signalled in turn and its handoff finished.
private enum Stop {
    nonisolated(unsafe) static var signal: Int32 = 0

    static func install() {
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        for number in [SIGINT, SIGTERM] {
            Glibc.signal(number) { caught in Stop.signal = caught }
            sigaddset(&unblocked, number)
        }
        // A parent may have blocked them (and blocked signals are inherited); a worker must hear them.
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
    }
}

/// What a command writes to standard error, passed on to ours as it comes, with its last line kept for
/// the handoff's note.
private struct StderrTail {
    let descriptor: Int32
    /// The last bytes written, at most `capacity`.
    private var kept: [UInt8] = []
    private static let capacity = 4096
    /// How much of the tail goes into a note.
    private static let noteLength = 300

    init(descriptor: Int32) { self.descriptor = descriptor }

    /// Waits up to `waitingMilliseconds` for output, and passes on what there is.
    mutating func pump(waitingMilliseconds: Int32) {
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&request, 1, waitingMilliseconds) > 0 else { return }
        _ = readAvailable()
    }

    /// Passes on everything left, once the command has exited.
    mutating func drain() {
        while readAvailable() {}
    }

    /// Reads one chunk; false at the end.
    private mutating func readAvailable() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
        guard count > 0 else { return count < 0 && errno == EINTR }
        let chunk = buffer[..<count]
        Terminal.writeError(bytes: Array(chunk))
        kept.append(contentsOf: chunk)
        if kept.count > Self.capacity { kept.removeFirst(kept.count - Self.capacity) }
        return true
    }

    /// The last non-empty line written, shortened for a note; nil when nothing was written.
    var tail: String? {
        let text = String(decoding: kept, as: UTF8.self)
        guard
            let line = text.split(whereSeparator: \.isNewline).last(where: { !$0.allSatisfy(\.isWhitespace) })
        else { return nil }
        let trimmed = line.trimmingPrefix(while: \.isWhitespace)
        return trimmed.count > Self.noteLength
            ? "…" + String(trimmed.suffix(Self.noteLength)) : String(trimmed)
    }
}
