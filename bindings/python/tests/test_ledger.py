"""The redemption ledger from Python: context manager, receipts, exceptions."""
import os
import sqlite3
import subprocess
import sys

import pytest

import custops
from custops._ledger import (AlreadyExists, Corrupt, IdempotencyConflict, LimitExceeded, NotAllowed,
                             NotFound)

T0 = 1_700_000_000


@pytest.fixture(params=["memory", "sqlite"])
def location(request, tmp_path):
    return "memory:" if request.param == "memory" else str(tmp_path / "l.db")


def test_lifecycle(location):
    with custops.Ledger(location) as led:
        assert led.backend in ("memory", "sqlite")
        led.issue("D11", max_uses=2, max_per_customer=1, campaign="d11", now=T0)
        led.budget_add("d11", 1000, now=T0, key="fund")
        r = led.reserve("D11", "o1", customer="alice", amount=400, ttl=60, key="r1", now=T0)
        assert r.state == "pending" and r.amount == 400 and r.expires == T0 + 60 and not r.replayed
        again = led.reserve("D11", "o1", customer="alice", amount=400, ttl=60, key="r1", now=T0 + 1)
        assert again.replayed and again.seq == r.seq
        assert led.counter("code:D11") == (2, 0, 1)
        assert led.commit("o1", "D11", now=T0 + 2).state == "committed"
        assert led.counter("budget:d11") == custops._ledger.Counter(1000, 400, 0)
        assert led.reverse("o1", "D11", 100, now=T0 + 3).state == "partially_reversed"
        rr = led.reverse("o1", "D11", now=T0 + 4)
        assert (rr.state, rr.amount) == ("reversed", 300)
        assert led.counter("code:D11").used == 0
        led.reserve("D11", "o2", customer="bob", ttl=5, now=T0)
        assert led.expire(T0 + 5) == 1
        assert led.reservation("o2", "D11").state == "expired"
        n, head = led.verify()
        assert n == 8 and len(head) == 64
        state = led.show()
        assert state["journal"]["records"] == 8
        j = led.journal()
        assert [r["seq"] for r in j] == list(range(1, 9)) and j[-1]["hash"] == head
        assert j[2]["record"] == {"op": "reserve", "order": "o1", "code": "D11", "state": "pending", "amount": 400,
                                  "customer": "alice", "expires": T0 + 60, "key": "r1"}
        assert [r["seq"] for r in led.journal(after=6, limit=1)] == [7]
        t = led.tables()
        res = t["reservations"].set_index("order")
        assert res.loc["o1", "state"] == "reversed" and res.loc["o2", "state"] == "expired"
        assert int(t["counters"].set_index("key").loc["budget:d11", "limit"]) == 1000
        assert {c["key"] for c in state["counters"]} == {"code:D11", "code:D11/cust:alice", "code:D11/cust:bob",
                                                         "budget:d11"}
    with pytest.raises(ValueError, match="closed"):
        led.counter("code:D11")
    led.close()  # twice is fine


def test_exceptions(location):
    with custops.Ledger(location) as led:
        led.issue("ONE", max_uses=1, campaign="c", now=T0)
        led.budget_add("c", 50, now=T0)
        with pytest.raises(AlreadyExists):
            led.issue("ONE", now=T0)
        with pytest.raises(NotFound, match="unknown code 'NOPE'"):
            led.reserve("NOPE", "o", now=T0)
        with pytest.raises(LimitExceeded) as e:
            led.reserve("ONE", "o1", amount=60, now=T0)
        assert e.value.reason == "budget"
        assert isinstance(e.value, custops.LedgerError) and isinstance(e.value, custops.Error)
        assert e.value.status == custops.native.ELIMIT
        led.reserve("ONE", "o1", amount=50, key="k", now=T0)
        with pytest.raises(LimitExceeded) as e:
            led.reserve("ONE", "o2", now=T0)
        assert e.value.reason == "total_limit"
        with pytest.raises(IdempotencyConflict):
            led.reserve("ONE", "o1", amount=49, key="k", now=T0)
        with pytest.raises(NotAllowed, match="is pending"):
            led.reverse("o1", "ONE", now=T0)
        with pytest.raises(custops.Error, match="discount -1 is negative"):
            led.reserve("ONE", "o3", amount=-1, now=T0)
        with pytest.raises(ValueError):
            led.reverse("o1", "ONE", -3, now=T0)
        with pytest.raises(TypeError):
            led.reserve("ONE", "o1")  # now is required


def test_open_errors(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all, only text" * 4)
    with pytest.raises(Corrupt):
        custops.Ledger(str(bad))
    with pytest.raises(custops.LedgerError, match="PostgreSQL|connect"):
        custops.Ledger("postgresql://127.0.0.1:1/nodb?connect_timeout=1")


def test_tamper_is_corrupt(tmp_path):
    path = str(tmp_path / "l.db")
    with custops.Ledger(path) as led:
        led.issue("A", now=T0)
        led.reserve("A", "o1", amount=7, now=T0)
    db = sqlite3.connect(path)
    db.execute("UPDATE journal SET body = replace(body, '\"amount\":7', '\"amount\":8') WHERE seq = 2")
    db.commit()
    db.close()
    with custops.Ledger(path) as led:
        with pytest.raises(Corrupt, match="record 2 was altered"):
            led.verify()


def test_codes(tmp_path):
    a = custops.generate_codes(100, prefix="X-", length=8, seed=5)
    assert a == custops.generate_codes(100, prefix="X-", length=8, seed=5)
    assert len(set(a)) == 100 and all(len(c) == 10 and c.startswith("X-") for c in a)
    with custops.Ledger(str(tmp_path / "l.db")) as led:
        for c in a[:10]:
            led.issue(c, now=T0)
        b = led.codes(100, prefix="X-", length=8, seed=5)
        assert not set(a[:10]) & set(b)
        assert b[:90] == a[10:]
    with pytest.raises(custops.Error, match="count"):
        custops.generate_codes(0)


def test_processes_share_a_file(tmp_path):
    """Four Python processes race for a coupon with limit 3 on one file."""
    path = str(tmp_path / "race.db")
    with custops.Ledger(path) as led:
        led.issue("RACE", max_uses=3, now=T0)
    code = (
        "import sys, custops\n"
        "from custops._ledger import LimitExceeded\n"
        "won = 0\n"
        "with custops.Ledger(sys.argv[1]) as led:\n"
        "    for k in range(3):\n"
        "        o = f'{sys.argv[2]}-{k}'\n"
        "        try:\n"
        "            led.reserve('RACE', o, key=o, now=1)\n"
        "            led.reserve('RACE', o, key=o, now=2)\n"
        "            led.commit(o, 'RACE', now=3)\n"
        "            won += 1\n"
        "        except LimitExceeded:\n"
        "            pass\n"
        "print(won)\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, path, f"p{i}"], stdout=subprocess.PIPE, env=os.environ)
             for i in range(4)]
    wins = [int(p.communicate(timeout=60)[0]) for p in procs]
    assert sum(wins) == 3
    with custops.Ledger(path) as led:
        assert led.counter("code:RACE") == (3, 3, 0)
