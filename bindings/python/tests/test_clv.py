"""CLV from Python: lifetimes-compatible fitters and the native Model on
numpy/pandas, checked against the published CDNOW and donations figures
(skipped without the shared data) and against the C library's own tests."""
import os

import numpy as np
import pandas as pd
import pytest

import custops
from custops.clv import (BetaGeoBetaBinomFitter, BetaGeoFitter, GammaGammaFitter, Model, ModifiedBetaGeoFitter,
                         ParetoNBDFitter)

DATA = os.environ.get("SHARED_DATA", "")


def shared(name):
    path = os.path.join(DATA, name)
    if not DATA or not os.path.exists(path):
        pytest.skip(f"{name}: shared data absent")
    return path


@pytest.fixture(scope="module")
def cdnow():
    return pd.read_csv(shared("cdnow_customers_summary.csv"))


def test_bgnbd_cdnow(cdnow):
    bgf = BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    p = bgf.params_
    assert isinstance(p, pd.Series)
    assert list(p.index) == ["r", "alpha", "a", "b"]
    np.testing.assert_allclose(p.values, [0.243, 4.414, 0.793, 2.426], rtol=2e-3)
    assert abs(bgf.log_likelihood_ - (-9582.4256)) < 0.01
    s = bgf.summary
    assert list(s.columns) == ["coef", "se(coef)", "lower 95% bound", "upper 95% bound"]
    assert (s["se(coef)"] > 0).all()
    pa = bgf.conditional_probability_alive(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert isinstance(pa, pd.Series) and len(pa) == 2357
    assert ((pa >= 0) & (pa <= 1)).all()
    assert (pa[cdnow["frequency"] == 0] == 1).all()
    e = bgf.conditional_expected_number_of_purchases_up_to_time(39, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert isinstance(e, pd.Series) and (e > 0).all()
    np.testing.assert_allclose(e.values, bgf.model.conditional_expected_purchases(39.0, cdnow["frequency"].values,
                                                                                   cdnow["recency"].values,
                                                                                   cdnow["T"].values))
    # a scalar in gives a float out
    assert isinstance(bgf.expected_number_of_purchases_up_to_time(39.0), float)
    pmf = bgf.probability_of_n_purchases_up_to_time(39.0, np.arange(200))
    assert abs(pmf.sum() - 1) < 1e-6


def test_pareto_and_mbg_cdnow(cdnow):
    pnbd = ParetoNBDFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    np.testing.assert_allclose(pnbd.params_.values, [0.553, 10.58, 0.606, 11.67], rtol=1e-3)
    assert abs(pnbd.log_likelihood_ - (-9594.974)) < 0.01
    mbg = ModifiedBetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert -9583 < mbg.log_likelihood_ < -9581
    # MBG/NBD customers without repeat purchase may be gone
    pa = mbg.conditional_probability_alive(0, 0, 38.0)
    assert 0 < pa < 1


def test_gamma_gamma_and_clv():
    df = pd.read_csv(shared("cdnow_customers_summary_with_transactions.csv"))
    rep = df[df["x"] > 0]
    ggf = GammaGammaFitter().fit(rep["x"], rep["zbar"])
    np.testing.assert_allclose(ggf.params_.values, [6.25, 3.74, 15.44], rtol=2e-3)
    assert list(ggf.params_.index) == ["p", "q", "v"]
    p, q, v = ggf.params_.values
    avg = ggf.conditional_expected_average_profit(rep["x"], rep["zbar"])
    np.testing.assert_allclose(avg.values, (p * v + p * rep["x"] * rep["zbar"]) / (p * rep["x"] + q - 1), rtol=1e-12)
    bgf = BetaGeoFitter().fit(df["x"], df["t_x"], df["T"])
    clv = ggf.customer_lifetime_value(bgf, df["x"], df["t_x"], df["T"], df["zbar"], time=12, discount_rate=0.01,
                                      freq="W")
    assert isinstance(clv, pd.Series) and len(clv) == 2357
    # lifetimes' loop written out for a few customers
    i = [0, 1, 5]
    x, tx, T, z = (df[c].values[i] for c in ("x", "t_x", "T", "zbar"))
    spend = ggf.conditional_expected_average_profit(x, z)
    want, prev = np.zeros(3), np.zeros(3)
    for k in range(1, 13):
        e = bgf.conditional_expected_number_of_purchases_up_to_time(k * 4.345, x, tx, T)
        want += spend * (e - prev) / 1.01 ** k
        prev = e
    np.testing.assert_allclose(clv.values[i], want, rtol=1e-12)


def test_bgbb_donations():
    d = pd.read_csv(shared("donations.csv"))
    bb = BetaGeoBetaBinomFitter().fit(d["frequency"], d["recency"], d["periods"], weights=d["weights"])
    np.testing.assert_allclose(bb.params_.values, [1.204, 0.750, 0.657, 2.783], rtol=1e-3)
    assert abs(bb.log_likelihood_ - (-33225.6)) < 0.05
    p1 = bb.conditional_probability_alive(1, d["frequency"], d["recency"], d["periods"])
    p3 = bb.conditional_probability_alive(3, d["frequency"], d["recency"], d["periods"])
    assert (p3 < p1).all() and (p3 > 0).all()
    e = bb.expected_number_of_transactions_in_first_n_periods(np.arange(1, 7))
    assert np.all(np.diff(e) > 0)


def test_native_model_roundtrip(tmp_path):
    truth = Model.from_params("pareto_nbd", {"r": 0.55, "alpha": 10.6, "s": 0.6, "beta": 11.7})
    sim = truth.simulate(np.full(5000, 39.0), seed=3)
    assert list(sim.columns) == ["frequency", "recency"]
    assert (sim["recency"] <= 39).all()
    again = truth.simulate(np.full(5000, 39.0), seed=3)
    assert sim.equals(again)
    m = custops.clv.fit("pareto_nbd", sim["frequency"], sim["recency"], 39.0)
    for k, v in truth.params.items():
        assert abs(m.params[k] - v) < 5 * m.stderr[k]
    path = tmp_path / "m.clvm"
    m.save(path)
    back = Model.load(path)
    assert back.params == m.params and back.convergence == m.convergence
    h = m.repeat_histogram(sim["frequency"], 39.0, max_x=5)
    assert list(h.columns) == ["frequency", "expected", "observed"]
    assert abs(h["expected"].sum() - 5000) < 1e-6 and h["observed"].sum() == 5000
    mat = m.alive_matrix(10, 39.0, 40)
    assert mat.shape == (11, 40) and 0 < mat[0, 0] < 1 and mat[0, 1] == 0 and mat[1, 0] == 0
    tr = m.tracking(np.zeros(10), np.array([1.0, 5.0, 10.0]))
    assert np.allclose(tr["cumulative"], 10 * m.expected_purchases(np.array([1.0, 5.0, 10.0])))


def test_errors():
    with pytest.raises(custops.Error, match=r"recency\[1\] = 6 is greater than T\[1\] = 5"):
        BetaGeoFitter().fit(np.array([1.0, 2.0]), np.array([2.0, 6.0]), np.array([3.0, 5.0]))
    with pytest.raises(custops.Error, match="no repeat buyers"):
        BetaGeoFitter().fit(np.zeros(3), np.zeros(3), np.full(3, 10.0))
    with pytest.raises(custops.Error, match=r"frequency\[0\]"):
        BetaGeoFitter().fit(np.array([np.nan]), np.array([0.0]), np.array([1.0]))
    with pytest.raises(ValueError, match="not fitted"):
        BetaGeoFitter().params_
    m = Model.from_params("bgnbd", [0.24, 4.4, 0.79, 2.4])
    with pytest.raises(custops.Error, match=r"T\[0\]"):
        m.prob_alive(1, 0.5, -1)


def test_cdnow_tracking_and_holdout(cdnow):
    """Real-data checks from the transaction log (Hardie's convention: one
    transaction per customer and day): the cohort's expected cumulative repeat
    purchases track the actual ones (FHL 2005, Figure 3), and the holdout
    table groups the actual purchases by calibration frequency."""
    log = pd.read_csv(shared("CDNOW_sample.txt"), sep=r"\s+", header=None, names=["mid", "sid", "date", "n", "v"])
    log["date"] = pd.to_datetime(log["date"].astype(str))
    d = log.drop_duplicates(["sid", "date"]).sort_values(["sid", "date"])
    t0 = pd.Timestamp("1997-01-01")
    birth = (d.groupby("sid")["date"].min() - t0).dt.days / 7.0
    repeat = d.groupby("sid").cumcount() > 0
    week = (d["date"] - t0).dt.days // 7 + 1
    actual = d[repeat].groupby(week[repeat]).size().reindex(range(1, 79), fill_value=0).cumsum()
    assert actual.iloc[38] == cdnow["frequency"].sum()  # the calibration repeat purchases
    bgf = BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    tr = bgf.model.tracking(birth.values, np.arange(1, 79, dtype=float))
    assert abs(tr["cumulative"].iloc[38] / actual.iloc[38] - 1) < 0.05
    assert abs(tr["cumulative"].iloc[77] / actual.iloc[77] - 1) < 0.05
    np.testing.assert_allclose(tr["incremental"].values[1:], np.diff(tr["cumulative"].values))
    hold = d[d["date"] > pd.Timestamp("1997-09-30")].groupby("sid").size()
    x_hold = cdnow["ID"].map(hold).fillna(0).values
    tab = bgf.model.holdout_by_frequency(cdnow["frequency"], cdnow["recency"], cdnow["T"], x_hold, 39.0, max_x=7)
    grp = pd.Series(x_hold).groupby(np.minimum(cdnow["frequency"].values, 7))
    np.testing.assert_allclose(tab["actual"].values, grp.mean().values)
    np.testing.assert_allclose(tab["count"].values, grp.size().values)
    # the frequent buyers' holdout purchases are predicted within 10%
    assert abs(tab["predicted"].iloc[7] / tab["actual"].iloc[7] - 1) < 0.1
