"""The synthetic store from Python: files, truth, DataFrames, errors."""
import csv
import filecmp
import math

import numpy as np
import pytest

import custops


def test_write_returns_truth_and_files(tmp_path):
    truth = custops.synth_write(tmp_path / "a", customers=300, seed=5)
    assert truth["seed"] == 5 and truth["customers"] == 300
    assert truth["bgnbd"] == {"r": 0.243, "alpha": 30.898, "a": 0.793, "b": 2.426}
    assert truth["zone"] == "Asia/Shanghai" and truth["currency"] == "CNY"
    assert all(days > 0 for days in truth["sku_cycles"].values())
    with open(tmp_path / "a" / "orders.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == truth["counts"]["order_lines"]
    assert len({r["order_id"] for r in rows}) == truth["counts"]["orders"]
    assert {r["currency"] for r in rows} == {"CNY"}
    # same seed: byte-identical; another seed: different
    custops.synth_write(tmp_path / "b", customers=300, seed=5)
    custops.synth_write(tmp_path / "c", customers=300, seed=6)
    for name in ["orders.csv", "refunds.csv", "events.csv", "customers.csv", "truth.json"]:
        assert filecmp.cmp(tmp_path / "a" / name, tmp_path / "b" / name, shallow=False), name
    assert not filecmp.cmp(tmp_path / "a" / "orders.csv", tmp_path / "c" / "orders.csv", shallow=False)


def test_jsonl_and_window(tmp_path):
    truth = custops.synth_write(str(tmp_path), customers=50, seed=1, jsonl=True, start="2024-03-01",
                                end="2024-06-01", double11=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.jsonl", "truth.json"]
    assert truth["start"] == "2024-03-01" and truth["end"] == "2024-06-01" and truth["double11"] is False
    import json
    kinds = {}
    for line in open(tmp_path / "store.jsonl", encoding="utf-8"):
        rec = json.loads(line)
        kinds[rec["kind"]] = kinds.get(rec["kind"], 0) + 1
        if rec["kind"] == "order_line":
            assert "2024-03-01" <= rec["time"][:10] < "2024-06-01"
    assert kinds["customer"] == 50
    assert kinds["order_line"] == truth["counts"]["order_lines"]
    assert kinds["event"] == truth["counts"]["events"]


def test_order_lines_frame_matches_files(tmp_path):
    df = custops.synth_order_lines(customers=200, seed=9)
    assert list(df.columns) == ["order_id", "customer_id", "time", "currency", "sku", "category", "qty",
                                "unit_price", "discount", "coupon_code", "channel"]
    assert df["time"].dtype == np.int64 and df["unit_price"].dtype == np.int64
    custops.synth_write(tmp_path, customers=200, seed=9)
    with open(tmp_path / "orders.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(df)
    assert [r["order_id"] for r in rows] == list(df["order_id"])
    assert [custops.money_parse(r["unit_price"]) for r in rows] == df["unit_price"].tolist()
    assert [custops.parse_time(r["time"]) for r in rows[:50]] == df["time"].tolist()[:50]
    # coupon discounts sum to the coupon's amount per order
    coupons = df[df["coupon_code"] != ""].groupby("order_id")
    for _, lines in list(coupons)[:50]:
        thr, off = lines["coupon_code"].iloc[0][2:].split("-")
        assert (lines["qty"] * lines["unit_price"]).sum() >= int(thr) * 100
        assert lines["discount"].sum() == int(off) * 100


def test_model_parameters_change_the_data():
    busy = custops.synth_order_lines(customers=2000, seed=3, r=2.0, alpha=20.0)
    calm = custops.synth_order_lines(customers=2000, seed=3)
    # r/alpha = 0.1 purchases a day against 0.0079: many more orders per customer
    assert busy["order_id"].nunique() > 3 * calm["order_id"].nunique()
    rich = custops.synth_order_lines(customers=2000, seed=3, gamma=130.0)
    assert (rich["qty"] * rich["unit_price"]).sum() > 1.5 * (calm["qty"] * calm["unit_price"]).sum()


def test_catalog():
    cat = custops.synth_catalog(seed=42, skus=50, categories=5)
    assert len(cat) == 50 and list(cat.columns) == ["sku", "category", "list_price", "cycle_days"]
    assert cat["sku"].iloc[0] == "SKU00001" and (cat["list_price"] > 0).all()
    assert cat["category"].nunique() == 5


def test_errors(tmp_path):
    with pytest.raises(custops.Error, match="customers"):
        custops.synth_order_lines(customers=0)
    with pytest.raises(custops.Error, match="zone"):
        custops.synth_write(tmp_path, customers=5, zone="Nowhere/Land")
    with pytest.raises(custops.Error, match="'q'"):
        custops.synth_order_lines(customers=5, q=0.5)
    with pytest.raises(custops.Error, match="end_day"):
        custops.synth_order_lines(customers=5, start="2024-01-01", end="2023-01-01")
    with pytest.raises(ValueError, match="start"):
        custops.synth_order_lines(customers=5, start="2024-02-30")
    with pytest.raises(ValueError, match="seed"):
        custops.synth_order_lines(customers=5, seed=-1)
    with pytest.raises(TypeError):
        custops.synth_order_lines(customers=2.5)
