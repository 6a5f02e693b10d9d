import Foundation
import HandoffJSON
import HandoffKit
import HandoffSchema
import HandoffWorkLog
import MCP

/// What every tool call of one server shares.
final class ServerContext: Sendable {
    let store: Store
    let workLog: WorkLog
    let identity: Identity
    /// Sessions this server started, recorded with group commit; others take entries one call at a time.
    let recorders = Locked<[String: WorkLogRecorder]>([:])

    init(store: Store, workLog: WorkLog, identity: Identity) {
        self.store = store
        self.workLog = workLog
        self.identity = identity
    }
}

/// `handoff mcp`: a Handoff store served to an agent host over the Model Context Protocol, on standard
/// input and output: its operations as tools, its artifacts, inboxes, schemas and sessions as resources, and
/// a notification whenever a subscribed inbox changes, whichever process changed it.
///
/// `--as BOT` fixes the bot the server acts for: its puts are from BOT, its claims for BOT, its sessions
/// recorded by BOT, and it refuses to act on another bot's handoffs or sessions unless `--allow-any` is
/// given. This is a boundary between cooperating bots on one machine, not authentication: whoever can
/// start the server, or open the store, can act as anyone.
public enum HandoffMCPServer {
    /// How a server runs.
    public struct Configuration: Sendable {
        /// The store's directory; created when absent.
        public var storePath: String
        public var store: Store.Configuration
        /// The bot the server acts for, or nil to let every call name its bot.
        public var bot: String?
        /// Whether calls may act for other bots than `bot`.
        public var allowAny: Bool
        /// The longest JSON-RPC message accepted, in bytes.
        public var maxMessageBytes: Int
        /// How often subscribed inboxes are looked at for changes, in seconds.
        public var pollInterval: Double

        public init(
            storePath: String, store: Store.Configuration = .init(), bot: String? = nil,
            allowAny: Bool = false,
            maxMessageBytes: Int = MCPLimits.defaultMessageBytes, pollInterval: Double = 0.2
        ) {
            self.storePath = storePath
            self.store = store
            self.bot = bot
            self.allowAny = allowAny
            self.maxMessageBytes = maxMessageBytes
            self.pollInterval = pollInterval
        }
    }

    /// The server's name and version, as it introduces itself.
    public static let version = HandoffVersion.current

    /// Serves until standard input ends.
    /// - Throws: `HandoffError` when the store cannot be opened or the bot's name is not a name.
    public static func run(_ configuration: Configuration) async throws {
        if let bot = configuration.bot { try Store.checkName(bot, as: "bot") }
        let store = try Store.create(at: configuration.storePath, configuration: configuration.store)
        let context = ServerContext(
            store: store,
            workLog: try WorkLog(
                store: store, recorder: "handoff mcp" + (configuration.bot.map { " --as \($0)" } ?? "")),
            identity: Identity(bot: configuration.bot, allowAny: configuration.allowAny))
        var validators: [String: CompiledSchema] = [:]
        for tool in handoffTools {
            validators[tool.name] = try store.schemas.compile(
                tool.input, source: "the \(tool.name) tool's input schema")
        }
        let subscriptions = Subscriptions()
        let server = Server(
            name: "handoff", version: version, title: "Handoff",
            instructions: instructions(for: configuration),
            capabilities: .init(
                resources: .init(subscribe: true, listChanged: false), tools: .init(listChanged: false)))
        await register(on: server, context: context, validators: validators, subscriptions: subscriptions)
        let transport = LineTransport(limit: configuration.maxMessageBytes)
        await transport.onUndelivered { message in
            await giveBackUndeliveredClaim(message, store: store)
        }
        try await server.start(transport: transport)
        let watcher = Task {
            await subscriptions.watch(store: store, server: server, every: configuration.pollInterval)
        }
        await server.waitUntilCompleted()
        // The input ended: what was asked is still answered before the server goes, within what the longest
        // call could take (waiting out the store's busy timeout twice, with time to spare).
        await transport.drain(atMost: 60 + 2 * configuration.store.busyTimeout)
        watcher.cancel()
        // Entries of sessions left open are made durable; the sessions stay open, as a bot that stopped leaves
        // them, for any process to end.
        for recorder in context.recorders.withLock({ Array($0.values) }) { try? recorder.detach() }
        await server.stop()
    }

    /// A claim whose answer could not be written never reached the agent: it goes back to the inbox at once,
    /// and does not count as an attempt.
    private static func giveBackUndeliveredClaim(_ message: JSONObject, store: Store) async {
        guard let result = message["result"]?.objectValue?["structuredContent"]?.objectValue,
            result["claimed"] == .bool(true), let text = result["receipt"]?.stringValue,
            let receipt = try? Receipt(parsing: text)
        else { return }
        _ = try? await blocking { () throws(HandoffError) in
            try store.giveBack(
                receipt, reason: "handed back by MCP: the host went away before the claim reached it")
        }
    }

    private static func instructions(for configuration: Configuration) -> String {
        let identity =
            configuration.bot.map {
                "You act as the bot \($0): your puts are from \($0), your claims for \($0)."
            }
            ?? "Name the bot you act for in each call (from, consumer, bot)."
        return """
            Handoff is how bots hand structured work to each other. \(identity) To pick up work: inbox, then \
            claim (you get a receipt and the artifact), do it, then ack (or release to give it back). To hand work \
            on: put_artifact with `to`. Record your session as you go with start_session, log_entry and \
            end_session, so the next bot and people can see how you decided (explain, how).
            """
    }

    private static func register(
        on server: Server, context: ServerContext, validators: [String: CompiledSchema],
        subscriptions: Subscriptions
    ) async {
        let tools = handoffTools.map { tool in
            Tool(
                name: tool.name, description: tool.description, inputSchema: MCP.Value(json: tool.input),
                annotations: .init(readOnlyHint: tool.readOnly, openWorldHint: false))
        }
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
        await server.withMethodHandler(CallTool.self) { parameters in
            guard let tool = handoffTools.first(where: { $0.name == parameters.name }) else {
                throw MCPError.invalidParams(
                    "Unknown tool: \(parameters.name); the tools are \(handoffTools.map(\.name).joined(separator: ", "))"
                )
            }
            var arguments = JSONObject()
            for (key, value) in parameters.arguments ?? [:] { arguments[key] = JSONValue(value) }
            let result = validators[tool.name]!.validate(.object(arguments))
            guard result.isValid else {
                let problems = result.errors.map { "arguments\($0.instanceLocation): \($0.message)" }
                return failure(
                    HandoffError(
                        .usage, problems[0], hint: "see the \(tool.name) tool's input schema",
                        details: problems))
            }
            let call = ToolCall(arguments: arguments, context: context)
            do throws(HandoffError) {
                let value = try await blocking { () throws(HandoffError) in try tool.run(call) }
                // A call that asks for a format (explain as markdown, chain as mermaid) gets that view as the
                // content hosts show a person; any other gets the result's JSON there.
                let shown =
                    if arguments["format"] != nil, let text = value["text"]?.stringValue {
                        text
                    } else {
                        String(decoding: JSONWriter.encode(value), as: UTF8.self)
                    }
                return CallTool.Result(
                    content: [.text(text: shown, annotations: nil, _meta: nil)],
                    structuredContent: Optional(MCP.Value(json: structured(value))), isError: false)
            } catch {
                return failure(error)
            }
        }
        await server.withMethodHandler(ListResourceTemplates.self) { _ in
            ListResourceTemplates.Result(templates: [
                .init(
                    uriTemplate: "handoff://artifact/{id}", name: "artifact",
                    description: "A stored artifact's document (an id or a unique prefix of 8+ hex digits).",
                    mimeType: "application/json"),
                .init(
                    uriTemplate: "handoff://inbox/{consumer}", name: "inbox",
                    description: "The handoffs waiting for a bot; subscribe to hear when one arrives.",
                    mimeType: "application/json"),
                .init(
                    uriTemplate: "handoff://schema/{name}", name: "schema",
                    description: "A schema artifacts can declare, such as work-log-v1.",
                    mimeType: "application/json"),
                .init(
                    uriTemplate: "handoff://session/{id}", name: "session",
                    description: "A work session with every entry.", mimeType: "application/json"),
            ])
        }
        await server.withMethodHandler(ListResources.self) { _ in
            var resources: [Resource] = []
            if let bot = context.identity.bot {
                resources.append(
                    Resource(
                        name: "inbox of \(bot)", uri: "handoff://inbox/\(bot)",
                        description: "The handoffs waiting for \(bot).", mimeType: "application/json"))
            }
            for name in BuiltInSchemas.names {
                resources.append(
                    Resource(name: name, uri: "handoff://schema/\(name)", mimeType: "application/schema+json")
                )
            }
            return ListResources.Result(resources: resources)
        }
        await server.withMethodHandler(ReadResource.self) { parameters in
            let uri = parameters.uri
            do throws(HandoffError) {
                let value = try await blocking { () throws(HandoffError) in try read(uri, context: context) }
                return ReadResource.Result(contents: [
                    .text(
                        String(decoding: JSONWriter.encode(value), as: UTF8.self), uri: uri,
                        mimeType: "application/json")
                ])
            } catch {
                throw MCPError.invalidParams("\(error.message)\(error.hint.map { " (\($0))" } ?? "")")
            }
        }
        await server.withMethodHandler(ResourceSubscribe.self) { parameters in
            guard let consumer = inboxConsumer(parameters.uri) else {
                throw MCPError.invalidParams(
                    "only inboxes change: subscribe to handoff://inbox/{consumer}, not \(parameters.uri)")
            }
            let version = try? await blocking { () throws(HandoffError) in
                try context.store.inboxVersion(consumer)
            }
            await subscriptions.add(parameters.uri, consumer: consumer, version: version ?? "")
            return Empty()
        }
        await server.withMethodHandler(ResourceUnsubscribe.self) { parameters in
            await subscriptions.remove(parameters.uri)
            return Empty()
        }
    }

    /// How deep a tool's structured result may nest: the SDK passes results through Foundation's JSONDecoder,
    /// which refuses more than 512 levels, and the response's envelope takes a few.
    static let structuredDepth = 500

    /// A tool's result as its structured content: itself, unless a member nests deeper than the SDK can carry
    /// (a claimed artifact stored with `--max-depth 2048`, say). Such a member is null, and beside it
    /// `<member>_json` holds its canonical JSON text, with a note saying why; the text content carries the
    /// whole result either way.
    static func structured(_ value: JSONValue) -> JSONValue {
        guard value.nestingExceeds(structuredDepth), case .object(var object) = value else { return value }
        var moved: [String] = []
        for (key, member) in object where member.nestingExceeds(structuredDepth - 1) {
            object[key] = .null
            object[key + "_json"] = .string(String(decoding: CanonicalJSON.encode(member), as: UTF8.self))
            moved.append(key)
        }
        object["note"] = .string(
            "\(moved.joined(separator: ", ")) nests deeper than MCP's structured content carries (\(structuredDepth) levels): it is null here, and its JSON text is in \(moved.map { $0 + "_json" }.joined(separator: ", ")) and in the text content"
        )
        return .object(object)
    }

    /// A tool error, as the CLI would print it, with the error's JSON form as the structured result.
    private static func failure(_ error: HandoffError) -> CallTool.Result {
        var text = "handoff: \(error.message)"
        for detail in error.detailLines.prefix(20) { text += "\n  \(detail)" }
        if let hint = error.hint { text += "\n  hint: \(hint)" }
        return CallTool.Result(
            content: [.text(text: text, annotations: nil, _meta: nil)],
            structuredContent: Optional(MCP.Value(json: ["error": error.json])),
            isError: true)
    }

    private static func inboxConsumer(_ uri: String) -> String? {
        guard uri.hasPrefix("handoff://inbox/") else { return nil }
        let consumer = String(uri.dropFirst("handoff://inbox/".count))
        return (try? Store.checkName(consumer, as: "consumer")) == nil ? nil : consumer
    }

    /// A resource's content.
    private static func read(_ uri: String, context: ServerContext) throws(HandoffError) -> JSONValue {
        let prefixes = ["artifact", "inbox", "schema", "session"].map { ($0, "handoff://\($0)/") }
        guard let (kind, prefix) = prefixes.first(where: { uri.hasPrefix($0.1) }), uri.count > prefix.count
        else {
            throw HandoffError(
                .notFound, "no resource \(quotedForMessage(uri))",
                hint:
                    "resources are handoff://artifact/{id}, handoff://inbox/{consumer}, handoff://schema/{name}, handoff://session/{id}"
            )
        }
        let key = String(uri.dropFirst(prefix.count))
        let store = context.store
        switch kind {
        case "artifact": return try store.document(store.resolve(key))
        case "inbox":
            try context.identity.check(owner: key, "the inbox of \(key)")
            // The first page of what the inbox tool and `handoff inbox --json` list.
            let found = try store.inboxWithNextActions(
                key, filter: HandoffFilter(limit: Paging.fetchCount(Paging.DefaultLimit.handoffs)))
            return paged(
                "handoffs", found.map { $0.handoff.json(nextActions: $0.nextActions) },
                limit: Paging.DefaultLimit.handoffs, offset: 0,
                ["consumer": .string(key)])
        case "schema": return try store.schemas.document(named: key)
        default:
            let explained = try context.workLog.explain(.session(key))
            try context.identity.checkReader(of: explained.info)
            return WorkLogView.json(explained, mode: .debug)
        }
    }
}

/// Runs blocking store work on a thread of its own, so that a call waiting for the store's lock does not
/// hold one of the few threads Swift's concurrency runs on.
private func blocking<Result: Sendable>(_ work: @escaping @Sendable () throws(HandoffError) -> Result)
    async throws(HandoffError)
    -> Result
{
    let outcome: Swift.Result<Result, HandoffError> = await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            do throws(HandoffError) {
                continuation.resume(returning: .success(try work()))
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
    }
    return try outcome.get()
}

/// The inboxes a client subscribed to, and what each looked like when last seen.
actor Subscriptions {
    private var inboxes: [String: (consumer: String, version: String)] = [:]

    func add(_ uri: String, consumer: String, version: String) { inboxes[uri] = (consumer, version) }

    func remove(_ uri: String) { inboxes[uri] = nil }

    /// Looks at the subscribed inboxes every `interval` seconds, and notifies the client of each that changed
    /// since: another process may have put or claimed, so the store is what is watched, not this server.
    func watch(store: Store, server: Server, every interval: Double) async {
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: UInt64(max(0.01, interval) * 1e9))
            for (uri, subscription) in inboxes {
                guard let version = try? store.inboxVersion(subscription.consumer),
                    version != subscription.version
                else { continue }
                inboxes[uri]?.version = version
                try? await server.notify(ResourceUpdatedNotification.message(.init(uri: uri)))
            }
        }
    }
}
