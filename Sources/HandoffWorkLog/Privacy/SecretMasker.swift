import HandoffJSON

/// Masks credentials in text and JSON before a work log stores them.
///
/// It recognises the usual shapes: cloud provider keys (AWS access key ids, Google API keys), GitHub,
/// GitLab, Slack, npm and PyPI tokens, API keys of LLM providers (OpenAI, Anthropic, Groq, xAI, Hugging Face,
/// Perplexity, Replicate), Stripe secret keys, JWTs, private-key blocks, passwords in URLs, Bearer and Basic
/// credentials, and the values of keys named like `password`, `secret`, `token` or `api_key` (in text such as
/// `DB_PASSWORD=…` or `"api_key": "…"`, and as JSON object members). Ordinary text, artifact ids and hashes
/// are left as they are.
///
/// ```swift
/// SecretMasker.mask("curl -H 'Authorization: Bearer eyJhbGciOi…'")  // "curl -H 'Authorization: Bearer [masked]'"
/// ```
public enum SecretMasker {
    /// What stands in for a masked value.
    public static let placeholder = "[masked]"

    /// `text` with every credential it holds replaced by `[masked]` or `[masked:<kind>]`.
    public static func mask(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            guard let masked = mask(bytes) else { return nil }
            return String(decoding: masked, as: UTF8.self)
        } ?? text
    }

    /// `value` with credentials masked in every string, and the string values of members whose keys name a
    /// secret (`password`, `client_secret`, `GITHUB_TOKEN`, `authorization`, …) replaced entirely.
    public static func mask(_ value: JSONValue) -> JSONValue {
        masked(value) ?? value
    }

    /// `object` masked member by member, as `mask(_:)` does for a JSON value.
    public static func mask(_ object: JSONObject) -> JSONObject {
        masked(object) ?? object
    }

    /// The masked value, or nil when nothing in it needed masking (the common case, which copies nothing).
    private static func masked(_ value: JSONValue) -> JSONValue? {
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

    private static func masked(_ object: JSONObject) -> JSONObject? {
        var result: JSONObject?
        for (key, value) in object {
            let replacement: JSONValue?
            if case .string(let text) = value, isSecretName(key) {
                replacement = text == placeholder ? nil : .string(placeholder)
            } else {
                replacement = masked(value)
            }
            guard let replacement else { continue }
            if result == nil { result = object }
            result![key] = replacement
        }
        return result
    }

    /// Whether a key or variable name names a secret: it ends with `password`, `secret`, `token`, `api_key`
    /// and the like, in any case (`db_password`, `GITHUB_TOKEN`, `clientSecret`).
    public static func isSecretName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { isSecretName($0[...]) }
    }

    // MARK: Scanning

    /// The masked bytes, or nil when nothing needed masking.
    private static func mask(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
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
        guard copied > 0 else { return nil }
        output.append(contentsOf: bytes[copied...])
        return output
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
        guard startsWord(bytes, position), has(bytes, position, prefix) else { return nil }
        let bodyStart = position + prefix.utf8CodeUnitCount
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

    /// `scheme://user:password@host`: the password.
    private static func urlPassword(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int) -> Found? {
        guard has(bytes, position, "://"), position > 0, isAlphanumeric(bytes[position - 1]) else {
            return nil
        }
        var colon = position + 3
        while colon < bytes.count, !isSpace(bytes[colon]) {
            let byte = bytes[colon]
            if byte == UInt8(ascii: ":") { break }
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "@") { return nil }
            colon += 1
        }
        guard colon < bytes.count, bytes[colon] == UInt8(ascii: ":") else { return nil }
        var at = colon + 1
        while at < bytes.count, !isSpace(bytes[at]), bytes[at] != UInt8(ascii: "/"),
            bytes[at] != UInt8(ascii: "@")
        {
            at += 1
        }
        guard at < bytes.count, bytes[at] == UInt8(ascii: "@"), at > colon + 1 else { return nil }
        return Found(start: colon + 1, end: at, replacement: placeholder)
    }

    /// `NAME=value`, `name: value`, `"name": "value"` where NAME names a secret: the value. `Basic` and `Bearer`
    /// values keep their scheme.
    private static func assignment(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int) -> Found? {
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

    private static func isSecretName(_ name: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        for suffix in secretSuffixes where name.count >= suffix.count {
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
