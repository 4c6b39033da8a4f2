"""custops.plot with the Agg backend: each helper draws what its input says
(bar heights, line points, image cells) and returns the Axes."""
import numpy as np
import pandas as pd
import pytest

import custops

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import custops.plot as cp  # noqa: E402

SH = custops.Zone("Asia/Shanghai")
SPLIT = custops.parse_time("2024-07-01 00:00", SH)
END = custops.parse_time("2025-01-01 00:00", SH)
DAY = 86400


@pytest.fixture(scope="module")
def store():
    lines = custops.synth_order_lines(customers=2000, seed=23)
    st = custops.Store("Asia/Shanghai", "CNY")
    st.ingest_dataframe(lines)
    yield st
    st.close()


@pytest.fixture(scope="module")
def split(store):
    cal, hold = store.split(SPLIT, END)
    bg = custops.clv.BetaGeoFitter().fit(cal["frequency"], cal["recency"], cal["T"])
    return cal, hold, bg


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_period_transactions_bars_are_the_histogram(split):
    cal, _, bg = split
    ax = cp.plot_period_transactions(bg, cal["frequency"], cal["T"], max_x=6)
    bars = ax.patches
    assert len(bars) == 2 * 7
    heights = np.array([b.get_height() for b in bars])
    observed = np.bincount(np.minimum(cal["frequency"].to_numpy(), 6), minlength=7)
    np.testing.assert_array_equal(heights[:7], observed)
    assert heights[7:].sum() == pytest.approx(len(cal), rel=1e-6)  # expected counts sum to the customers


def test_calibration_vs_holdout_lines(split):
    cal, hold, bg = split
    duration = hold["duration_holdout"].iloc[0]
    assert duration == pytest.approx((END - SPLIT) / (7 * DAY))
    hx = hold["frequency_holdout"]
    ax = cp.plot_calibration_purchases_vs_holdout_purchases(bg, cal["frequency"], cal["recency"], cal["T"], hx,
                                                            duration, max_x=5)
    actual, predicted = ax.get_lines()
    grp = pd.Series(hx.to_numpy(dtype=float)).groupby(np.minimum(cal["frequency"].to_numpy(), 5)).mean()
    np.testing.assert_allclose(actual.get_ydata(), grp.to_numpy(), rtol=1e-12)
    assert len(predicted.get_xdata()) == len(grp)


def test_alive_matrix_image(split):
    bg = split[2]
    ax = cp.plot_probability_alive_matrix(bg, max_frequency=10, T=52, nrecency=30)
    img = ax.get_images()[0].get_array()
    assert img.shape == (11, 30)
    np.testing.assert_array_equal(np.asarray(img), bg.model.alive_matrix(10, 52, 30))


def test_cumulative_transactions_lines(split, store):
    cal, _, bg = split
    birth = cal["T"].max() - cal["T"].to_numpy()  # weeks from the first customer's start
    times = np.arange(1, 80, dtype=float)
    actual = np.linspace(0, 100, len(times))
    ax = cp.plot_cumulative_transactions(bg, birth, times, actual)
    got_actual, model = ax.get_lines()
    np.testing.assert_array_equal(got_actual.get_ydata(), actual)
    want = bg.model.tracking(birth, times)["cumulative"].to_numpy()
    np.testing.assert_array_equal(model.get_ydata(), want)
    assert np.all(np.diff(want) >= 0) and want[-1] > 0
    ax = cp.plot_cumulative_transactions(bg, birth, times, incremental=True)
    assert len(ax.get_lines()) == 1


def test_rfm_heatmap_counts(store):
    feats = store.features(END)
    scores = custops.rfm(feats)
    ax = cp.plot_rfm_heatmap(scores)
    grid = np.asarray(ax.get_images()[0].get_array())
    assert grid.shape == (5, 5)
    assert np.nansum(grid) == ((scores["r"] > 0) & (scores["f"] > 0)).sum()
    sel = scores[(scores["r"] == 5) & (scores["f"] == 1)]
    assert grid[0, 4] == len(sel) or (len(sel) == 0 and np.isnan(grid[0, 4]))
    ax = cp.plot_rfm_heatmap(scores.assign(spend=feats["spend"]), value="spend")
    assert np.asarray(ax.get_images()[0].get_array()).shape == (5, 5)


def test_segment_sizes_one_bar_each(store):
    scores = custops.rfm(store.features(END))
    ax = cp.plot_segment_sizes(scores)
    counts = scores["segment"].value_counts()
    assert len(ax.patches) == len(counts)
    widths = sorted(b.get_width() for b in ax.patches)
    assert widths == sorted(counts.to_numpy().tolist())


def test_cohort_retention_image(store):
    lines = store.lines()
    coh = custops.kpi_cohorts(lines, zone=SH, start="2023-01-01", end="2023-07-01")
    ax = cp.plot_cohort_retention(coh)
    wide = coh.pivot(index="cohort", columns="offset", values="retention")
    np.testing.assert_array_equal(np.asarray(ax.get_images()[0].get_array()), wide.to_numpy(dtype=float))
    assert len(ax.texts) == np.isfinite(wide.to_numpy(dtype=float)).sum()


def test_repurchase_curve_agrees_with_the_library(store):
    lines = store.lines()
    cycles = custops.repurchase_cycles(lines, END, SH, min_intervals=10)
    own = cycles[(cycles["source"] == 1) & (cycles["median_days"] >= 0)]
    assert len(own) > 0
    off = SH.offset(END)
    for _, row in own.head(5).iterrows():
        curve = cp.repurchase_curve(lines, row["sku"], END, utc_offset=off)
        # KM median: the first day the share still waiting is at or below 1/2
        median = curve.loc[curve["still_waiting"] <= 0.5, "days"].iloc[0]
        assert median == row["median_days"], row["sku"]
        assert curve["repurchased"].sum() == row["intervals"]
    sku = own["sku"].iloc[0]
    ax = cp.plot_repurchase_curve(lines, sku, END, cycles=cycles, utc_offset=off)
    step = ax.get_lines()[0]
    np.testing.assert_array_equal(step.get_ydata(), cp.repurchase_curve(lines, sku, END, utc_offset=off)
                                  ["still_waiting"].to_numpy())
    assert sum(1 for ln in ax.get_lines() if ln.get_linestyle() == "--") == 1  # the median marker


def test_importing_custops_does_not_import_matplotlib():
    import subprocess
    import sys

    code = "import sys, custops, custops.plot; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
