import HTTPTypes
import HandoffHTML
import HandoffKit
import HandoffWorkLog
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The web UI's server: the pages of `HandoffHTML` behind the access rules of `Access`, on 127.0.0.1.
public enum UIServer {
    /// What `handoff ui` was asked for.
    public struct Configuration: Sendable {
        public var storePath: String
        public var store = Store.Configuration()
        /// 0 picks a free port.
        public var port = 0
        /// Whether to open the page in a browser once the server listens.
        public var openBrowser = true

        public init(storePath: String) {
            self.storePath = storePath
        }
    }

    /// How long an open session's event stream lasts before the browser reconnects (it does so at once, from
    /// where it was): a bound on what one request holds, and on how long a shutdown waits for it.
    static let eventStreamSeconds = 30.0
    /// How often an open session is looked at for new entries.
    static let pollMilliseconds = 300

    /// Serves until SIGINT or SIGTERM. The first line of standard output is the URL with the one-time token.
    /// - Parameter listening: Called with that URL once the server listens.
    public static func run(_ configuration: Configuration, listening: @escaping @Sendable (String) -> Void)
        async throws
    {
        let store = try Store.open(at: configuration.storePath, configuration: configuration.store)
        let workLog = try WorkLog(store: store)
        let queue = StoreQueue()
        let accessBox = AccessBox()
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: Guard(access: accessBox))
        routes(router, workLog: workLog, queue: queue, access: accessBox)
        let logger = Logger(label: "handoff-ui") { _ in SwiftLogNoOpLogHandler() }
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname("127.0.0.1", port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                let access = Access(port: port)
                accessBox.set(access)
                listening("http://\(access.authority)/?token=\(access.unusedToken ?? "")")
            },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    // MARK: Routes

    static func routes(
        _ router: Router<BasicRequestContext>, workLog: WorkLog, queue: StoreQueue, access: AccessBox
    ) {
        @Sendable func pages() -> Pages { Pages(workLog: workLog, csrf: access.value?.csrf ?? "") }
        @Sendable func page(_ body: @escaping @Sendable (Pages) throws -> String) async -> Response {
            let pages = pages()
            do {
                return html(try await queue.run { try body(pages) })
            } catch {
                return failure(error)
            }
        }

        router.get("/assets/handoff.css") { _, _ in
            asset(Assets.css, type: "text/css; charset=utf-8")
        }
        router.get("/assets/handoff.js") { _, _ in
            asset(Assets.script, type: "text/javascript; charset=utf-8")
        }
        router.get("/favicon.ico") { _, _ in Response(status: .noContent) }
        router.get("/") { _, _ in await page { try $0.overview() } }
        router.get("/inbox/:consumer") { request, context in
            guard let consumer = segment(context, "consumer"), let query = query(request) else {
                return badRequest()
            }
            return await page { try $0.inbox(consumer, state: query["state"], after: query["after"]) }
        }
        router.get("/artifacts/:id") { _, context in
            guard let id = segment(context, "id") else { return badRequest() }
            return await page { try $0.artifact(id) }
        }
        router.get("/artifacts/:id/raw") { _, context in
            guard let id = segment(context, "id") else { return badRequest() }
            let pages = pages()
            do {
                let bytes = try await queue.run { try pages.raw(id) }
                var headers = HTTPFields()
                headers[.contentType] = "application/json"
                return Response(
                    status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
            } catch {
                return failure(error)
            }
        }
        router.get("/chain/:id") { request, context in
            guard let id = segment(context, "id"), let query = query(request) else { return badRequest() }
            guard let depth = number(query["depth"], default: 10), depth <= 1000 else {
                return failure(HandoffError(.usage, "depth must be a number from 0 to 1000"))
            }
            return await page { try $0.chain(id, depth: depth) }
        }
        router.get("/schemas/:name") { _, context in
            guard let name = segment(context, "name") else { return badRequest() }
            return await page { try $0.schema(name) }
        }
        router.get("/sessions/:id") { request, context in
            guard let id = segment(context, "id"), let query = query(request) else { return badRequest() }
            let page = query["page"].flatMap { Int($0) }
            let step = query["step"].flatMap { Int($0) }
            if query["page"] != nil && page == nil || query["step"] != nil && step == nil {
                return failure(HandoffError(.usage, "page and step must be whole numbers"))
            }
            let pages = pages()
            do {
                let rendered = try await queue.run { () throws(HandoffError) in
                    try pages.session(id, page: page, step: step, view: query["view"])
                }
                return html(rendered.html)
            } catch {
                return failure(error)
            }
        }
        router.get("/sessions/:id/events") { request, context in
            guard let id = segment(context, "id"), let query = query(request) else { return badRequest() }
            // A reconnecting EventSource says where it got to; the page says where it starts.
            let resumed = request.headers[HTTPField.Name("Last-Event-ID")!].flatMap { Int($0) }
            guard let after = resumed ?? number(query["after"]) else { return failure(offsetError) }
            return events(session: id, after: after, pages: pages(), queue: queue)
        }
        router.get("/escalations") { request, _ in
            guard let query = query(request) else { return badRequest() }
            guard let offset = number(query["offset"]) else { return failure(offsetError) }
            let flash = query["decided"].map {
                Pages.Flash("Decided \($0): every bot and the CLI see it decided.")
            }
            return await page { try $0.escalations(all: query["all"] == "1", offset: offset, flash: flash) }
        }
        router.post("/escalations/:id/decide") { request, context in
            guard let id = segment(context, "id") else { return badRequest() }
            let form: [String: String]
            do { form = try await checkedForm(request, access: access) } catch { return failure(error) }
            let pages = pages()
            let worker = decider()
            do {
                _ = try await queue.run { () throws(HandoffError) in
                    try pages.decide(escalation: id, note: form["note"] ?? "", by: worker)
                }
                return redirect("/escalations?decided=" + HTML.queryValue(id))
            } catch {
                return failure(error)
            }
        }
        router.get("/insights") { request, _ in
            guard let query = query(request) else { return badRequest() }
            guard let offset = number(query["offset"]) else { return failure(offsetError) }
            let flash = query["decided"].map { Pages.Flash("Insight \($0) \(query["as"] ?? "decided").") }
            return await page { try $0.insights(state: query["state"], offset: offset, flash: flash) }
        }
        router.post("/insights/:id/decide") { request, context in
            guard let id = segment(context, "id") else { return badRequest() }
            let form: [String: String]
            do { form = try await checkedForm(request, access: access) } catch { return failure(error) }
            guard let decision = form["decision"], decision == "approve" || decision == "reject" else {
                return failure(HandoffError(.usage, "the decision must be approve or reject"))
            }
            let pages = pages()
            do {
                let insight = try await queue.run { () throws(HandoffError) in
                    try pages.decide(insight: id, approve: decision == "approve", note: form["note"])
                }
                return redirect(
                    "/insights?decided=" + HTML.queryValue(insight.id) + "&as=" + insight.state.rawValue)
            } catch {
                return failure(error)
            }
        }
        router.get("/search") { request, _ in
            guard let query = query(request) else { return badRequest() }
            guard let offset = number(query["offset"]) else { return failure(offsetError) }
            return await page { try $0.search(query["q"] ?? "", offset: offset) }
        }
    }

    /// An open session's new entries as server-sent events: `entries` with the timeline's rows for them
    /// (the event's id is the last step, where a reconnection resumes), `ended` once the session has ended.
    static func events(session id: String, after step: Int, pages: Pages, queue: StoreQueue) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let body = ResponseBody { writer in
            var last = step
            let deadline = ContinuousClock.now + .seconds(UIServer.eventStreamSeconds)
            try await writer.write(ByteBuffer(string: "retry: 500\n\n"))
            while ContinuousClock.now < deadline && !Task.isCancelled && !Task.isShuttingDownGracefully {
                let update: (rows: String, lastStep: Int, ended: Bool)
                do {
                    let after = last
                    update = try await queue.run { try pages.sessionUpdate(id, after: after) }
                } catch {
                    try await writer.write(ByteBuffer(string: event("ended", message(error), id: nil)))
                    break
                }
                if !update.rows.isEmpty {
                    last = update.lastStep
                    try await writer.write(
                        ByteBuffer(string: event("entries", update.rows, id: String(last))))
                }
                if update.ended {
                    try await writer.write(
                        ByteBuffer(string: event("ended", "The session has ended.", id: nil)))
                    break
                }
                // A comment line now and then, so that a browser that went away is noticed.
                try await writer.write(ByteBuffer(string: ":\n\n"))
                try? await Task.sleep(for: .milliseconds(UIServer.pollMilliseconds))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// One server-sent event; each line of `data` its own `data:` line, as the format wants.
    static func event(_ name: String, _ data: String, id: String?) -> String {
        var text = "event: \(name)\n"
        if let id { text += "id: \(id)\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            text += "data: " + line.replacing("\r", with: "") + "\n"
        }
        return text + "\n"
    }

    // MARK: Helpers

    /// Who a decision made in the browser is recorded as: the user running the UI.
    static func decider() -> String {
        let user = (getenv("USER") ?? getenv("LOGNAME")).map { String(cString: $0) } ?? ""
        let name = "ui:" + user
        return (try? Store.checkName(name, as: "worker")) != nil && !user.isEmpty ? name : "handoff-ui"
    }

    static let offsetError = HandoffError(.usage, "offset must be a whole number, 0 or more")

    static func number(_ text: String?, default value: Int = 0) -> Int? {
        guard let text, !text.isEmpty else { return value }
        guard let number = Int(text), number >= 0 else { return nil }
        return number
    }

    static func segment(_ context: BasicRequestContext, _ name: String) -> String? {
        context.parameters.get(name).flatMap { HTML.percentDecoded(Substring($0)) }
    }

    static func query(_ request: Request) -> [String: String]? {
        HTML.formFields(Substring(request.uri.query ?? ""))
    }

    /// The form of a state-changing request, once its CSRF token is checked (the Origin was, by `Guard`).
    static func checkedForm(_ request: Request, access: AccessBox) async throws(HandoffError) -> [String:
        String]
    {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: 64 << 10)
        } catch {
            throw HandoffError(.usage, "the form is larger than 64 KB")
        }
        guard let text = String(validating: Array(body.readableBytesView), as: UTF8.self),
            let form = HTML.formFields(Substring(text))
        else {
            throw HandoffError(.invalidInput, "the form is not URL-encoded UTF-8")
        }
        guard access.value?.isCSRFToken(form["csrf"]) == true else {
            throw HandoffError(
                .usage, "the form's CSRF token is missing or wrong: reload the page and try again")
        }
        return form
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    static func message(_ error: any Error) -> String {
        (error as? HandoffError)?.message ?? "\(error)"
    }

    static func badRequest() -> Response {
        html(
            Pages.error("The address is not valid UTF-8 or not encoded as a URL should be."),
            status: .badRequest)
    }

    static func failure(_ error: any Error) -> Response {
        guard let error = error as? HandoffError else {
            return html(Pages.error(message(error)), status: .internalServerError)
        }
        let status: HTTPResponse.Status =
            switch error.code {
            case .notFound: .notFound
            case .usage, .invalidInput: .badRequest
            case .conflict, .nothingToClaim: .conflict
            case .busy: .serviceUnavailable
            case .checkFailed, .io: .internalServerError
            }
        return html(Pages.error(error.message, hint: error.hint), status: status)
    }
}

/// The access rules, known once the server has its port.
final class AccessBox: Sendable {
    private let box = Mutex<Access?>(nil)

    var value: Access? { box.withLock { $0 } }

    func set(_ access: Access) { box.withLock { $0 = access } }
}

/// Every request passes here first: the Host, the token or cookie, the method and, for a change, the
/// Origin; every answer leaves with headers that keep the page to itself.
struct Guard: RouterMiddleware {
    typealias Context = BasicRequestContext
    let access: AccessBox

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var response = try await check(request, context: context, next: next)
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    private func check(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    )
        async throws -> Response
    {
        guard let access = access.value else {
            return refuse(.serviceUnavailable, "The UI is starting; try again in a moment.")
        }
        // DNS rebinding: a page from elsewhere whose name now points at 127.0.0.1 still says its own name.
        guard request.head.authority == access.authority else {
            return refuse(
                .misdirectedRequest,
                "This server answers only to \(access.authority), not to \(request.head.authority ?? "a request without a Host")."
            )
        }
        guard [.get, .post].contains(request.method) else {
            var refused = refuse(
                .methodNotAllowed, "\(request.method) is not served here: pages are read with GET.")
            refused.headers[.allow] = "GET, POST"
            return refused
        }
        let fields = HTML.formFields(Substring(request.uri.query ?? "")) ?? [:]
        if let token = fields["token"] {
            guard request.method == .get, access.trade(token) else {
                return refuse(
                    .forbidden,
                    "This link was used already, or its token is wrong. Each run of handoff ui prints a link that "
                        + "opens once; run it again for a new one.")
            }
            // The token leaves the address at once, so that it is neither kept in history nor shared by a copy.
            var headers = HTTPFields()
            headers[.location] = request.uri.path
            headers[.setCookie] =
                "\(access.cookieName)=\(access.cookieSecret); Path=/; HttpOnly; SameSite=Strict"
            return Response(status: .seeOther, headers: headers)
        }
        guard access.isSignedIn(cookie: request.cookies[access.cookieName]?.value) else {
            return refuse(
                .unauthorized, "Open the link handoff ui printed (it holds a one-time token) to use this UI.")
        }
        if request.method == .post {
            guard request.headers[.origin] == access.origin else {
                return refuse(
                    .forbidden,
                    "A change must come from a page of this UI (Origin \(access.origin)), not from "
                        + (request.headers[.origin] ?? "a request without an Origin") + ".")
            }
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // No route: say so in a page, as every other refusal does.
            return refuse(.notFound, "There is no page at \(request.uri.path).")
        }
    }

    private func refuse(_ status: HTTPResponse.Status, _ message: String) -> Response {
        UIServer.html(Pages.error(message), status: status)
    }
}
