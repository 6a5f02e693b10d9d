import Foundation
import HandoffJSON
import HandoffKit
import HandoffTesting
import HandoffWorkLog
import Testing

/// Secrets in what bots record never reach the disk.
struct PrivacyTests {
    /// Planted secrets in the shapes bots leak, each in a sentence, and what is left of the sentence.
    static let corpus: [(text: String, secret: String, masked: String)] = [
        ("key AKIAIOSFODNN7EXAMPLE in use", "AKIAIOSFODNN7EXAMPLE", "key [masked:aws-access-key-id] in use"),
        (
            "temporary ASIAY34FZKBOKMUTVV7A creds", "ASIAY34FZKBOKMUTVV7A",
            "temporary [masked:aws-access-key-id] creds"
        ),
        (
            "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY done",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "AWS_SECRET_ACCESS_KEY=[masked] done"
        ),
        (
            "maps key AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY!", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
            "maps key [masked:google-api-key]!"
        ),
        (
            "pushed with ghp_16C7e42F292c6912E7710c838347Ae178B4a today",
            "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
            "pushed with [masked:github-token] today"
        ),
        (
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345 set",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
            "[masked:github-token] set"
        ),
        (
            "token glpat-xYz12AbC34dEf56GhI78jK here", "glpat-xYz12AbC34dEf56GhI78jK",
            "token [masked:gitlab-token] here"
        ),
        (
            "slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx ok",
            "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "slack [masked:slack-token] ok"
        ),
        (
            "post to https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX now",
            "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "post to https://hooks.slack.com/services/[masked:slack-webhook] now"
        ),
        (
            "openai sk-proj-Ab3dEf5gHi7jKl9mNo1pQr3sTu5vWx7yZa9 used",
            "sk-proj-Ab3dEf5gHi7jKl9mNo1pQr3sTu5vWx7yZa9",
            "openai [masked:api-key] used"
        ),
        (
            "claude sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-AbCdEf used",
            "sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-AbCdEf",
            "claude [masked:api-key] used"
        ),
        (
            "groq gsk_Abcdefghij0123456789KLMNOPqrst ok", "gsk_Abcdefghij0123456789KLMNOPqrst",
            "groq [masked:groq-api-key] ok"
        ),
        (
            "hf hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567 ok", "hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567",
            "hf [masked:huggingface-token] ok"
        ),
        (
            "stripe sk_live_51H8f2eKx9Zq3YbW7Lm ok", "sk_live_51H8f2eKx9Zq3YbW7Lm",
            "stripe [masked:stripe-key] ok"
        ),
        (
            "npm npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 ok", "npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
            "npm [masked:npm-token] ok"
        ),
        (
            "jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "jwt [masked:jwt] end"
        ),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq98xQ1lYhq\n-----END RSA PRIVATE KEY----- after",
            "MIIEowIBAAKCAQEA7bq98xQ1lYhq", "[masked:private-key] after"
        ),
        (
            "db postgresql://app:S3cr3t-P4ss@db.internal:5432/prod ready", "S3cr3t-P4ss",
            "db postgresql://app:[masked]@db.internal:5432/prod ready"
        ),
        ("login password=hunter2 ok", "hunter2", "login password=[masked] ok"),
        (#"{"api_key": "abc123def456"}"#, "abc123def456", #"{"api_key": "[masked]"}"#),
        (
            "export DB_PASSWORD='correct horse battery'", "correct horse battery",
            "export DB_PASSWORD='[masked]'"
        ),
        ("client_secret: v3ry-s3cret-value", "v3ry-s3cret-value", "client_secret: [masked]"),
        (
            "curl -H 'Authorization: Bearer abcdef0123456789abcdef' x", "abcdef0123456789abcdef",
            "curl -H 'Authorization: Bearer [masked]' x"
        ),
        (
            "Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA==",
            "Authorization: Basic [masked]"
        ),
        // A password may hold an `@`: it runs to the last one before the host.
        (
            "postgres://alice:Pw1x@Qx2secret@db.example.com/app", "Qx2secret",
            "postgres://alice:[masked]@db.example.com/app"
        ),
        (
            "smtp://bot@example.com:hunter2@mail.example.com:587", "hunter2",
            "smtp://bot@example.com:[masked]@mail.example.com:587"
        ),
        // A bare secret access key in prose, found by its entropy alone.
        (
            "deploy with AKIAIOSFODNN7EXAMPLE and wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY now",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "deploy with [masked:aws-access-key-id] and [masked:high-entropy] now"
        ),
        (
            "the key is 5f4dcc3b5aa765d61d8327deb882cf99e3b0c44298fc1c149afbf4c8996fb924 ok",
            "5f4dcc3b5aa765d61d8327deb882cf99e3b0c44298fc1c149afbf4c8996fb924",
            "the key is [masked:high-entropy] ok"
        ),
        (
            "session cookie Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MEFCQ0RFRkdISUpLTE1O== sent",
            "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MEFCQ0RFRkdISUpLTE1O", "session cookie [masked:high-entropy] sent"
        ),
    ]

    @Test(arguments: corpus.indices)
    func aPlantedSecretIsMasked(index: Int) {
        let (text, secret, masked) = Self.corpus[index]
        let result = SecretMasker.mask(text)
        #expect(result == masked)
        #expect(!result.contains(secret))
    }

    /// Text that looks a little like a secret but is not, left exactly as it is.
    static let ordinary = [
        "Artifact xxh128:ad0ee1025c735865e16f54c6b8415e2d handed to action_suggester",
        "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 matches",
        "Run the risk-assessment-for-the-2026-project checklist",
        "max_tokens=1024 and temperature=0.2",
        "Classified as medium tier → claude-sonnet with 91% confidence",
        "See https://example.com/docs/auth?page=2 for the password policy",
        "The token budget was 4000; the password policy needs a decision.",
        "Handoff 01JD3XQ2K8B6W5N2M7T4R9C1ZP is pending",
        "password: null",
        "Bearer tokens expire after an hour",
        "AKIA is the prefix of AWS access keys",
        "é 日本語 🎉 emoji and accents stay",
        // The store's own ids and receipts, digests and commit ids stay readable.
        "claimed with receipt 01JD3XQ2K8B6W5N2M7T4R9C1ZP.3.c3d1a109752a6b4efbf401921481b317 just now",
        "parent xxh128:9f86d081884c7d659a2feaa0c55ad015 and sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "fixed in commit 3f2a9c01b7e4d5a6f8091a2b3c4d5e6f7a8b9c0d on main",
        "image sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "request 550e8400-e29b-41d4-a716-446655440000 took 120ms",
        "edited Sources/HandoffKit/Privacy/SecretMasker.swift and Tests/HandoffWorkLogTests/PrivacyTests.swift",
        "HandoffMCPServerConfiguration2 and internationalization2024 are words",
        "https://github.com/apple/swift-argument-parser/blob/main/README.md#getting-started",
    ]

    @Test(arguments: ordinary)
    func ordinaryTextStaysReadable(text: String) {
        #expect(SecretMasker.mask(text) == text)
    }

    @Test func jsonMembersNamedLikeSecretsAreMaskedWhole() {
        let value: JSONValue = [
            "user": "alice", "password": "hunter2", "GITHUB_TOKEN": "anything-at-all", "clientSecret": "x",
            "nested": ["refresh_token": "r-123", "count": 3, "note": "api_key=zzz999"],
            "tokens_used": "1500", "max_tokens": 1024, "password_required": true, "api_key_id": "k-1",
        ]
        let masked = SecretMasker.mask(value)
        #expect(masked["user"] == "alice")
        #expect(
            masked["password"] == "[masked]" && masked["GITHUB_TOKEN"] == "[masked]"
                && masked["clientSecret"] == "[masked]")
        #expect(masked["nested"]?["refresh_token"] == "[masked]" && masked["nested"]?["count"] == 3)
        #expect(masked["nested"]?["note"] == "api_key=[masked]")
        #expect(masked["tokens_used"] == "1500" && masked["max_tokens"] == 1024)
        #expect(masked["password_required"] == true && masked["api_key_id"] == "k-1")
    }

    /// Whatever the type of a secret-named member's value, it is masked whole: a number, a list, an object.
    @Test func secretsThatAreNotStringsAreMaskedToo() {
        let value: JSONValue = [
            "password": 481_491_803_803, "api_key": ["sk-proj-Ab3dEf5gHi7jKl9mNo1pQr3sTu5vWx7yZa9"],
            "token": ["value": "opaque-bearer-value"], "secret": 0.5, "db_password": .null,
            "has_token": false,
        ]
        let masked = SecretMasker.mask(value)
        #expect(masked["password"] == "[masked]" && masked["api_key"] == "[masked]")
        #expect(masked["token"] == "[masked]" && masked["secret"] == "[masked]")
        #expect(masked["db_password"] == .null && masked["has_token"] == false)
        let text = String(decoding: CanonicalJSON.encode(masked), as: UTF8.self)
        for secret in ["481491803803", "sk-proj", "opaque-bearer-value"] { #expect(!text.contains(secret)) }
    }

    @Test func aSecretUsedAsAKeyIsMasked() {
        let value: JSONValue = [
            "AKIAIOSFODNN7EXAMPLE": "prod", "AKIAI44QH8DHBEXAMPLE": "staging",
            "users": ["ghp_16C7e42F292c6912E7710c838347Ae178B4a": ["role": "admin"]],
        ]
        let masked = SecretMasker.mask(value)
        let text = String(decoding: CanonicalJSON.encode(masked), as: UTF8.self)
        #expect(!text.contains("AKIAIOSFODNN7EXAMPLE") && !text.contains("ghp_16C7e42F"))
        // Two keys masked alike stay two members.
        #expect(
            Set([masked["[masked:aws-access-key-id]"], masked["[masked:aws-access-key-id] (2)"]])
                == ["prod", "staging"])
        #expect(masked["users"]?["[masked:github-token]"]?["role"] == "admin")
    }

    @Test func aStoreAddsItsOwnShapes() throws {
        let masker = SecretMasker(tokenPrefixes: ["acme_"], secretNames: ["pin"])
        #expect(masker.mask("use acme_0123456789abcdefXYZ today") == "use [masked:custom-token] today")
        #expect(masker.mask("acme_short stays") == "acme_short stays")
        #expect(masker.mask("card_pin=4421 ok") == "card_pin=[masked] ok")
        #expect(masker.mask(["card_pin": 4421] as JSONValue) == ["card_pin": "[masked]"])
        #expect(
            SecretMasker.mask("card_pin=4421 ok") == "card_pin=4421 ok", "the built-in masker has no pins")
        var configuration = WorkLogConfiguration()
        configuration = try WorkLogConfiguration(json: [
            "privacy": ["token_prefixes": ["acme_"], "secret_names": ["pin"]]
        ])
        #expect(configuration.masker == masker)
        #expect(throws: HandoffError.self) {
            try WorkLogConfiguration(json: ["privacy": ["token_prefixes": [""]]])
        }
    }

    /// A name is stored and shown as it is: one that holds a credential is refused, not masked.
    @Test func namesThatHoldSecretsAreRefused() throws {
        for name in [
            "AKIAIOSFODNN7EXAMPLE", "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "api_key:abc123def456",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ] {
            let refused = #expect(throws: HandoffError.self) { try Store.checkName(name, as: "bot") }
            #expect(refused?.code == .invalidInput)
            #expect(refused?.message.contains("looks like a credential") == true)
            #expect(refused?.message.contains(name) == false, "the message does not repeat the secret")
        }
        for name in [
            "researcher", "worker-3f2a9c01", "#project-refactor", "01JD3XQ2K8B6W5N2M7T4R9C1ZP", "tool_result",
        ] {
            try Store.checkName(name, as: "bot")
        }
    }

    /// Every way an entry reaches the store — the recorder, stepwise adds, the session's query, its final
    /// output and summary, escalations, insights — with secrets planted in every field, then every byte of
    /// every file of the store (objects, the index, its WAL and shared memory) searched for them.
    @Test func noPlantedSecretReachesAnyByteOfTheStore() throws {
        let fixture = try WorkLogFixture()
        let secrets = Self.corpus.map(\.secret)
        func plant(_ index: Int) -> String { "step with " + Self.corpus[index % Self.corpus.count].text }
        var start = Samples.exampleB
        start.query = "Refactor auth; " + plant(0)
        let session = try #require(try fixture.workLog.start(start))
        for (index, secret) in secrets.enumerated() {
            try session.record(
                WorkLogEntry(
                    level: index % 3 == 0 ? .error : .decision, category: "user_preference",
                    message: plant(index),
                    details: ["context": .string(plant(index + 1)), "api_key": .string(secret)],
                    confidence: 0.9, toolName: "http",
                    toolInput: ["authorization": .string(secret), "url": .string(plant(index + 2))],
                    toolOutput: ["body": .string(plant(index + 3)), "next_actions": ["manual_review"]],
                    toolStatus: .error, toolError: plant(index + 4), escalation: index == 5))
        }
        try session.end(finalOutput: "Done; " + plant(6), summary: "Overnight: " + plant(7), to: ["reviewer"])
        let stepwise = try #require(try fixture.workLog.startStepwise(start))
        for index in secrets.indices {
            _ = try fixture.workLog.add(
                WorkLogEntry(
                    level: .warning, message: plant(index), details: ["password": .string(secrets[index])]),
                toSession: stepwise.id)
        }
        try fixture.workLog.end(session: stepwise.id, finalOutput: plant(9))
        for insight in try fixture.workLog.insights() { try fixture.workLog.approveInsight(insight.id) }
        #expect(try fixture.store.artifacts(ArtifactFilter(schema: "insight-v1")).count >= 1)
        #expect(try fixture.store.artifacts(ArtifactFilter(schema: "escalation-v1")).count == 1)

        var scanned = 0
        for (file, bytes) in try TestBackend.storedBytes(at: fixture.store.path) {
            scanned += bytes.count
            for secret in secrets {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) found in \(file)")
            }
        }
        #expect(scanned > 100_000, "the whole store was searched")
        // What masking leaves is still there to read.
        let hits = try fixture.workLog.search("masked github token")
        #expect(!hits.isEmpty)
    }

    @Test func maskingCanBeTurnedOff() throws {
        var configuration = WorkLogConfiguration()
        configuration.maskSecrets = false
        let fixture = try WorkLogFixture(configuration: configuration)
        let session = try #require(try fixture.workLog.start(Samples.exampleA))
        try session.add(.info, category: "general", message: "password=hunter2")
        try session.flush()
        #expect(try fixture.workLog.entries(ofSession: session.id).first?.message == "password=hunter2")
    }
}
