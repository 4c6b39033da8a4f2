"""Reserve+commit pairs per second: the pure-Python baseline (pyledger.py)
against libcustops through its Python binding, in memory and on SQLite.
Writes ledger_py.json and ledger_py.md like the C benchmarks (BENCH_OUT)."""
import json
import os
import shutil
import sys
import tempfile
import time

import pyledger

T0 = 1_700_000_000
figures = []


def record(name, value, unit):
    figures.append((name, value, unit))
    print(f"{name:<56} {value:14.4g} {unit}")
    sys.stdout.flush()


def run_pairs(reserve, commit, n, tag):
    t = time.perf_counter()
    for i in range(n):
        order = f"{tag}-{i}"
        reserve(order, "r-" + order, T0 + i // 1000)
        commit(order, "c-" + order, T0 + i // 1000)
    return n / (time.perf_counter() - t)


def py_case(led, n, tag):
    led.issue("BENCH", 0, "bench", T0)
    led.budget_add("bench", 1 << 50, T0)
    return run_pairs(lambda o, k, now: led.reserve("BENCH", "cust", o, 100, 900, k, now),
                     lambda o, k, now: led.commit(o, "BENCH", k, now), n, tag)


def custops_case(custops, location, n, tag, durable=True):
    with custops.Ledger(location, durable=durable) as led:
        led.issue("BENCH", campaign="bench", now=T0)
        led.budget_add("bench", 1 << 50, now=T0)
        return run_pairs(lambda o, k, now: led.reserve("BENCH", o, customer="cust", amount=100, ttl=900, key=k, now=now),
                         lambda o, k, now: led.commit(o, "BENCH", key=k, now=now), n, tag)


def main():
    tmp = tempfile.mkdtemp(prefix="custops-pybench-")
    try:
        try:
            import custops
        except ImportError as e:  # bindings not built: baseline only
            print(f"custops Python package unavailable ({e}); baseline only")
            custops = None
        py_mem = py_case(pyledger.MemoryLedger(), 30000, "pm")
        record("pure Python, dicts: reserve+commit", py_mem, "pairs/s")
        py_sql = py_case(pyledger.SqliteLedger(os.path.join(tmp, "py.db")), 3000, "ps")
        record("pure Python, sqlite3 NORMAL: reserve+commit", py_sql, "pairs/s")
        py_sqlf = py_case(pyledger.SqliteLedger(os.path.join(tmp, "pyf.db"), durable=True), 500, "pf")
        record("pure Python, sqlite3 FULL: reserve+commit", py_sqlf, "pairs/s")
        if custops is not None:
            c_mem = custops_case(custops, "memory:", 50000, "cm")
            record("custops.Ledger (Python binding), memory", c_mem, "pairs/s")
            record("speed-up, memory: custops.Ledger / pure Python", c_mem / py_mem, "x")
            c_sql = custops_case(custops, os.path.join(tmp, "c.db"), 3000, "cs", durable=False)
            record("custops.Ledger (Python binding), SQLite NORMAL", c_sql, "pairs/s")
            record("speed-up, SQLite NORMAL: custops.Ledger / pure Python", c_sql / py_sql, "x")
            c_sqlf = custops_case(custops, os.path.join(tmp, "cf.db"), 500, "cf", durable=True)
            record("custops.Ledger (Python binding), SQLite FULL", c_sqlf, "pairs/s")
            record("speed-up, SQLite FULL: custops.Ledger / pure Python", c_sqlf / py_sqlf, "x")
        out = os.environ.get("BENCH_OUT", ".")
        c_json = os.path.join(out, "ledger.json")
        if os.path.exists(c_json):  # the C figures from bench_ledger, if it ran first
            with open(c_json) as f:
                c = {x["name"]: x["value"] for x in json.load(f)["figures"]}
            if "memory reserve+commit (journal, keys)" in c:
                record("speed-up, memory: C API / pure Python", c["memory reserve+commit (journal, keys)"] / py_mem, "x")
            if "sqlite reserve+commit (synchronous=NORMAL)" in c:
                record("speed-up, SQLite NORMAL: C API / pure Python",
                       c["sqlite reserve+commit (synchronous=NORMAL)"] / py_sql, "x")
        with open(os.path.join(out, "ledger_py.json"), "w") as j:
            json.dump({"suite": "ledger_py", "figures": [{"name": n, "value": v, "unit": u, "goal": "", "met": None}
                                                         for n, v, u in figures]}, j, indent=1)
        with open(os.path.join(out, "ledger_py.md"), "w") as m:
            m.write("## ledger_py (pure-Python baseline vs libcustops)\n\n| figure | value | unit |\n|---|---:|---|\n")
            for n, v, u in figures:
                m.write(f"| {n} | {v:.4g} | {u} |\n")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
