"""Drives `handoff mcp` with the official MCP Python SDK, as an agent host would.

Usage: mcp_client.py SCENARIO HANDOFF STORE
Each scenario asserts what the client sees and prints `ok <check>` for each check that passed; any failure
raises, which exits non-zero with the traceback on standard error.
"""
import asyncio
import json
import os
import subprocess
import sys
from datetime import timedelta

import jsonschema
import referencing
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import McpError

SCENARIO, HANDOFF, STORE = sys.argv[1], sys.argv[2], sys.argv[3]
TOOLS = {
    "put_artifact", "validate_artifact", "get_artifact", "inbox", "claim", "ack", "release", "extend", "route",
    "next_actions", "chain", "list_schemas", "get_schema", "start_session", "log_entry", "end_session", "explain",
    "how", "escalations",
}
SCAN = {
    "schema": "security-scan-v1", "skill_name": "x-bookmarks", "risk_score": 15, "passed": False,
    "status": "rejected", "findings": [{"severity": "high", "category": "persistence_mechanism", "confidence": 0.85,
    "line": 8, "code": "scheduled bookmark digests via cron", "remediation": "Verify this is legitimate"}],
    "critical_count": 0, "high_count": 1, "medium_count": 0, "low_count": 0,
    "next_actions": ["manual_review", "approve_if_trusted"],
}


# A tool that does what a command does answers in that command's `--json` shape: its result is checked
# against the command's published schema in Schemas/cli (the README calls them one contract).
CONTRACT = {
    "put_artifact": "put", "inbox": "inbox", "claim": "claim", "ack": "ack", "release": "release",
    "extend": "extend", "route": "route", "next_actions": "next", "chain": "chain", "list_schemas": "schema-ls",
    "get_schema": "schema-show", "end_session": "log-end", "explain": "explain",
    "how": "how", "escalations": "escalations",
}
SCHEMAS_CLI = os.path.join(os.path.dirname(__file__), "..", "..", "..", "Schemas", "cli")


def load_contract():
    resources, validators = [], {}
    for name in os.listdir(SCHEMAS_CLI):
        if name.endswith(".schema.json"):
            with open(os.path.join(SCHEMAS_CLI, name)) as file:
                schema = json.load(file)
            resources.append((schema["$id"], referencing.Resource.from_contents(schema)))
            validators[name[: -len(".schema.json")]] = schema
    registry = referencing.Registry().with_resources(resources)
    # start_session's session is recorded call by call like `log record`'s, not stepwise like `log start`'s:
    # it is checked as the session object every command shares.
    validators["session"] = {"$ref": "urn:handoff:cli:common#/$defs/session"}
    return {
        command: jsonschema.Draft202012Validator(schema, registry=registry,
                                                 format_checker=jsonschema.FormatChecker())
        for command, schema in validators.items()
    }


VALIDATORS = load_contract()


def check_contract(command, value):
    errors = sorted(VALIDATORS[command].iter_errors(value), key=str)
    assert not errors, f"not the shape of `handoff {command} --json`: " + "; ".join(
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message[:300]}" for error in errors[:5])


def ok(check):
    print("ok", check, flush=True)


def server(*extra):
    return StdioServerParameters(
        command=HANDOFF, args=["mcp", "--store", STORE, *extra], env={**os.environ, "NO_COLOR": "1"})


async def call(session, name, arguments=None):
    result = await session.call_tool(name, arguments or {})
    assert not result.isError, f"{name} failed: {result.content[0].text}"
    if (arguments or {}).get("format", "json") != "json":
        # A view asked for is what the host shows a person; the structured result carries it too.
        assert result.content[0].text == result.structuredContent["text"], result.content[0].text
    else:
        assert json.loads(result.content[0].text) == result.structuredContent
    if name == "explain":
        # The view as `handoff explain --json` gives it, plus the text a model can quote.
        view = dict(result.structuredContent)
        assert isinstance(view.pop("text"), str)
        check_contract("explain", view)
    elif name == "chain" and "text" in result.structuredContent:
        # The graph as `handoff chain --json` gives it, plus the drawing asked for.
        view = dict(result.structuredContent)
        assert isinstance(view.pop("text"), str)
        check_contract("chain", view)
    elif name in CONTRACT:
        check_contract(CONTRACT[name], result.structuredContent)
    elif name == "start_session":
        check_contract("session", result.structuredContent["session"])
    return result.structuredContent


async def fails(session, name, arguments, message):
    result = await session.call_tool(name, arguments)
    assert result.isError, f"{name} should have failed: {result.structuredContent}"
    text = result.content[0].text
    assert message in text, f"{name}: {message!r} not in {text!r}"
    assert result.structuredContent["error"]["message"] in text
    return result.structuredContent["error"]


async def basic():
    async with stdio_client(server("--as", "scanner", "--allow-any")) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            assert init.serverInfo.name == "handoff", init.serverInfo
            assert init.capabilities.resources.subscribe is True
            ok("initialize")
            tools = (await session.list_tools()).tools
            assert {tool.name for tool in tools} == TOOLS, {tool.name for tool in tools} ^ TOOLS
            for tool in tools:
                assert tool.inputSchema["type"] == "object" and len(tool.description) > 40, tool.name
            ok("list tools")

            put = await call(session, "put_artifact", {"document": SCAN, "to": ["reviewer"], "workflow": "install-x"})
            assert put["artifact"]["id"].startswith("xxh128:") and put["existed"] is False
            assert [h["handoff"]["consumer"] for h in put["handoffs"]] == ["reviewer"]
            assert put["handoffs"][0]["handoff"]["producer"] == "scanner" and put["handoffs"][0]["created"] is True
            again = await call(session, "put_artifact", {"document": SCAN, "to": ["reviewer"], "workflow": "install-x"})
            assert again["existed"] is True and [h["created"] for h in again["handoffs"]] == [False]
            assert again["handoffs"][0]["handoff"]["id"] == put["handoffs"][0]["handoff"]["id"]
            put = {"id": put["artifact"]["id"]}
            ok("put")
            inbox = await call(session, "inbox", {"consumer": "reviewer"})
            assert [h["handoff"]["artifact"] for h in inbox["handoffs"]] == [put["id"]]
            assert [a["action"] for a in inbox["handoffs"][0]["next_actions"]] == ["manual_review", "approve_if_trusted"]
            assert inbox["truncated"] is False and inbox["next_offset"] is None and inbox["consumer"] == "reviewer"
            ok("inbox")
            claim = await call(session, "claim", {"consumer": "reviewer", "lease_seconds": 60})
            assert claim["claimed"] is True and claim["document"] == SCAN
            assert [a["action"] for a in claim["next_actions"]] == ["manual_review", "approve_if_trusted"]
            ok("claim")
            again = await call(session, "claim", {"consumer": "reviewer"})
            assert again == {"claimed": False, "consumer": "reviewer"}
            ok("claim on an empty inbox")
            ack = await call(session, "ack", {"receipt": claim["receipt"], "note": "reviewed"})
            assert ack["handoff"]["state"] == "done" and ack["handoff"]["note"] == "reviewed"
            await fails(session, "ack", {"receipt": claim["receipt"]}, "no longer")
            ok("ack")
            # Held work is extended, given back, and handed on to someone else.
            other = await call(session, "put_artifact", {"document": {**SCAN, "risk_score": 40}, "to": ["reviewer"]})
            held = await call(session, "claim", {"consumer": "reviewer"})
            extended = await call(session, "extend", {"receipt": held["receipt"], "lease_seconds": 600})
            assert extended["handoff"]["state"] == "claimed"
            released = await call(session, "release", {"receipt": held["receipt"], "note": "later"})
            assert released["handoff"]["state"] == "pending" and released["handoff"]["attempts"] == 1
            held = await call(session, "claim", {"consumer": "reviewer"})
            routed = await call(session, "route", {"receipt": held["receipt"], "to": "security", "note": "yours"})
            assert routed["handoff"]["consumer"] == "security"
            assert routed["handoff"]["artifact"] == other["artifact"]["id"]
            ok("extend, release and route")
            actions = await call(session, "next_actions", {"id": put["id"][:15]})
            assert [a["action"] for a in actions["next_actions"]] == ["manual_review", "approve_if_trusted"]
            ok("next actions")
            request = {"schema": "handoff-request-v1", "task": "Review the skill", "input_artifacts": [put["id"]],
                       "expected_schema": "tool-result-v1", "priority": "normal", "requested_by": "reviewer",
                       "next_actions": ["manual_review"]}
            derived = await call(session, "put_artifact",
                                 {"document": request, "from": "reviewer", "to": ["coder"], "parents": [put["id"]]})
            derived = derived["artifact"]
            chain = await call(session, "chain", {"id": derived["id"]})
            assert chain["focus"] == derived["id"]
            assert chain["edges"] == [{"parent": put["id"], "child": derived["id"]}]
            ok("chain")
            got = await call(session, "get_artifact", {"id": put["id"]})
            assert got["document"] == SCAN and got["artifact"]["schema"] == "security-scan-v1"
            checked = await call(session, "validate_artifact", {"document": {**SCAN, "risk_score": 150}})
            assert checked["valid"] is False and checked["errors"][0]["instanceLocation"] == "/risk_score"
            schemas = await call(session, "list_schemas")
            assert "work-log-v1" in [s["name"] for s in schemas["schemas"]] and schemas["truncated"] is False
            first = await call(session, "list_schemas", {"limit": 2})
            rest = await call(session, "list_schemas", {"offset": first["next_offset"]})
            assert first["truncated"] is True and first["next_offset"] == 2
            assert first["schemas"] + rest["schemas"] == schemas["schemas"]
            schema = await call(session, "get_schema", {"name": "work-log-v1"})
            assert schema["$id"] == "urn:handoff:schema:work-log-v1"
            ok("read tools")


async def work_session():
    async with stdio_client(server("--as", "nanobot")) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            started = await call(session, "start_session", {
                "query": "Refactor the authentication module", "workspace": "#project-refactor",
                "workspace_type": "project", "participants": ["nanobot", "researcher", "coder"],
                "coordinator": "nanobot"})
            sid = started["session"]["id"]
            assert started["session"]["bot"] == "nanobot" and started["session"]["state"] == "open"
            ok("start session")
            entries = [
                {"level": "thinking", "category": "coordination", "message": "Assessing the task", "coordinator_mode": True},
                {"level": "info", "category": "bot_conversation", "message": "nanobot: @researcher analyze auth",
                 "mentions": ["@researcher"], "coordinator_mode": True},
                {"tool_name": "write_file", "tool_input": {"path": "src/auth/rate_limiter.py"}, "tool_status": "success",
                 "duration_ms": 3200, "bot_name": "coder",
                 "tool_output": {"written": True, "next_actions": ["confirm_rate_limit"]}},
                {"level": "uncertainty", "category": "coordination", "message": "Rate limit unclear", "confidence": 0.6},
                {"level": "coordination", "category": "escalation", "message": "Password policy: strict or passphrases?",
                 "escalation": True, "coordinator_mode": True},
                {"level": "info", "message": "Deployed with token ghp_16C7e42F292c6912E7710c838347Ae178B4a"},
            ]
            for index, entry in enumerate(entries, start=1):
                logged = await call(session, "log_entry", {"session": sid, **entry})
                assert logged["kept"] is True and logged["entry"]["step"] == index, logged
            assert logged["entry"]["message"] == "Deployed with token [masked:github-token]"
            ok("log entries")
            await fails(session, "log_entry", {"session": sid, "level": "decision", "message": "m", "confidence": 1.7},
                        "arguments/confidence")
            await fails(session, "log_entry", {"session": sid, "level": "info"}, "message")
            ok("bad entries refused")
            ended = await call(session, "end_session", {
                "session": sid, "final_output": "Progress made", "to": ["reviewer"], "next_actions": ["confirm_password_policy"]})
            assert ended["recommendations"] == ["confirm_rate_limit", "verify_low_confidence_decisions"]
            assert [h["handoff"]["consumer"] for h in ended["handoffs"]] == ["reviewer"]
            assert ended["session"]["state"] == "ended" and ended["session"]["steps"] == 6
            ok("end session")
            explained = await call(session, "explain", {"session": sid})
            assert "Waiting for a decision" in explained["text"] and explained["mode"] == "summary"
            assert explained["low_confidence"][0]["step"] == 4
            conversation = await call(session, "explain", {"artifact": ended["work_log"], "mode": "coordination"})
            assert conversation["messages"][1]["mentions"] == ["@researcher"]
            markdown = await call(session, "explain", {"session": sid, "format": "markdown"})
            assert markdown["text"].startswith("Progress made\n\n<details>")
            ok("explain")
            found = await call(session, "how", {"question": "why escalate the password policy"})
            assert found["hits"][0]["entry"]["escalation"] is True and found["hits"][0]["session"] == sid
            ok("how")
            waiting = await call(session, "escalations")
            assert [e["session"] for e in waiting["escalations"]] == [sid]
            assert waiting["escalations"][0]["handoff"]["consumer"] == "user"
            ok("escalations")
    # The session is in the store for every other process to read.
    shown = subprocess.run([HANDOFF, "explain", "--session", sid, "--store", STORE, "--json"],
                           capture_output=True, text=True, check=True)
    assert json.loads(shown.stdout)["session"]["steps"] == 6
    ok("readable from the command line")


async def resources():
    updates = []

    async def on_message(message):
        if isinstance(message, types.ServerNotification) and isinstance(message.root, types.ResourceUpdatedNotification):
            updates.append(str(message.root.params.uri))

    async with stdio_client(server("--as", "researcher")) as (read, write):
        async with ClientSession(read, write, message_handler=on_message) as session:
            await session.initialize()
            templates = (await session.list_resource_templates()).resourceTemplates
            assert {t.uriTemplate for t in templates} == {
                "handoff://artifact/{id}", "handoff://inbox/{consumer}", "handoff://schema/{name}",
                "handoff://session/{id}"}
            listed = (await session.list_resources()).resources
            assert "handoff://inbox/researcher" in [str(r.uri) for r in listed]
            ok("templates")
            schema = await session.read_resource("handoff://schema/tool-result-v1")
            assert json.loads(schema.contents[0].text)["$id"] == "urn:handoff:schema:tool-result-v1"
            await session.subscribe_resource("handoff://inbox/researcher")
            # Another process hands the researcher something.
            document = json.dumps({"schema": "tool-result-v1", "tool": "web_search", "input": {"args": [], "kwargs": {}},
                                   "status": "success", "duration_ms": 800})
            put = subprocess.run([HANDOFF, "put", "--from", "coordinator", "--to", "researcher", "--store", STORE],
                                 input=document, capture_output=True, text=True, check=True)
            artifact = put.stdout.strip()
            for _ in range(100):
                if updates:
                    break
                await asyncio.sleep(0.05)
            assert updates == ["handoff://inbox/researcher"], updates
            ok("subscription notified")
            inbox = json.loads((await session.read_resource("handoff://inbox/researcher")).contents[0].text)
            assert [h["handoff"]["artifact"] for h in inbox["handoffs"]] == [artifact]
            assert inbox["truncated"] is False and inbox["consumer"] == "researcher"
            check_contract("inbox", inbox)
            content = json.loads((await session.read_resource(f"handoff://artifact/{artifact[7:19]}")).contents[0].text)
            assert content["tool"] == "web_search"
            ok("read resources")
            try:
                await session.read_resource("handoff://artifact/../../etc/passwd")
                raise AssertionError("a traversal read succeeded")
            except McpError as error:
                assert "not an artifact id" in str(error) or "malformed" in str(error) or "artifact" in str(error), error
            ok("traversal refused")


async def hostile():
    async with stdio_client(server("--as", "reviewer", "--max-bytes", "1048576")) as (read, write):
        async with ClientSession(read, write, read_timeout_seconds=timedelta(seconds=20)) as session:
            await session.initialize()
            try:
                await session.call_tool("rm_rf", {})
                raise AssertionError("an unknown tool was called")
            except McpError as error:
                assert "Unknown tool: rm_rf" in str(error), error
            ok("unknown tool")
            await fails(session, "claim", {"lease_seconds": "soon"}, "arguments/lease_seconds")
            await fails(session, "put_artifact", {"document": [1, 2]}, "arguments/document")
            await fails(session, "inbox", {"limit": 10**9}, "arguments/limit")
            ok("wrong argument types")
            error = await fails(session, "put_artifact", {"document": {**SCAN, "risk_score": 150}},
                                "is not a valid security-scan-v1 artifact")
            assert error["code"] == "invalid_input"
            ok("invalid artifact")
            await fails(session, "get_artifact", {"id": "../../../etc/passwd"}, "not an artifact id")
            await fails(session, "explain", {"session": "../../etc"}, "no work session")
            ok("traversal ids")
            await fails(session, "put_artifact", {"document": SCAN, "from": "mallory"},
                        "this server acts for reviewer; it cannot act as from \"mallory\"")
            await fails(session, "claim", {"consumer": "mallory"}, "this server acts for reviewer")
            # A receipt of a handoff that belongs to another bot, claimed by it from the command line.
            subprocess.run([HANDOFF, "put", "--from", "scanner", "--to", "mallory", "--store", STORE],
                           input=json.dumps(SCAN), capture_output=True, text=True, check=True)
            claimed = subprocess.run([HANDOFF, "claim", "mallory", "--json", "--store", STORE],
                                     capture_output=True, text=True, check=True)
            receipt = json.loads(claimed.stdout)["receipt"]
            await fails(session, "ack", {"receipt": receipt}, "belongs to mallory; this server acts for reviewer")
            await fails(session, "release", {"receipt": receipt}, "belongs to mallory")
            ok("identity")
            try:
                await session.call_tool("put_artifact", {"document": {**SCAN, "blob": "x" * (50 << 20)}})
                raise AssertionError("a 50 MB argument was taken")
            except McpError as error:
                assert "more than the limit of 1048576" in str(error), error
            ok("50 MB argument refused")
            still = await call(session, "list_schemas")
            assert still["schemas"]
            ok("still serving")


async def malformed():
    """Lines no client library would send, written straight to the server."""
    process = await asyncio.create_subprocess_exec(
        HANDOFF, "mcp", "--store", STORE, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)

    async def send(line):
        process.stdin.write(line + b"\n")
        await process.stdin.drain()

    async def receive():
        return json.loads(await asyncio.wait_for(process.stdout.readline(), 10))

    await send(b"this is not json")
    answer = await receive()
    assert answer["error"]["code"] == -32700 and answer["id"] is None, answer
    await send(b'{"jsonrpc": "2.0", "id": 7, "method": "tools/list", "params": {}, "id": 8}')
    answer = await receive()
    assert answer["error"]["code"] == -32700 and "duplicate key" in answer["error"]["message"], answer
    await send(b"\xff\xfe\xfa")
    assert (await receive())["error"]["code"] == -32700
    await send(b'{"jsonrpc": "2.0", "id": 9, "method": "no/such/method"}')
    answer = await receive()
    assert answer["id"] == 9 and answer["error"]["code"] in (-32601, -32600), answer
    ok("malformed lines answered")
    await send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}).encode())
    answer = await receive()
    assert answer["id"] == 1 and answer["result"]["serverInfo"]["name"] == "handoff", answer
    await send(b'{"jsonrpc": "2.0", "method": "notifications/initialized"}')
    await send(b'{"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "list_schemas", "arguments": {}}}')
    answer = await receive()
    assert answer["id"] == 2 and answer["result"]["isError"] is False, answer
    ok("still serving after them")
    process.stdin.close()
    assert await asyncio.wait_for(process.wait(), 10) == 0
    ok("exits when its input ends")


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}
TOOL_RESULT = {"schema": "tool-result-v1", "tool": "t", "input": {"args": [], "kwargs": {}}, "status": "success",
               "duration_ms": 1}


def cli(*arguments, stdin=None):
    """The command line on the same store: what any other bot sees."""
    result = subprocess.run([HANDOFF, *arguments, "--store", STORE], input=stdin, capture_output=True, text=True)
    return result


def cli_json(*arguments):
    result = cli(*arguments, "--json")
    assert result.returncode in (0, 2), result.stderr
    return json.loads(result.stdout)


def handoffs_of(consumer):
    """Every handoff of a consumer, in any state, with its history."""
    listed = cli_json("ls", "--handoffs", "--to", consumer)["handoffs"]
    return [cli_json("show", h["handoff"]["id"]) for h in listed]


def put_for(consumer, document=None):
    result = cli("put", "--from", "p", "--to", consumer, stdin=json.dumps(document or TOOL_RESULT))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def call_line(id, tool, arguments=None):
    return {"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": arguments or {}}}


def raw_session(*lines, extra=()):
    """Writes every line at once and closes standard input, as `printf … | handoff mcp` does; returns every answer
    written before the server exited, and its exit status."""
    text = "".join(json.dumps(line) + "\n" if not isinstance(line, bytes) else line.decode() + "\n" for line in lines)
    result = subprocess.run([HANDOFF, "mcp", "--store", STORE, *extra], input=text, capture_output=True, text=True,
                            timeout=60)
    return [json.loads(line) for line in result.stdout.splitlines()], result.returncode


async def jsonrpc():
    """JSON-RPC 2.0 and MCP's lifecycle: every request answered with its own id (or null when the id is the
    problem), nothing served before initialize."""
    put_for("c")
    answers, status = raw_session(
        call_line(1, "claim"), {"jsonrpc": "2.0", "id": 2, "method": "ping"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/list"}, extra=("--as", "c"))
    assert status == 0, status
    by_id = {answer["id"]: answer for answer in answers}
    assert by_id[1]["error"]["code"] == -32600 and "not initialized" in by_id[1]["error"]["message"], by_id[1]
    assert by_id[2]["result"] == {}, by_id[2]
    assert by_id[3]["error"]["code"] == -32600, by_id[3]
    assert len(answers) == 3, answers
    assert cli_json("inbox", "c")["handoffs"][0]["handoff"]["attempts"] == 0, "a claim before initialize was served"
    ok("nothing served before initialize")
    answers, status = raw_session(
        INITIALIZE, INITIALIZED,
        {"jsonrpc": "2.0", "id": {}, "method": "ping"}, {"jsonrpc": "2.0", "id": [1], "method": "ping"},
        {"jsonrpc": "2.0", "id": True, "method": "ping"}, {"jsonrpc": "2.0", "id": 1.5, "method": "ping"},
        {"jsonrpc": "1.0", "id": 10, "method": "ping"}, {"id": 11, "method": "ping"},
        {"jsonrpc": "2.0", "id": 12, "method": 7},
        {"jsonrpc": "2.0", "id": 13, "method": "tools/call", "params": ["claim", {}]},
        [], [{"jsonrpc": "2.0", "id": 14, "method": "ping"}], b"17", b'"text"',
        {"jsonrpc": "2.0", "id": 15, "result": {}, "error": {"code": 1, "message": "m"}},
        {"jsonrpc": "2.0", "id": "last", "method": "ping"}, extra=("--as", "c"))
    assert status == 0
    errors = [(answer["id"], answer["error"]["code"]) for answer in answers if "error" in answer]
    assert sorted(errors, key=str) == sorted([
        (None, -32600), (None, -32600), (None, -32600), (None, -32600), (10, -32600), (11, -32600), (12, -32600),
        (13, -32602), (None, -32600), (None, -32600), (None, -32600), (None, -32600), (15, -32600)], key=str), errors
    assert {answer["id"] for answer in answers if "result" in answer} == {1, "last"}, answers
    assert cli_json("inbox", "c")["handoffs"][0]["handoff"]["attempts"] == 0, "a claim with array params was served"
    ok("invalid requests answered with their id")


async def departures():
    """Hosts that go away: an answer the host never read gives its claim back, uncounted; a host that writes
    everything and closes its end still gets every answer."""
    put_for("c")
    for attempt in range(7):
        server = subprocess.Popen([HANDOFF, "mcp", "--store", STORE, "--as", "c"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        server.stdin.write((json.dumps(INITIALIZE) + "\n").encode())
        server.stdin.flush()
        assert json.loads(server.stdout.readline())["id"] == 1
        # The host dies: it reads nothing more, then its requests' end closes too.
        server.stdout.close()
        server.stdin.write((json.dumps(INITIALIZED) + "\n" + json.dumps(call_line(2, "claim")) + "\n").encode())
        server.stdin.close()
        assert server.wait(timeout=30) == 0, server.stderr.read()
        [shown] = handoffs_of("c")
        handoff = shown["handoff"]
        assert handoff["state"] == "pending" and handoff["attempts"] == 0, handoff
        assert [event["kind"] for event in shown["events"]][-2:] == ["claimed", "returned"], shown["events"]
    ok("a claim nobody read goes back, uncounted")
    answers, status = raw_session(INITIALIZE, INITIALIZED, call_line(2, "claim"), extra=("--as", "c"))
    claimed = next(answer for answer in answers if answer["id"] == 2)["result"]["structuredContent"]
    assert claimed["claimed"] is True and claimed["handoff"]["attempts"] == 1, claimed
    ok("claimed afterwards as a first attempt")
    for duration in range(3):
        put_for("d", {**TOOL_RESULT, "duration_ms": duration})
    answers, status = raw_session(
        INITIALIZE, INITIALIZED, call_line(2, "claim"), call_line(3, "claim"), call_line(4, "claim"),
        call_line(5, "claim"), call_line(6, "inbox"), extra=("--as", "d"))
    assert status == 0
    assert sorted(answer["id"] for answer in answers) == [1, 2, 3, 4, 5, 6], answers
    results = {answer["id"]: answer["result"]["structuredContent"] for answer in answers if answer["id"] != 1}
    receipts = {results[i]["receipt"] for i in (2, 3, 4, 5) if results[i]["claimed"]}
    assert len(receipts) == 3, results
    assert [h["handoff"]["state"] for h in handoffs_of("d")] == ["claimed"] * 3
    ok("every request answered after the input ends")
    deep = {"schema": "tool-result-v1", "tool": "t", "input": {"args": [], "kwargs": {}}, "status": "success",
            "duration_ms": 1}
    level = deep["input"]["kwargs"]
    for _ in range(600):
        level["a"] = {}
        level = level["a"]
    put = cli("put", "--from", "p", "--to", "e", "--max-depth", "2048", stdin=json.dumps(deep))
    assert put.returncode == 0, put.stderr
    answers, status = raw_session(INITIALIZE, INITIALIZED, call_line(2, "claim"), extra=("--as", "e"))
    answer = next(answer for answer in answers if answer["id"] == 2)
    assert answer["result"]["isError"] is False, answer
    content = answer["result"]["structuredContent"]
    assert content["document"] is None and json.loads(content["document_json"]) == deep
    assert "nests deeper than MCP's structured content carries" in content["note"]
    assert json.loads(answer["result"]["content"][0]["text"])["document"] == deep
    acked = cli("ack", content["receipt"])
    assert acked.returncode == 0, acked.stderr
    ok("a claim nested 600 levels deep is answered")


async def boundary():
    """A server acting for one bot reads no other bot's inbox or sessions, by tool or by resource."""
    put_for("alice")
    started = cli("log", "start", "--bot", "alice", "--query", "alice's secret plans")
    assert started.returncode == 0, started.stderr
    alices = started.stdout.strip()
    assert cli("log", "add", alices, "--message", "quartz pineapple strategy").returncode == 0
    bobs = cli("log", "start", "--bot", "bob", "--query", "bob's work").stdout.strip()
    assert cli("log", "add", bobs, "--message", "quartz pineapple too").returncode == 0
    async with stdio_client(server("--as", "bob")) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            for uri in ("handoff://inbox/alice", f"handoff://session/{alices}"):
                try:
                    await session.read_resource(uri)
                    raise AssertionError(f"bob read {uri}")
                except McpError as error:
                    assert "this server acts for bob" in str(error), error
            own = json.loads((await session.read_resource(f"handoff://session/{bobs}")).contents[0].text)
            assert own["session"]["id"] == bobs
            ok("resources refused")
            await fails(session, "inbox", {"consumer": "alice"}, "this server acts for bob")
            await fails(session, "explain", {"session": alices}, "this server acts for bob")
            latest = await call(session, "explain", {})
            assert latest["session"]["id"] == bobs, latest["session"]
            hits = (await call(session, "how", {"question": "quartz pineapple"}))["hits"]
            assert [hit["session"] for hit in hits] == [bobs], hits
            ok("tools refused")
    async with stdio_client(server("--as", "bob", "--allow-any")) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            inbox = json.loads((await session.read_resource("handoff://inbox/alice")).contents[0].text)
            assert len(inbox["handoffs"]) == 1
            hits = (await call(session, "how", {"question": "quartz pineapple"}))["hits"]
            assert {hit["session"] for hit in hits} == {alices, bobs}, hits
            ok("--allow-any reads them")


async def privacy():
    """Secrets planted in every field a host can send (the Swift test then searches the store's bytes)."""
    prose, details = sys.argv[4], json.loads(sys.argv[5])
    async with stdio_client(server("--as", "deployer")) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            started = await call(session, "start_session", {"query": prose})
            identifier = started["session"]["id"]
            await call(session, "log_entry", {
                "session": identifier, "level": "tool", "message": prose, "details": details, "tool_name": "deploy",
                "tool_input": details, "tool_output": {"log": prose, **details}, "tool_status": "error",
                "tool_error": prose})
            await call(session, "log_entry", {
                "session": identifier, "level": "coordination", "category": "escalation", "message": prose,
                "escalation": True, "details": details})
            await call(session, "end_session", {"session": identifier, "final_output": prose, "summary": prose,
                                                "to": ["reviewer"]})
            ok("recorded over MCP")


async def views():
    """What a host shows a person is the view the call asked for, drawn as the command line draws it; an ack
    records the bot that worked; an invalid artifact's every error is in the details."""
    first = put_for("scanner")
    async with stdio_client(server("--as", "scanner")) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            claimed = await call(session, "claim", {})
            derived = await call(session, "put_artifact", {
                "document": {**TOOL_RESULT, "tool": "derived"}, "to": ["reviewer"], "parents": [first]})
            await call(session, "ack", {"receipt": claimed["receipt"], "note": "scanned"})
            for form in ("text", "dot", "mermaid"):
                drawn = await call(session, "chain", {"id": derived["artifact"]["id"], "format": form})
                printed = cli("chain", derived["artifact"]["id"], "--format", form)
                assert printed.returncode == 0 and drawn["text"] + "\n" == printed.stdout, (drawn, printed.stdout)
                assert drawn["focus"] == derived["artifact"]["id"] and len(drawn["nodes"]) == 2
            as_json = await call(session, "chain", {"id": first, "format": "json"})
            assert "text" not in as_json and len(as_json["edges"]) == 1
            ok("chain drawn as asked")
            started = await call(session, "start_session", {"query": "q"})
            sid = started["session"]["id"]
            await call(session, "log_entry", {"session": sid, "level": "error", "message": "disk full"})
            await call(session, "log_entry", {
                "session": sid, "tool_name": "fetch", "tool_status": "timeout", "tool_error": "no answer in 30 s"})
            failed = await session.call_tool("log_entry", {"session": sid, "tool_name": "fetch", "tool_status": "error"})
            assert failed.isError and "tool_error" in failed.content[0].text, failed.content[0].text
            ended = await call(session, "end_session", {"session": sid, "final_output": "stopped", "to": ["reviewer"]})
            # A handoff of the work log names the session too, over MCP as on the command line.
            handed = ended["handoffs"][0]["handoff"]["id"]
            by_handoff = await call(session, "explain", {"artifact": handed})
            assert by_handoff["session"]["id"] == sid, by_handoff["session"]
            assert cli_json("explain", handed)["session"]["id"] == sid
            markdown = await session.call_tool("explain", {"session": sid, "format": "markdown"})
            printed = cli("explain", "--session", sid, "--format", "markdown")
            assert markdown.content[0].text == printed.stdout, (markdown.content[0].text, printed.stdout)
            assert markdown.structuredContent["text"] == printed.stdout
            viewed = await call(session, "explain", {"session": sid})
            assert viewed["session"]["errors"] == 2 and [e["step"] for e in viewed["errors"]] == [1, 2], viewed
            ok("explain shown as asked")
    shown = cli_json("show", claimed["handoff"]["id"])
    assert shown["handoff"]["worker"] == "scanner" and shown["handoff"]["state"] == "done", shown
    assert [(e["kind"], e["worker"]) for e in shown["events"]] == [("claimed", "scanner"), ("done", None)], shown
    ok("ack records the bot")
    step = put_for("scanner")
    async with stdio_client(server("--as", "scanner")) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            claimed = await call(session, "claim", {})
            acked = await call(session, "ack", {"receipt": claimed["receipt"], "hand_on": [
                {"document": {**TOOL_RESULT, "tool": "stage_two"}, "to": ["reviewer"]}]})
            assert acked["handoff"]["state"] == "done"
            [result] = acked["handed_on"]
            assert [h["handoff"]["consumer"] for h in result["handoffs"]] == ["reviewer"]
            assert cli_json("show", result["artifact"]["id"])["parents"] == [step]
            await fails(session, "ack", {"receipt": claimed["receipt"], "hand_on": [{"document": TOOL_RESULT}]},
                        "no longer holds")
            # A session that worked on a claimed handoff ends with it.
            worked_on = put_for("scanner", {**TOOL_RESULT, "tool": "another"})
            claimed = await call(session, "claim", {})
            started = await call(session, "start_session", {"query": "work on it"})
            await call(session, "log_entry", {"session": started["session"]["id"], "level": "info", "message": "done"})
            ended = await call(session, "end_session", {
                "session": started["session"]["id"], "to": ["reviewer"], "receipt": claimed["receipt"]})
            assert cli_json("show", claimed["handoff"]["id"])["handoff"]["state"] == "done"
            assert worked_on in cli_json("show", ended["work_log"])["parents"]
            ok("ack hands on with it")
            error = await fails(session, "put_artifact", {
                "document": {"schema": "tool-result-v1", "tool": "", "input": [], "status": "nope"}}, "not a valid")
            assert len(error["details"]) == 4 and error["message"].endswith(error["details"][0]), error
            assert "/input: expected object, found array" in error["details"], error
            ok("every error in the details")


asyncio.run({"views": views, "basic": basic, "session": work_session, "resources": resources, "hostile": hostile,
             "malformed": malformed, "jsonrpc": jsonrpc, "departures": departures,
             "boundary": boundary, "privacy": privacy}[SCENARIO]())
