"""Campaign analytics: A/B tests, repurchase cycles and reminders, best send
times, cross-sell pairs, KPIs and funnels, campaign calendars.

Table results are pandas DataFrames; inputs are DataFrames (or Frames, or
dicts of arrays) with the column names of the data contract: lines have
``customer``, ``order``, ``time``, ``sku``, ``category``, ``qty``,
``amount`` (and optionally ``refunded``); events have ``customer``,
``time``, ``type``. Times are Unix seconds; functions that take a time also
accept a text such as ``"2026-11-11 00:00"``, read in the given zone.
"""
from __future__ import annotations

from typing import Iterable, Optional, Sequence, TYPE_CHECKING

import numpy as np

from . import native as _native
from ._frame import Frame
from ._util import Handle, as_float64, as_int64

if TYPE_CHECKING:  # for annotations only; pandas is imported when used
    import pandas as pd


def _frame(data) -> Optional[Frame]:
    if data is None:
        return None
    from ._message import _as_frame

    return _as_frame(data)


def _zone(zone):
    from . import Zone

    return zone if isinstance(zone, Zone) else Zone(str(zone))


def _instant(value, zone) -> int:
    if isinstance(value, str):
        return int(_native.time_parse(value, zone._live))
    return int(value)


def _h(frame: Optional[Frame]):
    return frame._live if frame is not None else None


# ---- A/B tests -------------------------------------------------------------

def ab_proportions(conv_a: int, n_a: int, conv_b: int, n_b: int, confidence: float = 0.95) -> dict:
    """Conversion of B against A: ``diff`` (p_B - p_A) with Newcombe's hybrid
    score interval ``lo``..``hi``, the pooled ``z`` and two-sided ``p_value``."""
    d, lo, hi, z, p = _native.abtest_proportions(int(conv_a), int(n_a), int(conv_b), int(n_b), float(confidence))
    return {"rate_a": conv_a / n_a, "rate_b": conv_b / n_b, "diff": d, "lo": lo, "hi": hi, "z": z, "p_value": p}


def ab_means(a, b, confidence: float = 0.95) -> dict:
    """Welch's test of mean(b) - mean(a) (e.g. revenue per user, zeros
    included): ``diff``, ``lo``, ``hi``, ``t``, ``df``, ``p_value``."""
    d, lo, hi, t, df, p = _native.abtest_means(as_float64(a), as_float64(b), float(confidence))
    return {"diff": d, "lo": lo, "hi": hi, "t": t, "df": df, "p_value": p}


def ab_means_summary(n_a: int, mean_a: float, sd_a: float, n_b: int, mean_b: float, sd_b: float,
                     confidence: float = 0.95) -> dict:
    """Welch's test from sizes, means and sample standard deviations."""
    d, lo, hi, t, df, p = _native.abtest_means_summary(int(n_a), float(mean_a), float(sd_a), int(n_b),
                                                      float(mean_b), float(sd_b), float(confidence))
    return {"diff": d, "lo": lo, "hi": hi, "t": t, "df": df, "p_value": p}


def ab_sample_size(p_a: float, p_b: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Users per arm to detect p_a -> p_b (normal approximation; 0.10 vs
    0.12 at alpha 0.05 and power 0.8 gives 3841)."""
    return int(_native.abtest_sample_size(float(p_a), float(p_b), float(alpha), float(power)))


def ab_sample_size_means(delta: float, sd: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Users per arm to detect a difference ``delta`` of means with per-user ``sd``."""
    return int(_native.abtest_sample_size_means(float(delta), float(sd), float(alpha), float(power)))


def ab_power(p_a: float, p_b: float, n_per_arm: int, alpha: float = 0.05) -> float:
    """Power of the two-proportion test with ``n_per_arm`` users per arm."""
    return float(_native.abtest_power(float(p_a), float(p_b), int(n_per_arm), float(alpha)))


def ab_sequential(conv_a, n_a, conv_b, n_b, tau: float = 0.01) -> "pd.DataFrame":
    """Always-valid p-values (mixture SPRT) of cumulative counts at each
    look: a DataFrame with ``look`` and ``p_value``. Stopping at the first
    look with p_value <= alpha keeps the false-positive rate at alpha however
    often one looks."""
    arrays = [as_int64(x) for x in (conv_a, n_a, conv_b, n_b)]
    if len({len(x) for x in arrays}) != 1:
        raise ValueError("conv_a, n_a, conv_b and n_b must have the same length")
    return Frame(_native.abtest_sequential_frame(*arrays, float(tau))).to_pandas()


# ---- repurchase --------------------------------------------------------------

def repurchase_cycles(lines, now, zone="UTC", *, min_intervals: int = 10, outlier_iqr: float = 3.0) -> "pd.DataFrame":
    """Repurchase cycle per SKU: Kaplan-Meier ``median_days``, ``q1_days``,
    ``q3_days``, ``iqr_days`` (-1 when not reached) from repeat buyers, with
    the open interval since the last purchase as censored, Tukey-fence
    outliers dropped and the category as fallback (``source`` 1 SKU, 2
    category, 0 none)."""
    z = _zone(zone)
    return Frame(_native.repurchase_cycles_flat(_frame(lines)._live, z._live, _instant(now, z), int(min_intervals),
                                                float(outlier_iqr))).to_pandas()


def repurchase_due(lines, now, zone="UTC", *, cycles=None, lead_days: int = 3, grace_days: int = 7,
                   min_intervals: int = 10, outlier_iqr: float = 3.0) -> "pd.DataFrame":
    """Customers due for a reminder on the local day of ``now``: customer,
    sku, last_day, expected_day, expected_next (Unix seconds), days_until.
    ``cycles`` defaults to :func:`repurchase_cycles` of the same lines."""
    z = _zone(zone)
    t = _instant(now, z)
    f = _frame(lines)
    if cycles is None:
        cf = Frame(_native.repurchase_cycles_flat(f._live, z._live, t, int(min_intervals), float(outlier_iqr)))
    else:
        cf = _frame(cycles)
    return Frame(_native.repurchase_due_flat(f._live, cf._live, z._live, t, int(lead_days), int(grace_days))).to_pandas()


# ---- send time ------------------------------------------------------------------

def send_times(events=None, lines=None, zone="UTC", *, customers: int = 0, event_weight: float = 1.0,
               order_weight: float = 3.0, event_types: Sequence[int] = range(7), hour_strength: float = 0.0,
               weekday_strength: float = 0.0, full: bool = False) -> "pd.DataFrame":
    """Best local send hour and weekday per customer (row = customer index),
    shrunk toward the population by a Dirichlet prior. The prior strengths
    used are in ``df.attrs["hour_strength"]`` and ``["weekday_strength"]``."""
    z = _zone(zone)
    mask = 0
    for t in event_types:
        mask |= 1 << int(t)
    f, hs, ws = _native.sendtime_flat(_h(_frame(events)), _h(_frame(lines)), z._live, int(customers),
                                      float(event_weight), float(order_weight), mask, float(hour_strength),
                                      float(weekday_strength), int(bool(full)))
    df = Frame(f).to_pandas()
    df.attrs["hour_strength"] = hs
    df.attrs["weekday_strength"] = ws
    return df


def send_hours_from_counts(customers, *, hour_strength: float = 0.0, full: bool = False) -> "pd.DataFrame":
    """Best local hour per customer from the customers frame's
    ``hour_00`` .. ``hour_23`` order counts (already local to the store's
    zone), with the same shrinkage; the strength is in ``df.attrs``."""
    f, hs = _native.sendtime_from_hours_flat(_frame(customers)._live, float(hour_strength), int(bool(full)))
    df = Frame(f).to_pandas()
    df.attrs["hour_strength"] = hs
    return df


# ---- cross-sell ------------------------------------------------------------------

def cross_sell(lines, *, by: str = "order", item: str = "sku", top_k: int = 10, min_count: int = 2,
               min_support: float = 0.0, rank_by: str = "confidence", max_basket_items: int = 500) -> "pd.DataFrame":
    """"Bought A, also bought B": the ``top_k`` partners of every item with
    count_ab, count_a, count_b, support, confidence and lift. Baskets are
    orders (``by="order"``) or whole customer histories (``by="customer"``),
    or any int64 column."""
    ranks = {"confidence": 0, "lift": 1}
    if rank_by not in ranks:
        raise ValueError("rank_by must be 'confidence' or 'lift'")
    return Frame(_native.crosssell_flat(_frame(lines)._live, by, item, int(min_count), float(min_support), int(top_k),
                                        ranks[rank_by], int(max_basket_items))).to_pandas()


# ---- KPIs ---------------------------------------------------------------------------

def _kpi(which, lines, events, zone, start, end, by_day=False, ordered=True):
    z = _zone(zone)
    return Frame(_native.kpi_flat(which, _frame(lines)._live, _h(_frame(events)), z._live, _instant(start, z),
                                  _instant(end, z), int(bool(by_day)), int(bool(ordered)))).to_pandas()


def kpi_summary(lines, events=None, *, zone="UTC", start, end, by_day: bool = False) -> "pd.DataFrame":
    """GMV, refunds, net revenue, items, orders, buyers, UV, AOV, conversion
    and repurchase rate in [start, end) (one row, or one per local day)."""
    return _kpi(0, lines, events, zone, start, end, by_day=by_day)


def kpi_funnel(lines, events, *, zone="UTC", start, end, ordered: bool = True) -> "pd.DataFrame":
    """Customers reaching visit -> view -> cart_add -> order in [start, end)."""
    return _kpi(1, lines, events, zone, start, end, ordered=ordered)


def kpi_cohorts(lines, *, zone="UTC", start, end, wide: bool = False) -> "pd.DataFrame":
    """Retention and cumulative LTV by first-order month (long format:
    cohort, offset, cohort_size, active, revenue, retention, ltv). With
    ``wide=True`` the retention matrix: one row per cohort, one column per
    month offset."""
    df = _kpi(2, lines, None, zone, start, end)
    if wide:
        return df.pivot(index="cohort", columns="offset", values="retention")
    return df


# ---- calendar ------------------------------------------------------------------------

class Calendar(Handle):
    """A campaign calendar: dated phases binding audience names to actions
    (see custops/calendar.h for the text format). Syntax errors raise
    :class:`custops.Error` with ``<what>:<line>:<col>``."""

    _what = "calendar"

    def __init__(self, text: str, what: str = "<calendar>", _handle=None):
        self._h = _handle if _handle is not None else _native.calendar_parse_text(text, what)

    @classmethod
    def load(cls, path: str) -> "Calendar":
        """Compile a calendar file."""
        return cls("", _handle=_native.calendar_load(str(path)))

    @property
    def name(self) -> str:
        """Campaign name."""
        return _native.calendar_name(self._live)

    @property
    def zone(self) -> str:
        """Campaign zone name."""
        return _native.calendar_zone_name(self._live)

    def phases(self) -> "pd.DataFrame":
        """Phases as a DataFrame: phase, start, end (Unix seconds, end
        exclusive), bindings."""
        return Frame(_native.calendar_phases(self._live)).to_pandas()

    def now(self, at, audiences: Iterable[str] = ()) -> "pd.DataFrame":
        """What runs at ``at`` (Unix seconds or a text in the campaign zone)
        for a customer in ``audiences``: phase, audience, action, arg."""
        if isinstance(at, str):
            from . import Zone

            at = _native.time_parse(at, Zone(self.zone)._live)
        return Frame(_native.calendar_now_list(self._live, int(at), [str(a) for a in audiences])).to_pandas()
