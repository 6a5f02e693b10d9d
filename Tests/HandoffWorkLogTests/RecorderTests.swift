import HandoffJSON
import HandoffKit
import HandoffTesting
import HandoffWorkLog
import Testing

struct RecorderTests {
    @Test func exampleAWeather() throws {
        let temporary = try TemporaryStore()
        let workLog = try WorkLog(store: temporary.store)
        let session = try #require(
            try workLog.start(
                WorkSessionStart(
                    workspace: "#general", workspaceType: .open, query: "What's the weather like?",
                    bot: "nanobot",
                    participants: ["nanobot", "researcher", "coder", "social"])))
        try session.add(
            .info, category: "routing", message: "Simple query - classified as TIER_SIMPLE", confidence: 0.95)
        let tool = try #require(
            try session.record(
                WorkLogEntry(
                    level: .decision, category: "tool", message: "Calling weather API",
                    toolName: "weather_lookup", toolInput: ["location": "auto-detect"],
                    toolOutput: ["temp": 72, "condition": "sunny"], toolStatus: .success)))
        #expect(tool.step == 2)
        try session.add(.info, category: "general", message: "Response delivered to user")
        let ended = try session.end(finalOutput: "It's 72°F and sunny!", to: ["action_suggester"])
        #expect(ended.workLog.handoffs.map(\.consumer) == ["action_suggester"])
        let document = try temporary.store.document(ended.workLog.id)
        #expect(document["summary"]?["total_steps"] == 3)
        #expect(document["decisions"]?[0]?["tool"] == "weather_lookup")
        #expect(try temporary.store.parents(of: ended.workLog.id).map(\.id) == [ended.record])
        let record = try temporary.store.document(ended.record)
        #expect(record["entries"]?.arrayValue?.count == 3)
    }
}
