import Foundation
import HandoffKit
import HandoffTesting
import Testing

/// A PostgreSQL cluster of a test's own (`scripts/postgres` in a folder of the test's), which it may restart
/// and whose connections it may end without disturbing the other tests' cluster.
final class PrivateCluster {
    let directory: String
    /// The URL of its database.
    let url: String
    let environment: [String: String]

    init(directory: String, environment: [String: String] = [:]) throws {
        self.directory = directory
        self.environment = environment
        let started = try HandoffProcess.run(
            [Self.script, "start", directory], environment: environment, timeLimit: 120, program: Self.bash)
        try #require(started.status == 0, "scripts/postgres start: \(started.stderr)")
        url = started.output.trimmingCharacters(in: .whitespacesAndNewlines)
        TestBackend.servePostgres()
    }

    /// Stops the server and starts it again on the same port.
    func restart() throws {
        let restarted = try HandoffProcess.run(
            [Self.script, "restart", directory], environment: environment, timeLimit: 120, program: Self.bash)
        #expect(restarted.status == 0, "scripts/postgres restart: \(restarted.stderr)")
    }

    /// Ends every other connection to the database, as a failover or an administrator would.
    func terminateConnections() throws {
        try TestBackend.execute(
            """
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
            """, inDatabaseOf: url)
    }

    deinit {
        _ = try? HandoffProcess.run(
            [Self.script, "stop", directory], environment: environment, timeLimit: 120, program: Self.bash)
    }

    static let script = HandoffProcess.repositoryRoot.appendingPathComponent("scripts/postgres").path
    static let bash = URL(fileURLWithPath: "/bin/bash")
}

/// Whether this machine lets the tests make network namespaces (root with CAP_NET_ADMIN, and iproute2).
private let namespacesWork: Bool = {
    let name = "hprobe-\(getpid())"
    guard let made = try? HandoffProcess.shell("ip netns add \(name) 2>/dev/null"), made.status == 0 else {
        return false
    }
    _ = try? HandoffProcess.shell("ip netns del \(name)")
    return true
}()

/// What only a shared database does: workers surviving a server restart and ended connections, URLs that
/// lead nowhere, passwords, and bots on several hosts.
@Suite(
    .serialized,
    .enabled(
        if: TestBackend.postgresURL != nil || ProcessInfo.processInfo.environment["CI"] == "true",
        "needs PostgreSQL: run scripts/test, or set HANDOFF_TEST_POSTGRES_URL"))
struct PostgresCLITests {
    let scratch = Scratch()

    func handoff(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws
        -> HandoffProcess.Result
    {
        try HandoffProcess.run(
            arguments, stdin: stdin.map { Data($0.utf8) }, environment: environment, timeLimit: 120)
    }

    /// `count` tool results, handed to `consumer`.
    func fill(_ count: Int, consumer: String, store: String) throws {
        let lines = (0..<count).map {
            #"{"schema": "tool-result-v1", "tool": "bird", "input": {"args": [\#($0)], "kwargs": {}}, "status": "success", "duration_ms": 5}"#
        }
        let file = scratch.write("inbox-\(consumer).jsonl", lines.joined(separator: "\n") + "\n")
        let imported = try handoff(["import", file, "--from", "producer", "--to", consumer, "--store", store])
        try #require(imported.status == 0, "\(imported.stderr)")
    }

    /// Every handoff done exactly once, and the times a command ran for it.
    func expectEveryHandoffDoneOnce(store: String, expected: Int, log: String) throws -> (
        executions: Int, expired: Int
    ) {
        let opened = try Store.open(at: store)
        let handoffs = try opened.handoffs(HandoffFilter(limit: expected + 10))
        #expect(handoffs.count == expected, "handoffs lost or added")
        var expired = 0
        for handoff in handoffs {
            let events = try opened.events(ofHandoff: handoff.id)
            #expect(handoff.state == .done, "\(handoff.id) is \(handoff.state)")
            #expect(
                events.count { $0.kind == "done" } == 1,
                "\(handoff.id) done \(events.count { $0.kind == "done" }) times")
            expired += events.count { $0.kind == "expired" }
        }
        let executions = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(Set(executions).count == expected, "every handoff's command ran")
        return (executions.count, expired)
    }

    /// Eight workers on one inbox while the test kills some with SIGKILL, ends every connection twice and
    /// restarts the server: every handoff is done exactly once, none is lost, the stored bytes are as
    /// imported, and a command runs twice only for a worker killed while it ran (an expired lease).
    @Test func workersOutlastKillsEndedConnectionsAndARestart() throws {
        let cluster = try PrivateCluster(directory: scratch.path + "/cluster")
        let store = cluster.url + "?schema=chaos"
        let count = 400
        try fill(count, consumer: "worker", store: store)
        let log = scratch.path + "/executions.log"
        let script = #"echo "$HANDOFF_ID" >> "$1"; sleep 0.02"#
        func startWorker(_ name: String) throws -> ChildProcess {
            try HandoffProcess.start([
                "work", "worker", "--lease", "3", "--poll", "0.5", "--worker", name, "--busy-timeout", "15",
                "--store", store, "--", "sh", "-c", script, "sh", log,
            ]).0
        }
        var random = SeededRandom(for: "workersOutlastKillsEndedConnectionsAndARestart")
        var workers = try (0..<8).map { try startWorker("w\($0)") }
        usleep(600_000)
        for victim in workers[0..<2] { kill(victim.processIdentifier, SIGKILL) }
        workers += try (8..<10).map { try startWorker("w\($0)") }
        usleep(UInt32.random(in: 100_000...400_000, using: &random))
        try cluster.terminateConnections()
        usleep(UInt32.random(in: 100_000...400_000, using: &random))
        try cluster.restart()
        usleep(UInt32.random(in: 100_000...400_000, using: &random))
        try cluster.terminateConnections()
        // The workers poll: once the inbox is empty and every expired lease was taken again, stop them.
        var waited = 0
        while waited < 120 {
            let open = try Store.open(at: store).handoffs(HandoffFilter(states: [.pending, .claimed])).count
            if open == 0 { break }
            sleep(1)
            waited += 1
        }
        for worker in workers where worker.isRunning { kill(worker.processIdentifier, SIGTERM) }
        for worker in workers { worker.waitUntilExit() }
        for worker in workers[2...] {
            #expect(
                worker.terminationReason == .exit && worker.terminationStatus == 128 + SIGTERM,
                "a worker ended with \(worker.terminationStatus) instead of stopping when asked")
        }
        let (executions, expired) = try expectEveryHandoffDoneOnce(store: store, expected: count, log: log)
        #expect(
            executions - count <= expired,
            "\(executions - count) commands ran again, \(expired) leases expired")
        print("chaos: \(count) handoffs, \(executions) executions, \(expired) expired leases")
        #expect(try handoff(["verify", "--store", store]).status == 0)
        let first = try #require(
            (try handoff(["ls", "--limit", "1", "--json", "--store", store]).json() as? [String: Any])?[
                "artifacts"]
                as? [[String: Any]])
        let id = try #require(first.first?["id"] as? String)
        let bytes = try handoff(["get", id, "--store", store]).stdout
        #expect(try handoff(["hash"], stdin: String(decoding: bytes, as: UTF8.self)).output.hasPrefix(id))
    }

    /// One-shot commands while the server restarts: each succeeds (its connection lost before its commit is
    /// tried again) or says the store is busy (exit 75), and the store holds exactly what succeeded.
    @Test func commandsDuringARestartSucceedOrSayBusy() throws {
        let cluster = try PrivateCluster(directory: scratch.path + "/cluster")
        let store = cluster.url + "?schema=restart"
        #expect(try handoff(["init", "--store", store]).status == 0)
        let putter = try HandoffProcess.start(
            [
                "-c",
                #"i=0; while [ $i -lt 60 ]; do i=$((i+1)); echo "{\"schema\": \"x-v1\", \"n\": $i}" | "$0" put --from p --to c --no-validate --busy-timeout 1 --store "$1" >/dev/null 2>>"$2"; echo "$i $?" >> "$3"; done"#,
                HandoffProcess.executable.path, store, scratch.path + "/errors", scratch.path + "/statuses",
            ], program: URL(fileURLWithPath: "/bin/sh")
        ).0
        usleep(300_000)
        try cluster.restart()
        putter.waitUntilExit()
        let statuses = try String(contentsOfFile: scratch.path + "/statuses", encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(statuses.count == 60)
        #expect(statuses.allSatisfy { $0[1] == "0" || $0[1] == "75" }, "\(statuses.filter { $0[1] != "0" })")
        let succeeded = statuses.filter { $0[1] == "0" }.count
        print("restart: \(succeeded) of 60 puts succeeded, the rest said busy")
        let stats = try #require(try handoff(["stats", "--json", "--store", store]).json() as? [String: Any])
        #expect(stats["handoffs"] as? Int == succeeded, "the store holds exactly what succeeded")
        let errors = (try? String(contentsOfFile: scratch.path + "/errors", encoding: .utf8)) ?? ""
        for line in errors.split(separator: "\n") where line.hasPrefix("handoff:") {
            #expect(line.contains(":\(URL(string: cluster.url)!.port!)"), "\(line) names the server")
        }
    }

    /// `handoff ui` on a shared database outlives a restart of the server: a page asked for while it is down
    /// is an error page (never a hang or a crash), and once it is back the pages show what the store holds,
    /// written by others meanwhile, and decisions still work.
    @Test func theUIServesAcrossADatabaseRestart() throws {
        let cluster = try PrivateCluster(directory: scratch.path + "/cluster")
        let store = cluster.url + "?schema=ui"
        let scan = try String(
            contentsOf: HandoffProcess.samples.appendingPathComponent(
                "valid/security-scan-v1/x-bookmarks.json"),
            encoding: .utf8)
        #expect(
            try handoff(["put", "--from", "scanner", "--to", "reviewer", "--store", store], stdin: scan)
                .status == 0)
        let (ui, output, _) = try HandoffProcess.start([
            "ui", "--store", store, "--no-open", "--busy-timeout", "2",
        ])
        defer {
            ui.terminate()
            ui.waitUntilExit()
        }
        let line = String(decoding: try readLine(output.fileHandleForReading), as: UTF8.self)
        let port = try #require(Int(String(line.split(separator: ":")[2].prefix { $0.isNumber })), "\(line)")
        let token = try #require(line.split(separator: "=").last.map(String.init))
        let traded = try httpGet("/?token=\(token)", port: port, cookie: nil)
        #expect(traded.status == 303)
        let cookie = try #require(traded.setCookie)
        #expect(try httpGet("/inbox/reviewer", port: port, cookie: cookie).status == 200)

        // While the server is down a page is an error page, once the UI's busy timeout has passed.
        let stop = try HandoffProcess.run(
            [PrivateCluster.script, "stop", cluster.directory], timeLimit: 120, program: PrivateCluster.bash)
        #expect(stop.status == 0, "\(stop.stderr)")
        let asked = Date()
        let down = try httpGet("/inbox/reviewer", port: port, cookie: cookie)
        print("ui with the database down: \(down.status) after \(Date().timeIntervalSince(asked)) s")
        #expect(
            [500, 503].contains(down.status) && down.body.contains("That did not work"), "\(down.status)")
        try cluster.restart()
        #expect(
            try handoff(
                ["put", "--from", "scanner", "--to", "reviewer", "--workflow", "after", "--store", store],
                stdin: scan
            ).status == 0)
        // The first request after the restart may meet the connection the restart ended: it is answered
        // with an error page, and the next ones are served from a new connection.
        var page = try httpGet("/inbox/reviewer", port: port, cookie: cookie)
        var refused = 0
        for _ in 0..<20 where page.status != 200 {
            refused += 1
            #expect(
                [500, 503].contains(page.status) && page.body.contains("That did not work"),
                "\(page.status) \(page.body.prefix(300))")
            usleep(250_000)
            page = try httpGet("/inbox/reviewer", port: port, cookie: cookie)
        }
        #expect(page.status == 200)
        print("ui across a restart: \(refused) error pages before the page was served again")
        let inbox = try #require(
            try handoff(["inbox", "reviewer", "--json", "--store", store]).json() as? [String: Any])
        let ids = (inbox["handoffs"] as? [[String: Any]] ?? []).compactMap {
            ($0["handoff"] as? [String: Any])?["id"] as? String
        }
        #expect(ids.count == 2)
        for id in ids { #expect(page.body.contains("data-handoff=\"\(id)\""), "\(id)") }
        ui.terminate()
        ui.waitUntilExit()
        #expect(ui.terminationStatus == 0)
    }

    /// A URL with no server behind it, the wrong password, a database that is not there: each says so with
    /// its exit status, names the host, and creates nothing, here or there.
    @Test func urlsThatLeadNowhereSaySoAndCreateNothing() throws {
        let url = try #require(TestBackend.postgresURL)
        let port = try #require(URL(string: url)?.port)
        let cases: [(String, Int32, String)] = [
            (
                "postgresql://handoff@127.0.0.1:1/handoff", 75,
                "cannot reach the store's database postgresql://handoff@127.0.0.1:1/handoff"
            ),
            (
                "postgresql://handoff_password:wrong@127.0.0.1:\(port)/handoff?schema=nowhere", 74,
                "handoff: the database postgresql://handoff_password@127.0.0.1:\(port)/handoff?schema=nowhere refused the connection"
            ),
            (
                "postgresql://handoff@127.0.0.1:\(port)/no_such_database", 66,
                "no database at postgresql://handoff@127.0.0.1:\(port)/no_such_database"
            ),
            (
                "postgresql://handoff@127.0.0.1:\(port)/handoff?schema=Bad-Name", 64,
                "schema=Bad-Name is not a schema name"
            ),
        ]
        for (store, status, message) in cases {
            let put = try HandoffProcess.run(
                ["put", "--from", "p", "--no-validate", "--store", store],
                stdin: Data(#"{"schema": "x-v1"}"#.utf8),
                directory: scratch.path)
            #expect(put.status == status, "\(store): \(put.stderr)")
            #expect(put.stderr.contains(message), "\(store): \(put.stderr)")
            #expect(!put.stderr.contains("wrong"), "the password is never shown")
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "nothing made here")
        #expect(!(try TestBackend.somethingIsAt(url + "?schema=nowhere")))
        // The right password, from the environment as from the URL.
        let store =
            url.replacingOccurrences(of: "handoff@", with: "handoff_password@") + "?schema=by_password"
        defer { TestBackend.remove(url + "?schema=by_password") }
        let created = try handoff(["init", "--store", store], environment: ["PGPASSWORD": "handoff-test"])
        #expect(created.status == 0, "\(created.stderr)")
    }

    /// A role granted only reading of a store's schema runs the commands that only read; a command that
    /// writes is refused with exit 74, naming what it may not do, and changes nothing.
    @Test func aRoleThatMayOnlyReadReadsAndCannotWrite() throws {
        let url = try #require(TestBackend.postgresURL)
        let schema = "read_only_\(getpid())"
        let store = url + "?schema=" + schema
        defer { TestBackend.remove(store) }
        let put = try handoff(
            ["put", "--from", "p", "--to", "c", "--no-validate", "--store", store],
            stdin: #"{"schema": "x-v1"}"#)
        try #require(put.status == 0, "\(put.stderr)")
        let id = put.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let role = "reader_\(getpid())"
        try TestBackend.execute(
            """
            DROP ROLE IF EXISTS \(role); CREATE ROLE \(role) LOGIN;
            GRANT USAGE ON SCHEMA \(schema) TO \(role); GRANT SELECT ON ALL TABLES IN SCHEMA \(schema) TO \(role)
            """, inDatabaseOf: url)
        defer { try? TestBackend.execute("DROP OWNED BY \(role); DROP ROLE \(role)", inDatabaseOf: url) }
        let reader = store.replacingOccurrences(of: "handoff@", with: "\(role)@")
        for arguments in [["ls"], ["inbox", "c"], ["get", id], ["show", id], ["stats"], ["verify"]] {
            let result = try handoff(arguments + ["--store", reader])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let refused = try handoff(
            ["put", "--from", "p", "--no-validate", "--store", reader], stdin: #"{"schema": "y-v1"}"#)
        #expect(refused.status == 74)
        #expect(refused.stderr.contains("permission denied"), "\(refused.stderr)")
        let claim = try handoff(["claim", "c", "--store", reader])
        #expect(claim.status == 74, "\(claim.stderr)")
        let stats = try #require(try handoff(["stats", "--json", "--store", store]).json() as? [String: Any])
        #expect(
            stats["artifacts"] as? Int == 1 && (stats["handoffs_by_state"] as? [String: Int])?["pending"] == 1
        )
    }

    /// Bots on two hosts, each in a network namespace of its own, connected over veth pairs to a PostgreSQL
    /// server in a third, drain one inbox together: every handoff done once, by workers of both hosts.
    @Test(.enabled(if: namespacesWork, "`ip netns` cannot make network namespaces here (it needs root)"))
    func botsOnTwoHostsShareOneInbox() throws {
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let (database, first, second) = ("hdb-\(suffix)", "hw1-\(suffix)", "hw2-\(suffix)")
        try #require(try HandoffProcess.shell("ip netns add \(database)").status == 0)
        defer {
            _ = try? HandoffProcess.shell(
                "ip netns del \(database); ip netns del \(first); ip netns del \(second)")
        }
        let setup = try HandoffProcess.shell(
            """
            set -e
            ip netns add \(first); ip netns add \(second)
            for ns in \(database) \(first) \(second); do ip -n $ns link set lo up; done
            ip link add v1-\(suffix) netns \(database) type veth peer name e1 netns \(first)
            ip link add v2-\(suffix) netns \(database) type veth peer name e2 netns \(second)
            ip -n \(database) addr add 10.77.1.1/24 dev v1-\(suffix); ip -n \(database) link set v1-\(suffix) up
            ip -n \(database) addr add 10.77.2.1/24 dev v2-\(suffix); ip -n \(database) link set v2-\(suffix) up
            ip -n \(first) addr add 10.77.1.2/24 dev e1; ip -n \(first) link set e1 up
            ip -n \(second) addr add 10.77.2.2/24 dev e2; ip -n \(second) link set e2 up
            2>&1
            """)
        try #require(setup.status == 0, "\(setup.stdout)")
        let cluster = try PrivateCluster(
            directory: scratch.path + "/cluster",
            environment: ["HANDOFF_PG_NETNS": database, "HANDOFF_PG_LISTEN": "10.77.1.1,10.77.2.1"])
        let port = try #require(URL(string: cluster.url)?.port)
        let stores = [
            first: "postgresql://handoff@10.77.1.1:\(port)/handoff?schema=hosts",
            second: "postgresql://handoff@10.77.2.1:\(port)/handoff?schema=hosts",
        ]
        func onHost(_ host: String, _ arguments: [String]) throws -> ChildProcess {
            try HandoffProcess.start(
                ["netns", "exec", host, HandoffProcess.executable.path] + arguments + [
                    "--store", stores[host]!,
                ],
                program: URL(fileURLWithPath: "/usr/sbin/ip")
            ).0
        }
        let count = 300
        let lines = (0..<count).map {
            #"{"schema": "tool-result-v1", "tool": "bird", "input": {"args": [\#($0)], "kwargs": {}}, "status": "success", "duration_ms": 5}"#
        }
        let file = scratch.write("hosts.jsonl", lines.joined(separator: "\n") + "\n")
        let importer = try onHost(first, ["import", file, "--from", "producer", "--to", "worker"])
        importer.waitUntilExit()
        try #require(importer.terminationStatus == 0)
        let log = scratch.path + "/executions.log"
        let workers = try [first, first, second, second].enumerated().map { index, host in
            try HandoffProcess.start(
                [
                    "netns", "exec", host, HandoffProcess.executable.path, "work", "worker", "--worker",
                    "\(host)-\(index)", "--store", stores[host]!, "--", "sh", "-c",
                    #"echo "$HANDOFF_ID" >> "$1"; sleep 0.01"#, "sh", log,
                ], program: URL(fileURLWithPath: "/usr/sbin/ip")
            ).0
        }
        for worker in workers { worker.waitUntilExit() }
        #expect(workers.allSatisfy { $0.terminationStatus == 0 })
        let executions = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(executions.count == count && Set(executions).count == count, "each done once")
        // Both hosts took part: each worker name appears in the handoffs' events.
        let events = try HandoffProcess.run(
            [
                "netns", "exec", first, HandoffProcess.executable.path, "ls", "--handoffs", "--state", "done",
                "--limit", "1000", "--json", "--store", stores[first]!,
            ], program: URL(fileURLWithPath: "/usr/sbin/ip"))
        let done = try #require((try events.json() as? [String: Any])?["handoffs"] as? [[String: Any]])
        #expect(done.count == count)
        let workersSeen = Set(
            done.compactMap { ($0["handoff"] as? [String: Any])?["worker"] as? String })
        #expect(workersSeen.contains { $0.hasPrefix(first) } && workersSeen.contains { $0.hasPrefix(second) })
    }
}

/// Reads one line (without its newline) from a pipe, waiting up to 30 s.
func readLine(_ handle: FileHandle) throws -> Data {
    var line = Data()
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline {
        let byte = handle.readData(ofLength: 1)
        guard let first = byte.first else { break }
        if first == UInt8(ascii: "\n") { return line }
        line.append(first)
    }
    throw CocoaError(.fileReadUnknown)
}

/// A GET over loopback with a plain socket, as a browser would send it: the status, the cookie set and the
/// body.
func httpGet(_ path: String, port: Int, cookie: String?) throws -> (
    status: Int, setCookie: String?, body: String
) {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw POSIXError(.EIO) }
    defer { close(descriptor) }
    var timeout = timeval(tv_sec: 30, tv_usec: 0)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
    if let cookie { request += "Cookie: \(cookie)\r\n" }
    request += "\r\n"
    _ = Array(request.utf8).withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = recv(descriptor, &buffer, buffer.count, 0)
        if count <= 0 { break }
        response += buffer[0..<count]
    }
    let text = String(decoding: response, as: UTF8.self)
    let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
    let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
    let setCookie = head.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("set-cookie:") }
        .map {
            String($0.dropFirst("set-cookie:".count).split(separator: ";")[0]).trimmingCharacters(
                in: .whitespaces)
        }
    return (status, setCookie, String(text.dropFirst(head.count)))
}
