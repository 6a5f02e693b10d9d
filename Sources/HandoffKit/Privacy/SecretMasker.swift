import HandoffJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Masks credentials in text and JSON before a work log stores them.
///
/// It recognises the usual shapes: cloud provider keys (AWS access key ids, Google API keys), GitHub,
/// GitLab, Slack, npm and PyPI tokens, API keys of LLM providers (OpenAI, Anthropic, Groq, xAI, Hugging Face,
/// Perplexity, Replicate), Stripe secret keys, JWTs, private-key blocks, passwords in URLs (up to the last `@`
/// before the host), Bearer and Basic credentials, the values of keys named like `password`, `secret`,
/// `token` or `api_key` (in text such as `DB_PASSWORD=…` or `"api_key": "…"`, and as JSON members of any
/// type but true, false and null), object keys that are themselves secrets, and bare tokens that look random
/// enough to be one (as detect-secrets finds them: base64-like words of mixed case and digits above 4.5 bits
/// of entropy a character, hex words of 32 or more digits above 3). Ordinary text, the store's own ids
/// (`xxh128:` artifact ids, handoff and session ids, receipts), labelled digests (`sha256:…`) and git commit
/// ids are left as they are.
///
/// A store adds its own shapes in its configuration: token prefixes (`acme_…`) and key names (`pin`).
///
/// ```swift
/// SecretMasker.mask("curl -H 'Authorization: Bearer eyJhbGciOi…'")  // "curl -H 'Authorization: Bearer [masked]'"
/// ```
public struct SecretMasker: Sendable, Equatable {
    /// What stands in for a masked value.
    public static let placeholder = "[masked]"

    /// The built-in shapes only.
    public static let standard = SecretMasker()

    /// Prefixes of a store's own tokens: a prefix followed by at least 16 letters, digits, `_` or `-` is masked
    /// as `[masked:custom-token]`.
    public let tokenPrefixes: [String]
    /// Endings of key and variable names whose values are secrets, besides the built-in ones (`pin`, `otp`).
    public let secretNames: [String]

    private let prefixBytes: [[UInt8]]
    private let nameBytes: [[UInt8]]

    /// A masker with the built-in shapes and a store's own.
    public init(tokenPrefixes: [String] = [], secretNames: [String] = []) {
        self.tokenPrefixes = tokenPrefixes
        self.secretNames = secretNames
        prefixBytes = tokenPrefixes.map { Array($0.utf8) }.filter { !$0.isEmpty }
        nameBytes = secretNames.map { Array($0.lowercased().utf8) }.filter { !$0.isEmpty }
    }

    public static func == (a: SecretMasker, b: SecretMasker) -> Bool {
        a.tokenPrefixes == b.tokenPrefixes && a.secretNames == b.secretNames
    }

    /// `text` with every credential the built-in shapes find replaced by `[masked]` or `[masked:<kind>]`.
    public static func mask(_ text: String) -> String { standard.mask(text) }

    /// `value` masked by the built-in shapes, as `mask(_:)` of an instance does.
    public static func mask(_ value: JSONValue) -> JSONValue { standard.mask(value) }

    /// `object` masked by the built-in shapes, member by member.
    public static func mask(_ object: JSONObject) -> JSONObject { standard.mask(object) }

    /// `text` with every credential it holds replaced by `[masked]` or `[masked:<kind>]`.
    public func mask(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            guard let masked = mask(bytes) else { return nil }
            return String(decoding: masked, as: UTF8.self)
        } ?? text
    }

    /// `value` with credentials masked in every string and every key, and the values of members whose keys
    /// name a secret (`password`, `client_secret`, `GITHUB_TOKEN`, `authorization`, …) replaced entirely,
    /// whatever their type (a number, a list, an object), except true, false and null.
    public func mask(_ value: JSONValue) -> JSONValue {
        masked(value) ?? value
    }

    /// `object` masked member by member, as `mask(_:)` does for a JSON value.
    public func mask(_ object: JSONObject) -> JSONObject {
        masked(object) ?? object
    }

    /// What kind of credential `name` holds, if masking would change it: names (of bots, workspaces,
    /// consumers, tools) are stored and shown as they are, so one that holds a secret is refused rather than
    /// masked, which would merge identities.
    public static func credential(inName name: String) -> String? {
        let masked = Array(standard.mask(name).utf8)
        guard !masked.elementsEqual(name.utf8) else { return nil }
        let marker = Array("[masked:".utf8)
        guard let start = masked.indices.first(where: { masked[$0...].starts(with: marker) }),
            let end = masked[(start + marker.count)...].firstIndex(of: UInt8(ascii: "]"))
        else { return "a secret's value" }
        return String(decoding: masked[(start + marker.count)..<end], as: UTF8.self)
    }

    /// The masked value, or nil when nothing in it needed masking (the common case, which copies nothing).
    private func masked(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .string(let text):
            var text = text
            return text.withUTF8 { bytes in
                mask(bytes).map { JSONValue.string(String(decoding: $0, as: UTF8.self)) }
            }
        case .array(let elements):
            var result: [JSONValue]?
            for (index, element) in elements.enumerated() {
                guard let replacement = masked(element) else { continue }
                if result == nil { result = elements }
                result![index] = replacement
            }
            return result.map(JSONValue.array)
        case .object(let object): return masked(object).map(JSONValue.object)
        case .null, .bool, .number: return nil
        }
    }

    private func masked(_ object: JSONObject) -> JSONObject? {
        var changed = false
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(object.count)
        for (key, value) in object {
            var replacement: JSONValue?
            if isSecretName(key) {
                switch value {
                // A flag or an absent value says nothing secret (`"password": null`).
                case .null, .bool: replacement = nil
                case .string(Self.placeholder): replacement = nil
                default: replacement = .string(Self.placeholder)
                }
            } else {
                replacement = masked(value)
            }
            // A key can be a secret too (`{"AKIA…": "prod"}`).
            let maskedKey = mask(key)
            if replacement != nil || maskedKey != key { changed = true }
            members.append((maskedKey, replacement ?? value))
        }
        guard changed else { return nil }
        var result = JSONObject()
        for (key, value) in members {
            // Two keys masked alike stay two members.
            var unique = key
            var number = 2
            while result[unique] != nil {
                unique = "\(key) (\(number))"
                number += 1
            }
            result[unique] = value
        }
        return result
    }

    /// Whether a key or variable name names a secret: it ends with `password`, `secret`, `token`, `api_key`
    /// and the like, in any case (`db_password`, `GITHUB_TOKEN`, `clientSecret`), or with one of this
    /// masker's own names.
    public func isSecretName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { isSecretName($0[...]) }
    }

    /// Whether a key or variable name names a secret, by the built-in endings.
    public static func isSecretName(_ name: String) -> Bool { standard.isSecretName(name) }

    // MARK: Scanning

    /// The masked bytes, or nil when nothing needed masking.
    private func mask(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        var copied = 0
        var position = 0
        while position < bytes.count {
            guard let found = match(bytes, at: position) else {
                position += 1
                continue
            }
            if output.isEmpty { output.reserveCapacity(bytes.count + 16) }
            output.append(contentsOf: bytes[copied..<found.start])
            output.append(contentsOf: found.replacement.utf8)
            copied = found.end
            position = found.end
        }
        if copied > 0 { output.append(contentsOf: bytes[copied...]) }
        // Then bare random-looking tokens, in what the shapes left: a name and its masked value (`KEY=[masked]`)
        // stays as the shapes wrote it.
        let entropic =
            copied > 0
            ? output.withUnsafeBufferPointer { Self.maskRandomTokens($0) }
            : Self.maskRandomTokens(bytes)
        return entropic ?? (copied > 0 ? output : nil)
    }

    /// A secret whose masked part starts at or around `position`.
    private func match(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> Found? {
        if let found = Self.match(bytes, at: position) { return found }
        if !nameBytes.isEmpty, bytes[position] == UInt8(ascii: "=") || bytes[position] == UInt8(ascii: ":"),
            let found = Self.assignment(bytes, position, isSecretName: isSecretName)
        {
            return found
        }
        for prefix in prefixBytes where bytes[position] == prefix[0] {
            if let found = Self.prefixed(
                bytes, position, prefix, minimum: 16, kind: "custom-token", body: Self.isTokenByte)
            {
                return found
            }
        }
        return nil
    }

    private struct Found {
        /// The masked range: `start..<end`.
        var start: Int
        var end: Int
        var replacement: String
    }

    /// A secret whose masked part starts at or around `position`, dispatched on the byte found there so that
    /// ordinary text costs one switch per byte.
    private static func match(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> Found? {
        switch bytes[position] {
        case UInt8(ascii: "A"): awsKey(bytes, position) ?? googleKey(bytes, position)
        case UInt8(ascii: "g"):
            gitHubToken(bytes, position) ?? gitLabToken(bytes, position)
                ?? prefixed(bytes, position, "gsk_", minimum: 20, kind: "groq-api-key", body: isAlphanumeric)
        case UInt8(ascii: "x"):
            slackToken(bytes, position)
                ?? prefixed(bytes, position, "xai-", minimum: 20, kind: "xai-api-key", body: isAlphanumeric)
        case UInt8(ascii: "s"): openAIKey(bytes, position) ?? stripeKey(bytes, position, "sk_")
        case UInt8(ascii: "r"):
            stripeKey(bytes, position, "rk_")
                ?? prefixed(
                    bytes, position, "r8_", minimum: 20, kind: "replicate-token", body: isAlphanumeric)
        case UInt8(ascii: "h"):
            prefixed(bytes, position, "hf_", minimum: 30, kind: "huggingface-token", body: isAlphanumeric)
                ?? slackWebhook(bytes, position)
        case UInt8(ascii: "n"):
            prefixed(bytes, position, "npm_", minimum: 36, kind: "npm-token", body: isAlphanumeric)
        case UInt8(ascii: "p"):
            prefixed(bytes, position, "pypi-", minimum: 50, kind: "pypi-token", body: isTokenByte)
                ?? prefixed(
                    bytes, position, "pplx-", minimum: 20, kind: "perplexity-api-key", body: isAlphanumeric)
        case UInt8(ascii: "e"): jwt(bytes, position)
        case UInt8(ascii: "-"): privateKeyBlock(bytes, position)
        case UInt8(ascii: "B"), UInt8(ascii: "b"): bearer(bytes, position)
        case UInt8(ascii: ":"): urlPassword(bytes, position) ?? assignment(bytes, position)
        case UInt8(ascii: "="): assignment(bytes, position)
        default: nil
        }
    }

    /// `prefix` then at least `minimum` body bytes, not glued to a word before it.
    private static func prefixed(
        _ bytes: UnsafeBufferPointer<UInt8>, _ position: Int, _ prefix: StaticString, minimum: Int,
        kind: String,
        body: (UInt8) -> Bool, needsDigit: Bool = false
    ) -> Found? {
        prefix.withUTF8Buffer { prefix in
            prefixed(
                bytes, position, prefix, minimum: minimum, kind: kind, body: body, needsDigit: needsDigit)
        }
    }

    private static func prefixed(
        _ bytes: UnsafeBufferPointer<UInt8>, _ position: Int, _ prefix: some Collection<UInt8>, minimum: Int,
        kind: String,
        body: (UInt8) -> Bool, needsDigit: Bool = false
    ) -> Found? {
        guard startsWord(bytes, position), position + prefix.count <= bytes.count,
            bytes[position..<position + prefix.count].elementsEqual(prefix)
        else { return nil }
        let bodyStart = position + prefix.count
        var end = bodyStart
        var digits = 0
        while end < bytes.count, body(bytes[end]) {
            if isDigit(bytes[end]) { digits += 1 }
            end += 1
        }
        guard end - bodyStart >= minimum, !needsDigit || digits > 0 else { return nil }
        return Found(start: position, end: end, replacement: "[masked:\(kind)]")
    }

    private static func awsKey(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int) -> Found? {
        guard startsWord(bytes, position), position + 20 <= bytes.count else { return nil }
        let prefixes: [StaticString] = [
            "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "APKA", "ABIA", "ACCA",
        ]
        guard prefixes.contains(where: { has(bytes, position, $0) }) else { return nil }
        for offset in 4..<20
        where !(isUppercase(bytes[position + offset]) || isDigit(bytes[position + offset])) {
            return nil
        }
        guard position + 20 == bytes.count || !isAlphanumeric(bytes[position + 20]) else { return nil }
        return Found(start: position, end: position + 20, replacement: "[masked:aws-access-key-id]")
    }

    private static func googleKey(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int) -> Found? {
        prefixed(bytes, position, "AIza", minimum: 35, kind: "google-api-key", body: isTokenByte)
    }

    private static func gitHubToken(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int) -> Found? {
        if let found = prefixed(
            bytes, position, "github_pat_", minimum: 22, kind: "github-token", body: isIdentifierByte)
        {
            return found
        }
        guard position + 4 <= bytes.count, bytes[position + 1] == UInt8(ascii: "h"),
            "pousr".utf8.contains(bytes[position + 2]), bytes[position + 3] == UInt8(ascii: "_")
        else { return nil }
        return prefixed(bytes, position, "gh", minimum: 38, kind: "github-token", body: isIdentifierByte)
    }

    /// `glpat-…`, `gldt-…`, `glrt-…` and the other GitLab token prefixes.
    private static func gitLabToken(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int) -> Found? {
        guard startsWord(bytes, position), has(bytes, position, "gl") else { return nil }
        var dash = position + 2
        while dash < bytes.count, dash - position <= 8, isLowercase(bytes[dash]) { dash += 1 }
        guard dash - position >= 4, dash < bytes.count, bytes[dash] == UInt8(ascii: "-") else { return nil }
        var end = dash + 1
        while end < bytes.count, isTokenByte(bytes[end]) { end += 1 }
        guard end - dash - 1 >= 20 else { return nil }
        return Found(start: position, end: end, replacement: "[masked:gitlab-token]")
    }

    private static func slackToken(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int) -> Found? {
        if let found = prefixed(
            bytes, position, "xapp-", minimum: 10, kind: "slack-token",
            body: { isAlphanumeric($0) || $0 == UInt8(ascii: "-") })
        {
            return found
        }
        guard position + 5 <= bytes.count, has(bytes, position, "xox"),
            "abposre".utf8.contains(bytes[position + 3]),
            bytes[position + 4] == UInt8(ascii: "-")
        else { return nil }
        return prefixed(
            bytes, position, "xox", minimum: 12, kind: "slack-token",
            body: { isAlphanumeric($0) || $0 == UInt8(ascii: "-") })
    }

    private static func slackWebhook(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int) -> Found? {
        let marker: StaticString = "hooks.slack.com/services/"
        guard has(bytes, position, marker) else { return nil }
        let start = position + marker.utf8CodeUnitCount
        var end = start
        while end < bytes.count, isAlphanumeric(bytes[end]) || bytes[end] == UInt8(ascii: "/") { end += 1 }
        guard end - start >= 8 else { return nil }
        return Found(start: start, end: end, replacement: "[masked:slack-webhook]")
    }

    /// OpenAI (`sk-…`, `sk-proj-…`), Anthropic (`sk-ant-…`) and other `sk-` keys: long, with a digit.
    private static func openAIKey(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int) -> Found? {
        prefixed(bytes, position, "sk-", minimum: 20, kind: "api-key", body: isTokenByte, needsDigit: true)
    }

    private static func stripeKey(
        _ bytes: UnsafeBufferPointer<UInt8>, _ position: Int, _ prefix: StaticString
    )
        -> Found?
    {
        guard has(bytes, position, prefix) else { return nil }
        let mode = position + 3
        guard has(bytes, mode, "live_") || has(bytes, mode, "test_") else { return nil }
        return prefixed(bytes, position, prefix, minimum: 15, kind: "stripe-key", body: isIdentifierByte)
    }

    /// `eyJ…` header, `.`, payload, `.`, signature.
    private static func jwt(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int) -> Found? {
        guard startsWord(bytes, position), has(bytes, position, "eyJ") else { return nil }
        var end = position
        for part in 0..<3 {
            let start = end
            while end < bytes.count, isTokenByte(bytes[end]) { end += 1 }
            guard end - start >= (part == 0 ? 8 : 4) else { return nil }
            if part < 2 {
                guard end < bytes.count, bytes[end] == UInt8(ascii: ".") else { return nil }
                end += 1
            }
        }
        return Found(start: position, end: end, replacement: "[masked:jwt]")
    }

    /// `-----BEGIN … PRIVATE KEY-----` to the matching END line (or the end of the text).
    private static func privateKeyBlock(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int) -> Found? {
        guard has(bytes, position, "-----BEGIN ") else { return nil }
        var headerEnd = position + 11
        while headerEnd < bytes.count, headerEnd - position < 80, bytes[headerEnd] != UInt8(ascii: "-"),
            bytes[headerEnd] != 0x0A
        {
            headerEnd += 1
        }
        let header = String(
            decoding: UnsafeBufferPointer(rebasing: bytes[position..<headerEnd]), as: UTF8.self)
        guard header.hasSuffix("PRIVATE KEY") || header.hasSuffix("PRIVATE KEY BLOCK") else { return nil }
        var end = headerEnd
        while end < bytes.count {
            if has(bytes, end, "-----END ") {
                end += 9
                while end < bytes.count, bytes[end] != 0x0A, !has(bytes, end, "-----") { end += 1 }
                if has(bytes, end, "-----") { end += 5 }
                break
            }
            end += 1
        }
        return Found(start: position, end: end, replacement: "[masked:private-key]")
    }

    /// `Bearer <token>`: the token.
    private static func bearer(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int) -> Found? {
        guard startsWord(bytes, position), position + 7 < bytes.count,
            hasIgnoringCase(bytes, position, "bearer ")
        else { return nil }
        var start = position + 7
        while start < bytes.count, bytes[start] == UInt8(ascii: " ") { start += 1 }
        var end = start
        while end < bytes.count, isCredentialByte(bytes[end]) { end += 1 }
        guard end - start >= 8 else { return nil }
        return Found(start: start, end: end, replacement: placeholder)
    }

    /// `scheme://user:password@host`: the password, up to the last `@` before the host (a password may hold
    /// an `@` of its own).
    private static func urlPassword(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int) -> Found? {
        guard has(bytes, position, "://"), position > 0, isAlphanumeric(bytes[position - 1]) else {
            return nil
        }
        let start = position + 3
        var end = start
        var lastAt: Int?
        while end < bytes.count, !isSpace(bytes[end]), !"/?#\"'<>()[]{}".utf8.contains(bytes[end]) {
            if bytes[end] == UInt8(ascii: "@") { lastAt = end }
            end += 1
        }
        guard let lastAt,
            let colon = bytes[start..<lastAt].firstIndex(of: UInt8(ascii: ":")), lastAt > colon + 1
        else { return nil }
        return Found(start: colon + 1, end: lastAt, replacement: placeholder)
    }

    /// `NAME=value`, `name: value`, `"name": "value"` where NAME names a secret: the value. `Basic` and `Bearer`
    /// values keep their scheme.
    private static func assignment(
        _ bytes: UnsafeBufferPointer<UInt8>, _ position: Int,
        isSecretName: (Slice<UnsafeBufferPointer<UInt8>>) -> Bool = isBuiltInSecretName
    ) -> Found? {
        var nameEnd = position
        while nameEnd > 0, bytes[nameEnd - 1] == UInt8(ascii: " ") { nameEnd -= 1 }
        if nameEnd > 0, bytes[nameEnd - 1] == UInt8(ascii: "\"") || bytes[nameEnd - 1] == UInt8(ascii: "'") {
            nameEnd -= 1
        }
        var nameStart = nameEnd
        while nameStart > 0, nameEnd - nameStart < 64, isNameByte(bytes[nameStart - 1]) { nameStart -= 1 }
        guard nameStart < nameEnd, isSecretName(bytes[nameStart..<nameEnd]) else { return nil }
        var start = position + 1
        while start < bytes.count, bytes[start] == UInt8(ascii: " ") { start += 1 }
        var quote: UInt8?
        if start < bytes.count, bytes[start] == UInt8(ascii: "\"") || bytes[start] == UInt8(ascii: "'") {
            quote = bytes[start]
            start += 1
        }
        for scheme: StaticString in ["Bearer ", "Basic ", "Token "]
        where hasIgnoringCase(bytes, start, scheme) {
            start += scheme.utf8CodeUnitCount
        }
        var end = start
        if let quote {
            while end < bytes.count, bytes[end] != quote, bytes[end] != 0x0A {
                end += bytes[end] == UInt8(ascii: "\\") && end + 1 < bytes.count ? 2 : 1
            }
            end = min(end, bytes.count)
        } else {
            while end < bytes.count, isValueByte(bytes[end]) { end += 1 }
        }
        let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        guard !value.isEmpty,
            !["null", "none", "true", "false", "nil", placeholder].contains(value.lowercased()),
            !value.hasPrefix("[masked")
        else { return nil }
        return Found(start: start, end: end, replacement: placeholder)
    }

    // MARK: Names

    /// Name endings that mark a secret.
    private static let secretSuffixes: [[UInt8]] = [
        "password", "passwd", "passphrase", "secret", "token", "apikey", "api_key", "api-key", "accesskey",
        "access_key", "secretkey", "secret_key", "privatekey", "private_key", "accountkey", "account_key",
        "sharedaccesskey", "credential", "credentials", "authorization",
    ].map { Array($0.utf8) }

    private func isSecretName(_ name: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        Self.isBuiltInSecretName(name) || Self.endsWithAny(name, nameBytes)
    }

    private static func isBuiltInSecretName(_ name: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        endsWithAny(name, secretSuffixes)
    }

    /// Whether `name` ends with one of `suffixes` (lower case), in any case.
    private static func endsWithAny(_ name: Slice<UnsafeBufferPointer<UInt8>>, _ suffixes: [[UInt8]]) -> Bool
    {
        for suffix in suffixes where name.count >= suffix.count {
            var matches = true
            var index = name.endIndex - suffix.count
            for expected in suffix {
                var byte = name[index]
                if isUppercase(byte) { byte += 0x20 }
                // `clientSecret` and `client-secret` name the same thing as `client_secret`.
                if byte != expected && !(expected == UInt8(ascii: "_") && byte == UInt8(ascii: "-")) {
                    matches = false
                    break
                }
                index += 1
            }
            if matches { return true }
        }
        return false
    }

    // MARK: Random-looking tokens

    /// `bytes` with every bare token that looks random enough to be a credential masked as
    /// `[masked:high-entropy]`, or nil when there is none, as detect-secrets finds them:
    ///
    /// - base64-like: 20 to 256 letters, digits, `+`, `/`, `_` or `-` (and `=` padding), with upper case, lower
    ///   case and a digit, above 4.5 bits of Shannon entropy a character;
    /// - hex: 32 to 256 hex digits with a letter and a digit, above 3 bits.
    ///
    /// Left alone: artifact ids (`xxh128:` and other labelled digests, `sha256:…`, `sha256 …`), the token of a
    /// receipt (`<handoff id>.<attempt>.<token>`), and 40-digit hex words, git's commit ids. Handoff and session
    /// ids are ULIDs, upper case and digits only, so they are never base64-like.
    private static func maskRandomTokens(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var output: [UInt8]?
        var copied = 0
        var position = 0
        while position < bytes.count {
            guard isRandomTokenByte(bytes[position]),
                position == 0
                    || !isRandomTokenByte(bytes[position - 1]) && bytes[position - 1] != UInt8(ascii: "=")
            else {
                position += 1
                continue
            }
            var end = position
            while end < bytes.count, isRandomTokenByte(bytes[end]) { end += 1 }
            var padded = end
            while padded < bytes.count, padded - end < 2, bytes[padded] == UInt8(ascii: "=") { padded += 1 }
            if looksRandom(bytes, position, end), !isExempt(bytes, position, end) {
                if output == nil { output = [] }
                output!.append(contentsOf: bytes[copied..<position])
                output!.append(contentsOf: "[masked:high-entropy]".utf8)
                copied = padded
            }
            position = padded
        }
        guard var output else { return nil }
        output.append(contentsOf: bytes[copied...])
        return output
    }

    private static func looksRandom(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        let length = end - start
        guard length >= 20, length <= 256 else { return false }
        var upper = false
        var lower = false
        var digit = false
        var hexOnly = true
        for byte in bytes[start..<end] {
            if isUppercase(byte) { upper = true }
            if isLowercase(byte) { lower = true }
            if isDigit(byte) { digit = true }
            if !isHexDigit(byte) { hexOnly = false }
        }
        if hexOnly && length >= 32 && (upper || lower) && digit {
            return length != 40 && entropy(bytes, start, end) > 3.0
        }
        return upper && lower && digit && entropy(bytes, start, end) > 4.5
    }

    /// Shannon entropy of the bytes, in bits a byte.
    private static func entropy(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double {
        var counts = [Int](repeating: 0, count: 128)
        for byte in bytes[start..<end] { counts[Int(byte & 0x7F)] += 1 }
        let length = Double(end - start)
        var bits = 0.0
        for count in counts where count > 0 {
            let share = Double(count) / length
            bits -= share * log2(share)
        }
        return bits
    }

    /// Labels that say the hex after them is a digest, not a secret.
    private static let digestLabels: [[UInt8]] = [
        "xxh128", "xxh64", "xxh3", "sha1", "sha224", "sha256", "sha384", "sha512", "sha", "md5", "blake2b",
        "blake3", "commit", "digest", "checksum", "hash",
    ].map { Array($0.utf8) }

    /// Whether the token is one of the store's ids or a labelled digest.
    private static func isExempt(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard start > 0 else { return false }
        // `<26-character id>.<attempt>.` before it: a receipt's token.
        if bytes[start - 1] == UInt8(ascii: ".") {
            var attempt = start - 1
            while attempt > 0, isDigit(bytes[attempt - 1]) { attempt -= 1 }
            if attempt < start - 1, attempt >= 27, bytes[attempt - 1] == UInt8(ascii: "."),
                bytes[(attempt - 27)..<(attempt - 1)].allSatisfy({ isDigit($0) || isUppercase($0) })
            {
                return true
            }
        }
        // `label:`, `label=`, `label `, `label-` before it.
        guard ":= -@".utf8.contains(bytes[start - 1]) else { return false }
        var labelStart = start - 1
        while labelStart > 0, isAlphanumeric(bytes[labelStart - 1]) { labelStart -= 1 }
        let label = bytes[labelStart..<(start - 1)].map { isUppercase($0) ? $0 + 0x20 : $0 }
        return digestLabels.contains(label)
    }

    /// Base64 and base64url characters, but for the `=` of padding.
    private static func isRandomTokenByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (0x61...0x66).contains(byte) || (0x41...0x46).contains(byte)
    }

    // MARK: Bytes

    private static func has(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int, _ text: StaticString)
        -> Bool
    {
        let count = text.utf8CodeUnitCount
        guard position >= 0, position + count <= bytes.count else { return false }
        return text.withUTF8Buffer { expected in
            for offset in 0..<count where bytes[position + offset] != expected[offset] { return false }
            return true
        }
    }

    private static func hasIgnoringCase(
        _ bytes: UnsafeBufferPointer<UInt8>, _ position: Int, _ text: StaticString
    )
        -> Bool
    {
        let count = text.utf8CodeUnitCount
        guard position >= 0, position + count <= bytes.count else { return false }
        return text.withUTF8Buffer { expected in
            for offset in 0..<count {
                var byte = bytes[position + offset]
                var wanted = expected[offset]
                if isUppercase(byte) { byte += 0x20 }
                if isUppercase(wanted) { wanted += 0x20 }
                if byte != wanted { return false }
            }
            return true
        }
    }

    /// Whether a token may start here: not in the middle of a word.
    private static func startsWord(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int) -> Bool {
        position == 0 || !isIdentifierByte(bytes[position - 1])
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    private static func isUppercase(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) }
    private static func isLowercase(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) }
    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || isUppercase(byte) || isLowercase(byte)
    }
    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_")
    }
    /// Base64url and the like: letters, digits, `_` and `-`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        isIdentifierByte(byte) || byte == UInt8(ascii: "-")
    }
    private static func isNameByte(_ byte: UInt8) -> Bool {
        isTokenByte(byte) || byte == UInt8(ascii: ".")
    }
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
    /// What a Bearer or Basic credential is made of (RFC 6750's b64token).
    private static func isCredentialByte(_ byte: UInt8) -> Bool {
        isTokenByte(byte) || "._~+/=".utf8.contains(byte)
    }
    /// An unquoted value runs to a space or a separator.
    private static func isValueByte(_ byte: UInt8) -> Bool {
        !isSpace(byte) && !",;&)}]\"'<>".utf8.contains(byte)
    }
}
