"""Journeys from Python: events in, a DataFrame of due actions out."""
import pytest

import custops

PLAYS = """
play unpaid_reminder
  trigger event order_unpaid
  wait 15m
  stop if event order_paid same key
  send sms unpaid_first
end
"""


def test_unpaid_reminder(tmp_path):
    j = custops.Journeys(PLAYS, "Asia/Shanghai")
    assert j.plays == ["unpaid_reminder"]
    t0 = custops.parse_time("2024-11-10 20:00", custops.Zone("Asia/Shanghai"))
    j.set_consent("c1", "sms")
    j.event("c1", "order_unpaid", "o1", t0)
    j.event("c2", "order_unpaid", "o2", t0)
    j.event("c2", "order_paid", "o2", t0 + 60)
    assert j.due(t0).empty
    df = j.due(t0 + 900)
    assert list(df["customer_id"]) == ["c1"]
    assert list(df["status"]) == ["send"]
    assert df["at"].iloc[0] == t0 + 900
    assert j.active == 0
    path = tmp_path / "j.jrny"
    j.save(path)
    assert custops.Journeys.load(path).plays == ["unpaid_reminder"]
    with pytest.raises(custops.Error, match="time went backwards"):
        j.due(t0)
    with pytest.raises(custops.Error, match=r"<plays>:1:1: expected 'play NAME'"):
        custops.Journeys("hello")


def test_uplift_report_from_pandas():
    import numpy as np
    import pandas as pd

    # Newcombe (1998) example: 56/70 vs 48/80 -> hybrid score interval 0.0524 .. 0.3339
    hold = np.r_[np.zeros(70, np.int64), np.ones(80, np.int64)]
    conv = np.r_[np.arange(70) < 56, np.arange(80) < 48].astype(np.int64)
    df = pd.DataFrame({"play": ["p"] * 150, "holdout": hold, "converted": conv})
    r = custops.uplift_report(df, reached=None, visited=None, revenue=None, group_by=["play"])
    assert list(r["play"]) == ["p"]
    assert abs(r["conversion_lo"][0] - 0.0524) < 5e-5
    assert abs(r["conversion_hi"][0] - 0.3339) < 5e-5
    with pytest.raises(custops.Error, match="no column 'revenue'"):
        custops.uplift_report(df.drop(columns=["play"]), reached=None, visited=None)


def test_channel_value():
    import pandas as pd

    customers = pd.DataFrame({"first_channel": ["a", "b", "a"], "value": [100, 50, 300]})
    spend = pd.DataFrame({"channel": ["a"], "spend": [200]})
    r = custops.channel_value(customers, spend)
    assert list(r["channel"]) == ["a", "b"]
    assert r["ltv"][0] == 200 and r["roi"][0] == 1.0
