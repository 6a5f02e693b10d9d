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
    ]

    @Test(arguments: ordinary)
    func ordinaryTextStaysReadable(text: String) {
        #expect(SecretMasker.mask(text) == text)
    }

    @Test func jsonMembersNamedLikeSecretsAreMaskedWhole() {
        let value: JSONValue = [
            "user": "alice", "password": "hunter2", "GITHUB_TOKEN": "anything-at-all", "clientSecret": "x",
            "nested": ["refresh_token": "r-123", "count": 3, "note": "api_key=zzz999"],
            "tokens_used": "1500", "max_tokens": 1024, "token": 12,
        ]
        let masked = SecretMasker.mask(value)
        #expect(masked["user"] == "alice")
        #expect(
            masked["password"] == "[masked]" && masked["GITHUB_TOKEN"] == "[masked]"
                && masked["clientSecret"] == "[masked]")
        #expect(masked["nested"]?["refresh_token"] == "[masked]" && masked["nested"]?["count"] == 3)
        #expect(masked["nested"]?["note"] == "api_key=[masked]")
        #expect(masked["tokens_used"] == "1500" && masked["max_tokens"] == 1024 && masked["token"] == 12)
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

        let files = try FileManager.default.subpathsOfDirectory(atPath: fixture.store.path)
        var scanned = 0
        for file in files {
            let path = fixture.store.path + "/" + file
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            else {
                continue
            }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            scanned += bytes.count
            for secret in secrets {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) found in \(file)")
            }
        }
        #expect(scanned > 100_000, "the index and its WAL were searched too")
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
