"""Run the worked examples of docs/coupons.md against the custops program.

Every ```rules block must appear in tests/coupon/examples/promos.rules;
every ```json cart=NAME (quote) or event=NAME issue=EVENT (issuance) block
is run and checked against the ```expect NAME block that follows."""
import json
import os
import re
import subprocess
import sys
import tempfile

top = os.environ.get("top_srcdir", "..")
custops = os.environ["CUSTOPS"]
doc = open(os.path.join(top, "docs", "coupons.md"), encoding="utf-8").read()
rules_path = os.path.join(top, "tests", "coupon", "examples", "promos.rules")
rules = open(rules_path, encoding="utf-8").read()
blocks = re.findall(r"```(\w+)([^\n]*)\n(.*?)```", doc, re.S)
failures = 0
checked = 0


def fail(msg):
    global failures
    failures += 1
    print("not ok -", msg)


def norm(s):
    return " ".join(s.split())


examples = {}
for kind, attrs, body in blocks:
    if kind == "rules":
        if norm(body) not in norm(rules):
            fail("rule block not in promos.rules: " + body.strip().splitlines()[0])
    elif kind == "json":
        a = dict(re.findall(r"(\w+)=(\S+)", attrs))
        name = a.get("cart") or a.get("event")
        examples[name] = (a, body)
    elif kind == "expect":
        name = attrs.strip()
        if name not in examples:
            fail("expect block without an example: " + name)
            continue
        a, cart = examples.pop(name)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write(cart)
            path = f.name
        try:
            if "cart" in a:
                out = subprocess.run([custops, "coupons", "quote", rules_path, path, "--now", a["now"]],
                                     capture_output=True, text=True)
                if out.returncode:
                    fail(f"{name}: quote failed: {out.stderr}")
                    continue
                q = json.loads(out.stdout)
                applied = {x["rule"] for x in q["applied"]}
                reasons = {x["rule"]: x for x in q["not_applied"]}
                hints = {x["rule"]: x for x in q["hints"]}
                allocs = {(x["rule"], line["id"]): x["amount"] for line in q["lines"] for x in line["allocations"]}
                for line in body.strip().splitlines():
                    w = line.split()
                    checked += 1
                    if w[0] == "discount" and q["discount"] != int(w[1]):
                        fail(f"{name}: discount {q['discount']} != {w[1]}")
                    elif w[0] == "points" and q["points"]["total"] != int(w[1]):
                        fail(f"{name}: points {q['points']['total']} != {w[1]}")
                    elif w[0] == "applied" and w[1] not in applied:
                        fail(f"{name}: {w[1]} not applied ({reasons.get(w[1])})")
                    elif w[0] == "reason" and reasons.get(w[1], {}).get("reason") != w[2]:
                        fail(f"{name}: reason of {w[1]}: {reasons.get(w[1])} != {w[2]}")
                    elif w[0] == "gap" and reasons.get(w[1], {}).get("gap") != int(w[2]):
                        fail(f"{name}: gap of {w[1]}: {reasons.get(w[1])} != {w[2]}")
                    elif w[0] == "message" and reasons.get(w[1], {}).get("message") != " ".join(w[2:]):
                        fail(f"{name}: message of {w[1]}: {reasons.get(w[1])}")
                    elif w[0] == "hint" and hints.get(w[1], {}).get("message") != " ".join(w[2:]):
                        fail(f"{name}: hint of {w[1]}: {hints.get(w[1])}")
                    elif w[0] == "alloc" and allocs.get((w[1], w[2])) != int(w[3]):
                        fail(f"{name}: allocation {w[1]} {w[2]}: {allocs.get((w[1], w[2]))} != {w[3]}")
                    elif w[0] == "gift" and w[1] not in [g["sku"] for g in q["gifts"]]:
                        fail(f"{name}: no gift {w[1]}")
            else:
                out = subprocess.run([custops, "coupons", "issue", rules_path, a["issue"], path, "--now", a["now"]],
                                     capture_output=True, text=True)
                if out.returncode:
                    fail(f"{name}: issue failed: {out.stderr}")
                    continue
                rows = [json.loads(x) for x in out.stdout.splitlines()]
                for line in body.strip().splitlines():
                    w = line.split()
                    checked += 1
                    if w[0] == "issued" and len(rows) != int(w[1]):
                        fail(f"{name}: issued {len(rows)} != {w[1]}")
                    elif w[0] == "issue" and not any(r["recipient"] == w[1] and r["template"] == w[2] for r in rows):
                        fail(f"{name}: no {w[2]} for {w[1]}: {rows}")
                    elif w[0] == "key" and w[1] not in [r["issue_key"] for r in rows]:
                        fail(f"{name}: no issue key {w[1]}: {rows}")
                    elif w[0] == "cost" and not any(r["cost_points"] == int(w[1]) for r in rows):
                        fail(f"{name}: no cost {w[1]}: {rows}")
        finally:
            os.unlink(path)
for name in examples:
    fail("example without an expect block: " + name)
if checked < 40:
    fail(f"only {checked} expectations found in docs/coupons.md")
print(f"{'ok' if not failures else 'not ok'} - {checked} expectations from docs/coupons.md, {failures} failed")
sys.exit(1 if failures else 0)
