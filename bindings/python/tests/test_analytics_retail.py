"""Repurchase cycles on the real UCI Online Retail data, checked against an
independent pandas/numpy Kaplan-Meier computation; skipped when the shared
data sets are absent."""
import os

import numpy as np
import pandas as pd
import pytest

import custops

DAY = 86400


def _load():
    base = os.environ.get("SHARED_DATA", "")
    path = os.path.join(base, "online_retail.csv.gz")
    if not os.path.exists(path):
        pytest.skip("shared data set online_retail.csv.gz is absent")
    df = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": "Int64"})
    # the usual cleaning (see the data set notes): customers known, no
    # cancellations, positive quantities and prices, merchandise codes only
    df = df[df["CustomerID"].notna() & ~df["InvoiceNo"].str.startswith("C")]
    df = df[(df["Quantity"] > 0) & (df["UnitPrice"] >= 0.01) & df["StockCode"].str.match(r"^\d")]
    t = pd.to_datetime(df["InvoiceDate"], format="%Y-%m-%d %H:%M:%S").astype("int64") // 10**9  # naive clock time read as UTC
    return pd.DataFrame({
        "customer": pd.factorize(df["CustomerID"])[0].astype(np.int64),
        "order": pd.factorize(df["InvoiceNo"])[0].astype(np.int64),
        "time": t.to_numpy(np.int64),
        "sku": pd.factorize(df["StockCode"])[0].astype(np.int64),
        "category": np.full(len(df), -1, np.int64),
        "qty": df["Quantity"].to_numpy(np.int64),
        "amount": np.round(df["Quantity"] * df["UnitPrice"] * 100).to_numpy(np.int64),
    })


def _km(times, events):
    """Kaplan-Meier quantiles (first t with S <= level), -1 when not reached."""
    order = np.lexsort((-events, times))
    times, events = times[order], events[order]
    n, s, out = len(times), 1.0, {0.75: -1, 0.5: -1, 0.25: -1}
    i = 0
    while i < n:
        t = times[i]
        j = i
        while j < n and times[j] == t:
            j += 1
        d = events[i:j].sum()
        if d:
            s *= 1 - d / (n - i)
            for lvl in out:
                if out[lvl] < 0 and s <= lvl + 1e-12:
                    out[lvl] = t
        i = j
    return out


def test_repurchase_cycles_online_retail():
    lines = _load()
    now = int(pd.Timestamp("2011-12-10").timestamp())
    got = custops.repurchase_cycles(lines, now=now, zone="UTC", min_intervals=1).set_index("sku")
    days = (lines["time"] // DAY).rename("day")
    p = pd.DataFrame({"sku": lines["sku"], "customer": lines["customer"], "day": days}).drop_duplicates()
    p = p.sort_values(["sku", "customer", "day"])
    p["gap"] = p.groupby(["sku", "customer"])["day"].diff()
    buyers = p.groupby(["sku", "customer"])["day"].agg(["count", "max"])
    repeat = buyers[buyers["count"] >= 2]
    top = repeat.groupby(level="sku").size().sort_values(ascending=False).head(25).index
    today = now // DAY
    for sku in top:
        obs = p.loc[(p["sku"] == sku) & p["gap"].notna(), "gap"].to_numpy(np.int64)
        cens = (today - repeat.loc[sku, "max"]).to_numpy(np.int64)
        q1, q3 = np.percentile(obs, [25, 75])  # type 7, as the library
        fence = q3 + 3 * (q3 - q1)
        kept = obs[obs <= fence]
        cens = np.minimum(cens, np.floor(fence)).astype(np.int64)
        q = _km(np.concatenate([kept, cens]), np.concatenate([np.ones(len(kept), int), np.zeros(len(cens), int)]))
        row = got.loc[sku]
        assert row["repeat_buyers"] == len(repeat.loc[sku])
        assert row["intervals"] == len(kept) and row["outliers"] == len(obs) - len(kept)
        assert (row["q1_days"], row["median_days"], row["q3_days"]) == (q[0.75], q[0.5], q[0.25]), sku
