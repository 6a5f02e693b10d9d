import HandoffJSON

/// What kind of step a work-log entry records: the ten levels of the work-log notes.
public enum LogLevel: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Normal operation.
    case info
    /// A reasoning step.
    case thinking
    /// A choice made.
    case decision
    /// A mistake noticed and fixed.
    case correction
    /// A step the bot is unsure of.
    case uncertainty
    /// A problem met, worked around.
    case warning
    /// A failure.
    case error
    /// A tool run.
    case tool
    /// Work handed from one bot to another.
    case handoff
    /// A coordinator's decision.
    case coordination

    public var description: String { rawValue }
}

/// What kind of workspace a session runs in, which sets how long its log is kept and who learns from it.
public enum WorkspaceType: String, Sendable, CaseIterable, CustomStringConvertible {
    /// A channel every bot is in, such as `#general`: casual, kept briefly.
    case open
    /// A focused team, such as `#project-refactor`.
    case project
    /// One bot and the user, such as `dm-researcher`.
    case direct
    /// A coordinator bot working on its own, such as `#coordination-website`.
    case coordination

    public var description: String { rawValue }
}

/// How a tool run ended.
public enum ToolStatus: String, Sendable, CaseIterable, CustomStringConvertible {
    case success
    case error
    case timeout

    public var description: String { rawValue }
}

/// One step of a work session: the multi-agent note's `WorkLogEntry`.
///
/// A bot fills in what it knows; `step` and `timestamp` are assigned when the entry is recorded (steps
/// count from 1 in the order entries are recorded; timestamps come from the store's clock).
///
/// ```swift
/// WorkLogEntry(level: .decision, category: "routing", message: "Classified as TIER_SIMPLE", confidence: 0.95)
/// ```
public struct WorkLogEntry: Sendable, Equatable {
    public var level: LogLevel
    /// What area the step belongs to: `memory`, `tool`, `routing`, `coordination`, `bot_conversation`, ….
    public var category: String
    /// What happened, for a person.
    public var message: String
    /// Structured context of the step.
    public var details: JSONObject
    /// How sure the bot was, 0 to 1.
    public var confidence: Double?
    /// How long the step took.
    public var durationMs: Int?

    public var toolName: String?
    public var toolInput: JSONObject?
    /// The tool's structured result; an object's `next_actions` become the work log's recommendations.
    public var toolOutput: JSONValue?
    public var toolStatus: ToolStatus?
    public var toolError: String?

    /// The bot that recorded the step; nil means the session's bot.
    public var botName: String?
    /// Its role: `coordinator`, `specialist`, `user-proxy`, ….
    public var botRole: String?
    /// Who set the step off: `user`, a bot, `@researcher`; nil means `user`.
    public var triggeredBy: String?
    /// Bots addressed, such as `@researcher`.
    public var mentions: [String]
    /// The step this one answers.
    public var responseTo: Int?
    /// Whether a coordinator was acting on its own.
    public var coordinatorMode: Bool
    /// Whether the step needs a decision from a person or another bot.
    public var escalation: Bool
    /// Whether what was learnt may be shared with other bots (the learning exchange).
    public var shareableInsight: Bool
    /// What kind of insight: `user_preference`, `tool_pattern`, `research_finding`, ….
    public var insightCategory: String?

    /// Whether the step went wrong: an `error` entry, or a tool run that failed or timed out. The one
    /// definition of an error that session counts, summaries and views share.
    public var isError: Bool { level == .error || toolStatus == .error || toolStatus == .timeout }

    /// The step number in its session, from 1; 0 until recorded.
    public var step: Int
    /// When it was recorded; nil until then.
    public var timestamp: Timestamp?

    public init(
        level: LogLevel, category: String = "general", message: String, details: JSONObject = [:],
        confidence: Double? = nil, durationMs: Int? = nil, toolName: String? = nil,
        toolInput: JSONObject? = nil, toolOutput: JSONValue? = nil, toolStatus: ToolStatus? = nil,
        toolError: String? = nil, botName: String? = nil, botRole: String? = nil, triggeredBy: String? = nil,
        mentions: [String] = [], responseTo: Int? = nil, coordinatorMode: Bool = false,
        escalation: Bool = false, shareableInsight: Bool = false, insightCategory: String? = nil
    ) {
        self.level = level
        self.category = category
        self.message = message
        self.details = details
        self.confidence = confidence
        self.durationMs = durationMs
        self.toolName = toolName
        self.toolInput = toolInput
        self.toolOutput = toolOutput
        self.toolStatus = toolStatus
        self.toolError = toolError
        self.botName = botName
        self.botRole = botRole
        self.triggeredBy = triggeredBy
        self.mentions = mentions
        self.responseTo = responseTo
        self.coordinatorMode = coordinatorMode
        self.escalation = escalation
        self.shareableInsight = shareableInsight
        self.insightCategory = insightCategory
        step = 0
        timestamp = nil
    }

    /// Whether the entry records a tool run (it names a tool).
    public var isToolEntry: Bool { toolName != nil }

    /// Whether it is bot-to-bot communication: set off by a bot (`@name`) or made in coordinator mode.
    public var isBotConversation: Bool {
        (triggeredBy?.hasPrefix("@") ?? false) || coordinatorMode
    }
}

/// The process that records a session, holding it under a lease it renews with each group commit: another
/// process cannot end the session, nor `gc` collect it, while the lease holds.
package struct SessionHolder: Sendable, Equatable {
    /// How long a lease lasts after it is taken or renewed: a recorder renews it well within that, so only a
    /// recorder that died lets it lapse.
    package static let leaseMilliseconds: Int64 = 60_000

    /// Identifies this holder's claim on the session.
    package let token: String
    /// Who holds it, for people: `handoff log record, pid 4242 on build-3`.
    package let description: String

    package init(description: String) {
        var generator = SystemRandomNumberGenerator()
        token = String(generator.next(), radix: 16) + String(generator.next(), radix: 16)
        self.description = description
    }
}

/// What a work session is about and where it runs; given when it starts.
public struct WorkSessionStart: Sendable, Equatable {
    /// The workspace, such as `#general`, `#project-refactor`, `dm-researcher`.
    public var workspace: String
    public var workspaceType: WorkspaceType
    /// The user's query or the bot trigger that started the session.
    public var query: String
    /// The bot recording the session.
    public var bot: String
    /// The bots present in the workspace.
    public var participants: [String]
    /// The coordinating bot, when a coordinator runs the session.
    public var coordinator: String?
    /// The workflow this session belongs to, grouping the artifacts of one multi-bot job.
    public var workflow: String?

    public init(
        workspace: String = "#general", workspaceType: WorkspaceType = .open, query: String, bot: String,
        participants: [String] = [], coordinator: String? = nil, workflow: String? = nil
    ) {
        self.workspace = workspace
        self.workspaceType = workspaceType
        self.query = query
        self.bot = bot
        self.participants = participants
        self.coordinator = coordinator
        self.workflow = workflow
    }
}

/// A work session as the store knows it: what it is about, how far it got, and what it produced.
public struct WorkSessionInfo: Sendable, Equatable {
    public let id: String
    public let start: WorkSessionStart
    public let startedAt: Timestamp
    /// When it ended; nil while it runs, or when its bot died before ending it.
    public let endedAt: Timestamp?
    /// When its last entry was recorded.
    public let lastEntryAt: Timestamp?
    /// Entries recorded.
    public let steps: Int
    /// Entries at level `error`.
    public let errors: Int
    /// Entries that escalated.
    public let escalations: Int
    /// The bots that recorded its entries, in order of first appearance.
    public let bots: [String]
    public let finalOutput: String?
    /// A person-readable summary given when it ended, such as an overnight report.
    public let summary: String?
    /// The raw record (`work-session-v1`), once ended.
    public let sessionArtifact: ArtifactID?
    /// The `work-log-v1` handed to the next bot, once ended.
    public let workLogArtifact: ArtifactID?
    /// Whether entries arrive one call at a time (`log add`) rather than from one recorder.
    public let stepwise: Bool

    /// Whether `bot` takes part in the session: it records it, coordinates it, is one of its participants, or
    /// recorded one of its entries. Those are the bots a server acting for one bot lets read it.
    public func involves(_ bot: String) -> Bool {
        start.bot == bot || start.coordinator == bot || start.participants.contains(bot) || bots.contains(bot)
    }

    package init(
        id: String, start: WorkSessionStart, startedAt: Timestamp, endedAt: Timestamp?,
        lastEntryAt: Timestamp?, steps: Int, errors: Int, escalations: Int, bots: [String],
        finalOutput: String?, summary: String?, sessionArtifact: ArtifactID?, workLogArtifact: ArtifactID?,
        stepwise: Bool
    ) {
        self.id = id
        self.start = start
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.lastEntryAt = lastEntryAt
        self.steps = steps
        self.errors = errors
        self.escalations = escalations
        self.bots = bots
        self.finalOutput = finalOutput
        self.summary = summary
        self.sessionArtifact = sessionArtifact
        self.workLogArtifact = workLogArtifact
        self.stepwise = stepwise
    }

    public var isEnded: Bool { endedAt != nil }
}

/// Which sessions to list. Unset fields match everything.
public struct WorkSessionFilter: Sendable, Hashable {
    public var workspace: String?
    /// Sessions this bot recorded entries in, or recorded.
    public var bot: String?
    public var workspaceType: WorkspaceType?
    /// Started at or after this moment.
    public var since: Timestamp?
    /// At most this many, newest first.
    public var limit: Int?
    /// How many matching sessions to skip first, to page through a long listing.
    public var offset: Int

    public init(
        workspace: String? = nil, bot: String? = nil, workspaceType: WorkspaceType? = nil,
        since: Timestamp? = nil, limit: Int? = nil, offset: Int = 0
    ) {
        self.workspace = workspace
        self.bot = bot
        self.workspaceType = workspaceType
        self.since = since
        self.limit = limit
        self.offset = offset
    }
}

/// One entry found by a full-text search, with where it was recorded.
public struct WorkLogSearchHit: Sendable, Equatable {
    public let session: String
    public let workspace: String
    public let workspaceType: WorkspaceType
    public let entry: WorkLogEntry
    /// How well it matches, higher first: the sum, over the question's words and phrases it holds, of the
    /// weights of the fields that hold them (`SearchTerms.fieldWeights`).
    public let score: Int

    package init(
        session: String, workspace: String, workspaceType: WorkspaceType, entry: WorkLogEntry, score: Int
    ) {
        self.session = session
        self.workspace = workspace
        self.workspaceType = workspaceType
        self.entry = entry
        self.score = score
    }
}

/// An insight queued for the learning exchange, and what became of it.
public struct Insight: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable, CustomStringConvertible {
        /// Waiting for approval.
        case pending
        /// Approved and handed to the bots it applies to.
        case approved
        /// Rejected; not shared.
        case rejected

        public var description: String { rawValue }
    }

    /// A time-ordered id (a ULID).
    public let id: String
    public let session: String
    public let step: Int
    /// The bot that learnt it.
    public let bot: String
    public let category: String
    public let confidence: Double?
    /// What was learnt: the entry's message.
    public let content: String
    public let workspace: String
    public let workspaceType: WorkspaceType
    /// The bots it is handed to once approved.
    public let appliesTo: [String]
    public let state: State
    /// When the entry that holds it was recorded.
    public let learntAt: Timestamp
    /// When its session ended and queued it.
    public let queuedAt: Timestamp
    public let decidedAt: Timestamp?
    public let note: String?
    /// The `insight-v1` artifact handed on, once approved.
    public let artifact: ArtifactID?

    package init(
        id: String, session: String, step: Int, bot: String, category: String, confidence: Double?,
        content: String, workspace: String, workspaceType: WorkspaceType, appliesTo: [String], state: State,
        queuedAt: Timestamp, learntAt: Timestamp, decidedAt: Timestamp?, note: String?, artifact: ArtifactID?
    ) {
        self.id = id
        self.session = session
        self.step = step
        self.bot = bot
        self.category = category
        self.confidence = confidence
        self.content = content
        self.workspace = workspace
        self.workspaceType = workspaceType
        self.appliesTo = appliesTo
        self.state = state
        self.queuedAt = queuedAt
        self.learntAt = learntAt
        self.decidedAt = decidedAt
        self.note = note
        self.artifact = artifact
    }
}

/// An escalation raised in a session, with the handoff that carries it to whoever must decide.
public struct Escalation: Sendable, Equatable {
    public let session: String
    public let step: Int
    public let workspace: String
    /// The bot that escalated.
    public let bot: String
    public let message: String
    /// The `escalation-v1` artifact.
    public let artifact: ArtifactID
    /// Its delivery to the decider; its state says whether a decision was made, its note what it was.
    public let handoff: Handoff

    package init(
        session: String, step: Int, workspace: String, bot: String, message: String, artifact: ArtifactID,
        handoff: Handoff
    ) {
        self.session = session
        self.step = step
        self.workspace = workspace
        self.bot = bot
        self.message = message
        self.artifact = artifact
        self.handoff = handoff
    }
}
