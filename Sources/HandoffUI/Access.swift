import HandoffKit
import Synchronization

/// Who may use the UI: whoever opened the printed URL first. Its one-time token is traded for a cookie
/// (HttpOnly, SameSite=Strict) holding a secret of its own; forms carry a third secret, the CSRF token.
/// Requests must also name the loopback address the UI printed as their `Host` (no DNS rebinding) and, to
/// change anything, come from that origin.
final class Access: Sendable {
    /// `127.0.0.1:PORT`, the only `Host` served.
    let authority: String
    /// `http://127.0.0.1:PORT`, the only `Origin` a state-changing request may come from.
    let origin: String
    /// The cookie's name: one per port, since cookies do not tell ports apart.
    let cookieName: String
    let cookieSecret: String
    let csrf: String
    private let token: Mutex<String?>

    init(port: Int) {
        authority = "127.0.0.1:\(port)"
        origin = "http://" + authority
        cookieName = "handoff_ui_\(port)"
        cookieSecret = Self.secret()
        csrf = Self.secret()
        token = Mutex(Self.secret())
    }

    /// The token the printed URL carries; nil once it has been traded.
    var unusedToken: String? { token.withLock { $0 } }

    /// Trades the token for the cookie: true the first time the right token is shown, false after.
    func trade(_ offered: String) -> Bool {
        token.withLock { token in
            guard let expected = token, Self.same(offered, expected) else { return false }
            token = nil
            return true
        }
    }

    func isSignedIn(cookie: String?) -> Bool {
        cookie.map { Self.same($0, cookieSecret) } ?? false
    }

    func isCSRFToken(_ value: String?) -> Bool {
        value.map { Self.same($0, csrf) } ?? false
    }

    /// 256 random bits as hex.
    static func secret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let text = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
    }

    /// Compares in time that does not depend on where the strings first differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
