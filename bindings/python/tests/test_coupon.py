"""Coupons from Python: compile, round trip, quote to dict and DataFrames, issue, errors."""
import json
import os

import pytest

import custops

TOP = os.environ.get("top_srcdir") or os.path.join(os.path.dirname(__file__), "..", "..", "..")
PROMOS = os.path.join(TOP, "tests", "coupon", "examples", "promos.rules")

CART = {
    "lines": [
        {"id": "L1", "sku": "SKU-A", "unit_price": "43.00"},
        {"id": "L2", "sku": "SKU-B", "unit_price": "14.00"},
        {"id": "L3", "sku": "SKU-C", "unit_price": "23.00"},
    ],
    "customer": {"id": "c1", "paid_orders": 3},
    "wallet": [{"id": "W1", "rule": "shop_69_10"}],
}


@pytest.fixture(scope="module")
def promos():
    return custops.Ruleset.load(PROMOS)


def test_round_trip_is_byte_identical(promos):
    j = promos.to_json()
    assert custops.Ruleset.from_json(j).to_json() == j
    assert promos.rule_ids[0] == "d11_double_points"
    assert len(promos.rule_ids) == 12


def test_quote_dict_and_allocations(promos):
    q = promos.quote(CART, now="2025-11-05T12:00:00+08:00")
    assert q.discount == 1000 and q.total == 7000 and q.exact
    r = q.result
    assert [a["rule"] for a in r["applied"]] == ["shop_69_10"]
    alloc = q.allocations
    assert list(alloc.columns) == ["rule", "lane", "line_id", "amount", "unit_high", "units_high", "unit_low"]
    assert alloc.set_index("line_id")["amount"].to_dict() == {"L1": 538, "L2": 175, "L3": 287}
    assert alloc["amount"].sum() == q.discount
    reasons = q.reasons.set_index("rule")
    assert reasons.loc["d11_every100", "reason"] == "NOT_STARTED"
    assert reasons.loc["newbie_10", "reason"] == "NOT_IN_WALLET"


def test_gap_and_determinism(promos):
    cart = dict(CART, lines=[{"id": "L1", "sku": "SKU-A", "unit_price": "68.99"}])
    a = promos.quote(cart, now=1762315200).to_json()
    b = promos.quote(json.dumps(cart), now=1762315200).to_json()
    assert a == b
    row = promos.quote(cart, now=1762315200).reasons.set_index("rule").loc["shop_69_10"]
    assert row["reason"] == "SUBTOTAL_BELOW" and row["gap"] == 1
    assert row["message"] == "add 0.01 more to get 10.00 off"


def test_issue_frame(promos):
    df = promos.issue("order_paid", {"customer": {"id": "c1", "paid_orders": 1, "referrer": "c9"},
                                     "ctx": {"event_key": "O42"}})
    assert sorted(df["recipient"]) == ["c1", "c9"]
    assert set(df["template"]) == {"CPN_NOTHRESH_20"}


def test_lint_and_errors():
    rs = custops.Ruleset("rule r { when subtotal() >= 10.00; then amount_off 10.00; }")
    assert list(rs.lint()["code"]) == ["DISCOUNT_GE_THRESHOLD"]
    with pytest.raises(custops.Error) as e:
        custops.Ruleset("rule r {\n then amount_of 1.00;\n}", what="x.rules")
    assert "x.rules:2:7: unknown effect 'amount_of'" in str(e.value)
    assert e.value.status == -6
    with pytest.raises(custops.Error):
        rs.quote({"currency": "USD", "lines": []}, now=0)
    with pytest.raises(custops.Error):
        rs.quote({"lines": [{"id": "a", "sku": "A", "unit_price": "1.001"}]}, now=0)
    with pytest.raises(ValueError):
        rs.quote({"lines": []})
