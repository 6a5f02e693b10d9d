import HandoffJSON
import HandoffKit

/// How a store's work logs behave: the work-log notes' configuration, kept per store (`handoff config`).
///
/// Its JSON form, under `work_logs` in `handoff config show`, uses the notes' names:
///
/// ```json
/// {"enabled": true, "log_levels": ["info", …], "categories": null, "info_sample_rate": 1,
///  "confidence_threshold": 0.7, "escalate_to": "user",
///  "workspace_defaults": {"open": {"retention_days": 7, "log_bot_conversations": false, "log_coordination": false}, …},
///  "learning_exchange": {"min_confidence": 0.85, "auto_approve": false,
///                        "shareable_categories": ["user_preference", "tool_pattern", "research_finding"]},
///  "privacy": {"mask_secrets": true}}
/// ```
public struct WorkLogConfiguration: Sendable, Equatable {
    /// What a workspace type keeps, and for how long.
    public struct WorkspaceDefaults: Sendable, Equatable {
        /// Days an ended session's log is kept before `handoff gc` removes it.
        public var retentionDays: Int
        /// Whether bot-to-bot messages (category `bot_conversation`) are kept.
        public var logBotConversations: Bool
        /// Whether coordinator decisions (level `coordination`, coordinator mode) are kept.
        public var logCoordination: Bool

        public init(retentionDays: Int, logBotConversations: Bool, logCoordination: Bool) {
            self.retentionDays = retentionDays
            self.logBotConversations = logBotConversations
            self.logCoordination = logCoordination
        }
    }

    /// The learning exchange: which entries become insights, and whether they are shared without asking.
    public struct LearningExchange: Sendable, Equatable {
        /// The lowest confidence an insight may have.
        public var minConfidence: Double
        /// Whether insights are handed on without `handoff insights approve`.
        public var autoApprove: Bool
        /// The categories whose confident entries are insights.
        public var shareableCategories: [String]

        public init(minConfidence: Double, autoApprove: Bool, shareableCategories: [String]) {
            self.minConfidence = minConfidence
            self.autoApprove = autoApprove
            self.shareableCategories = shareableCategories
        }
    }

    /// Whether sessions are recorded at all; when false, starting one records nothing.
    public var enabled = true
    /// The levels kept; entries at other levels are dropped (escalations are always kept).
    public var levels: Set<LogLevel> = Set(LogLevel.allCases)
    /// The categories kept, or nil to keep every category.
    public var categories: Set<String>? = nil
    /// The share of `info` entries kept, 0 to 1 (the notes suggest 0.1 for busy production bots).
    public var infoSampleRate = 1.0
    /// Confidence below this makes a step low-confidence: `verify_low_confidence_decisions`.
    public var confidenceThreshold = 0.7
    /// Who decides escalations: the consumer their artifacts are handed to.
    public var escalateTo = "user"
    public var workspaceDefaults: [WorkspaceType: WorkspaceDefaults] = [
        .open: WorkspaceDefaults(retentionDays: 7, logBotConversations: false, logCoordination: false),
        .project: WorkspaceDefaults(retentionDays: 90, logBotConversations: true, logCoordination: true),
        .direct: WorkspaceDefaults(retentionDays: 30, logBotConversations: true, logCoordination: false),
        .coordination: WorkspaceDefaults(retentionDays: 90, logBotConversations: true, logCoordination: true),
    ]
    public var learningExchange = LearningExchange(
        minConfidence: 0.85, autoApprove: false,
        shareableCategories: ["user_preference", "tool_pattern", "research_finding"])
    /// Whether secrets are masked before entries are stored.
    public var maskSecrets = true
    /// Prefixes of the store's own tokens, masked besides the built-in shapes (`SecretMasker.tokenPrefixes`).
    public var tokenPrefixes: [String] = []
    /// Key and variable name endings whose values are masked besides the built-in ones
    /// (`SecretMasker.secretNames`).
    public var secretNames: [String] = []

    /// The masker entries go through before they are stored, or nil when masking is off.
    public var masker: SecretMasker? {
        maskSecrets ? SecretMasker(tokenPrefixes: tokenPrefixes, secretNames: secretNames) : nil
    }

    /// The notes' defaults.
    public init() {}

    /// The settings for one workspace type.
    public func defaults(for type: WorkspaceType) -> WorkspaceDefaults {
        workspaceDefaults[type]!
    }

    // MARK: JSON

    /// The configuration's JSON form.
    public var json: JSONValue {
        var workspaces = JSONObject()
        for type in WorkspaceType.allCases {
            let defaults = defaults(for: type)
            workspaces[type.rawValue] = [
                "retention_days": .number(Double(defaults.retentionDays)),
                "log_bot_conversations": .bool(defaults.logBotConversations),
                "log_coordination": .bool(defaults.logCoordination),
            ]
        }
        return [
            "enabled": .bool(enabled),
            "log_levels": .array(LogLevel.allCases.filter(levels.contains).map { .string($0.rawValue) }),
            "categories": categories.map { .array($0.sorted().map(JSONValue.string)) } ?? .null,
            "info_sample_rate": .number(infoSampleRate),
            "confidence_threshold": .number(confidenceThreshold),
            "escalate_to": .string(escalateTo),
            "workspace_defaults": .object(workspaces),
            "learning_exchange": [
                "min_confidence": .number(learningExchange.minConfidence),
                "auto_approve": .bool(learningExchange.autoApprove),
                "shareable_categories": .array(learningExchange.shareableCategories.map(JSONValue.string)),
            ],
            "privacy": [
                "mask_secrets": .bool(maskSecrets),
                "token_prefixes": .array(tokenPrefixes.map(JSONValue.string)),
                "secret_names": .array(secretNames.map(JSONValue.string)),
            ],
        ]
    }

    /// Reads the JSON form; members that are absent keep their defaults.
    /// - Throws: `HandoffError` `.invalidInput` naming the setting that is wrong and why.
    public init(json: JSONValue) throws(HandoffError) {
        self.init()
        guard case .object(let object) = json else {
            throw Self.invalid("work_logs", "must be an object")
        }
        try Self.onlyKnown(
            object,
            [
                "enabled", "log_levels", "categories", "info_sample_rate", "confidence_threshold",
                "escalate_to",
                "workspace_defaults", "learning_exchange", "privacy",
            ], at: "work_logs")
        if let value = object["enabled"] { enabled = try Self.bool(value, "work_logs.enabled") }
        if let value = object["log_levels"] {
            levels = Set(
                try Self.strings(value, "work_logs.log_levels").map { name throws(HandoffError) in
                    guard let level = LogLevel(rawValue: name) else {
                        throw Self.invalid(
                            "work_logs.log_levels",
                            "has \(quotedForMessage(name)), which is not one of \(Self.levelNames)")
                    }
                    return level
                })
        }
        if let value = object["categories"] {
            categories = value.isNull ? nil : Set(try Self.names(value, "work_logs.categories"))
        }
        if let value = object["info_sample_rate"] {
            infoSampleRate = try Self.fraction(value, "work_logs.info_sample_rate")
        }
        if let value = object["confidence_threshold"] {
            confidenceThreshold = try Self.fraction(value, "work_logs.confidence_threshold")
        }
        if let value = object["escalate_to"] {
            escalateTo = try Self.names(.array([value]), "work_logs.escalate_to")[0]
        }
        if let value = object["workspace_defaults"] {
            guard case .object(let types) = value else {
                throw Self.invalid("work_logs.workspace_defaults", "must be an object")
            }
            try Self.onlyKnown(
                types, WorkspaceType.allCases.map(\.rawValue), at: "work_logs.workspace_defaults")
            for type in WorkspaceType.allCases {
                guard let member = types[type.rawValue] else { continue }
                let path = "work_logs.workspace_defaults.\(type.rawValue)"
                guard case .object(let settings) = member else {
                    throw Self.invalid(path, "must be an object")
                }
                try Self.onlyKnown(
                    settings, ["retention_days", "log_bot_conversations", "log_coordination"], at: path)
                var defaults = self.defaults(for: type)
                if let days = settings["retention_days"] {
                    guard let count = days.intValue, (0...36_500).contains(count) else {
                        throw Self.invalid(
                            "\(path).retention_days", "must be a whole number of days, 0 to 36500")
                    }
                    defaults.retentionDays = count
                }
                if let flag = settings["log_bot_conversations"] {
                    defaults.logBotConversations = try Self.bool(flag, "\(path).log_bot_conversations")
                }
                if let flag = settings["log_coordination"] {
                    defaults.logCoordination = try Self.bool(flag, "\(path).log_coordination")
                }
                workspaceDefaults[type] = defaults
            }
        }
        if let value = object["learning_exchange"] {
            let path = "work_logs.learning_exchange"
            guard case .object(let exchange) = value else { throw Self.invalid(path, "must be an object") }
            try Self.onlyKnown(
                exchange, ["min_confidence", "auto_approve", "shareable_categories"], at: path)
            if let member = exchange["min_confidence"] {
                learningExchange.minConfidence = try Self.fraction(member, "\(path).min_confidence")
            }
            if let member = exchange["auto_approve"] {
                learningExchange.autoApprove = try Self.bool(member, "\(path).auto_approve")
            }
            if let member = exchange["shareable_categories"] {
                learningExchange.shareableCategories = try Self.names(member, "\(path).shareable_categories")
            }
        }
        if let value = object["privacy"] {
            guard case .object(let privacy) = value else {
                throw Self.invalid("work_logs.privacy", "must be an object")
            }
            try Self.onlyKnown(
                privacy, ["mask_secrets", "token_prefixes", "secret_names"], at: "work_logs.privacy")
            if let member = privacy["mask_secrets"] {
                maskSecrets = try Self.bool(member, "work_logs.privacy.mask_secrets")
            }
            if let member = privacy["token_prefixes"] {
                tokenPrefixes = try Self.patterns(member, "work_logs.privacy.token_prefixes", shortest: 3)
            }
            if let member = privacy["secret_names"] {
                secretNames = try Self.patterns(member, "work_logs.privacy.secret_names", shortest: 2)
            }
        }
    }

    /// The name a store keeps this configuration under.
    static let settingName = "work_logs"

    /// The store's configuration: its saved settings over the defaults.
    public static func load(from store: Store) throws(HandoffError) -> WorkLogConfiguration {
        guard let text = try store.setting(settingName) else { return WorkLogConfiguration() }
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw HandoffError(.io, "the store's work_logs setting is not JSON: \(error)")
        }
        do {
            return try WorkLogConfiguration(json: value)
        } catch {
            throw HandoffError(
                .io, "the store's work_logs setting is not usable: \(error.message)",
                hint: "fix it with `handoff config set` or reset it with `handoff config unset work_logs`")
        }
    }

    /// Saves this configuration as the store's.
    public func save(to store: Store) throws(HandoffError) {
        try store.setSetting(
            Self.settingName, to: String(decoding: CanonicalJSON.encode(json), as: UTF8.self))
    }

    // MARK: Checks

    private static let levelNames = LogLevel.allCases.map(\.rawValue).joined(separator: ", ")

    private static func invalid(_ path: String, _ problem: String) -> HandoffError {
        HandoffError(.invalidInput, "\(path) \(problem)")
    }

    private static func onlyKnown(_ object: JSONObject, _ known: [String], at path: String)
        throws(HandoffError)
    {
        for key in object.keys where !known.contains(key) {
            throw HandoffError(
                .invalidInput, "\(path) has no setting \(quotedForMessage(key))",
                hint: "its settings are \(known.joined(separator: ", "))")
        }
    }

    private static func bool(_ value: JSONValue, _ path: String) throws(HandoffError) -> Bool {
        guard let flag = value.boolValue else { throw invalid(path, "must be true or false, not \(value)") }
        return flag
    }

    private static func fraction(_ value: JSONValue, _ path: String) throws(HandoffError) -> Double {
        guard let number = value.numberValue, (0...1).contains(number) else {
            throw invalid(path, "must be a number from 0 to 1, not \(value)")
        }
        return number
    }

    private static func strings(_ value: JSONValue, _ path: String) throws(HandoffError) -> [String] {
        guard let elements = value.arrayValue else { throw invalid(path, "must be a list of names") }
        return try elements.map { element throws(HandoffError) in
            guard let text = element.stringValue else {
                throw invalid(path, "must hold names, not \(element)")
            }
            return text
        }
    }

    /// Token prefixes or name endings: at least `shortest` letters, digits, `_` or `-` each, so that a mistake
    /// such as `""` or `"a"` cannot mask every word.
    private static func patterns(_ value: JSONValue, _ path: String, shortest: Int) throws(HandoffError)
        -> [String]
    {
        guard let elements = value.arrayValue else { throw invalid(path, "must be a list of strings") }
        return try elements.map { element throws(HandoffError) in
            guard let text = element.stringValue, text.utf8.count >= shortest, text.utf8.count <= 64,
                text.utf8.allSatisfy({
                    (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
                        || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
                })
            else {
                throw invalid(
                    path, "must hold \(shortest) to 64 letters, digits, _ or - each, not \(element)")
            }
            return text
        }
    }

    private static func names(_ value: JSONValue, _ path: String) throws(HandoffError) -> [String] {
        let names = try strings(value, path)
        for name in names {
            do {
                try Store.checkName(name, as: "name")
            } catch {
                throw invalid(path, "has \(quotedForMessage(name)): \(error.message)")
            }
        }
        return names
    }
}
