"""Drives `handoff ui` in a real browser (Debian's chromium, through Playwright), as a person would.

Usage: ui_browser.py SCENARIO HANDOFF STORE [SCREENSHOTS]
Each scenario asserts what the browser (or a plain HTTP client, for the access rules) sees and prints
`ok <check>` for each check that passed; any failure raises, which exits non-zero with the traceback on
standard error. What the pages show is compared with what the command line prints for the same store.
With SCREENSHOTS (a folder), the `pages` scenario also saves the README's screenshots there.
"""
import http.client
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

from playwright.sync_api import sync_playwright

SCENARIO, HANDOFF, STORE = sys.argv[1], sys.argv[2], sys.argv[3]
SCREENSHOTS = sys.argv[4] if len(sys.argv) > 4 else None
# Everything a bot writes that a page shows could carry these; none may run.
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
HOSTILE_URL = "javascript:window.__pwned=3"


def ok(check):
    print("ok " + check, flush=True)


def cli(*args, stdin=None, check=True):
    result = subprocess.run([HANDOFF, *args, "--store", STORE], input=stdin, capture_output=True, text=True,
                            timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(
            f"handoff {' '.join(args)} exited {result.returncode}: {result.stderr}{result.stdout[-2000:]}")
    return result


def cli_json(*args, stdin=None):
    return json.loads(cli(*args, "--json", stdin=stdin).stdout)


class UI:
    """`handoff ui --no-open` on the store, with the address it printed on its first line."""

    def __init__(self, port=0):
        self.process = subprocess.Popen([HANDOFF, "ui", "--store", STORE, "--no-open", "--port", str(port)],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ready, _, _ = select.select([self.process.stdout], [], [], 30)
        assert ready, "handoff ui printed nothing within 30 s"
        self.url = self.process.stdout.readline().decode().strip()
        assert self.url.startswith("http://127.0.0.1:") and "/?token=" in self.url, self.url
        self.base = self.url.split("/?token=")[0]
        self.port = int(self.base.rsplit(":", 1)[1])
        self.token = self.url.split("token=")[1]

    def stop(self, sig=signal.SIGTERM):
        self.process.send_signal(sig)
        status = self.process.wait(timeout=15)
        assert status == 0, f"handoff ui exited {status}: {self.process.stderr.read().decode()}"

    def request(self, method, path, host=None, headers=None, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.putrequest(method, path, skip_host=True)
        # host: the Host header to send; "" sends an empty one, False none at all.
        if host is not False:
            connection.putheader("Host", f"127.0.0.1:{self.port}" if host is None else host)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        data = body.encode() if body is not None else None
        if data is not None:
            connection.putheader("Content-Length", str(len(data)))
        connection.endheaders(data)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, dict(response.getheaders()), text


def browser(playwright):
    return playwright.chromium.launch(executable_path=os.environ["HANDOFF_CHROMIUM"], headless=True,
                                      args=["--no-sandbox", "--disable-dev-shm-usage"])


def signed_in(playwright, ui):
    """A browser page that traded the token for the cookie."""
    context = browser(playwright).new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    response = page.goto(ui.url)
    assert response.status == 200, response.status
    assert page.url == ui.base + "/", page.url
    return context, page


def record_session(entries, bot="analyst", workspace="#general", query="Look into it", end=None, extra=()):
    lines = [json.dumps(entry) for entry in entries]
    if end is not None:
        lines.append(json.dumps({"end": end}))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as file:
        file.write("\n".join(lines) + "\n")
    result = cli_json("log", "record", file.name, "--bot", bot, "--workspace", workspace, "--query", query, *extra)
    os.unlink(file.name)
    return result["session"]["id"]


def texts(page, selector):
    return [element.inner_text().strip() for element in page.query_selector_all(selector)]


# MARK: pages


def scenario_pages():
    cli("demo")
    cli("demo", "--coordination")
    # 120 handoffs for one consumer, to page through.
    lines = "\n".join(json.dumps({"schema": "handoff-request-v1", "task": f"Look at item {n:03}",
                                  "expected_schema": "tool-result-v1", "priority": "normal"})
                       for n in range(120))
    cli("import", "-", "--from", "feeder", "--to", "pager", stdin=lines + "\n")
    ui = UI()
    with sync_playwright() as playwright:
        context, page = signed_in(playwright, ui)
        cookie = [c for c in context.cookies() if c["name"] == f"handoff_ui_{ui.port}"][0]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict", cookie
        ok("the token is traded for a strict HttpOnly cookie")

        # Overview: each consumer's pending count as the command line counts it.
        listed = cli_json("ls", "--handoffs", "--limit", "1000")["handoffs"]
        for consumer in {item["handoff"]["consumer"] for item in listed}:
            pending = sum(1 for item in listed
                          if item["handoff"]["consumer"] == consumer and item["handoff"]["state"] == "pending")
            cell = page.inner_text(f'tr[data-consumer="{consumer}"] td:nth-child(2)').strip()
            assert cell == str(pending), (consumer, cell, pending)
        sessions = cli_json("logs")["sessions"]
        for session in sessions:
            assert page.query_selector(f'#sessions a[href="/sessions/{session["id"]}"]'), session["id"]
        waiting = cli_json("escalations")["escalations"]
        assert len(waiting) > 0
        assert waiting[0]["bot"] in page.inner_text("main")
        ok("the overview shows every inbox, the sessions and what waits")

        # An inbox: the handoffs the command line lists, oldest first, with their next actions.
        inbox = cli_json("inbox", "reviewer")["handoffs"]
        page.click('a[href="/inbox/reviewer"]')
        shown = [row.get_attribute("data-handoff") for row in page.query_selector_all("tr[data-handoff]")]
        assert shown == [item["handoff"]["id"] for item in inbox], (shown, inbox)
        for action in inbox[0]["next_actions"]:
            assert action["action"] in page.inner_text("#handoffs"), action
        ok("an inbox lists the handoffs the command line lists")

        expected = [item["handoff"]["id"] for item in cli_json("inbox", "pager", "--limit", "500")["handoffs"]]
        assert len(expected) == 120
        page.goto(ui.base + "/inbox/pager")
        seen = []
        for _ in range(5):
            seen += [row.get_attribute("data-handoff") for row in page.query_selector_all("tr[data-handoff]")]
            following = page.query_selector('nav.pager a:has-text("Next")')
            if following is None:
                break
            following.click()
        assert seen == expected, (len(seen), seen[:3], expected[:3])
        if SCREENSHOTS:
            page.goto(ui.base + "/")
            page.screenshot(path=os.path.join(SCREENSHOTS, "overview.png"))
            # The samples' security scans, as a scanner hands them to an auditor.
            samples = os.path.join(os.path.dirname(__file__), "..", "..", "..", "Samples", "valid")
            for name in sorted(os.listdir(os.path.join(samples, "security-scan-v1"))):
                cli("put", os.path.join(samples, "security-scan-v1", name), "--from", "security_scanner",
                    "--to", "auditor", "--workflow", "skill-intake")
            page.goto(ui.base + "/inbox/auditor")
            page.locator("main").screenshot(path=os.path.join(SCREENSHOTS, "inbox.png"))
        page.goto(ui.base + "/inbox/pager?state=done")
        assert "No done handoffs" in page.inner_text("main")
        ok("an inbox pages through all its handoffs, by state")

        # An artifact: its document, schema, next actions and handoffs.
        artifact = inbox[0]["handoff"]["artifact"]
        page.goto(ui.base + "/artifacts/" + artifact)
        document = json.loads(cli("get", artifact).stdout)
        body = page.inner_text("main")
        assert document["schema"] in body and document["task"] in body, body[:400]
        for action in cli_json("next", artifact)["next_actions"]:
            assert action["action"] in body
        assert page.query_selector(f'a[href="/schemas/{document["schema"]}"]')
        assert inbox[0]["handoff"]["id"] in body
        closed = page.eval_on_selector_all("details.json", "all => all.filter(d => !d.open).length")
        page.click('button[data-fold="open"]')
        assert page.eval_on_selector_all("details.json", "all => all.filter(d => !d.open).length") == 0
        page.click('button[data-fold="closed"]')
        assert page.eval_on_selector_all("details.json", "all => all.filter(d => d.open).length") == 0
        assert closed >= 0
        # Its canonical bytes, as stored; a document too large to draw is offered to download instead.
        raw = page.request.get(ui.base + "/artifacts/" + artifact + "/raw")
        assert raw.status == 200 and raw.headers["content-type"] == "application/json"
        assert json.loads(raw.body()) == document
        large = {"schema": "bulk-v1", "blob": "x" * (5 << 20)}
        large_id = cli_json("put", "-", "--from", "loader", "--no-validate", stdin=json.dumps(large))["artifact"]["id"]
        page.goto(ui.base + "/artifacts/" + large_id)
        assert "too large to draw here" in page.inner_text("main") and not page.query_selector("details.json")
        assert len(page.request.get(ui.base + "/artifacts/" + large_id + "/raw").body()) > 5 << 20
        ok("an artifact shows its document, foldable, with its schema, next actions and handoffs")

        # A chain: the graph has a box per artifact the command line lists, beside the same text.
        chain = cli_json("chain", artifact)
        page.goto(ui.base + "/chain/" + artifact)
        nodes = page.query_selector_all("svg.chain g.node")
        assert len(nodes) == len(chain["nodes"]) >= 2, (len(nodes), len(chain["nodes"]))
        assert len(page.query_selector_all("svg.chain path.edge")) == len(chain["edges"])
        assert page.inner_text("#chain-text").strip() == cli("chain", artifact).stdout.strip()
        box = page.query_selector("svg.chain g.node:not(.focus) rect").bounding_box()
        assert box["width"] > 100 and box["height"] > 30, box
        if SCREENSHOTS:
            page.locator("main").screenshot(path=os.path.join(SCREENSHOTS, "chain.png"))
        other = page.query_selector("svg.chain g.node:not(.focus)").get_attribute("data-id")
        page.click(f'svg.chain g.node[data-id="{other}"]')
        page.wait_for_url(ui.base + "/artifacts/" + other)
        ok("a chain is drawn as a graph, and a click on a node opens it")

        # A session: a row per entry, levels named, low confidence flagged, tools to scale, a correction linked.
        bookmark = [s for s in sessions if s["workspace"] == "#general"][0]
        explained = cli_json("explain", "--session", bookmark["id"], "--mode", "detailed")
        entries = explained["entries"]
        page.goto(ui.base + "/sessions/" + bookmark["id"])
        rows = page.query_selector_all("#timeline tbody tr[data-step]")
        assert len(rows) == len(entries) == bookmark["steps"], (len(rows), len(entries))
        for entry in entries:
            row = f'#step-{entry["step"]}'
            assert entry["level"] in page.inner_text(f"{row} .level"), entry
            if entry.get("confidence") is not None and entry["confidence"] < 0.7:
                assert page.query_selector(f"{row} meter") and "low" in page.inner_text(f"{row} .flag")
            if entry.get("duration_ms") is not None and entry.get("tool_name"):
                assert page.query_selector(f"{row} svg.bar"), entry
            if entry["level"] == "correction":
                assert page.query_selector(f'{row} a:has-text("corrects step")'), entry
            if entry["escalation"]:
                assert "escalation" in page.inner_text(f"{row} .marks")
        if SCREENSHOTS:
            page.screenshot(path=os.path.join(SCREENSHOTS, "session.png"))
        ok("a session is a timeline of its entries, marked as the notes ask")

        coordination = [s for s in sessions if s["workspace"] == "#coordination-website"][0]
        page.goto(ui.base + "/sessions/" + coordination["id"])
        bubbles = page.query_selector_all(".conversation .bubble")
        assert len(bubbles) >= 3, len(bubbles)
        assert "nanobot" in page.inner_text(".conversation")
        ok("a coordination session reads as a conversation")

        hits = cli_json("how", "escalate", "--limit", "50")["hits"]
        page.goto(ui.base + "/")
        page.fill("#q", "escalate")
        page.press("#q", "Enter")
        page.wait_for_url("**/search?q=escalate")
        links = page.query_selector_all("#hits tbody tr td:first-child a")
        assert len(links) == len(hits) > 0, (len(links), len(hits))
        first = hits[0]
        assert links[0].get_attribute("href") == f'/sessions/{first["session"]}?step={first["entry"]["step"]}#step-{first["entry"]["step"]}'
        links[0].click()
        page.wait_for_selector(f'#step-{first["entry"]["step"]}')
        ok("search finds what handoff how finds, each hit linked to its step")

        # An open session's page takes new entries as they are recorded, without a reload.
        session = cli("log", "start", "--bot", "watcher", "--query", "Watch it live").stdout.strip()
        cli("log", "add", session, "--message", "first")
        page.goto(ui.base + "/sessions/" + session)
        page.wait_for_selector("#live-status.live")
        page.evaluate("window.__sameDocument = true")
        for n in range(2, 5):
            cli("log", "add", session, "--level", "decision", "--message", f"entry {n}", "--confidence", "0.4")
        page.wait_for_selector("#step-4", timeout=15000)
        assert page.evaluate("window.__sameDocument") is True
        assert "entry 4" in page.inner_text("#step-4") and "low" in page.inner_text("#step-4 .flag")
        assert page.inner_text("#step-count") == "4"
        cli("log", "end", session, "--final-output", "done")
        page.wait_for_selector("#live-status:has-text('ended')", timeout=15000)
        ok("an open session's page shows new entries as they are recorded")

        # 10,000 entries: paged, the last page first, every page reachable.
        big = record_session([{"level": "tool" if n % 10 == 0 else "info", "category": "bulk",
                               "message": f"entry {n}", "tool_name": "t" if n % 10 == 0 else None,
                               "duration_ms": n % 997 if n % 10 == 0 else None,
                               "tool_status": "success" if n % 10 == 0 else None}
                              for n in range(1, 10001)], end={"final_output": "ok"})
        started = time.monotonic()
        page.goto(ui.base + "/sessions/" + big)
        assert len(page.query_selector_all("#timeline tbody tr[data-step]")) == 500
        assert "page 20 of 20" in page.inner_text("nav.pager")
        assert page.query_selector("#step-10000") and not page.query_selector("#step-9500")
        page.click('nav.pager >> nth=0 >> a:has-text("Earlier")')
        page.wait_for_selector("#step-9001")
        assert "page 19 of 20" in page.inner_text("nav.pager")
        page.goto(ui.base + f"/sessions/{big}?step=1234")
        assert page.query_selector("#step-1234") and "page 3 of 20" in page.inner_text("nav.pager")
        ok(f"a 10,000-entry session pages by 500 ({time.monotonic() - started:.1f} s for three pages)")

        # The exports: one file each, the same look, no script, nothing fetched.
        for name, args, selector, count in [
            ("session.html", ["explain", "--session", bookmark["id"], "--format", "html"],
             "#timeline tbody tr[data-step]", bookmark["steps"]),
            ("chain.html", ["chain", artifact, "--format", "html"], "svg.chain g.node", len(chain["nodes"])),
        ]:
            path = os.path.join(tempfile.mkdtemp(), name)
            with open(path, "w") as file:
                file.write(cli(*args).stdout)
            requests = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto("file://" + path)
            assert len(page.query_selector_all(selector)) == count, name
            assert page.query_selector_all("script, link[rel=stylesheet]") == []
            assert all(url.startswith("file://") for url in requests), requests
        ok("explain and chain --format html write one self-contained page each")
    ui.stop()
    ok("stops on SIGTERM")


# MARK: decisions


def scenario_decisions():
    cli("demo")
    # A session whose shareable entries queue two insights.
    insight = {"level": "decision", "category": "preference", "message": "The user prefers metric units",
               "confidence": 0.95, "shareable_insight": True, "insight_category": "user_preference"}
    record_session([insight, dict(insight, message="The user reads summaries first"),
                    {"level": "uncertainty", "category": "units", "message": "Imperial for the US office?",
                     "escalation": True}],
                   workspace="dm-analyst", extra=("--workspace-type", "direct"), end={"final_output": "noted"})
    pending = cli_json("insights", "ls")["insights"]
    assert len(pending) == 2, pending
    ui = UI()
    with sync_playwright() as playwright:
        context, page = signed_in(playwright, ui)
        waiting = cli_json("escalations")["escalations"]
        chosen = waiting[0]["handoff"]["id"]
        page.goto(ui.base + "/escalations")
        panel = f'#escalation-{chosen}'
        page.fill(f"{panel} input[name=note]", "Archive after two years, not one")
        page.click(f"{panel} button[type=submit]")
        page.wait_for_url(f"**/escalations?decided={chosen}")
        assert "Decided " + chosen in page.inner_text(".flash")
        decided = [e for e in cli_json("escalations", "--all")["escalations"] if e["handoff"]["id"] == chosen][0]
        assert decided["handoff"]["state"] == "done", decided
        assert decided["handoff"]["note"] == "Archive after two years, not one", decided
        assert decided["handoff"]["worker"].startswith(("ui:", "handoff-ui")), decided
        assert chosen not in [e["handoff"]["id"] for e in cli_json("escalations")["escalations"]]
        assert not page.query_selector(panel)
        ok("an escalation decided by a click is decided for the command line")

        # One a person took from the command line is theirs to decide: no form for it.
        claim = cli_json("claim", "user")
        page.goto(ui.base + "/escalations")
        held = f'#escalation-{claim["handoff"]["id"]}'
        assert "Claimed by" in page.inner_text(held) and not page.query_selector(f"{held} form")
        cli("ack", claim["receipt"], "--note", "decided in a shell")
        page.goto(ui.base + "/escalations?all=1")
        assert "decided in a shell" in page.inner_text(f'#escalation-{claim["handoff"]["id"]}')
        ok("an escalation claimed elsewhere is left to its holder")

        page.goto(ui.base + "/insights")
        first, second = pending[0]["id"], pending[1]["id"]
        page.fill(f"#insight-{first} input[name=note]", "useful everywhere")
        page.click(f'#insight-{first} button[value="approve"]')
        page.wait_for_url("**/insights?decided=*")
        page.click(f'#insight-{second} button[value="reject"]')
        page.wait_for_url("**/insights?decided=*")
        states = {i["id"]: i for i in cli_json("insights", "ls", "--state", "all")["insights"]}
        assert states[first]["state"] == "approved" and states[first]["note"] == "useful everywhere", states[first]
        assert states[second]["state"] == "rejected", states[second]
        assert states[first]["artifact"], states[first]
        assert cli_json("insights", "ls")["insights"] == []
        ok("insights approved and rejected by clicks, as handoff insights does")
    ui.stop(signal.SIGINT)
    ok("stops on SIGINT")


# MARK: security


def scenario_security():
    cli("demo")
    # What bots write, hostile in every field a page shows.
    document = {"schema": "security-scan-v1", "skill_name": HOSTILE, "risk_score": 99, "passed": False,
                "status": "rejected", "findings": [{"severity": "high", "category": HOSTILE, "confidence": 0.9,
                                                     "line": 1, "code": HOSTILE_URL, "remediation": HOSTILE}],
                "critical_count": 0, "high_count": 1, "medium_count": 0, "low_count": 0,
                "next_actions": [HOSTILE_URL, HOSTILE], HOSTILE: HOSTILE}
    # Not valid (the key is not in the schema): stored as a bot that skips validation would store it.
    put = cli_json("put", "-", "--from", "attacker", "--to", "victim", "--no-validate", stdin=json.dumps(document))
    hostile_id = put["artifact"]["id"]
    claim = cli_json("claim", "victim")
    cli("ack", claim["receipt"], "--note", HOSTILE)
    session = record_session([
        {"level": "decision", "category": "routing", "message": HOSTILE, "details": {HOSTILE: HOSTILE_URL},
         "confidence": 0.2},
        # Categories, triggers, mentions, bot roles and tool names are names (the schema refuses markup in them).
        {"level": "tool", "category": "tool", "message": HOSTILE_URL, "tool_name": "scan_skill",
         "tool_input": {HOSTILE: HOSTILE}, "tool_output": HOSTILE, "tool_status": "error", "tool_error": HOSTILE,
         "duration_ms": 5},
        {"level": "coordination", "category": "escalation", "message": HOSTILE, "escalation": True},
        {"level": "decision", "category": "x", "message": HOSTILE, "confidence": 0.95, "shareable_insight": True,
         "insight_category": "user_preference"},
    ], query=HOSTILE, workspace="dm-attacker", extra=("--workspace-type", "direct"), end={"final_output": HOSTILE})
    # Secrets a bot wrote were masked before the store: the UI has none to show.
    secrets = ["sk-live-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c", "hunter2-Correct-Horse",
               "ghp_0123456789abcdefABCDEF0123456789abcd"]
    secretive = record_session([
        {"level": "tool", "category": "tool", "message": f"called the API with api_key={secrets[0]}",
         "tool_name": "http_get", "tool_input": {"url": "https://example.com", "api_key": secrets[0]},
         "tool_output": {"token": secrets[2]}, "tool_status": "success", "duration_ms": 3},
        {"level": "info", "category": "auth", "message": f"logged in with password: {secrets[1]}",
         "details": {"password": secrets[1]}},
    ], bot="leaky", workspace="#general", query=f"use token {secrets[2]}", end={"final_output": "done"})
    ui = UI()
    with sync_playwright() as playwright:
        context, page = signed_in(playwright, ui)
        for path in [f"/sessions/{secretive}", "/search?q=api_key", "/search?q=password", "/"]:
            page.goto(ui.base + path)
            shown = page.content()
            for secret in secrets:
                assert secret not in shown, (path, secret)
        page.goto(ui.base + f"/sessions/{secretive}")
        for details in page.query_selector_all("#timeline details"):
            details.evaluate("d => d.open = true")
        assert page.inner_text("#timeline").count("[masked") >= 4, page.inner_text("#timeline")[:600]
        ok("secrets a bot recorded are masked on every page")
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for path in ["/", "/inbox/victim", "/inbox/victim?state=all", f"/artifacts/{hostile_id}",
                     f"/chain/{hostile_id}", f"/sessions/{session}", f"/sessions/{session}?view=conversation",
                     "/escalations", "/escalations?all=1", "/insights", "/search?q=script",
                     "/search?q=" + "%3Cscript%3E"]:
            response = page.goto(ui.base + path)
            assert response.status == 200, (path, response.status)
            assert page.evaluate("window.__pwned") is None, path
            assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0, path
            assert page.evaluate(
                "[...document.querySelectorAll('[href],[src],[action]')].filter(e => "
                "/^\\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || "
                "e.getAttribute('action'))).length") == 0, path
            assert page.evaluate(
                "[...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => "
                "a.name.startsWith('on'))).length") == 0, path
            if path not in ("/", "/inbox/victim", "/insights", "/search?q=script"):
                assert "<script>window.__pwned=1</script>" in page.inner_text("body"), path
        assert dialogs == []
        ok("text from artifacts and logs is shown, never run, on every page")

        csp = ui.request("GET", "/", headers={"Cookie": cookie_header(context, ui)})[1]
        assert "script-src 'self'" in csp["Content-Security-Policy"], csp
        assert csp["X-Frame-Options"] == "DENY" and csp["X-Content-Type-Options"] == "nosniff"
        ok("pages forbid inline scripts and framing")

        # The token opens once; without the cookie nothing is served.
        stranger = browser(playwright).new_context()
        response = stranger.new_page().goto(ui.url)
        assert response.status == 403 and "used already" in response.text(), response.status
        for path in ["/", "/inbox/victim", f"/artifacts/{hostile_id}", "/assets/handoff.css",
                     f"/sessions/{session}/events?after=0"]:
            status, _, body = ui.request("GET", path)
            assert status == 401 and "one-time token" in body, (path, status)
        status, _, _ = ui.request("GET", "/", headers={"Cookie": f"handoff_ui_{ui.port}=guess"})
        assert status == 401
        ok("nothing is served without the token's cookie, and the token opens once")

        cookie = cookie_header(context, ui)
        for host in ["evil.example", f"evil.example:{ui.port}", f"localhost:{ui.port}", "127.0.0.1", "", False,
                     f"127.0.0.1:{ui.port}.evil.example"]:
            status, _, body = ui.request("GET", "/", host=host, headers={"Cookie": cookie})
            assert status == 421 and "answers only to" in body, (host, status)
        ok("requests for another Host are refused (DNS rebinding)")

        waiting = cli_json("escalations")["escalations"]
        target = waiting[0]["handoff"]["id"]
        page.goto(ui.base + "/escalations")
        csrf = page.get_attribute("input[name=csrf]", "value")
        form = f"csrf={csrf}&note=forged"
        plain = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        for headers, expected in [
            (plain, 403),
            (dict(plain, Origin="http://evil.example"), 403),
            (dict(plain, Origin=f"http://localhost:{ui.port}"), 403),
            (dict(plain, Origin="null"), 403),
        ]:
            status, _, body = ui.request("POST", f"/escalations/{target}/decide", headers=headers, body=form)
            assert status == expected and "must come from a page of this UI" in body, (headers, status)
        good = dict(plain, Origin=ui.base)
        for bad in ["note=forged", "csrf=wrong&note=forged", f"csrf={csrf[:-1]}&note=forged"]:
            status, _, body = ui.request("POST", f"/escalations/{target}/decide", headers=good, body=bad)
            assert status == 400 and "CSRF" in body, (bad, status)
        status, _, _ = ui.request("POST", f"/escalations/{target}/decide", headers=good, body="csrf=%FF%FE")
        assert status == 400
        for method in ["DELETE", "PUT", "HEAD"]:
            status, headers, _ = ui.request(method, f"/escalations/{target}/decide", headers=good)
            assert status == 405 and headers.get("Allow") == "GET, POST", (method, status)
        still = [e for e in cli_json("escalations")["escalations"] if e["handoff"]["id"] == target]
        assert still and still[0]["handoff"]["state"] == "pending", still
        status, _, _ = ui.request("POST", f"/escalations/{target}/decide", headers=good,
                                  body=f"csrf={csrf}&note=" + "%3Cb%3Ereal%3C%2Fb%3E")
        assert status == 303
        decided = [e for e in cli_json("escalations", "--all")["escalations"] if e["handoff"]["id"] == target][0]
        assert decided["handoff"]["note"] == "<b>real</b>", decided
        ok("a change needs this UI's Origin and its CSRF token; anything else changes nothing")

        # Bad requests are answered, not served.
        for path, expected in [("/artifacts/xxh128:zz", 400), ("/artifacts/xxh128:00000000", 404),
                               ("/sessions/nosuch", 404), ("/inbox/victim?state=bogus", 400),
                               ("/inbox/victim?after=nonsense", 400), ("/inbox/%FF", 400), ("/inbox/a%2Fb", 200),
                               ("/chain/xxh128:" + "0" * 32 + "?depth=99999", 400),
                               (f"/sessions/{session}?page=99", 404), ("/search?q=%FF", 400),
                               ("/nothing/here", 404)]:
            status, _, body = ui.request("GET", path, headers={"Cookie": cookie})
            assert status == expected, (path, status, body[:300])
            if status != 200:
                assert "That did not work" in body, (path, body[:300])
        assert "There is no page at /nothing/here" in ui.request("GET", "/nothing/here", headers={"Cookie": cookie})[2]
        ok("bad addresses get a clear error page")

        with open("/proc/net/tcp") as table:
            listening = [line.split() for line in table.readlines()[1:]]
        local = [row[1] for row in listening if row[3] == "0A" and int(row[1].split(":")[1], 16) == ui.port]
        assert local == [f"0100007F:{ui.port:04X}"], local
        ok("it listens on 127.0.0.1 only")
    ui.stop()


def cookie_header(context, ui):
    cookie = [c for c in context.cookies() if c["name"] == f"handoff_ui_{ui.port}"][0]
    return f'{cookie["name"]}={cookie["value"]}'


# MARK: lifecycle


def scenario_lifecycle():
    cli("init")
    first = UI()
    taken = subprocess.run([HANDOFF, "ui", "--store", STORE, "--no-open", "--port", str(first.port)],
                           capture_output=True, text=True, timeout=30)
    assert taken.returncode == 74 and "cannot serve the UI" in taken.stderr, (taken.returncode, taken.stderr)
    ok("a port in use is a clear error")

    # An open session's event stream does not hold up a shutdown.
    session = cli("log", "start", "--bot", "watcher", "--query", "q").stdout.strip()
    with sync_playwright() as playwright:
        context, page = signed_in(playwright, first)
        page.goto(first.base + "/sessions/" + session)
        page.wait_for_selector("#live-status.live")
        started = time.monotonic()
        first.stop(signal.SIGINT)
        elapsed = time.monotonic() - started
        assert elapsed < 10, elapsed
    ok(f"SIGINT stops it with a page streaming ({elapsed:.1f} s)")

    # Without --no-open it opens the address it printed with the desktop's opener (xdg-open).
    opener = tempfile.mkdtemp()
    with open(os.path.join(opener, "xdg-open"), "w") as script:
        script.write(f'#!/bin/sh\nprintf "%s\\n" "$1" > "{opener}/opened"\n')
    os.chmod(os.path.join(opener, "xdg-open"), 0o755)
    process = subprocess.Popen([HANDOFF, "ui", "--store", STORE], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=dict(os.environ, PATH=opener + ":" + os.environ["PATH"]))
    ready, _, _ = select.select([process.stdout], [], [], 30)
    assert ready, "handoff ui printed nothing within 30 s"
    printed = process.stdout.readline().decode().strip()
    deadline = time.monotonic() + 10
    while not os.path.exists(os.path.join(opener, "opened")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.1)
    with open(os.path.join(opener, "opened")) as file:
        assert file.read().strip() == printed, printed
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0
    ok("it opens the address it printed in a browser")

    missing = subprocess.run([HANDOFF, "ui", "--store", tempfile.mkdtemp() + "/absent", "--no-open"],
                             capture_output=True, text=True, timeout=30)
    assert missing.returncode == 66 and "no store at" in missing.stderr, (missing.returncode, missing.stderr)
    ok("a store that is not there is a clear error")


{"pages": scenario_pages, "decisions": scenario_decisions, "security": scenario_security,
 "lifecycle": scenario_lifecycle}[SCENARIO]()
