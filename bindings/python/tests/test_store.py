"""The profile store from Python: CSV/JSONL in, features as a DataFrame,
columns as numpy arrays, privacy, save/load, errors with line:col."""
import json

import numpy as np
import pytest

import custops

ORDERS = """order_id,customer_id,time,currency,sku,category,qty,unit_price,discount,coupon_code,channel
o1,alice,2024-11-01 10:00:00,CNY,sku1,shoes,2,100.00,20.00,,app
o2,bob,2024-11-02T09:30:00+08:00,CNY,sku1,shoes,1,100,,C10,web
o3,alice,2024-11-08 18:00:00,CNY,sku3,shoes,1,50.50,,,app
"""

EVENTS = """{"kind":"event","customer_id":"bob","time":"2024-11-10 12:00:00","type":"cart_add","sku":"sku3"}
{"kind":"customer","customer_id":"alice","gender":"f","birth_year":1990,"tags":["vip"],"consent_sms":1}
"""


def _at(text):
    return custops.parse_time(text, custops.Zone("Asia/Shanghai"))


@pytest.fixture
def store(tmp_path):
    (tmp_path / "orders.csv").write_text(ORDERS)
    (tmp_path / "more.jsonl").write_text(EVENTS)
    s = custops.Store("Asia/Shanghai", "CNY")
    r = s.ingest_csv(tmp_path / "orders.csv")
    assert (r.rows, r.accepted, r.rejected) == (3, 3, 0)
    assert r.rejects.empty
    s.ingest_jsonl(tmp_path / "more.jsonl")
    yield s
    s.close()


def test_features_dataframe(store):
    df = store.features(_at("2024-11-15 00:00:00"), period="day").set_index("customer_id")
    assert list(df.index) == ["alice", "bob"]
    a = df.loc["alice"]
    # two transaction days (Nov 1, Nov 8), T from Nov 1 to Nov 15
    assert a["frequency"] == 1 and a["recency"] == 7.0 and a["T"] == 14.0
    assert a["monetary"] == 5050.0
    assert a["spend"] == 18000 + 5050
    assert a["gender"] == 1 and a["birth_year"] == 1990 and a["consent_sms"] == 1
    assert a["hour_10"] == 1 and a["hour_18"] == 1
    assert df.loc["bob", "coupon_share"] == 1.0
    weeks = store.features(_at("2024-11-15 00:00:00"))
    assert weeks.set_index("customer_id").loc["alice", "T"] == pytest.approx(2.0)


def test_views_are_numpy(store):
    lines = store.lines()
    assert lines["amount"].dtype == np.int64
    assert list(lines["customer"]) == [0, 0, 1]
    assert list(lines["amount"]) == [18000, 5050, 10000]
    sku = store.dict("sku")
    assert sku[lines["sku"][1]] == "sku3"
    ev = store.events()
    assert list(ev["type"]) == [2]
    assert list(store.dict("customer")) == ["alice", "bob"]


def test_windows_and_split(store):
    now = _at("2024-11-12 00:00:00")
    w = store.count_events("cart_add", now, 10, 0).set_index("customer_id")
    assert w.loc["bob", "count"] == 1 and w.loc["alice", "count"] == 0
    o = store.count_orders(now, 7).set_index("customer_id")
    assert o.loc["alice", "count"] == 1 and o.loc["bob", "count"] == 0
    cal, hold = store.split(_at("2024-11-03 00:00:00"), _at("2024-11-30 00:00:00"), period="day")
    assert list(hold["frequency_holdout"]) == [1, 0]
    assert list(cal["orders"]) == [1, 1]


def test_skip_and_errors(tmp_path, store):
    bad = tmp_path / "bad.csv"
    bad.write_text("order_id,customer_id,time,currency,sku,qty,unit_price\n"
                   "o9,carol,2024-11-09 10:00:00,CNY,s,1,9.90\n"
                   "o10,carol,2024-11-09 11:00:00,CNY,s,x,1\n")
    with pytest.raises(custops.Error) as e:
        store.ingest_csv(bad)
    assert "bad.csv:3:37: expected an integer in column 'qty', got 'x'" in str(e.value)
    assert e.value.status == -6
    assert len(store) == 2  # nothing of the failed file was applied
    r = store.ingest_csv(bad, skip=True)
    assert (r.accepted, r.rejected) == (1, 1)
    assert list(r.rejects["line"]) == [3] and list(r.rejects["column"]) == [37]
    assert len(store) == 3
    with pytest.raises(ValueError):
        store.features(0, period="month")


def test_erase_export_save_load(tmp_path, store):
    doc = json.loads(store.export_customer("alice"))
    assert doc["attributes"]["tags"] == ["vip"]
    assert [l["order_id"] for l in doc["order_lines"]] == ["o1", "o3"]
    store.erase("alice")
    with pytest.raises(custops.Error):
        store.export_customer("alice")
    assert store.counts()["lines"] == 1
    path = tmp_path / "s.stor"
    store.save(path)
    with custops.Store.load(path) as t:
        assert t.zone == "Asia/Shanghai" and t.currency == "CNY"
        assert list(t.dict("customer")) == ["bob"]
        assert t.purge(_at("2024-11-05 00:00:00")) == 1
    with pytest.raises(ValueError):
        t.lines()
    path.write_bytes(path.read_bytes()[:50])
    with pytest.raises(custops.Error) as e:
        custops.Store.load(path)
    assert e.value.status == -7
