import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffWorkLog

extension HandoffCommand {
    struct Config: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "config",
            abstract: "Show or change the store's settings (work logs: retention, levels, masking, …).",
            discussion: """
                Settings are kept in the store, so every bot using it follows them. Keys are dotted paths into \
                `handoff config show`; a value is JSON, or else taken as a string.

                  handoff config show
                  handoff config set work_logs.workspace_defaults.open.retention_days 14
                  handoff config set work_logs.log_levels '["decision","error","tool"]'
                  handoff config set work_logs.info_sample_rate 0.1
                  handoff config set work_logs.learning_exchange.auto_approve true
                  handoff config set work_logs.escalate_to alice
                  handoff config unset work_logs.escalate_to       # back to its default
                """,
            subcommands: [Show.self, Set.self, Unset.self], defaultSubcommand: Show.self)

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "show", abstract: "Print the settings in effect, or one of them.")

            @Argument(
                help: ArgumentHelp("A setting or section, such as work_logs.escalate_to.", valueName: "key"))
            var key: String?

            @OptionGroup var store: StoreOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                let settings = try StoreSettings.load(from: try store.openToRead())
                let value =
                    try key.map { key throws(HandoffError) in try StoreSettings.value(at: key, in: settings) }
                    ?? settings
                Terminal.printJSON(value)
            }
        }

        struct Set: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "set", abstract: "Change one setting.")

            @Argument(
                help: ArgumentHelp("The setting, such as work_logs.info_sample_rate.", valueName: "key"))
            var key: String

            @Argument(help: ArgumentHelp("Its new value: JSON, or else a string.", valueName: "value"))
            var value: String

            @OptionGroup var store: StoreOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                let parsed = (try? JSONParser.parse(value)) ?? .string(value)
                let store = try store.openOrCreate()
                let settings = try StoreSettings.load(from: store)
                try StoreSettings.save(try StoreSettings.setting(key, to: parsed, in: settings), to: store)
                let updated = try StoreSettings.value(at: key, in: try StoreSettings.load(from: store))
                if output.json {
                    Terminal.printJSON(["key": .string(key), "value": updated])
                } else {
                    Terminal.print("\(key) = \(updated)")
                }
            }
        }

        struct Unset: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "unset", abstract: "Put a setting (or a whole section) back to its default.")

            @Argument(help: ArgumentHelp("The setting or section.", valueName: "key"))
            var key: String

            @OptionGroup var store: StoreOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                let store = try store.open()
                let defaults = StoreSettings.defaults
                let restored = try StoreSettings.value(at: key, in: defaults)
                let settings = try StoreSettings.setting(
                    key, to: restored, in: try StoreSettings.load(from: store))
                try StoreSettings.save(settings, to: store)
                if output.json {
                    Terminal.printJSON(["key": .string(key), "value": restored])
                } else {
                    Terminal.print("\(key) = \(restored) (the default)")
                }
            }
        }
    }
}

/// The store's settings as one JSON document, a section per concern: `work_logs` (see
/// `WorkLogConfiguration`) and `gc` (`keep_days`: how long finished work stays).
enum StoreSettings {
    static var defaults: JSONValue {
        ["work_logs": WorkLogConfiguration().json, "gc": ["keep_days": .number(GCPolicy().keepDays)]]
    }

    static func load(from store: Store) throws(HandoffError) -> JSONValue {
        [
            "work_logs": try WorkLogConfiguration.load(from: store).json,
            "gc": ["keep_days": .number(try keepDays(store))],
        ]
    }

    /// Checks every section and saves it.
    static func save(_ settings: JSONValue, to store: Store) throws(HandoffError) {
        let days = settings["gc"]?["keep_days"]
        guard let number = days?.numberValue, number >= 0, number <= 36_500,
            settings["gc"]?.objectValue?.count == 1
        else {
            throw HandoffError(
                .invalidInput, "gc.keep_days must be a number of days, 0 to 36500, not \(days ?? .null)")
        }
        try WorkLogConfiguration(json: settings["work_logs"] ?? [:]).save(to: store)
        try store.setSetting("gc", to: JSONValue.object(["keep_days": .number(number)]).description)
    }

    /// The `gc.keep_days` setting.
    static func keepDays(_ store: Store) throws(HandoffError) -> Double {
        guard let text = try store.setting("gc") else { return GCPolicy().keepDays }
        guard let days = (try? JSONParser.parse(text))?["keep_days"]?.numberValue else {
            throw HandoffError(.io, "the store's gc setting is not usable: \(text)")
        }
        return days
    }

    static func value(at key: String, in settings: JSONValue) throws(HandoffError) -> JSONValue {
        var value = settings
        for (depth, part) in key.split(separator: ".", omittingEmptySubsequences: false).enumerated() {
            guard let member = value[String(part)] else { throw unknown(key, depth: depth, in: value) }
            value = member
        }
        return value
    }

    static func setting(_ key: String, to newValue: JSONValue, in settings: JSONValue) throws(HandoffError)
        -> JSONValue
    {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        func replace(_ value: JSONValue, _ depth: Int) throws(HandoffError) -> JSONValue {
            guard depth < parts.count else { return newValue }
            guard case .object(var object) = value, let member = object[parts[depth]] else {
                throw unknown(key, depth: depth, in: value)
            }
            object[parts[depth]] = try replace(member, depth + 1)
            return .object(object)
        }
        return try replace(settings, 0)
    }

    private static func unknown(_ key: String, depth: Int, in value: JSONValue) -> HandoffError {
        let known = value.objectValue?.keys.joined(separator: ", ")
        return HandoffError(
            .usage, "there is no setting \(quotedForMessage(key))",
            hint: known.map { "at that level there are: \($0)" } ?? "`handoff config show` lists them")
    }
}
