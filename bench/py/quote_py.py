"""The coupon quote in plain Python, for the speed ratio in `make bench`.

A straightforward implementation of the same semantics as the C engine for
the features the benchmark ruleset uses (validity, scope, subtotal and tier
conditions, amount/percent/every/tiers/fixed price/gift/shipping/points
effects, exclusive, per-line and capped stackable groups, lanes, largest
remainder allocation, an exact search per independent group of rules). It
reads the canonical JSON the C benchmark writes (coupon_rules.json,
coupon_cart.json), checks that its discount and points equal the C quote
(coupon_quote.json), times it, and writes coupon_py.json and coupon_py.md.
It is what a team would write without the library; no tricks either way.
"""
import json
import os
import re
import sys
import time
from datetime import datetime
from decimal import Decimal

OUT = os.environ.get("BENCH_OUT", ".")


def money(v, exp=2):
    if isinstance(v, int):
        return v
    return int(Decimal(v) * (10 ** exp))


def instant(s):
    return int(datetime.fromisoformat(s).timestamp())


def allocate(total, weights):
    """Largest remainder, ties to the lower index (as custops_money_allocate)."""
    s = sum(weights)
    if s == 0 or total == 0:
        return [0] * len(weights)
    q = [total * w // s for w in weights]
    rem = [(total * w % s, -i) for i, w in enumerate(weights)]
    left = total - sum(q)
    for _, negi in sorted(rem, reverse=True)[:left]:
        q[-negi] += 1
    return q


class Cond:
    """Conjunctions of simple comparisons: subtotal() >= M, qty() >= N, customer.tier >= "t"."""

    def __init__(self, text, tiers):
        m = re.fullmatch(r'(subtotal\(\)|qty\(\)|customer\.tier) (>=|>) (.+)', text)
        if not m:
            raise ValueError("unsupported condition for the Python baseline: " + text)
        self.what, self.op, lit = m.groups()
        self.value = tiers.index(lit.strip('"')) if self.what == "customer.tier" else (
            money(lit) if self.what == "subtotal()" else int(lit))

    def holds(self, subtotal, qty, tier):
        x = {"subtotal()": subtotal, "qty()": qty, "customer.tier": tier}[self.what]
        if x is None:
            return False
        return x >= self.value if self.op == ">=" else x > self.value


def load_rules(doc):
    tiers = doc["tiers"]
    groups = {g["id"]: g for g in doc["groups"]}
    rules = []
    for i, r in enumerate(doc["rules"]):
        r = dict(r)
        r["index"] = i
        r["conds"] = [Cond(c, tiers) for c in r["when"]]
        if r["valid"]:
            r["from"], r["to"] = instant(r["valid"]["from"]), instant(r["valid"]["to"])
        rules.append(r)
    return rules, groups, tiers


def in_scope(rule, line):
    inc = [s for s in rule["scope"] if not s["exclude"]]
    exc = [s for s in rule["scope"] if s["exclude"]]

    def match(s):
        if s["kind"] == "sku":
            return line["sku"] == s["value"]
        if s["kind"] == "category":
            return s["value"] in line.get("category", [])
        if s["kind"] == "brand":
            return line.get("brand") == s["value"]
        return s["value"] in line.get("tags", [])

    return (not inc or any(match(s) for s in inc)) and not any(match(s) for s in exc)


def effects(rule, lines, base, inscope, S):
    x = [0] * len(lines)
    for e in rule["then"]:
        k = e["kind"]
        d = 0
        if k == "amount_off":
            d = min(money(e["amount"]), S)
        elif k == "percent_off":
            d = (S * money(e["percent"]) + 5000) // 10000
            if e["cap"] is not None:
                d = min(d, money(e["cap"]))
        elif k == "every":
            times = S // money(e["step"])
            if e["max_times"]:
                times = min(times, e["max_times"])
            d = min(times * money(e["off"]), S)
        elif k == "tiers":
            for thr, off in e["tiers"]:
                if S >= money(thr):
                    d = min(money(off), S)
        elif k == "fixed_price":
            for i, ln in enumerate(lines):
                if inscope[i]:
                    x[i] += max(0, base[i] // ln["qty"] - money(e["price"])) * ln["qty"]
            continue
        else:
            continue
        idx = [i for i in range(len(lines)) if inscope[i] and base[i] > 0]
        for i, share in zip(idx, allocate(d, [base[i] for i in idx])):
            x[i] += share
    return [min(x[i], base[i]) for i in range(len(lines))]


def solve(cands, groups, cap, used):
    """Exact best combination: decompose, then depth-first search with a value bound."""
    n = len(cands)
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            a = parent[a]
        return a

    def union(a, b):
        a, b = find(a), find(b)
        if a != b:
            parent[max(a, b)] = min(a, b)

    by_group = {}
    for i, c in enumerate(cands):
        if c["group"]:
            by_group.setdefault(c["group"], []).append(i)
    for g, members in by_group.items():
        mode, mx = groups[g]["mode"], groups[g]["max"]
        if mode == "exclusive" or (mode == "stackable" and mx and used.get(g, 0) + len(members) > mx):
            for m in members[1:]:
                union(members[0], m)
    for s in range(len(cap)):
        total, gmax = 0, {}
        for i, c in enumerate(cands):
            if c["x"][s]:
                if c["group"]:
                    gmax[c["group"]] = max(gmax.get(c["group"], 0), c["x"][s])
                else:
                    total += c["x"][s]
        total += sum(gmax.values())
        touching = [i for i, c in enumerate(cands) if c["x"][s]]
        per_line = {}
        for i in touching:
            g = cands[i]["group"]
            if g and groups[g]["mode"] == "exclusive_per_line":
                per_line.setdefault(g, []).append(i)
        for members in per_line.values():
            for m in members[1:]:
                union(members[0], m)
        if total > cap[s]:
            for m in touching[1:]:
                union(touching[0], m)
    comps = {}
    for i in range(n):
        comps.setdefault(find(i), []).append(i)
    chosen = set()
    for members in comps.values():
        chosen |= solve_component([cands[i] for i in members], members, groups, cap, used)
    return chosen


def solve_component(cs, ids, groups, cap, used):
    best = [(-1, 0, 0, 0, 0), ()]

    def key(sel):
        sums = [0] * len(cap)
        for i in sel:
            for s, v in enumerate(cs[i]["x"]):
                sums[s] += v
        value = sum(min(a, b) for a, b in zip(sums, cap))
        return (value, -sum(cs[i]["code"] for i in sel), sum(cs[i]["gift"] for i in sel), 0, -len(sel))

    def feasible(sel, i):
        g = cs[i]["group"]
        if g:
            mode, mx = groups[g]["mode"], groups[g]["max"]
            cnt = used.get(g, 0) + sum(1 for j in sel if cs[j]["group"] == g)
            if mode == "exclusive" and cnt >= 1:
                return False
            if mode == "stackable" and mx and cnt >= mx:
                return False
            if mode == "exclusive_per_line":
                for j in sel:
                    if cs[j]["group"] == g and any(a and b for a, b in zip(cs[i]["x"], cs[j]["x"])):
                        return False
        return True

    def dfs(i, sel):
        if i == len(cs):
            k = key(sel)
            ids_sel = tuple(sorted(cs[j]["rule"] for j in sel))
            if k > best[0] or (k == best[0] and ids_sel < best[1]):
                best[0], best[1] = k, ids_sel
            return
        bound = key(sel)[0] + sum(c["amount"] for c in cs[i:])
        if bound < best[0][0]:
            return
        if feasible(sel, i):
            dfs(i + 1, sel + [i])
        dfs(i + 1, sel)

    dfs(0, [])
    return {ids[i] for i in range(len(cs)) if cs[i]["rule"] in best[1]}


def quote(rules, groups, tiers, cart, now):
    lines = cart["lines"]
    for ln in lines:
        ln.setdefault("qty", 1)
    net = [money(ln["unit_price"]) * ln["qty"] for ln in lines]
    subtotal = sum(net)
    ship = money(cart.get("shipping", 0))
    cust = cart.get("customer", {})
    tier = tiers.index(cust["tier"]) if cust.get("tier") in tiers else None
    wallet = {w["rule"] for w in cart.get("wallet", [])}
    used, points_extra, gifts = {}, 0, []
    for lane in ("item", "order", "shipping", "points"):
        cands = []
        for r in rules:
            if r["lane"] != lane:
                continue
            if r["code"]["mode"] == "wallet" and r["id"] not in wallet:
                continue
            if r["valid"] and not (r["from"] <= now < r["to"]):
                continue
            inscope = [in_scope(r, ln) for ln in lines]
            if not any(inscope):
                continue
            S = sum(net[i] for i in range(len(lines)) if inscope[i])
            Q = sum(lines[i]["qty"] for i in range(len(lines)) if inscope[i])
            if not all(c.holds(S, Q, tier) for c in r["conds"]):
                continue
            gift = any(e["kind"] == "gift" for e in r["then"])
            if gift and not all(cart.get("stock", {}).get(e["sku"], 0) >= e["qty"]
                                for e in r["then"] if e["kind"] == "gift"):
                continue
            if lane in ("item", "order"):
                x = effects(r, lines, net, inscope, S)
            elif lane == "shipping":
                d = 0
                for e in r["then"]:
                    d += ship if e["kind"] == "free_shipping" else min(money(e["amount"]), ship)
                x = [min(d, ship)]
            else:
                base = sum(net) // 100
                x = [sum(base * (e["factor"] - 1) if e["kind"] == "points_x" else e["points"] for e in r["then"])]
            amount = sum(x)
            if amount == 0 and not gift:
                continue
            cands.append({"rule": r["index"], "group": r["group"], "x": x, "amount": amount, "gift": gift,
                          "code": r["code"]["mode"] != "none", "priority": r["priority"]})
        cands.sort(key=lambda c: (-c["amount"], -c["gift"], c["rule"]))
        cap = net if lane in ("item", "order") else [ship] if lane == "shipping" else [1 << 60]
        chosen = solve(cands, groups, cap, used)
        for i in sorted(chosen, key=lambda i: (-cands[i]["priority"], cands[i]["rule"])):
            c = cands[i]
            if c["group"]:
                used[c["group"]] = used.get(c["group"], 0) + 1
            if lane == "points":
                points_extra += c["x"][0]
            elif lane == "shipping":
                ship -= min(c["x"][0], ship)
            else:
                for s in range(len(net)):
                    net[s] -= min(c["x"][s], net[s])
            if c["gift"]:
                gifts.append(c["rule"])
    merch = sum(net)
    return {"discount": subtotal - merch + (money(cart.get("shipping", 0)) - ship),
            "points": merch // 100 + points_extra}


def main():
    with open(os.path.join(OUT, "coupon_rules.json")) as f:
        rules, groups, tiers = load_rules(json.load(f))
    with open(os.path.join(OUT, "coupon_cart.json")) as f:
        cart = json.load(f)
    with open(os.path.join(OUT, "coupon_quote.json")) as f:
        c_result = json.load(f)
    now = instant(cart["now"])
    got = quote(rules, groups, tiers, json.loads(json.dumps(cart)), now)
    same = got["discount"] == c_result["discount"] and got["points"] == c_result["points"]["total"]
    print(f"python quote: discount {got['discount']}, points {got['points']} "
          f"({'matches' if same else 'DIFFERS FROM'} the C quote {c_result['discount']}, {c_result['points']['total']})")
    n = 20
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(n):
        quote(rules, groups, tiers, json.loads(json.dumps(cart)), now)
    per = (time.perf_counter() - t0) / n
    cpu_per = (time.process_time() - c0) / n
    c_us = c_cpu_us = None
    try:
        with open(os.path.join(OUT, "coupon.json")) as f:
            for fig in json.load(f)["figures"]:
                if fig["name"].startswith("quote p50"):
                    c_us = fig["value"]
                if fig["name"].startswith("CPU time per quote p50"):
                    c_cpu_us = fig["value"]
    except OSError:
        pass
    figs = [("python quote (same cart and rules)", per * 1e6, "us"),
            ("python quote CPU time", cpu_per * 1e6, "us"),
            ("python result equals C result", 1.0 if same else 0.0, "bool")]
    if c_us:
        figs.append(("speed ratio python / C (p50)", per * 1e6 / c_us, "x"))
    if c_cpu_us:
        figs.append(("speed ratio python / C (CPU time, p50)", cpu_per * 1e6 / c_cpu_us, "x"))
    with open(os.path.join(OUT, "coupon_py.json"), "w") as f:
        json.dump({"suite": "coupon_py", "figures": [{"name": a, "value": b, "unit": u} for a, b, u in figs]}, f)
    with open(os.path.join(OUT, "coupon_py.md"), "w") as f:
        f.write("## coupon_py (pure Python baseline)\n\n| figure | value | unit |\n|---|---:|---|\n")
        for a, b, u in figs:
            f.write(f"| {a} | {b:.4g} | {u} |\n")
    for a, b, u in figs:
        print(f"{a:56s} {b:14.4g} {u}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
