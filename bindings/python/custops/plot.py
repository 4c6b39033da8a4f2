"""Plots for notebooks: CLV diagnostics, RFM and segment views, cohort
retention and repurchase cycles.

matplotlib is imported inside each function, so ``import custops`` never
needs it. Every function draws on ``ax`` (a new figure when None) and
returns the Axes; the numbers come from the C library (model diagnostics,
RFM scores, cohort tables, repurchase cycles) or, for the repurchase curve,
from :func:`repurchase_curve` in numpy.
"""
from __future__ import annotations

from typing import Optional, TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # for annotations only; matplotlib is imported when used
    from matplotlib.axes import Axes

__all__ = ["plot_period_transactions", "plot_calibration_purchases_vs_holdout_purchases",
           "plot_probability_alive_matrix", "plot_cumulative_transactions", "plot_rfm_heatmap", "plot_segment_sizes", "plot_cohort_retention",
           "repurchase_curve", "plot_repurchase_curve"]

_DAY = 86400


def _axes(ax, figsize=(7, 4)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def _values(v):
    return np.asarray(getattr(v, "values", v), dtype=np.float64)


def _model(m):
    """A custops.clv.Model from a Model or a lifetimes-style fitter."""
    return getattr(m, "model", m)


# ---- CLV diagnostics ----------------------------------------------------------
def plot_period_transactions(model, frequency, T, weights=None, *, max_x: int = 7, ax=None) -> "Axes":
    """Customers by number of repeat purchases (0 .. max_x-1 and max_x+),
    actual against the fitted model's expectation (lifetimes'
    plot_period_transactions): 2 * (max_x + 1) bars."""
    h = _model(model).repeat_histogram(_values(frequency), _values(T),
                                       None if weights is None else _values(weights), max_x=max_x)
    ax = _axes(ax)
    x = np.arange(len(h))
    ax.bar(x - 0.2, h["observed"], width=0.4, label="actual")
    ax.bar(x + 0.2, h["expected"], width=0.4, label="model")
    ax.set_xticks(x)
    ax.set_xticklabels([str(i) for i in range(max_x)] + [f"{max_x}+"])
    ax.set_xlabel("repeat purchases in the calibration period")
    ax.set_ylabel("customers")
    ax.set_title("Frequency of repeat transactions")
    ax.legend()
    return ax


def plot_calibration_purchases_vs_holdout_purchases(model, frequency, recency, T, frequency_holdout,
                                                     duration_holdout: float, *, max_x: int = 7, ax=None) -> "Axes":
    """Mean actual against mean predicted holdout purchases by calibration
    frequency (groups 0 .. max_x-1 and max_x+; empty groups are left out):
    two lines."""
    h = _model(model).holdout_by_frequency(_values(frequency), _values(recency), _values(T),
                                           _values(frequency_holdout), float(duration_holdout), max_x=max_x)
    h = h[h["count"] > 0]
    ax = _axes(ax)
    ax.plot(h["frequency"], h["actual"], marker="o", label="actual")
    ax.plot(h["frequency"], h["predicted"], marker="s", linestyle="--", label="model")
    ax.set_xlabel("purchases in the calibration period")
    ax.set_ylabel("mean purchases in the holdout period")
    ax.set_title("Actual vs predicted holdout purchases")
    ax.legend()
    return ax


def plot_probability_alive_matrix(model, max_frequency: int = 20, T: float = 40.0, *, nrecency: int = 50,
                                  ax=None) -> "Axes":
    """P(alive) for a customer observed for ``T`` over frequency 0..max_frequency
    (rows) and recency 0..T (columns), as an image with a colour bar."""
    mat = _model(model).alive_matrix(int(max_frequency), float(T), int(nrecency))
    ax = _axes(ax, (6, 5))
    im = ax.imshow(mat, origin="lower", aspect="auto", vmin=0.0, vmax=1.0, cmap="viridis",
                   extent=(0.0, float(T), -0.5, max_frequency + 0.5))
    ax.figure.colorbar(im, ax=ax, label="P(alive)")
    ax.set_xlabel("recency (time of the last purchase)")
    ax.set_ylabel("repeat purchases")
    ax.set_title(f"Probability alive after T = {T:g}")
    return ax


def plot_cumulative_transactions(model, birth, times, actual=None, *, weights=None, incremental: bool = False,
                                 ax=None) -> "Axes":
    """Expected repeat purchases of a cohort over ``times`` given each
    customer's first-purchase time ``birth`` (the model's tracking curve,
    cumulative or per step), against ``actual`` counts at the same times
    when given (lifetimes' plot_cumulative_transactions)."""
    tr = _model(model).tracking(_values(birth), _values(times), None if weights is None else _values(weights))
    col = "incremental" if incremental else "cumulative"
    ax = _axes(ax)
    if actual is not None:
        ax.plot(tr["time"], _values(actual), label="actual")
    ax.plot(tr["time"], tr[col], linestyle="--", label="model")
    ax.set_xlabel("time")
    ax.set_ylabel(f"{col} repeat purchases")
    ax.set_title("Tracking " + col + " repeat purchases")
    ax.legend()
    return ax


# ---- RFM and segments -----------------------------------------------------------
def plot_rfm_heatmap(rfm, *, value: Optional[str] = None, ax=None) -> "Axes":
    """A 5 x 5 heatmap of customers over recency score (columns) and
    frequency score (rows) from :func:`custops.rfm`; with ``value`` the mean
    of that column instead of the count. Prospects (score 0) are left out."""
    df = rfm[(rfm["r"] > 0) & (rfm["f"] > 0)]
    scores = np.arange(1, 6)
    if value is None:
        grid = pd.crosstab(df["f"], df["r"])
        label = "customers"
    else:
        grid = df.pivot_table(index="f", columns="r", values=value, aggfunc="mean")
        label = f"mean {value}"
    grid = grid.reindex(index=scores, columns=scores)
    ax = _axes(ax, (6, 5))
    im = ax.imshow(grid.to_numpy(dtype=float), origin="lower", cmap="YlGnBu")
    ax.figure.colorbar(im, ax=ax, label=label)
    ax.set_xticks(range(5))
    ax.set_xticklabels(scores)
    ax.set_yticks(range(5))
    ax.set_yticklabels(scores)
    ax.set_xlabel("R score (5: most recent)")
    ax.set_ylabel("F score (5: most frequent)")
    ax.set_title("RFM")
    return ax


def plot_segment_sizes(segments, *, ax=None) -> "Axes":
    """Customers per segment as horizontal bars, largest on top:
    ``segments`` is a Series of labels (e.g. ``rfm(...)["segment"]``) or a
    DataFrame with a ``segment`` column. One bar per segment."""
    labels = segments["segment"] if isinstance(segments, pd.DataFrame) else pd.Series(segments)
    counts = labels.value_counts().sort_values()
    ax = _axes(ax, (7, max(2.5, 0.35 * len(counts) + 1)))
    bars = ax.barh(counts.index.astype(str), counts.to_numpy())
    ax.bar_label(bars, labels=[f"{v} ({v / counts.sum():.0%})" for v in counts.to_numpy()], padding=3)
    ax.set_xlabel("customers")
    ax.set_title("Segment sizes")
    ax.margins(x=0.2)
    return ax


# ---- cohorts --------------------------------------------------------------------
def plot_cohort_retention(cohorts, *, annotate: bool = True, ax=None) -> "Axes":
    """Retention by first-order month (rows) and months since (columns)
    from :func:`custops.kpi_cohorts` (long or ``wide=True`` table)."""
    wide = cohorts if "retention" not in getattr(cohorts, "columns", ()) else \
        cohorts.pivot(index="cohort", columns="offset", values="retention")
    mat = wide.to_numpy(dtype=float)
    ax = _axes(ax, (1.0 + 0.6 * mat.shape[1], 1.0 + 0.45 * mat.shape[0]))
    im = ax.imshow(mat, aspect="auto", cmap="Blues", vmin=0.0, vmax=1.0)
    ax.figure.colorbar(im, ax=ax, label="retention")
    ax.set_xticks(range(mat.shape[1]))
    ax.set_xticklabels([str(c) for c in wide.columns])
    ax.set_yticks(range(mat.shape[0]))
    ax.set_yticklabels([str(i) for i in wide.index])
    ax.set_xlabel("months since first order")
    ax.set_ylabel("cohort")
    ax.set_title("Cohort retention")
    if annotate:
        rows, cols = np.nonzero(np.isfinite(mat))
        for i, j in zip(rows.tolist(), cols.tolist()):  # one label per drawn cell
            ax.text(j, i, f"{mat[i, j]:.0%}", ha="center", va="center", fontsize=7,
                    color="white" if mat[i, j] > 0.5 else "black")
    return ax


# ---- repurchase cycles -------------------------------------------------------------
def repurchase_curve(lines, sku, now: int, *, utc_offset: int = 0, outlier_iqr: float = 3.0) -> pd.DataFrame:
    """Kaplan-Meier curve of days until a customer buys ``sku`` again:
    DataFrame (days, at_risk, repurchased, still_waiting). Intervals are
    gaps between distinct purchase days of a customer (days counted at
    ``utc_offset`` seconds), the open interval since each repeat buyer's last
    purchase is censored, and gaps above the Tukey fence
    q3 + outlier_iqr * (q3 - q1) are dropped and censoring capped there, the
    rules :func:`custops.repurchase_cycles` uses. ``lines`` has columns
    customer, time, sku."""
    df = pd.DataFrame({"customer": np.asarray(lines["customer"]), "sku": np.asarray(lines["sku"]),
                       "day": (np.asarray(lines["time"], dtype=np.int64) + int(utc_offset)) // _DAY})
    p = df[df["sku"] == sku].drop_duplicates(["customer", "day"]).sort_values(["customer", "day"])
    gaps = p.groupby("customer")["day"].diff().dropna().to_numpy(dtype=np.int64)
    counts = p.groupby("customer")["day"].agg(["count", "max"])
    last = counts.loc[counts["count"] >= 2, "max"].to_numpy(dtype=np.int64)
    if len(gaps) == 0:
        return pd.DataFrame({"days": [0], "at_risk": [0], "repurchased": [0], "still_waiting": [1.0]})
    cens = (int(now) + int(utc_offset)) // _DAY - last
    q1, q3 = np.percentile(gaps, [25, 75])
    fence = q3 + outlier_iqr * (q3 - q1)
    gaps = gaps[gaps <= fence]
    cens = np.minimum(cens, np.floor(fence)).astype(np.int64)
    durations = np.concatenate([gaps, cens])
    events = np.concatenate([np.ones(len(gaps), dtype=np.int64), np.zeros(len(cens), dtype=np.int64)])
    days, inv = np.unique(durations, return_inverse=True)
    d = np.bincount(inv, weights=events).astype(np.int64)  # repurchases on each day
    n = np.bincount(inv).astype(np.int64)  # intervals ending (either way) on each day
    at_risk = len(durations) - np.concatenate([[0], np.cumsum(n)[:-1]])
    surv = np.cumprod(1.0 - d / at_risk)
    return pd.DataFrame({"days": np.concatenate([[0], days]), "at_risk": np.concatenate([[len(durations)], at_risk]),
                         "repurchased": np.concatenate([[0], d]), "still_waiting": np.concatenate([[1.0], surv])})


def plot_repurchase_curve(lines, sku, now: int, *, cycles=None, utc_offset: int = 0, label=None, ax=None) -> "Axes":
    """The :func:`repurchase_curve` of ``sku`` as a step line, with the
    library's median and quartiles (a row of :func:`custops.repurchase_cycles`
    in ``cycles``, when given) as vertical lines."""
    curve = repurchase_curve(lines, sku, now, utc_offset=utc_offset)
    ax = _axes(ax)
    ax.step(curve["days"], curve["still_waiting"], where="post", label=label or f"SKU {sku}")
    if cycles is not None:
        row = cycles[cycles["sku"] == sku]
        if len(row):
            row = row.iloc[0]
            for col, style in (("q1_days", ":"), ("median_days", "--"), ("q3_days", ":")):
                if row[col] >= 0:
                    ax.axvline(row[col], linestyle=style, color="grey", label=col.replace("_days", ""))
    ax.axhline(0.5, color="lightgrey", linewidth=0.8)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("days since the last purchase")
    ax.set_ylabel("share not yet repurchased")
    ax.set_title("Repurchase cycle (Kaplan-Meier)")
    ax.legend()
    return ax
