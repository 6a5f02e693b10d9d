import ArgumentParser
import HandoffJSON
import HandoffKit
import HandoffWorkLog

extension HandoffCommand {
    struct ClaimCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "claim",
            abstract: "Claim the next handoff for a consumer; prints it with its receipt and document.",
            discussion: """
                Takes the oldest pending handoff (or one whose lease expired) for CONSUMER and holds it for \
                --lease seconds; no other claim gets it meanwhile. Finish it with `handoff ack RECEIPT`, give it \
                back with `handoff release RECEIPT`, or keep it with `handoff extend RECEIPT`. A handoff already \
                claimed --max-attempts times is dead-lettered instead. Exits 2 when there is nothing to claim.

                With --wait SECONDS, an empty inbox is waited on: a handoff put for CONSUMER from any host \
                is claimed as it arrives (at once on PostgreSQL, within 50 ms on SQLite), and exit 2 comes only \
                after that long.

                  if C=$(handoff claim reviewer --json); then    # exits 2: nothing claimed
                    jq .document <<<"$C" | ./review && handoff ack "$(jq -r .receipt <<<"$C")"
                  fi
                """)

        @Argument(help: ArgumentHelp("The consumer.", valueName: "consumer"))
        var consumer: String

        @Option(name: .long, help: ArgumentHelp("Seconds the claim holds.", valueName: "seconds"))
        var lease: Double = Store.defaultLeaseSeconds

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Wait up to this many seconds for a handoff when there is none (at most 3600).",
                valueName: "seconds"))
        var wait: Double = 0

        /// The longest a claim waits, an hour: as `work --poll`.
        static let longestWait = 3600.0

        func validate() throws {
            if let problem = Self.waitProblem(wait) { throw ValidationError(problem) }
        }

        static func waitProblem(_ wait: Double) -> String? {
            wait >= 0 && wait <= longestWait ? nil : "--wait must be 0 to \(Int(longestWait)) seconds"
        }

        @OptionGroup var claiming: ClaimOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try Run(
                consumer: consumer, lease: lease, wait: wait, claiming: claiming.values, store: store.choice,
                json: output.json
            )
            .run()
        }

        struct Run: Invocation {
            var consumer: String
            var lease: Double
            var wait: Double
            var claiming: ClaimValues
            var store: StoreChoice
            var json: Bool

            func run() throws {
                // A consumer that waits may start before anything was ever put: its store is made for it.
                let store = wait > 0 ? try store.openOrCreate() : try store.open()
                guard
                    let claim =
                        wait > 0
                        ? try store.claim(
                            for: consumer, waitingUpTo: wait, leaseSeconds: lease, worker: claiming.worker,
                            schema: claiming.schema, workspace: claiming.workspace,
                            maxAttempts: claiming.maxAttempts)
                        : try store.claim(
                            for: consumer, leaseSeconds: lease, worker: claiming.worker,
                            schema: claiming.schema,
                            workspace: claiming.workspace, maxAttempts: claiming.maxAttempts)
                else {
                    if json {
                        // A JSON answer on standard output too, so a bot reading it knows what happened.
                        Terminal.printJSON(["claimed": false, "consumer": .string(consumer)])
                        throw ExitCode(HandoffError.Code.nothingToClaim.exitStatus)
                    }
                    throw HandoffError(
                        .nothingToClaim,
                        "nothing to claim for \(consumer)"
                            + (wait > 0
                                ? " after waiting \(wait == wait.rounded() ? String(Int(wait)) : String(wait)) s"
                                : ""))
                }
                // The claim is committed; if its document cannot be read or its receipt cannot be printed, nobody
                // could ack it, so give it back at once rather than leave it held until the lease ends.
                do {
                    let document = try store.document(claim.handoff.artifactID)
                    let actions = try store.nextActions(of: claim.handoff.artifactID)
                    ProcessLifetime.keep(document)
                    try show(claim, document: document, actions: actions)
                } catch {
                    let outcome: String
                    do {
                        // Nobody saw it: the claim does not count towards dead-lettering it.
                        try store.giveBack(claim.receipt, reason: "handed back by claim: \(error.message)")
                        outcome = "handoff \(claim.handoff.id) went back to \(consumer)'s inbox"
                    } catch let release {
                        outcome =
                            "giving handoff \(claim.handoff.id) back failed too (\(release.message)); it returns to the inbox when its lease ends"
                    }
                    throw HandoffError(
                        error.code, "\(error.message); \(outcome)", hint: error.hint, details: error.details)
                }
            }

            private func show(_ claim: Claim, document: JSONValue, actions: [NextAction]) throws(HandoffError)
            {
                if json {
                    guard case .object(var object) = claim.json(document: document, nextActions: actions)
                    else { return }
                    object["claimed"] = true
                    Terminal.printJSON(.object(object))
                    if let failure = Terminal.outputError { throw failure }
                    return
                }
                let handoff = claim.handoff
                Terminal.print(
                    Terminal.bold("claimed \(handoff.id)")
                        + " (attempt \(handoff.attempts), lease until \(handoff.leaseExpiresAt?.description ?? "?"))"
                )
                Terminal.print("receipt  \(claim.receipt)")
                Terminal.print("from     \(handoff.producer), \(handoff.schema) \(handoff.artifactID)")
                let names = actionNames(actions)
                if !names.isEmpty {
                    Terminal.print("next     \(Display.line(joinedText(names, separator: ", ")))")
                }
                Terminal.print()
                Terminal.write(JSONWriter.encode(document, options: .pretty) + [0x0A])
                if let failure = Terminal.outputError { throw failure }
            }
        }
    }

    struct Ack: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ack",
            abstract: "Finish a claimed handoff: done, blocked or rejected.",
            discussion: """
                Exits 3, changing nothing, when the receipt no longer holds: its lease expired and the handoff \
                was claimed again, or it was already acked or released.

                With --put FILE (repeatable), the step's results are handed on in the same transaction as the \
                ack: each document is stored with the claimed artifact as its parent and handed to each --to, \
                and the handoff is done, or (the receipt no longer holding) nothing is stored or handed on. A \
                worker killed at any point has handed on all or nothing: no step runs twice into the next \
                inbox. --from defaults to the claimed handoff's consumer, --workflow and --workspace to its own.

                  handoff ack "$RECEIPT"
                  handoff ack "$RECEIPT" --outcome blocked --note "needs the password policy"
                  handoff ack "$RECEIPT" --put summary.json --to reviewer
                """)

        @Argument(help: ArgumentHelp("The receipt `claim` printed.", valueName: "receipt"))
        var receipt: String

        @Option(name: .long, help: ArgumentHelp("done, blocked or rejected.", valueName: "outcome"))
        var outcome: String = Store.defaultOutcome.rawValue

        @Option(name: .long, help: ArgumentHelp("Why, for whoever looks at it later.", valueName: "text"))
        var note: String?

        @Option(
            name: .long,
            help: ArgumentHelp(
                "A document the step produced, handed on with the ack; repeatable (- is standard input).",
                valueName: "file"))
        var put: [String] = []

        @Option(
            name: .long,
            help: ArgumentHelp("A consumer of what --put hands on; repeatable.", valueName: "consumer"))
        var to: [String] = []

        @Option(
            name: .long,
            help: ArgumentHelp(
                "The producer of what --put hands on (default: the handoff's consumer).", valueName: "bot"))
        var from: String?

        @Option(name: .long, help: ArgumentHelp("Its workflow (default: the handoff's).", valueName: "name"))
        var workflow: String?

        @Option(name: .long, help: ArgumentHelp("Its workspace (default: the handoff's).", valueName: "name"))
        var workspace: String?

        @Flag(name: .long, help: "Store what --put hands on without checking it against its schema.")
        var noValidate = false

        @OptionGroup var store: StoreOptions
        @OptionGroup var limits: LimitOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard Outcome(rawValue: outcome) != nil else {
                throw ValidationError("unknown outcome \"\(outcome)\"; outcomes are done, blocked, rejected")
            }
            if let problem = Run.problem(outcome: outcome, puts: put, to: to) {
                throw ValidationError(problem)
            }
        }

        func run() throws {
            try Run(
                receipt: receipt, outcome: outcome, note: note, store: store.choice, json: output.json,
                puts: put,
                to: to, from: from, workflow: workflow, workspace: workspace, validate: !noValidate,
                limits: limits.limits
            ).run()
        }

        struct Run: Invocation {
            var receipt: String
            var outcome: String
            var note: String?
            var store: StoreChoice
            var json: Bool
            var puts: [String] = []
            var to: [String] = []
            var from: String?
            var workflow: String?
            var workspace: String?
            var validate = true
            var limits = JSONParser.Limits()

            /// Why these options do not go together, if they do not.
            static func problem(outcome: String, puts: [String], to: [String]) -> String? {
                if !puts.isEmpty, outcome != Outcome.done.rawValue {
                    return "--put hands on what a finished step produced: it goes with --outcome done only"
                }
                if puts.isEmpty, !to.isEmpty {
                    return "--to names consumers of what --put hands on: add --put"
                }
                if puts.filter({ $0 == "-" }).count > 1 {
                    return "standard input (-) can be given to --put once"
                }
                return nil
            }

            func run() throws {
                let receipt = try Receipt(parsing: receipt)
                guard !puts.isEmpty else {
                    let handoff = try store.open().ack(
                        receipt, outcome: Outcome(rawValue: outcome)!, note: note)
                    if json {
                        Terminal.printJSON(["handoff": handoff.json, "handed_on": []])
                    } else {
                        Terminal.print("\(handoff.id) is \(handoff.state).")
                    }
                    return
                }
                let documents = try puts.map { file throws(HandoffError) in
                    try Input.canonical(file, limits: limits)
                }
                let store = try store.open(limits: limits)
                let claimed = try store.handoff(id: receipt.handoffID)
                let requests = documents.map { document in
                    PutRequest(
                        canonicalJSON: document.bytes, producer: from ?? claimed.consumer, consumers: to,
                        workflow: workflow ?? claimed.workflow, workspace: workspace ?? claimed.workspace,
                        source: document.source, validate: validate)
                }
                let (handoff, handedOn) = try store.ack(receipt, handingOn: requests, note: note)
                if json {
                    Terminal.printJSON(["handoff": handoff.json, "handed_on": .array(handedOn.map(\.json))])
                    return
                }
                Terminal.print("\(handoff.id) is \(handoff.state).")
                for result in handedOn {
                    Terminal.print(result.id.description)
                    for created in result.handoffs {
                        Terminal.writeError("  → \(created.consumer)  handoff \(created.id)\n")
                    }
                }
            }
        }
    }
    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "release",
            abstract: "Give a claimed handoff back to its consumer's inbox.",
            discussion: """
                The handoff becomes claimable again, after --delay seconds. Its attempts still count towards \
                dead-lettering. Exits 3 when the receipt no longer holds.

                  handoff release "$RECEIPT" --delay 60
                """)

        @Argument(help: ArgumentHelp("The receipt `claim` printed.", valueName: "receipt"))
        var receipt: String

        @Option(
            name: .long, help: ArgumentHelp("Seconds before it can be claimed again.", valueName: "seconds"))
        var delay: Double = 0

        @Option(name: .long, help: ArgumentHelp("Why, for the history.", valueName: "text"))
        var note: String?

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try Run(receipt: receipt, delay: delay, note: note, store: store.choice, json: output.json).run()
        }

        struct Run: Invocation {
            var receipt: String
            var delay: Double
            var note: String?
            var store: StoreChoice
            var json: Bool

            func run() throws {
                let receipt = try Receipt(parsing: receipt)
                let handoff = try store.open().release(receipt, delaySeconds: delay, note: note)
                printHandoff(
                    handoff, json: json,
                    text:
                        "\(handoff.id) is back in \(handoff.consumer)'s inbox, claimable from \(handoff.availableAt)."
                )
            }
        }
    }
    struct Extend: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "extend",
            abstract: "Keep a claim: its lease now ends --lease seconds from now.",
            discussion: """
                Exits 3 when the receipt no longer holds.

                  handoff extend "$RECEIPT" --lease 600
                """)

        @Argument(help: ArgumentHelp("The receipt `claim` printed.", valueName: "receipt"))
        var receipt: String

        @Option(name: .long, help: ArgumentHelp("Seconds from now the lease lasts.", valueName: "seconds"))
        var lease: Double

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try Run(receipt: receipt, lease: lease, store: store.choice, json: output.json).run()
        }

        struct Run: Invocation {
            var receipt: String
            var lease: Double
            var store: StoreChoice
            var json: Bool

            func run() throws {
                let receipt = try Receipt(parsing: receipt)
                let handoff = try store.open().extend(receipt, leaseSeconds: lease)
                printHandoff(
                    handoff, json: json,
                    text: "\(handoff.id) is held until \(handoff.leaseExpiresAt?.description ?? "?").")
            }
        }
    }
    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry",
            abstract: "Put a dead, blocked or rejected handoff back in its consumer's inbox.",
            discussion: """
                Its attempt count starts again. Exits 3 when the handoff is in another state.

                  handoff inbox reviewer --state dead
                  handoff retry 01JD3XQ2K8B6W5N2M7T4R9C1ZP
                """)

        @Argument(help: ArgumentHelp("The handoff id.", valueName: "handoff"))
        var handoff: String

        @Option(name: .long, help: ArgumentHelp("Why, for the history.", valueName: "text"))
        var note: String?

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            guard Store.isHandoffID(handoff) else {
                throw HandoffError(
                    .usage, "\(quotedForMessage(handoff)) is not a handoff id",
                    hint: "handoff ids are 26 characters, such as 01JD3XQ2K8B6W5N2M7T4R9C1ZP")
            }
            let result = try store.open().retry(handoffID: handoff, note: note)
            printHandoff(
                result, json: output.json,
                text: "\(result.id) is pending again in \(result.consumer)'s inbox.")
        }
    }
}

func printHandoff(_ handoff: Handoff, json: Bool, text: String) {
    if json {
        Terminal.printJSON(["handoff": handoff.json])
    } else {
        Terminal.print(text)
    }
}

extension HandoffCommand.ClaimCommand.Run {
    static let grammar = FastGrammar(
        options: FastArguments.storeOptions + [
            "--lease", "--wait", "--worker", "--schema", "--workspace", "--max-attempts",
        ], flags: ["--json"], positionals: 1...1)

    /// The plain argument lists the fast path reads; nil sends the rest to ArgumentParser.
    init?(fast arguments: ArraySlice<String>) {
        guard
            let parsed = FastArguments(arguments, grammar: Self.grammar),
            let store = parsed.store,
            let lease = parsed.converted("--lease", Store.defaultLeaseSeconds, Double.init),
            let wait = parsed.converted("--wait", 0, Double.init),
            HandoffCommand.ClaimCommand.waitProblem(wait) == nil,
            let maxAttempts = parsed.converted(
                "--max-attempts", Store.defaultMaxAttempts, { Int($0) })
        else { return nil }
        let claiming = ClaimValues(
            worker: parsed.value("--worker"), schema: parsed.value("--schema"),
            workspace: parsed.value("--workspace"), maxAttempts: maxAttempts)
        guard claiming.problem == nil else { return nil }
        self.init(
            consumer: parsed.positionals[0], lease: lease, wait: wait, claiming: claiming, store: store,
            json: parsed.flag("--json"))
    }
}

extension HandoffCommand.Ack.Run {
    static let grammar = FastGrammar(
        options: FastArguments.storeOptions + FastArguments.limitOptions + [
            "--outcome", "--note", "--put", "--to", "--from", "--workflow", "--workspace",
        ], repeatable: ["--put", "--to"], flags: ["--no-validate", "--json"], positionals: 1...1)

    /// The plain argument lists the fast path reads; nil sends the rest to ArgumentParser.
    init?(fast arguments: ArraySlice<String>) {
        let outcome: String
        guard
            let parsed = FastArguments(arguments, grammar: Self.grammar),
            let store = parsed.store, let limits = parsed.limits,
            case let given = parsed.value("--outcome"),
            Outcome(rawValue: given ?? Store.defaultOutcome.rawValue) != nil,
            Self.problem(
                outcome: given ?? Store.defaultOutcome.rawValue, puts: parsed.all("--put"),
                to: parsed.all("--to"))
                == nil
        else { return nil }
        outcome = parsed.value("--outcome") ?? Store.defaultOutcome.rawValue
        self.init(
            receipt: parsed.positionals[0], outcome: outcome, note: parsed.value("--note"), store: store,
            json: parsed.flag("--json"), puts: parsed.all("--put"), to: parsed.all("--to"),
            from: parsed.value("--from"), workflow: parsed.value("--workflow"),
            workspace: parsed.value("--workspace"), validate: !parsed.flag("--no-validate"), limits: limits)
    }
}

extension HandoffCommand.Release.Run {
    static let grammar = FastGrammar(
        options: FastArguments.storeOptions + ["--delay", "--note"], flags: ["--json"], positionals: 1...1)

    /// The plain argument lists the fast path reads; nil sends the rest to ArgumentParser.
    init?(fast arguments: ArraySlice<String>) {
        guard
            let parsed = FastArguments(arguments, grammar: Self.grammar),
            let store = parsed.store,
            let delay = parsed.converted("--delay", 0.0, Double.init)
        else { return nil }
        self.init(
            receipt: parsed.positionals[0], delay: delay, note: parsed.value("--note"), store: store,
            json: parsed.flag("--json"))
    }
}

extension HandoffCommand.Extend.Run {
    static let grammar = FastGrammar(
        options: FastArguments.storeOptions + ["--lease"], flags: ["--json"], positionals: 1...1)

    /// The plain argument lists the fast path reads; nil sends the rest to ArgumentParser.
    init?(fast arguments: ArraySlice<String>) {
        guard
            let parsed = FastArguments(arguments, grammar: Self.grammar),
            let store = parsed.store,
            let text = parsed.value("--lease"), let lease = Double(text)
        else { return nil }
        self.init(
            receipt: parsed.positionals[0], lease: lease, store: store, json: parsed.flag("--json"))
    }
}
