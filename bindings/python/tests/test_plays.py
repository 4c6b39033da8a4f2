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
