import Foundation
import HandoffJSON
import HandoffKit

/// The wall time of whole `handoff` processes, as bots that call the command line see it.
@MainActor
func benchProcesses(_ bench: Bench) throws {
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent()
        .appendingPathComponent("handoff").path
    guard FileManager.default.isExecutableFile(atPath: executable) else {
        if !bench.options.json {
            say(
                "\n(no handoff executable beside the benchmark: build it with -c release to time processes)")
        }
        return
    }
    bench.section("whole processes (\(executable))")
    let store = try bench.temporaryStore("processes")
    let input = store.path + "/input.json"
    precondition(
        FileManager.default.createFile(
            atPath: input, contents: Data(JSONWriter.encode(workLog(decisions: 3, seed: 7), options: .pretty))
        ))
    let stored = try store.put(workLog(decisions: 3, seed: 8), from: "bench")
    func time(_ arguments: [String]) throws -> Double {
        let runs = bench.count(100)
        var samples: [Double] = []
        for _ in 0..<runs {
            samples.append(
                try seconds {
                    let pid = try spawn(executable, arguments, stdout: "/dev/null")
                    var status: Int32 = 0
                    waitpid(pid, &status, 0)
                    precondition(
                        status == 0 || status == 2 << 8, "handoff \(arguments) failed with \(status)")
                } * 1000)
        }
        return median(samples)
    }
    bench.report("handoff --version", try time(["--version"]), "ms", "median")
    bench.report("handoff hash (2 KB)", try time(["hash", input]), "ms", "median")
    bench.report(
        "handoff put (2 KB)",
        try time(["put", input, "--from", "bench", "--to", "consumer", "--store", store.path]), "ms", "median"
    )
    bench.report(
        "handoff get", try time(["get", stored.id.description, "--store", store.path]), "ms", "median")
    bench.report("handoff inbox", try time(["inbox", "consumer", "--store", store.path]), "ms", "median")
    // Enough distinct handoffs that every timed claim finds one.
    let claimable = bench.count(100) + 10
    try store.put(
        (0..<claimable).map { n in
            PutRequest(
                document: workLog(decisions: 3, seed: 9), producer: "bench", consumers: ["claimer"],
                workflow: "run-\(n)")
        })
    bench.report("handoff claim", try time(["claim", "claimer", "--store", store.path]), "ms", "median")
}
