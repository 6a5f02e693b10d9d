import HandoffJSON
import HandoffKit
import HandoffSchema
import HandoffWorkLog

/// One MCP tool: what a model reads about it, the JSON Schema its arguments must pass, and what it does.
struct ToolDefinition: Sendable {
    let name: String
    let description: String
    let input: JSONValue
    let readOnly: Bool
    let run: @Sendable (ToolCall) throws(HandoffError) -> JSONValue
}

/// The arguments of one call, checked against the tool's schema, and the server they run in.
struct ToolCall: Sendable {
    let arguments: JSONObject
    let context: ServerContext

    var store: Store { context.store }
    var workLog: WorkLog { context.workLog }

    func string(_ key: String) -> String? { arguments[key]?.stringValue }
    func number(_ key: String) -> Double? { arguments[key]?.numberValue }
    func int(_ key: String) -> Int? { arguments[key]?.intValue }
    func bool(_ key: String) -> Bool { arguments[key]?.boolValue ?? false }
    func strings(_ key: String) -> [String] { arguments[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
}

/// Who the server acts for: `--as BOT` fixes it, `--allow-any` lets calls name any bot.
struct Identity: Sendable {
    let bot: String?
    let allowAny: Bool

    /// The bot a call acts as, given the name it passed (if any) for `role`.
    func actingBot(_ given: String?, role: String) throws(HandoffError) -> String {
        switch (bot, given) {
        case (let bot?, nil): return bot
        case (let bot?, let given?) where given == bot || allowAny: return given
        case (let bot?, let given?):
            throw HandoffError(
                .usage, "this server acts for \(bot); it cannot act as \(role) \(quotedForMessage(given))",
                hint: "leave \(role) out, or start the server with --allow-any")
        case (nil, let given?): return given
        case (nil, nil):
            throw HandoffError(
                .usage, "name the \(role): this server was started without --as",
                hint: "pass \(role), or start the server with --as BOT")
        }
    }

    /// The bot whose view of the store calls are limited to, or nil when they may read everything.
    var reader: String? { allowAny ? nil : bot }

    /// Refuses to show a session this server's bot takes no part in, unless any bot may be acted for.
    func checkReader(of session: WorkSessionInfo) throws(HandoffError) {
        guard let reader, !session.involves(reader) else { return }
        throw HandoffError(
            .usage, "work session \(session.id) is \(session.start.bot)'s; this server acts for \(reader)",
            hint: "start the server with --as \(session.start.bot), or with --allow-any")
    }

    /// Refuses to touch what belongs to another bot, unless any bot may be acted for.
    func check(owner: String, _ what: String) throws(HandoffError) {
        guard let bot, !allowAny, owner != bot else { return }
        throw HandoffError(
            .usage, "\(what) belongs to \(owner); this server acts for \(bot)",
            hint: "start the server with --as \(owner), or with --allow-any")
    }
}

// MARK: Schemas

private let name: JSONValue = [
    "type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[A-Za-z0-9_.:@#/+-]+$",
]
private let artifactReference: JSONValue = [
    "type": "string", "minLength": 8, "maxLength": 64,
    "description": "An artifact id (xxh128:…) or a unique prefix of at least 8 hex digits.",
]
private let receipt: JSONValue = [
    "type": "string", "maxLength": 128,
    "description": "The receipt `claim` returned: <handoff id>.<attempt>.<token>.",
]

private func object(_ properties: JSONObject, required: [String] = []) -> JSONValue {
    [
        "type": "object", "properties": .object(properties),
        "required": .array(required.map(JSONValue.string)),
        "additionalProperties": false,
    ]
}

private func list(_ items: JSONValue, _ description: String) -> JSONValue {
    ["type": "array", "items": items, "description": .string(description)]
}

private func described(_ schema: JSONValue, _ description: String) -> JSONValue {
    guard case .object(var object) = schema else { return schema }
    object["description"] = .string(description)
    return .object(object)
}

/// The `limit` argument of a listing, whose default is the command line's for the same listing.
private func limit(default value: Int) -> JSONValue {
    [
        "type": "integer", "minimum": 1, "maximum": 1000,
        "description": .string("At most this many (default \(value))."),
    ]
}

private let offset: JSONValue = [
    // The largest integer a JSON number holds exactly.
    "type": "integer", "minimum": 0, "maximum": 9_007_199_254_740_991,
    "description": "Skip this many first: a listing's next_offset, to continue where it was cut.",
]

/// A listing as the command line pages it: up to `limit` of `found` (fetched from `offset`, one more than
/// `limit` when there are more), `truncated`, and the `offset` that continues it as `next_offset`.
func paged(_ key: String, _ found: [JSONValue], limit: Int, offset: Int, _ more: JSONObject = [:])
    -> JSONValue
{
    Paging.json(key, found, limit: limit, offset: offset, more)
}

/// The properties of a work-log entry, as the published `work-log-entry-v1` schema has them.
private let entryProperties: JSONObject = {
    guard let schema = BuiltInSchemas.document(named: "work-log-entry-v1"),
        case .object(var properties) = schema["properties"]
    else { preconditionFailure("work-log-entry-v1 is built in") }
    for ignored in ["schema", "step", "timestamp", "workspace_id", "workspace_type", "participants"] {
        properties[ignored] = nil
    }
    // The entry schema's $refs point into its own $defs; inline them for a tool schema that stands alone.
    let definitions = schema["$defs"]?.objectValue ?? [:]
    func inline(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            if let reference = object["$ref"]?.stringValue, reference.hasPrefix("#/$defs/"),
                let target = definitions[String(reference.dropFirst(8))]
            {
                return inline(target)
            }
            return .object(JSONObject(object.map { (key: $0.key, value: inline($0.value)) }))
        case .array(let elements): return .array(elements.map(inline))
        default: return value
        }
    }
    return inline(.object(properties)).objectValue!
}()

// MARK: Tools

/// Every tool the server offers.
let handoffTools: [ToolDefinition] = [
    ToolDefinition(
        name: "put_artifact",
        description: """
            Store a JSON artifact and hand it to other bots. Use it when you finish a step and another bot should \
            pick up your result. The document must be an object whose "schema" names its schema and major version \
            (such as "tool-result-v1"; list_schemas lists them) and be valid against it. Returns the artifact's id \
            (the same content always gets the same id) and the handoffs created, one per consumer in `to`.
            """,
        input: object(
            [
                "document": ["type": "object", "description": "The artifact, with a top-level \"schema\"."],
                "to": list(name, "Consumers to hand it to."),
                "parents": list(artifactReference, "Artifacts this one was derived from."),
                "workflow": described(name, "The workflow it belongs to."),
                "workspace": described(name, "The workspace it happens in, such as #general."),
                "from": described(
                    name,
                    "The producing bot; only when the server was started without --as, or with --allow-any."),
            ], required: ["document"]), readOnly: false
    ) { call throws(HandoffError) in
        let producer = try call.context.identity.actingBot(call.string("from"), role: "from")
        let parents = try call.strings("parents").map { text throws(HandoffError) in
            try call.store.resolve(text)
        }
        let request = PutRequest(
            document: call.arguments["document"]!, producer: producer, consumers: call.strings("to"),
            workflow: call.string("workflow"), workspace: call.string("workspace"), parents: parents,
            source: "the document")
        return try call.store.put([request])[0].json
    },
    ToolDefinition(
        name: "validate_artifact",
        description: """
            Check a JSON document against the schema it declares in its "schema" field (or the schema you name), \
            without storing anything. Use it before put_artifact when you are unsure of a document's shape. Returns \
            whether it is valid and, if not, every error with the JSON Pointer where it is.
            """,
        input: object(
            [
                "document": ["type": "object", "description": "The document to check."],
                "schema": described(
                    name, "A schema to check against instead of the declared one, such as tool-result-v1."),
            ], required: ["document"]), readOnly: true
    ) { call throws(HandoffError) in
        let document = call.arguments["document"]!
        let name: String
        let result: ValidationResult
        if let schema = call.string("schema") {
            name = schema
            result = try call.store.schemas.compiled(named: schema).validate(document)
        } else {
            (name, result) = try call.store.schemas.validate(document, source: "the document")
        }
        return [
            "valid": .bool(result.isValid), "schema": .string(name),
            "errors": .array(result.errors.map(\.json)),
        ]
    },
    ToolDefinition(
        name: "get_artifact",
        description: """
            Read a stored artifact by id (or a unique prefix of 8+ hex digits): its document, re-hashed before it is \
            returned, what the store knows of it, and its next actions.
            """,
        input: object(["id": artifactReference], required: ["id"]), readOnly: true
    ) { call throws(HandoffError) in
        let id = try call.store.resolve(call.string("id")!)
        return [
            "artifact": try call.store.artifact(id).json, "document": try call.store.document(id),
            "next_actions": .array(try call.store.nextActions(of: id).map(\.json)),
        ]
    },
    ToolDefinition(
        name: "inbox",
        description: """
            List the handoffs waiting for a bot, oldest first (pending unless `state` says otherwise), each with \
            its producer, schema, artifact id and the artifact's next actions. Use it to see what work is waiting \
            before you claim; when `truncated`, call again with `offset` set to `next_offset`.
            """,
        input: object(
            [
                "consumer": described(name, "Whose inbox; defaults to the bot this server acts for."),
                "state": list(
                    ["enum": .array(Handoff.State.allCases.map { .string($0.rawValue) })],
                    "Only these states."),
                "schema": described(name, "Only artifacts of this schema."),
                "limit": limit(default: Paging.DefaultLimit.handoffs), "offset": offset,
            ]), readOnly: true
    ) { call throws(HandoffError) in
        let consumer = try call.context.identity.actingBot(call.string("consumer"), role: "consumer")
        let states = call.strings("state").compactMap(Handoff.State.init(rawValue:))
        let (limit, offset) = (call.int("limit") ?? Paging.DefaultLimit.handoffs, call.int("offset") ?? 0)
        let found = try call.store.inboxWithNextActions(
            consumer,
            filter: HandoffFilter(
                states: states.isEmpty ? nil : states, schema: call.string("schema"),
                limit: Paging.fetchCount(limit),
                offset: offset))
        return paged(
            "handoffs",
            found.map { $0.handoff.json(nextActions: $0.nextActions) },
            limit: limit, offset: offset, ["consumer": .string(consumer)])
    },
    ToolDefinition(
        name: "claim",
        description: """
            Take the oldest handoff waiting for this bot and hold it under a lease, so no other worker gets it. \
            Returns the handoff, a receipt (needed by ack, release and extend), the artifact's document and its \
            next actions; or claimed: false when the inbox is empty. Finish with ack; give it back with release.
            """,
        input: object(
            [
                "consumer": described(name, "Who claims; defaults to the bot this server acts for."),
                "lease_seconds": [
                    "type": "number", "exclusiveMinimum": 0, "maximum": 31_536_000,
                    "description": .string(
                        "How long the claim holds (default \(Int(Store.defaultLeaseSeconds))."),
                ],
                "schema": described(name, "Only artifacts of this schema."),
                "workspace": described(name, "Only handoffs in this workspace."),
                "worker": described(
                    name, "Who is working on it, recorded on the handoff and its events; defaults to the bot."
                ),
            ]), readOnly: false
    ) { call throws(HandoffError) in
        let consumer = try call.context.identity.actingBot(call.string("consumer"), role: "consumer")
        guard
            let claim = try call.store.claim(
                for: consumer, leaseSeconds: call.number("lease_seconds") ?? Store.defaultLeaseSeconds,
                worker: call.string("worker") ?? consumer, schema: call.string("schema"),
                workspace: call.string("workspace"))
        else { return ["claimed": false, "consumer": .string(consumer)] }
        do throws(HandoffError) {
            let document = try call.store.document(claim.handoff.artifactID)
            let actions = try call.store.nextActions(of: claim.handoff.artifactID)
            guard case .object(var result) = claim.json(document: document, nextActions: actions) else {
                return .null
            }
            result["claimed"] = true
            return .object(result)
        } catch {
            // Nobody could ack a claim whose document cannot be returned: give it back at once.
            _ = try? call.store.giveBack(claim.receipt, reason: "handed back by claim: \(error.message)")
            throw error
        }
    },
    ToolDefinition(
        name: "ack",
        description: """
            Finish a claimed handoff: done (you did the work), blocked (you could not proceed) or rejected (it \
            was the wrong thing). Fails with a conflict when the receipt no longer holds (the lease expired and \
            someone else claimed it, or it was already acked). With hand_on, what the step produced is stored \
            (derived from the claimed artifact) and handed on in the same transaction as the ack: all of it and \
            the ack, or nothing.
            """,
        input: object(
            [
                "receipt": receipt,
                "outcome": [
                    "enum": ["done", "blocked", "rejected"],
                    "description": .string("Default \(Store.defaultOutcome.rawValue)."),
                ],
                "note": ["type": "string", "maxLength": 4096, "description": "What you did or decided."],
                "hand_on": [
                    "type": "array", "maxItems": 100,
                    "description":
                        "Results of the step, each handed on with the ack (outcome done); from this bot, in the claimed handoff's workflow and workspace unless given.",
                    "items": object(
                        [
                            "document": [
                                "type": "object", "description": "The artifact, with a top-level \"schema\".",
                            ],
                            "to": list(name, "Consumers to hand it to."),
                            "workflow": described(name, "Its workflow."),
                            "workspace": described(name, "Its workspace."),
                        ], required: ["document"]),
                ],
            ], required: ["receipt"]), readOnly: false
    ) { call throws(HandoffError) in
        let receipt = try ownReceipt(call)
        let outcome = call.string("outcome").flatMap(Outcome.init(rawValue:)) ?? Store.defaultOutcome
        let handOn = call.arguments["hand_on"]?.arrayValue ?? []
        guard !handOn.isEmpty else {
            return [
                "handoff": try call.store.ack(receipt, outcome: outcome, note: call.string("note")).json,
                "handed_on": [],
            ]
        }
        guard outcome == .done else {
            throw HandoffError(
                .usage, "hand_on hands on what a finished step produced: it goes with outcome done only")
        }
        let claimed = try call.store.handoff(id: receipt.handoffID)
        let requests = handOn.enumerated().map { index, item in
            PutRequest(
                document: item["document"] ?? .null, producer: claimed.consumer,
                consumers: item["to"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                workflow: item["workflow"]?.stringValue ?? claimed.workflow,
                workspace: item["workspace"]?.stringValue ?? claimed.workspace, source: "hand_on[\(index)]")
        }
        let (handoff, handedOn) = try call.store.ack(receipt, handingOn: requests, note: call.string("note"))
        return ["handoff": handoff.json, "handed_on": .array(handedOn.map(\.json))]
    },
    ToolDefinition(
        name: "release",
        description: """
            Give a claimed handoff back to the inbox without finishing it, claimable again after delay_seconds. Use \
            it when you cannot do the work now but someone (or you, later) should.
            """,
        input: object(
            [
                "receipt": receipt,
                "delay_seconds": ["type": "number", "minimum": 0, "maximum": 31_536_000],
                "note": ["type": "string", "maxLength": 4096],
            ], required: ["receipt"]), readOnly: false
    ) { call throws(HandoffError) in
        let receipt = try ownReceipt(call)
        return [
            "handoff": try call.store.release(
                receipt, delaySeconds: call.number("delay_seconds") ?? 0, note: call.string("note")
            ).json
        ]
    },
    ToolDefinition(
        name: "extend",
        description:
            "Keep a claim alive: its lease now ends lease_seconds from now. Use it during long work.",
        input: object(
            [
                "receipt": receipt,
                "lease_seconds": ["type": "number", "exclusiveMinimum": 0, "maximum": 31_536_000],
            ],
            required: ["receipt", "lease_seconds"]), readOnly: false
    ) { call throws(HandoffError) in
        let receipt = try ownReceipt(call)
        return ["handoff": try call.store.extend(receipt, leaseSeconds: call.number("lease_seconds")!).json]
    },
    ToolDefinition(
        name: "route",
        description: """
            Hand an artifact on to another bot: a handoff you received (finished as routed, with a note saying \
            where it went; pass the receipt alone if you hold its claim), or any stored artifact. Use it when the work \
            belongs to someone else.
            """,
        input: object(
            [
                "to": described(name, "The new consumer."),
                "handoff": ["type": "string", "maxLength": 64, "description": "A handoff id to route on."],
                "artifact": artifactReference, "note": ["type": "string", "maxLength": 4096],
                "receipt": receipt,
                "from": described(name, "Who hands an artifact on; only without --as, or with --allow-any."),
            ], required: ["to"]), readOnly: false
    ) { call throws(HandoffError) in
        let receipt = try call.string("receipt").map { text throws(HandoffError) in try Receipt(parsing: text)
        }
        // A receipt names its handoff, so a bot holding a claim need not repeat it.
        let handoffID = call.string("handoff") ?? receipt?.handoffID
        let artifact = try call.string("artifact").map { text throws(HandoffError) in
            try call.store.resolve(text)
        }
        guard handoffID != nil || artifact != nil else {
            throw HandoffError(
                .usage, "route needs a handoff (or the receipt of one you hold) or an artifact")
        }
        if let handoffID {
            try call.context.identity.check(
                owner: try call.store.handoff(id: handoffID).consumer, "handoff \(handoffID)")
        }
        let producer =
            handoffID == nil ? try call.context.identity.actingBot(call.string("from"), role: "from") : nil
        let routed = try call.store.route(
            handoffID: handoffID, artifact: artifact, to: call.string("to")!, from: producer,
            note: call.string("note"), receipt: receipt)
        return ["handoff": routed.json]
    },
    ToolDefinition(
        name: "next_actions",
        description: """
            The actions an artifact recommends to whoever reads it next (from the places its schema declares), \
            plus inferred ones: review_errors when something failed, verify_low_confidence_decisions when a \
            decision's confidence is below 0.7. Each comes with the JSON Pointer it was found at.
            """,
        input: object(["id": artifactReference], required: ["id"]), readOnly: true
    ) { call throws(HandoffError) in
        let id = try call.store.resolve(call.string("id")!)
        return NextAction.json(of: id, try call.store.nextActions(of: id))
    },
    ToolDefinition(
        name: "chain",
        description: """
            Where an artifact came from and what came of it: the artifacts it was derived from and those derived \
            from it, with every handoff between them. A work log leads to its session's full record this way.
            """,
        input: object(
            [
                "id": artifactReference, "depth": ["type": "integer", "minimum": 0, "maximum": 100],
                "format": [
                    "enum": .array(ChainView.Format.allCases.map { .string($0.rawValue) }),
                    "description":
                        "json (the default): nodes and edges; text, dot or mermaid: that drawing as the text content, and in `text`.",
                ],
            ],
            required: ["id"]),
        readOnly: true
    ) { call throws(HandoffError) in
        let chain = try call.store.chain(
            of: call.store.resolve(call.string("id")!), depth: call.int("depth") ?? 10)
        guard case .object(var result) = chain.json else { return .null }
        switch call.string("format").flatMap(ChainView.Format.init(rawValue:)) ?? .json {
        case .json: return .object(result)
        case .text: result["text"] = .string(ChainView.text(chain))
        case .dot: result["text"] = .string(ChainView.dot(chain))
        case .mermaid: result["text"] = .string(ChainView.mermaid(chain))
        }
        return .object(result)
    },
    ToolDefinition(
        name: "list_schemas",
        description:
            "The schemas artifacts may declare: the built-in ones (tool-result-v1, work-log-v1, …) and the store's own.",
        input: object(["limit": limit(default: Paging.DefaultLimit.schemas), "offset": offset]),
        readOnly: true
    ) { call throws(HandoffError) in
        let (limit, offset) = (call.int("limit") ?? Paging.DefaultLimit.schemas, call.int("offset") ?? 0)
        return paged(
            "schemas",
            try call.store.schemas.list().dropFirst(offset).prefix(Paging.fetchCount(limit)).map(\.json),
            limit: limit, offset: offset)
    },
    ToolDefinition(
        name: "get_schema",
        description:
            "The JSON Schema document of one schema, such as work-log-v1: read it to build a valid artifact.",
        input: object(["name": name], required: ["name"]), readOnly: true
    ) { call throws(HandoffError) in
        try call.store.schemas.document(named: call.string("name")!)
    },
    ToolDefinition(
        name: "start_session",
        description: """
            Start a work log for your session: record each step with log_entry (what you thought, decided, \
            corrected, which tools you ran, how sure you were), then end_session. People and the next bot read it \
            with explain. Returns the session, whose id log_entry and end_session take.
            """,
        input: object(
            [
                "query": [
                    "type": "string", "description": "The request or trigger that started the session.",
                ],
                "workspace": described(
                    name, "Such as #general, #project-refactor, dm-researcher (default #general)."),
                "workspace_type": [
                    "enum": ["open", "project", "direct", "coordination"], "description": "Default open.",
                ],
                "participants": list(name, "The bots present in the workspace."),
                "coordinator": described(name, "The coordinating bot, if any."),
                "workflow": described(name, "The workflow the session belongs to."),
                "bot": described(name, "The recording bot; only without --as, or with --allow-any."),
            ], required: ["query"]), readOnly: false
    ) { call throws(HandoffError) in
        let bot = try call.context.identity.actingBot(call.string("bot"), role: "bot")
        let start = WorkSessionStart(
            workspace: call.string("workspace") ?? "#general",
            workspaceType: call.string("workspace_type").flatMap(WorkspaceType.init(rawValue:)) ?? .open,
            query: call.string("query")!, bot: bot, participants: call.strings("participants"),
            coordinator: call.string("coordinator"), workflow: call.string("workflow"))
        guard let recorder = try call.workLog.start(start) else {
            throw HandoffError(.usage, "work logs are disabled in this store")
        }
        call.context.recorders.withLock { $0[recorder.id] = recorder }
        return ["session": recorder.session.json]
    },
    ToolDefinition(
        name: "log_entry",
        description: """
            Record one step of a session: level (info, thinking, decision, correction, uncertainty, warning, \
            error, tool, handoff, coordination), category, message, and what else applies: confidence (0-1), \
            details, the tool you ran with its input, output, status and error, bots you mention, the step you \
            answer, escalation: true when a person or another bot must decide (it goes to their inbox). Secrets \
            are masked before anything is stored. Returns the entry with its step number.
            """,
        input: {
            var properties = entryProperties
            properties["session"] = [
                "type": "string", "maxLength": 128, "description": "The session start_session returned.",
            ]
            return [
                "type": "object", "properties": .object(properties), "required": ["session"],
                "additionalProperties": false,
            ]
        }(), readOnly: false
    ) { call throws(HandoffError) in
        let id = call.string("session")!
        var entry = call.arguments
        entry["session"] = nil
        let recorded: WorkLogEntry?
        if let recorder = call.context.recorders.withLock({ $0[id] }) {
            recorded = try recorder.record(json: .object(entry))
        } else {
            let session = try call.workLog.session(id)
            try call.context.identity.check(owner: session.start.bot, "work session \(id)")
            recorded = try call.workLog.add(
                try call.workLog.entry(fromJSON: .object(entry), for: session.start), toSession: id)
        }
        // What the store keeps, secrets masked, rather than what was sent.
        let kept =
            call.workLog.configuration.masker.map { masker in recorded?.masked(by: masker) } ?? recorded
        return ["session": .string(id), "entry": kept?.recordJSON ?? .null, "kept": .bool(recorded != nil)]
    },
    ToolDefinition(
        name: "end_session",
        description: """
            End a session: its full record is stored, and the work-log-v1 artifact the next bot reads (every tool \
            run as a decision, totals, recommended next actions) is handed to each bot in `to`. With `receipt`, \
            the claimed handoff the session worked on is finished as done in the same transaction. Returns the \
            work log's id and its recommendations.
            """,
        input: object(
            [
                "session": ["type": "string", "maxLength": 128], "final_output": ["type": "string"],
                "summary": [
                    "type": "string", "description": "A summary for people, such as an overnight report.",
                ],
                "to": list(name, "Bots to hand the work log to."),
                "next_actions": list(
                    ["type": "string", "pattern": "^[a-z][a-z0-9_]*$", "maxLength": 64],
                    "Actions to recommend explicitly."),
                "receipt": receipt,
            ], required: ["session"]), readOnly: false
    ) { call throws(HandoffError) in
        let id = call.string("session")!
        let ended: WorkSessionEnd
        let receipt = call.string("receipt") == nil ? nil : try ownReceipt(call)
        if let recorder = call.context.recorders.withLock({ $0[id] }) {
            ended = try recorder.end(
                finalOutput: call.string("final_output"), summary: call.string("summary"),
                to: call.strings("to"),
                nextActions: call.strings("next_actions"), receipt: receipt)
            call.context.recorders.withLock { $0[id] = nil }
        } else {
            try call.context.identity.check(
                owner: try call.workLog.session(id).start.bot, "work session \(id)")
            ended = try call.workLog.end(
                session: id, finalOutput: call.string("final_output"), summary: call.string("summary"),
                to: call.strings("to"), nextActions: call.strings("next_actions"), receipt: receipt)
        }
        return ended.json
    },
    ToolDefinition(
        name: "explain",
        description: """
            How a session went, as people read it: the answer, key decisions and tools, errors, low-confidence \
            steps, escalations waiting for a decision, insights (mode summary); every entry (detailed, debug); or \
            the bots' conversation (coordination). Names the session, an artifact behind it (a work log someone \
            handed you), or, with neither, the latest session (in `workspace`, of `bot`).
            """,
        input: object(
            [
                "session": ["type": "string", "maxLength": 128], "artifact": artifactReference,
                "workspace": described(name, "The latest session in this workspace."),
                "bot": described(name, "Only this bot's entries."),
                "mode": ["enum": ["summary", "detailed", "debug", "coordination"]],
                "format": [
                    "enum": ["text", "markdown"],
                    "description":
                        "The view as text (default) or Markdown, in `text`; when given, it is also the text content hosts show.",
                ],
            ]), readOnly: true
    ) { call throws(HandoffError) in
        // The latest session this server's bot takes part in, when it reads only its own.
        let target = try ExplainTarget.named(
            session: call.string("session"), id: call.string("artifact"), workspace: call.string("workspace"),
            bot: call.context.identity.reader ?? call.string("bot"), in: call.workLog)
        let explained = try call.workLog.explain(target, bot: call.string("bot"))
        try call.context.identity.checkReader(of: explained.info)
        let mode = call.string("mode").flatMap(WorkLogView.Mode.init(rawValue:)) ?? .summary
        let threshold = call.workLog.configuration.confidenceThreshold
        guard case .object(var view) = WorkLogView.json(explained, mode: mode, confidenceThreshold: threshold)
        else {
            return .null
        }
        view["text"] = .string(
            call.string("format") == "markdown"
                ? WorkLogView.markdown(explained, confidenceThreshold: threshold)
                : WorkLogView.text(explained, mode: mode, confidenceThreshold: threshold))
        return .object(view)
    },
    ToolDefinition(
        name: "how",
        description: """
            Search every recorded work-log entry, of every session, for a question or keywords ("why did you \
            escalate", "rate limit"): the best matches with their workspace, session, bot and step.
            """,
        input: object(
            [
                "question": ["type": "string", "minLength": 1, "maxLength": 1000],
                "workspace": described(name, "Only this workspace."),
                "bot": described(name, "Only this bot's entries."),
                "limit": limit(default: Paging.DefaultLimit.searchHits), "offset": offset,
            ], required: ["question"]), readOnly: true
    ) { call throws(HandoffError) in
        let (limit, offset) = (call.int("limit") ?? Paging.DefaultLimit.searchHits, call.int("offset") ?? 0)
        let hits = try call.workLog.search(
            call.string("question")!, workspace: call.string("workspace"), bot: call.string("bot"),
            reader: call.context.identity.reader, limit: Paging.fetchCount(limit), offset: offset)
        return paged(
            "hits", hits.map(\.json), limit: limit, offset: offset,
            ["question": .string(call.string("question")!)])
    },
    ToolDefinition(
        name: "escalations",
        description: """
            Escalations waiting for a decision (or all of them): what a bot could not decide alone, who must \
            decide, and the handoff that carries it (claim it, decide, then ack with a note saying what).
            """,
        input: object(
            [
                "all": ["type": "boolean", "description": "Decided ones too."],
                "limit": limit(default: Paging.DefaultLimit.escalations),
                "offset": offset,
            ]),
        readOnly: true
    ) { call throws(HandoffError) in
        let (limit, offset) = (call.int("limit") ?? Paging.DefaultLimit.escalations, call.int("offset") ?? 0)
        let found = try call.workLog.escalations(
            all: call.bool("all"), limit: Paging.fetchCount(limit), offset: offset)
        return paged("escalations", found.map(\.json), limit: limit, offset: offset)
    },
]

/// A receipt argument, refused when its handoff belongs to a bot the server does not act for.
private func ownReceipt(_ call: ToolCall) throws(HandoffError) -> Receipt {
    let receipt = try Receipt(parsing: call.string("receipt")!)
    if let handoff = try? call.store.handoff(id: receipt.handoffID) {
        try call.context.identity.check(owner: handoff.consumer, "handoff \(handoff.id)")
    }
    return receipt
}
