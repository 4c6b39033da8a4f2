"""Campaign analytics from Python: published figures, brute-force checks
against pandas, and the real groceries baskets when the shared data sets
are present."""
import itertools
import os
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

import custops

DAY = 86400


def test_ab_published_values():
    # Newcombe (1998), method 10: 56/70 - 48/80 -> 0.0524 .. 0.3339
    r = custops.ab_proportions(48, 80, 56, 70)
    assert r["diff"] == pytest.approx(0.2)
    assert r["lo"] == pytest.approx(0.0524, abs=5e-5)
    assert r["hi"] == pytest.approx(0.3339, abs=5e-5)
    # R: t.test(extra ~ group, data = sleep)
    g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    w = custops.ab_means(g2, g1)
    assert w["t"] == pytest.approx(-1.8608, abs=5e-5)
    assert w["df"] == pytest.approx(17.776, abs=5e-4)
    assert w["p_value"] == pytest.approx(0.07939, abs=5e-6)
    s = custops.ab_means_summary(10, np.mean(g2), np.std(g2, ddof=1), 10, np.mean(g1), np.std(g1, ddof=1))
    assert s["lo"] == pytest.approx(w["lo"])


def test_ab_sample_size_from_first_principles():
    nd = NormalDist()
    za, zb = nd.inv_cdf(0.975), nd.inv_cdf(0.8)
    p1, p2 = 0.10, 0.12
    pbar = (p1 + p2) / 2
    n = (za * (2 * pbar * (1 - pbar)) ** 0.5 + zb * (p1 * (1 - p1) + p2 * (1 - p2)) ** 0.5) ** 2 / (p2 - p1) ** 2
    assert custops.ab_sample_size(0.10, 0.12) == int(np.ceil(n)) == 3841
    assert custops.ab_power(0.10, 0.12, 3841) == pytest.approx(0.8, abs=1e-3)
    assert custops.ab_sample_size_means(0.5, 1.0) == 63
    with pytest.raises(custops.Error, match="p_a and p_b are equal"):
        custops.ab_sample_size(0.1, 0.1)


def test_ab_sequential_never_rises():
    rng = np.random.default_rng(3)
    na = np.arange(1, 31) * 500
    ca = np.cumsum(rng.binomial(500, 0.10, 30))
    cb = np.cumsum(rng.binomial(500, 0.13, 30))
    df = custops.ab_sequential(ca, na, cb, na, tau=0.02)
    assert list(df.columns) == ["look", "p_value"]
    assert (np.diff(df["p_value"]) <= 0).all()
    assert df["p_value"].iloc[-1] < 0.05
    with pytest.raises(ValueError):
        custops.ab_sequential(ca, na[:3], cb, na)


def _lines(rows):
    df = pd.DataFrame(rows, columns=["customer", "order", "time", "sku", "category", "qty", "amount"])
    return df.astype("int64")


def test_repurchase_hand_worked():
    lines = _lines([
        (0, 0, 0 * DAY, 0, 7, 1, 100), (0, 1, 10 * DAY, 0, 7, 1, 100), (0, 2, 20 * DAY, 0, 7, 1, 100),
        (1, 3, 0 * DAY, 0, 7, 1, 100), (1, 4, 14 * DAY, 0, 7, 1, 100), (2, 5, 5 * DAY, 0, 7, 1, 100),
    ])
    cy = custops.repurchase_cycles(lines, now=30 * DAY, min_intervals=3)
    row = cy.iloc[0]
    assert (row["median_days"], row["q1_days"], row["q3_days"]) == (14, 10, -1)
    assert row["intervals"] == 3 and row["censored"] == 2
    due = custops.repurchase_due(lines, now=30 * DAY, min_intervals=3, lead_days=4)
    assert due["customer"].tolist() == [0, 1]
    assert due["days_until"].tolist() == [4, -2]
    with pytest.raises(custops.Error, match="no column 'sku'"):
        custops.repurchase_cycles(lines.drop(columns=["sku"]), now=30 * DAY)


def test_send_times_shrinkage():
    rows = [(c, k * DAY + 20 * 3600, 0) for c in range(50) for k in range(4)]
    rows += [(50, 3 * 3600, 0)] + [(51, k * DAY + 3 * 3600, 1) for k in range(30)]
    events = pd.DataFrame(rows, columns=["customer", "time", "type"])
    df = custops.send_times(events, zone="UTC", hour_strength=10, full=True)
    assert df.loc[50, "best_hour"] == 20 and df.loc[51, "best_hour"] == 3
    hours = df[[f"p_hour_{h:02d}" for h in range(24)]].to_numpy()
    assert np.allclose(hours.sum(axis=1), 1)
    assert df.attrs["hour_strength"] == 10


def _brute_pairs(baskets, min_count):
    """Dense pandas/itertools count of item pairs per basket."""
    n = len(baskets)
    na, nab = {}, {}
    for items in baskets:
        for a in items:
            na[a] = na.get(a, 0) + 1
        for a, b in itertools.permutations(items, 2):
            nab[(a, b)] = nab.get((a, b), 0) + 1
    rows = [(a, b, c, na[a], na[b], c / n, c / na[a], c * n / (na[a] * na[b]))
            for (a, b), c in nab.items() if c >= min_count]
    return pd.DataFrame(rows, columns=["item_a", "item_b", "count_ab", "count_a", "count_b", "support", "confidence", "lift"])


def test_cross_sell_matches_brute_force():
    rng = np.random.default_rng(11)
    n = 3000
    order = rng.integers(0, 600, n)
    sku = (rng.random(n) ** 2 * 50).astype(np.int64)
    lines = pd.DataFrame({"order": order, "sku": sku, "customer": order // 3})
    baskets = [sorted(set(g)) for _, g in lines.groupby("order")["sku"]]
    want = _brute_pairs(baskets, 2)
    got = custops.cross_sell(lines, top_k=1000, min_count=2)
    merged = want.merge(got, on=["item_a", "item_b"], suffixes=("_want", ""))
    assert len(merged) == len(want) == len(got)
    for col in ["count_ab", "count_a", "count_b"]:
        assert (merged[col] == merged[col + "_want"]).all()
    for col in ["support", "confidence", "lift"]:
        assert np.allclose(merged[col], merged[col + "_want"])
    # histories: baskets are customers
    hist = [sorted(set(g)) for _, g in lines.groupby("customer")["sku"]]
    got = custops.cross_sell(lines, by="customer", top_k=3, min_count=1)
    want = _brute_pairs(hist, 1).sort_values(["item_a", "confidence", "lift", "item_b"],
                                             ascending=[True, False, False, True])
    want = want.groupby("item_a").head(3)
    assert got["item_b"].tolist() == want["item_b"].tolist()


def test_cross_sell_groceries_real_data():
    base = os.environ.get("SHARED_DATA", "")
    path = os.path.join(base, "groceries_dataset.csv")
    if not os.path.exists(path):
        pytest.skip("shared data set groceries_dataset.csv is absent")
    raw = pd.read_csv(path)
    raw["item"] = raw["itemDescription"].str.strip()
    # a basket is (member, date); 14,963 baskets per the data set notes
    raw["basket"] = pd.factorize(raw["Member_number"].astype(str) + "|" + raw["Date"])[0]
    codes, names = pd.factorize(raw["item"])
    lines = pd.DataFrame({"order": raw["basket"].astype(np.int64), "sku": codes.astype(np.int64)})
    got = custops.cross_sell(lines, top_k=5, min_count=10)
    dedup = lines.drop_duplicates()
    assert dedup["order"].nunique() == 14963
    # independent pandas self-join
    pairs = dedup.merge(dedup, on="order")
    pairs = pairs[pairs["sku_x"] != pairs["sku_y"]]
    nab = pairs.groupby(["sku_x", "sku_y"]).size().rename("count_ab").reset_index()
    na = dedup.groupby("sku").size()
    nab = nab[nab["count_ab"] >= 10]
    nab["confidence"] = nab["count_ab"] / na.loc[nab["sku_x"]].to_numpy()
    nab["lift"] = nab["confidence"] / (na.loc[nab["sku_y"]].to_numpy() / 14963)
    top = (nab.assign(cb=na.loc[nab["sku_y"]].to_numpy())
           .sort_values(["sku_x", "count_ab", "cb", "sku_y"], ascending=[True, False, True, True])
           .groupby("sku_x").head(5))
    assert got["item_a"].tolist() == top["sku_x"].tolist()
    assert got["item_b"].tolist() == top["sku_y"].tolist()
    assert np.allclose(got["lift"], top["lift"])
    # whole milk is the most frequent partner of the most frequent item pairs
    whole_milk = list(names).index("whole milk")
    assert (got.loc[got["item_b"] == whole_milk, "rank"] == 1).sum() > 50


def test_kpi_and_cohorts():
    z = custops.Zone("Asia/Shanghai")
    t = lambda s: custops.parse_time(s, z)  # noqa: E731
    lines = _lines([
        (0, 1, t("2026-01-05 10:00"), 1, -1, 1, 100), (0, 2, t("2026-02-03 10:00"), 1, -1, 1, 50),
        (1, 3, t("2026-01-20 10:00"), 1, -1, 2, 200), (2, 4, t("2026-02-14 10:00"), 1, -1, 1, 300),
    ])
    events = pd.DataFrame({"customer": [0, 1, 3], "time": [t("2026-01-05 09:00")] * 3, "type": [0, 0, 0]})
    s = custops.kpi_summary(lines, events, zone=z, start="2026-01-01", end="2026-03-01")
    assert s.loc[0, "gmv"] == 650 and s.loc[0, "orders"] == 4 and s.loc[0, "uv"] == 3
    assert s.loc[0, "repurchase_rate"] == pytest.approx(1 / 3)
    days = custops.kpi_summary(lines, events, zone=z, start="2026-01-01", end="2026-03-01", by_day=True)
    assert len(days) == 59 and days["gmv"].sum() == 650
    f = custops.kpi_funnel(lines, events, zone=z, start="2026-01-01", end="2026-03-01")
    assert f["step"].tolist() == ["visit", "view", "cart_add", "order"]
    wide = custops.kpi_cohorts(lines, zone=z, start="2026-01-01", end="2026-03-01", wide=True)
    assert wide.loc[202601, 0] == 1.0 and wide.loc[202601, 1] == 0.5 and wide.loc[202602, 0] == 1.0


def test_calendar(tmp_path):
    text = """campaign "D11" zone Asia/Shanghai
phase warm_up from 2026-08-25
  audience vip do coupon R-1, message hello
phase burst from 2026-11-11 to 2026-11-12
  audience "*" do coupon R-1111
"""
    cal = custops.Calendar(text)
    assert cal.name == "D11" and cal.zone == "Asia/Shanghai"
    assert cal.phases()["phase"].tolist() == ["warm_up", "burst"]
    now = cal.now("2026-09-01 10:00", ["vip"])
    assert now["action"].tolist() == ["coupon", "message"]
    assert cal.now("2026-11-11 10:00", [])["arg"].tolist() == ["R-1111"]
    p = tmp_path / "c.cal"
    p.write_text(text)
    assert len(custops.Calendar.load(p).phases()) == 2
    with pytest.raises(custops.Error, match=r"<calendar>:2:1: the last phase 'a' needs 'to'"):
        custops.Calendar("campaign c zone UTC\nphase a from 2026-01-01\n")
