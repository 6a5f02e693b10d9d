"""Seeds a fuzz harness's corpus from the repository's samples, the JSON Schema test suite beside it and the
regex fixtures. Usage: seed.py HARNESS CORPUS_DIR (existing inputs are kept)."""
import glob
import hashlib
import json
import os
import sys

harness, corpus = sys.argv[1], sys.argv[2]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
suite = os.path.join(root, "..", "shared", "testdata", "JSON-Schema-Test-Suite", "tests", "draft2020-12")


def add(data):
    if isinstance(data, str):
        data = data.encode()
    path = os.path.join(corpus, hashlib.sha1(data).hexdigest())
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)


def suite_groups():
    for path in glob.glob(os.path.join(suite, "**", "*.json"), recursive=True):
        try:
            yield from json.load(open(path))
        except (ValueError, UnicodeDecodeError):
            continue


if harness in ("json", "canonical"):
    for path in glob.glob(os.path.join(root, "Samples", "**", "*.json"), recursive=True):
        add(open(path, "rb").read())
    for path in glob.glob(os.path.join(root, "Samples", "**", "*.jsonl"), recursive=True):
        for line in open(path, "rb"):
            add(line.strip())
    for snippet in ['{"a":1e400}', '"\\ud800"', '[[[[[[]]]]]]', '{"a":1,"a":2}', '-0', '1E-7', '"\\u0000"', '{"é":1,"e\\u0301":2}']:
        add(snippet)
elif harness == "schema":
    for path in glob.glob(os.path.join(root, "Schemas", "*.json")):
        add(open(path, "rb").read())
    for group in suite_groups():
        add(json.dumps(group.get("schema")))
elif harness == "validator":
    for group in suite_groups():
        for test in group.get("tests", []):
            add(json.dumps([group.get("schema"), test.get("data")]))
    for path in glob.glob(os.path.join(root, "Samples", "valid", "*", "*.json")):
        schema = json.load(open(os.path.join(root, "Schemas", os.path.basename(os.path.dirname(path)) + ".schema.json")))
        schema.pop("$id", None)
        add(json.dumps([schema, json.load(open(path))]))
elif harness == "regex":
    oracle = json.load(open(os.path.join(root, "Tests", "HandoffSchemaTests", "Fixtures", "node-oracle.json")))
    for case in oracle["patterns"]:
        for subject, _ in case.get("inputs", [])[:3]:
            add(case["pattern"].encode() + b"\0" + subject.encode())
elif harness == "cli":
    # Command lines as the README and the help show them, arguments separated by NUL bytes; shell words
    # only (no quoting, no substitutions), paths within the samples kept relative to the scratch folder.
    import re
    import shlex
    lines = []
    for path in [os.path.join(root, "README.md")] + glob.glob(os.path.join(root, "Sources", "HandoffCLI", "Commands", "*.swift")):
        for line in open(path, encoding="utf-8"):
            match = re.search(r"\bhandoff ([a-z].*)$", line)
            if match:
                lines.append(match.group(1).split("  #")[0].split(" # ")[0].rstrip(" \\\""))
    for line in lines:
        try:
            words = shlex.split(line)
        except ValueError:
            continue
        words = [w if "$" not in w else "doc.json" for w in words]
        words = [w for w in words if not w.startswith(("|", ">", "<", "&"))]
        if words:
            add(b"\0".join(w.encode() for w in words))
    for extra in [["ls", "--limit", "9223372036854775807"], ["inbox", "c", "--json"], ["claim", "c", "--lease", "nan"],
                  ["put", "doc.json", "--from", "p", "--to", "c"], ["log", "add", "S", "--confidence", "1e308"],
                  ["chain", "xxh128:0000000000", "--depth", "-1"], ["--store", "s", "ls"], ["gc", "--keep-days", "0"]]:
        add(b"\0".join(w.encode() for w in extra))
elif harness == "html":
    # What reaches the UI's escaping, addresses and forms: hostile text, encoded forms, documents.
    for snippet in ['<script>alert(1)</script>', 'javascript:alert(1)', '"><img src=x onerror=alert(1)>',
                    "csrf=abc&note=Use+passphrases%21", "note=%FF%FE", "a%2Fb", "%E2%9C%93", "x\u0000y\u001b[31m",
                    "line\nbreak\ttab", "\u0085\u2028", '{"<k>": ["<script>", 1, true, null]}']:
        add(snippet)
    for path in glob.glob(os.path.join(root, "Samples", "valid", "**", "*.json"), recursive=True):
        add(open(path, "rb").read())
else:
    sys.exit(f"unknown harness {harness}")
print(f"{harness}: {len(os.listdir(corpus))} inputs in the corpus", file=sys.stderr)
