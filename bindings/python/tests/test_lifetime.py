"""Every class that owns a native handle closes the same way: ``with``
frees it at the end of the block, ``close()`` frees it now, and any later
use raises ValueError (never a crash, never a null handle passed to C).
Closing one object never breaks another that still needs its data."""
import gc

import numpy as np
import pandas as pd
import pytest

import custops

NOW = 1718452800  # 2024-06-15T12:00:00Z
RULES = "rule r { when subtotal() >= 69.00; then amount_off 10.00; }"
PLAYS = """
play unpaid_reminder
  trigger event order_unpaid
  wait 15m
  send sms unpaid_first
end
"""
CART = {"now": NOW, "lines": [{"id": "l1", "sku": "S", "unit_price": "70.00", "qty": 1}]}
CALENDAR = """campaign "D11" zone Asia/Shanghai
phase burst from 2026-11-11 to 2026-11-12
  audience "*" do coupon R-1111
"""


def customers():
    return pd.DataFrame({"customer_id": ["a", "b", "c"], "orders": np.array([0, 3, 7], dtype=np.int64)})


def makers():
    """(name, factory, a call that uses the object) for every handle class."""
    cart = CART
    return [
        ("Zone", lambda: custops.Zone("Asia/Shanghai"), lambda z: z.name),
        ("Calendar", lambda: custops.Calendar(CALENDAR), lambda c: c.name),
        ("Model", lambda: custops.clv.Model.from_params("bgnbd", [0.24, 4.41, 0.79, 2.43]),
         lambda m: m.params),
        ("Ruleset", lambda: custops.Ruleset(RULES), lambda rs: rs.quote(cart).discount),
        ("Quote", lambda: custops.Ruleset(RULES).quote(cart), lambda q: q.discount),
        ("Template", lambda: custops.Template("{{nickname}}"), lambda t: t.render({"nickname": ["x"]}, 0)),
        ("Journeys", lambda: custops.Journeys(PLAYS, "Asia/Shanghai"), lambda j: j.plays),
        ("Audience", lambda: custops.Audience("orders >= 3", customers(), NOW), lambda a: a.count()),
        ("Bitset", lambda: custops.Audience("orders >= 3", customers(), NOW).bitset(), lambda b: len(b)),
        ("Library", lambda: custops.Library(), lambda lib: len(lib)),
        ("Loyalty", lambda: custops.Loyalty(), lambda p: p.balance("ann", NOW)),
        ("Frame", lambda: custops.Frame.from_pandas(customers()), lambda f: len(f)),
        ("Store", lambda: custops.Store("UTC", "CNY"), lambda s: s.zone),
        ("Ledger", lambda: custops.Ledger("memory:"), lambda led: led.backend),
    ]


@pytest.mark.parametrize("name,make,use", makers(), ids=[m[0] for m in makers()])
def test_with_and_close(name, make, use):
    with make() as obj:
        use(obj)  # usable inside the block
    with pytest.raises(ValueError, match="closed"):
        use(obj)
    obj = make()
    obj.close()
    obj.close()  # closing twice is harmless
    with pytest.raises(ValueError, match="closed"):
        use(obj)


def test_exceptions_pass_through_with():
    with pytest.raises(custops.Error):
        with custops.Ruleset(RULES) as rs:
            rs.quote({"now": NOW, "lines": "not a list"})
    with pytest.raises(ValueError, match="closed"):
        rs.quote(CART)


def test_audience_outlives_its_closed_frame():
    """The audience keeps what it compiled against: closing the caller's
    frame (or dropping it) must not free memory the audience still reads."""
    f = custops.Frame.from_pandas(customers())
    a = custops.Audience("orders >= 3", f, NOW)
    f.close()
    del f
    gc.collect()
    assert a.count() == 2
    assert a.ids().tolist() == [1, 2]


def test_quote_outlives_its_closed_ruleset():
    rs = custops.Ruleset(RULES)
    q = rs.quote(CART)
    want = (q.result, q.allocations.to_dict("list"), q.reasons.to_dict("list"))
    rs.close()
    del rs
    gc.collect()
    assert q.discount == 1000
    assert (q.result, q.allocations.to_dict("list"), q.reasons.to_dict("list")) == want
