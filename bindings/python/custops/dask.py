"""Scale-out with Dask: the same features, scores, CLV fits and audiences as
on one machine, computed partition by partition on a Dask cluster.

Order lines are partitioned by a hash of ``customer_id`` (:func:`partition_by_customer`)
so that every customer's lines sit in one partition; every per-customer
result is then a function of one partition only, and the distributed answer
equals the single-machine one exactly:

- :func:`features`: one :class:`custops.Store` per partition, built from
  the partition's lines, returns the features of its customers;
- :func:`score`: P(alive), expected purchases and CLV per partition with a
  fitted model (models pickle as their save file, so workers get every field);
- :func:`clv_statistics` / :func:`fit`: each partition compresses its
  customers to a histogram of (frequency, recency, T) -> customers; the
  histograms are summed and the C library fits once on the merged rows.
  The C fitter compresses the same way (unique rows, sorted, integer counts),
  so it sees the same rows and returns the same parameters;
- :func:`audience` / :func:`audience_from_lines`: an audience evaluated per
  partition (over a table, or with each partition's order lines for window
  and ``bought`` clauses); percentile clauses (``clv in top 10%``) are
  first turned into global thresholds.

``top_category`` in :func:`features` is the category *name* (text, ``""``
for none) rather than a dictionary code, because each partition's store
numbers categories in its own order; ties between categories go to the
name first in byte order (the store's own rule), so they agree too.
:func:`local_features` is the single-machine version of the same table.

Workers must import :mod:`custops`: start them with the package's parent
directory on ``PYTHONPATH`` (see :func:`worker_env`).

    >>> import os
    >>> from distributed import Client, LocalCluster
    >>> import custops.dask as cd
    >>> os.environ.update(cd.worker_env())  # spawned workers inherit it
    >>> client = Client(LocalCluster(n_workers=2))
    >>> lines = cd.partition_by_customer(order_lines_df, npartitions=8)
    >>> feats = cd.features(lines, now).persist()
    >>> model = cd.fit(feats, "bgnbd")
    >>> scored = cd.score(feats, model, t=4)
"""
from __future__ import annotations

import decimal
import math
import os
import re
from typing import Dict, Optional, TYPE_CHECKING

import numpy as np
import pandas as pd

from ._clv import Model
from . import Zone
from ._segment import Audience
from ._store import Store

if TYPE_CHECKING:  # for annotations only
    import dask.dataframe as dd

__all__ = ["worker_env", "partition_by_customer", "features", "local_features", "score", "score_frame",
           "clv_statistics", "fit", "audience", "audience_from_lines", "resolve_percentiles"]


def _dd():
    try:
        import dask.dataframe as dd
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError("custops.dask needs dask (Debian: python3-dask python3-distributed)") from e
    return dd


def worker_env() -> Dict[str, str]:
    """Environment for Dask worker processes so they import this custops:
    ``PYTHONPATH`` starts with the package's parent directory and
    ``LD_LIBRARY_PATH`` is passed on (an uninstalled build needs it). Both
    must be in place when the worker's interpreter starts: put them in
    ``os.environ`` before starting a ``LocalCluster`` (its worker processes
    inherit it; ``LocalCluster(env=...)`` is applied after start-up, too
    late for these), or export them for ``dask-worker`` on other machines."""
    parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = [parent] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != parent]
    env = {"PYTHONPATH": os.pathsep.join(paths)}
    if os.environ.get("LD_LIBRARY_PATH"):
        env["LD_LIBRARY_PATH"] = os.environ["LD_LIBRARY_PATH"]
    return env


def partition_by_customer(lines, npartitions: Optional[int] = None, on: str = "customer_id") -> "dd.DataFrame":
    """Repartition order lines (a pandas or Dask DataFrame) by a hash of
    ``on`` so every customer's rows are in exactly one partition."""
    dd = _dd()
    if isinstance(lines, pd.DataFrame):
        lines = dd.from_pandas(lines, npartitions=npartitions or 1, sort=False)
    return lines.shuffle(on=on, npartitions=npartitions or lines.npartitions)


# ---- features --------------------------------------------------------------
def _decode_categories(f: pd.DataFrame, names: np.ndarray) -> pd.DataFrame:
    codes = f["top_category"].to_numpy()
    table = np.append(np.asarray(names, dtype=object), "")  # code -1 -> ""
    f["top_category"] = table[np.where(codes >= 0, codes, len(table) - 1)]
    return f


def local_features(lines: pd.DataFrame, now: int, *, refunds: Optional[pd.DataFrame] = None, zone: str = "UTC",
                   currency: str = "CNY", period: str = "week") -> pd.DataFrame:
    """Features of the customers in ``lines`` (order lines as in
    docs/formats.md; time as Unix seconds or text, money as minor units or
    text) as of ``now``, computed on this machine: the table of
    :meth:`custops.Store.features` with ``top_category`` as a name.
    ``refunds`` (docs/formats.md refund records) make spend and monetary
    net of refunds. ``zone`` is the store's zone (naive times and local
    hours)."""
    with Store(zone, currency) as st:
        if len(lines):
            st.ingest_dataframe(lines)
        if refunds is not None and len(refunds):
            st.ingest_dataframe(refunds.drop(columns=["customer_id"], errors="ignore"), kind="refund")
        f = st.features(int(now), period=period)
        return _decode_categories(f, st.dict("category"))


def _features_meta(now, zone, currency, period) -> pd.DataFrame:
    """An empty features table with the right columns and dtypes."""
    one = pd.DataFrame({"order_id": ["o"], "customer_id": ["c"], "time": np.array([int(now) - 1], dtype=np.int64),
                        "currency": [currency], "sku": ["s"], "category": ["x"], "qty": np.array([1], dtype=np.int64),
                        "unit_price": np.array([1], dtype=np.int64), "discount": np.array([0], dtype=np.int64),
                        "coupon_code": [""], "channel": ["web"]})
    return local_features(one, now, zone=zone, currency=currency, period=period).iloc[:0]


def _refunds_by_customer(refunds, lines):
    """Refunds partitioned like ``lines``: each refund joins its order's
    customer (a refund of an unknown order keeps no customer and fails in
    its partition's store, as it would on one machine) and is hashed on
    customer_id into the same number of partitions, so partition i of both
    holds the same customers."""
    dd = _dd()
    if isinstance(refunds, pd.DataFrame):
        refunds = dd.from_pandas(refunds, npartitions=1, sort=False)
    owners = lines[["order_id", "customer_id"]].drop_duplicates()
    joined = refunds.merge(owners, on="order_id", how="left")
    joined["customer_id"] = joined["customer_id"].fillna("")
    return joined.shuffle(on="customer_id", npartitions=lines.npartitions)


def _features_part(lines, refunds, now, zone, currency, period):
    return local_features(lines, now, refunds=refunds, zone=zone, currency=currency, period=period)


def features(lines, now: int, *, refunds=None, zone: str = "UTC", currency: str = "CNY",
             period: str = "week") -> "dd.DataFrame":
    """Customer features per partition of ``lines`` (a Dask DataFrame from
    :func:`partition_by_customer`): a Dask DataFrame with the columns of
    :func:`local_features`, one row per customer. ``refunds`` (pandas or
    Dask, refund records of docs/formats.md) are routed to the partition
    of their order's customer."""
    meta = _features_meta(now, zone, currency, period)
    if refunds is None:
        return lines.map_partitions(local_features, int(now), zone=zone, currency=currency, period=period,
                                    meta=meta, align_dataframes=False)
    r = _refunds_by_customer(refunds, lines)
    return lines.map_partitions(_features_part, r, int(now), zone, currency, period, meta=meta,
                                align_dataframes=False)


# ---- scoring ---------------------------------------------------------------
def score_frame(features: pd.DataFrame, model: Model, *, t: float = 4.0, spend: Optional[Model] = None,
                months: int = 12, discount_rate: float = 0.01, periods_per_month: float = 30.0 / 7.0,
                margin: float = 1.0) -> pd.DataFrame:
    """``features`` with ``p_alive`` and ``expected_purchases`` (in the next
    ``t`` periods) from a fitted repeat model and, with a Gamma-Gamma
    ``spend`` model, ``expected_spend`` and ``clv`` (minor units over
    ``months``; ``periods_per_month`` 30/7 for weekly features). Whole
    columns go to C at once."""
    out = features.copy()
    x, r, T = (out[c].to_numpy(dtype=np.float64) for c in ("frequency", "recency", "T"))
    out["p_alive"], out["expected_purchases"] = model.score(x, r, T, float(t))
    if spend is not None:
        mon = out["monetary"].to_numpy(dtype=np.float64)
        out["expected_spend"] = spend.expected_spend(x, mon)
        out["clv"] = model.lifetime_value(spend, x, r, T, mon, months=months, discount_rate=discount_rate,
                                          periods_per_month=periods_per_month, margin=margin)
    return out


def score(features, model: Model, **kwargs) -> "dd.DataFrame":
    """:func:`score_frame` per partition of a Dask DataFrame of features;
    ``model`` (and ``spend``) travel to the workers pickled."""
    meta = score_frame(features._meta, model, **kwargs)
    return features.map_partitions(score_frame, model, meta=meta, **kwargs)


# ---- CLV fit from sufficient statistics -------------------------------------
_STAT_COLUMNS = {"repeat": ["frequency", "recency", "T"], "spend": ["frequency", "monetary"]}


def _histogram(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    cols = _STAT_COLUMNS[kind]
    if kind == "spend":  # repeat buyers with positive net spend (refunds can cancel it)
        df = df[(df["frequency"] > 0) & (df["monetary"] > 0)]
    h = df.groupby(cols, sort=False).size().rename("weight").reset_index()
    h["weight"] = h["weight"].astype(np.float64)
    return h


def clv_statistics(features, kind: str = "repeat") -> pd.DataFrame:
    """The sufficient statistics of a CLV fit: unique (frequency, recency,
    T) rows (``kind="spend"``: (frequency, monetary) of repeat buyers whose
    net repeat spend is positive) with
    the number of customers per row, computed per partition and merged.
    Small (thousands of rows for millions of customers with day or week
    periods); a pandas DataFrame sorted by its key columns."""
    if kind not in _STAT_COLUMNS:
        raise ValueError("kind must be 'repeat' or 'spend'")
    cols = _STAT_COLUMNS[kind]
    meta = pd.DataFrame({**{c: pd.Series(dtype=np.float64) for c in cols}, "weight": pd.Series(dtype=np.float64)})
    parts = features[[c for c in cols]].map_partitions(_histogram, kind, meta=meta).compute()
    merged = parts.groupby(cols, sort=True)["weight"].sum().reset_index()
    return merged


def fit(features, model: str = "bgnbd", **kwargs) -> Model:
    """Fit a CLV model on a Dask DataFrame of features from the merged
    :func:`clv_statistics` (one fit in C on the compressed rows).
    ``model="gamma_gamma"`` fits spend on (frequency, monetary). Keyword
    arguments go to :meth:`custops.clv.Model.fit`."""
    if model == "gamma_gamma":
        s = clv_statistics(features, "spend")
        return Model.fit_spend(s["frequency"].to_numpy(), s["monetary"].to_numpy(), s["weight"].to_numpy(), **kwargs)
    s = clv_statistics(features, "repeat")
    return Model.fit(model, s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy(),
                     s["weight"].to_numpy(), **kwargs)


# ---- audiences --------------------------------------------------------------
_PERCENTILE = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s+in\s+(top|bottom)\s+([0-9]+(?:\.[0-9]*)?)\s*%")
_MONEY = ("spend", "aov", "monetary")


def _literal(value: float, money: bool, exponent: int) -> str:
    """A number literal that parses back to exactly ``value`` (money
    columns: major units, exact only for whole minor units)."""
    if not money:
        return np.format_float_positional(value, unique=True, trim="-")
    if value != math.floor(value):
        raise ValueError(f"percentile threshold {value!r} of a money column is not a whole number of minor units")
    return format(decimal.Decimal(int(value)).scaleb(-exponent), "f")


def resolve_percentiles(text: str, table, *, money_cols: str = "", exponent: int = 2) -> str:
    """Rewrite every ``COLUMN in top P%`` / ``bottom P%`` clause of an
    audience into ``COLUMN >= threshold`` / ``<=`` with the threshold of the
    whole ``table`` (pandas or Dask): the k-th largest (smallest) non-NaN
    value, k = ceil(P/100 * n), the rule of custops/segment.h, so ties at
    the threshold are kept as the library keeps them."""
    money = set(_MONEY) | {c.strip() for c in money_cols.split(",") if c.strip()}

    def threshold(m):
        col, side, pct = m.group(1), m.group(2), float(m.group(3))
        if not 0 < pct <= 100:
            raise ValueError(f"{m.group(0)!r}: the percentage must be in (0, 100]")
        values = table[col].dropna()
        n = int(values.count().compute() if hasattr(values, "dask") else values.count())
        if n == 0:
            raise ValueError(f"{m.group(0)!r}: column {col!r} has no values")
        k = int(math.ceil(pct / 100.0 * n))
        pick = values.nlargest(k) if side == "top" else values.nsmallest(k)
        if hasattr(pick, "dask"):
            pick = pick.compute()
        value = float(pick.min() if side == "top" else pick.max())
        return f"{col} {'>=' if side == 'top' else '<='} {_literal(value, col in money, exponent)}"

    return _PERCENTILE.sub(threshold, text)


def _members(part: pd.DataFrame, text: str, now: int, id_column: str, money_cols: str, exponent: int):
    if len(part) == 0:
        return pd.Series(np.zeros(0, dtype=bool), index=part[id_column], name="member")
    mask = Audience(text, part.reset_index(drop=True), int(now), money_cols=money_cols or None,
                    exponent=exponent).mask()
    return pd.Series(mask, index=part[id_column].to_numpy(), name="member")


def audience(table, text: str, now: int, *, id_column: str = "customer_id", money_cols: str = "",
             exponent: int = 2) -> "dd.Series":
    """Evaluate an audience over a Dask DataFrame of customers (features,
    scores or your own columns) per partition: a Dask Series of membership
    (bool) indexed by ``id_column``. Clauses that need the order lines
    (``orders in -10d..now``, ``bought category``) go through
    :func:`audience_from_lines`; event windows are not available in
    custops.dask."""
    resolved = resolve_percentiles(text, table, money_cols=money_cols, exponent=exponent)
    Audience(resolved, table._meta.reset_index(drop=True), int(now), money_cols=money_cols or None,
             exponent=exponent)  # syntax and column errors raise here, before any work is sent
    meta = pd.Series(np.zeros(0, dtype=bool), index=pd.Index([], dtype=object, name=None), name="member")
    return table.map_partitions(_members, resolved, int(now), id_column, money_cols, exponent, meta=meta)


def _audience_lines_part(lines, refunds, text, now, zone, currency, period, model, spend, t, money_cols, exponent):
    if len(lines) == 0:
        return pd.Series(np.zeros(0, dtype=bool), index=pd.Index([], dtype=object), name="member")
    with Store(zone, currency) as st:
        st.ingest_dataframe(lines)
        if refunds is not None and len(refunds):
            st.ingest_dataframe(refunds.drop(columns=["customer_id"], errors="ignore"), kind="refund")
        f = st.features(int(now), period=period)
        if model is not None:
            f = score_frame(f, model, t=t, spend=spend)
        dicts = {"category": st.dict("category"), "sku": st.dict("sku")}
        mask = Audience(text, f, int(now), lines=st.lines(), dicts=dicts, zone=Zone(zone),
                        money_cols=money_cols or None, exponent=exponent).mask()
        return pd.Series(mask, index=f["customer_id"].to_numpy(), name="member")


def audience_from_lines(lines, text: str, now: int, *, refunds=None, model: Optional[Model] = None,
                        spend: Optional[Model] = None, t: float = 4.0, zone: str = "UTC", currency: str = "CNY",
                        period: str = "week", money_cols: str = "", exponent: int = 2) -> "dd.Series":
    """Evaluate an audience that also needs the order lines (``orders in
    -10d..now``, ``spend in -30d..now``, ``bought category "X"``) per
    partition of ``lines`` (from :func:`partition_by_customer`): each
    partition builds its store, features and, with ``model`` (and
    ``spend``), the scores of :func:`score_frame`, then evaluates ``text``
    over them with its own lines. Percentile clauses are resolved over all
    customers first. A Dask Series of membership indexed by customer_id."""
    r = _refunds_by_customer(refunds, lines) if refunds is not None else None
    if _PERCENTILE.search(text):
        table = features(lines, now, refunds=refunds, zone=zone, currency=currency, period=period)
        if model is not None:
            table = score(table, model, t=t, spend=spend)
        text = resolve_percentiles(text, table, money_cols=money_cols, exponent=exponent)
    meta = pd.Series(np.zeros(0, dtype=bool), index=pd.Index([], dtype=object), name="member")
    args = (text, int(now), zone, currency, period, model, spend, float(t), money_cols, exponent)
    if r is None:
        return lines.map_partitions(_audience_lines_part, None, *args, meta=meta, align_dataframes=False)
    return lines.map_partitions(_audience_lines_part, r, *args, meta=meta, align_dataframes=False)
