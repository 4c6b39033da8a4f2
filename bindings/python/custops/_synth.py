"""The synthetic store: a deterministic demo shop whose customers follow
known models (BG/NBD purchases, Gamma-Gamma spend), for demos and tests."""
from __future__ import annotations

import datetime as _dt
import json
import math
import os
from typing import Any, Dict, Optional, TYPE_CHECKING, Union

from . import native as _native
from ._frame import Frame

if TYPE_CHECKING:  # for annotations only; pandas is imported when used
    import pandas as pd

_EPOCH = _dt.date(1970, 1, 1)
_KEEP = _native.synth_keep()
_NAN = math.nan

DateLike = Union[str, _dt.date, None]


def _day(value: DateLike, name: str) -> int:
    if value is None:
        return _KEEP
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = _dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{name}: '{value}' is not a date YYYY-MM-DD") from None
    if not isinstance(value, _dt.date):
        raise TypeError(f"{name}: expected a date or 'YYYY-MM-DD', got {type(value).__name__}")
    return (value - _EPOCH).days


def _int(value: Optional[int], name: str) -> int:
    if value is None:
        return _KEEP
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    return value


def _flag(value: Optional[bool]) -> int:
    return _KEEP if value is None else int(bool(value))


def _num(value: Optional[float]) -> float:
    return _NAN if value is None else float(value)


def _args(seed, customers, start, end, zone, currency, skus, categories, r, alpha, a, b, p, q, gamma,
          acquisition_share, coupon_propensity, refund_rate, events_per_order, double11, jsonl):
    seed = _int(seed, "seed")
    if seed != _KEEP and not 0 <= seed < 2**63:
        raise ValueError("seed: must be in 0 .. 2**63 - 1")
    return (seed, _int(customers, "customers"), _day(start, "start"), _day(end, "end"), zone, currency,
            _int(skus, "skus"), _int(categories, "categories"), _num(r), _num(alpha), _num(a), _num(b), _num(p),
            _num(q), _num(gamma), _num(acquisition_share), _num(coupon_propensity), _num(refund_rate),
            _num(events_per_order), _flag(double11), _flag(jsonl))


_DOC_OPTIONS = """
    Options (``None`` keeps the library default, shown in brackets):
    ``customers`` [10000], ``seed`` [42], ``start``/``end`` dates of the
    window, end exclusive [2023-01-01, 2025-01-01], ``zone`` [Asia/Shanghai],
    ``currency`` [CNY], ``skus`` [200], ``categories`` [12]; BG/NBD ``r``,
    ``alpha`` (days), ``a``, ``b`` [0.243, 30.898, 0.793, 2.426: the CDNOW
    fit]; Gamma-Gamma ``p``, ``q``, ``gamma`` (major units) [6.25, 3.74, 65];
    ``acquisition_share`` [0.5], ``coupon_propensity`` [0.3],
    ``refund_rate`` [0.06], ``events_per_order`` [4], ``double11`` [True].
"""


def synth_write(dir: Union[str, os.PathLike], customers: Optional[int] = None, seed: Optional[int] = None, *,
                start: DateLike = None, end: DateLike = None, zone: Optional[str] = None,
                currency: Optional[str] = None, skus: Optional[int] = None, categories: Optional[int] = None,
                r: Optional[float] = None, alpha: Optional[float] = None, a: Optional[float] = None,
                b: Optional[float] = None, p: Optional[float] = None, q: Optional[float] = None,
                gamma: Optional[float] = None, acquisition_share: Optional[float] = None,
                coupon_propensity: Optional[float] = None, refund_rate: Optional[float] = None,
                events_per_order: Optional[float] = None, double11: Optional[bool] = None,
                jsonl: bool = False) -> Dict[str, Any]:
    """Write the synthetic store into ``dir`` and return its truth.json as a dict.

    Writes orders.csv, refunds.csv, events.csv and customers.csv (or one
    store.jsonl with ``jsonl=True``) in the formats of docs/formats.md, plus
    truth.json with the model parameters, per-SKU repurchase cycles and
    record counts. Each file appears whole or not at all; the same options
    give byte-identical files on every machine.
    """
    _native.synth_write_kw(os.fspath(dir), *_args(seed, customers, start, end, zone, currency, skus, categories, r,
                                                  alpha, a, b, p, q, gamma, acquisition_share, coupon_propensity,
                                                  refund_rate, events_per_order, double11, jsonl))
    with open(os.path.join(os.fspath(dir), "truth.json"), encoding="utf-8") as f:
        return json.load(f)


def synth_order_lines(customers: Optional[int] = None, seed: Optional[int] = None, *, start: DateLike = None,
                      end: DateLike = None, zone: Optional[str] = None, currency: Optional[str] = None,
                      skus: Optional[int] = None, categories: Optional[int] = None, r: Optional[float] = None,
                      alpha: Optional[float] = None, a: Optional[float] = None, b: Optional[float] = None,
                      p: Optional[float] = None, q: Optional[float] = None, gamma: Optional[float] = None,
                      acquisition_share: Optional[float] = None, coupon_propensity: Optional[float] = None,
                      refund_rate: Optional[float] = None, events_per_order: Optional[float] = None,
                      double11: Optional[bool] = None) -> "pd.DataFrame":
    """The synthetic store's order lines as a pandas DataFrame, generated in memory.

    Columns as in orders.csv: ``order_id``, ``customer_id``, ``time`` (int64
    Unix seconds), ``currency``, ``sku``, ``category``, ``qty``,
    ``unit_price`` and ``discount`` (int64 minor units), ``coupon_code``
    ("" when none), ``channel``. Exactly the rows synth_write() writes for
    the same options.
    """
    h = _native.synth_order_lines_kw(*_args(seed, customers, start, end, zone, currency, skus, categories, r, alpha,
                                            a, b, p, q, gamma, acquisition_share, coupon_propensity, refund_rate,
                                            events_per_order, double11, None))
    return Frame(h).to_pandas()


def synth_catalog(seed: Optional[int] = None, *, skus: Optional[int] = None, categories: Optional[int] = None,
                  currency: Optional[str] = None) -> "pd.DataFrame":
    """The synthetic store's products as a DataFrame: ``sku``, ``category``,
    ``list_price`` (int64 minor units), ``cycle_days`` (0: no repurchase cycle)."""
    h = _native.synth_catalog_kw(*_args(seed, None, None, None, None, currency, skus, categories, None, None, None,
                                        None, None, None, None, None, None, None, None, None, None))
    return Frame(h).to_pandas()


synth_write.__doc__ += _DOC_OPTIONS
synth_order_lines.__doc__ += _DOC_OPTIONS
