"""The customer profile store: order lines, refunds, events and customer
attributes read from CSV / JSON Lines, customer features as pandas, and the
raw columns as numpy arrays."""
from __future__ import annotations

import os
import tempfile
from typing import Dict, Optional, TYPE_CHECKING, Tuple

import numpy as np

from . import native as _native
from ._frame import Frame
from ._util import check_open

if TYPE_CHECKING:  # for annotations only; pandas is imported when used
    import pandas as pd

_KINDS = {
    None: _native.RECORD_AUTO,
    "order_line": _native.RECORD_ORDER_LINE,
    "refund": _native.RECORD_REFUND,
    "event": _native.RECORD_EVENT,
    "customer": _native.RECORD_CUSTOMER,
}
_PERIODS = {"day": _native.PERIOD_DAY, "week": _native.PERIOD_WEEK}
_MONEY_COLUMNS = {"order_line": ("unit_price", "discount"), "refund": ("amount",)}
_EVENT_TYPES = {"visit": 0, "view": 1, "cart_add": 2, "favourite": 3, "coupon_received": 4, "coupon_used": 5, "login": 6}


def _minor_to_text(minor: np.ndarray, exponent: int):
    """Minor units as exact decimal text (6990 -> "69.90"), column-wise."""
    import pandas as pd

    v = minor.astype(np.int64)
    if exponent == 0:
        return pd.Series(v).astype(str).to_numpy()
    a = np.abs(v)
    unit = 10 ** exponent
    sign = np.where(v < 0, "-", "")
    whole = pd.Series(a // unit).astype(str)
    frac = pd.Series(a % unit).astype(str).str.zfill(exponent)
    return (sign + whole + "." + frac).to_numpy()


def _frame_to_numpy(handle) -> Dict[str, np.ndarray]:
    f = Frame(handle)
    try:
        return f.to_dict()
    finally:
        f.close()


def _frame_to_pandas(handle):
    f = Frame(handle)
    try:
        return f.to_pandas()
    finally:
        f.close()


class IngestResult(tuple):
    """``(rows, accepted, rejected, rejects)``: counts of one ingest call and
    the rejected rows as a pandas DataFrame (line, column, message)."""

    __slots__ = ()

    def __new__(cls, rows, accepted, rejected, rejects):
        return super().__new__(cls, (rows, accepted, rejected, rejects))

    rows = property(lambda self: self[0], doc="data rows read")
    accepted = property(lambda self: self[1], doc="rows applied")
    rejected = property(lambda self: self[2], doc="rows skipped (skip=True)")
    rejects = property(lambda self: self[3], doc="rejected rows: line, column, message")


class Store:
    """A customer profile store.

    ``Store("Asia/Shanghai", "CNY")`` makes an empty store whose naive times
    are read in that zone and whose money is in that currency;
    ``Store.load(path)`` reads a saved one. Use it as a context manager (or
    call :meth:`close`) to free the memory at a known point.

    Every ingest call applies a file whole or not at all unless ``skip=True``,
    in which case bad rows are skipped and returned in ``result.rejects``.
    Errors raise :class:`custops.Error` with ``file:line:col: message``.
    """

    def __init__(self, zone: str = "UTC", currency: str = "CNY", *, _handle=None):
        self._h = _handle if _handle is not None else _native.store_new(zone, currency)

    @classmethod
    def load(cls, path) -> "Store":
        """Load a store saved with :meth:`save` (a damaged file raises)."""
        return cls(_handle=_native.store_load(os.fspath(path)))

    def save(self, path) -> None:
        """Save the whole store atomically (old file or new, never half)."""
        _native.store_save(self._handle(), os.fspath(path))

    # -- context manager and lifetime --
    def close(self) -> None:
        """Free the store now; later calls raise ValueError."""
        self._h = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _handle(self):
        return check_open(self._h, "store")

    # -- facts --
    @property
    def zone(self) -> str:
        """Name of the store's zone."""
        return _native.store_zone(self._handle())

    @property
    def currency(self) -> str:
        """Currency code of the store."""
        return _native.store_currency(self._handle())

    def counts(self) -> Dict[str, int]:
        """``{customers, orders, lines, refunds, events, bytes}``."""
        h = self._handle()
        names = ("customers", "orders", "lines", "refunds", "events", "bytes")
        return {n: int(_native.store_count(h, i)) for i, n in enumerate(names)}

    def __len__(self) -> int:
        """Number of customers."""
        return int(_native.store_count(self._handle(), 0))

    # -- ingest --
    def _ingest(self, path, csv: bool, kind: Optional[str], skip: bool, allow_unknown: bool) -> IngestResult:
        if kind not in _KINDS:
            raise ValueError(f"unknown kind {kind!r}; one of order_line, refund, event, customer")
        rows, accepted, rejected, rej = _native.store_ingest_file(
            self._handle(), os.fspath(path), 1 if csv else 0, _KINDS[kind], 1 if skip else 0, 1 if allow_unknown else 0
        )
        return IngestResult(int(rows), int(accepted), int(rejected), _frame_to_pandas(rej))

    def ingest_csv(self, path, *, kind: Optional[str] = None, skip: bool = False, allow_unknown: bool = False) -> IngestResult:
        """Read a CSV file of one record kind (docs/formats.md); the kind is
        told from the header unless given."""
        return self._ingest(path, True, kind, skip, allow_unknown)

    def ingest_jsonl(self, path, *, kind: Optional[str] = None, skip: bool = False, allow_unknown: bool = False) -> IngestResult:
        """Read a JSON Lines file (each object names its ``"kind"``)."""
        return self._ingest(path, False, kind, skip, allow_unknown)

    def ingest_dataframe(self, df, *, kind: str = "order_line") -> IngestResult:
        """Apply a pandas DataFrame of one record kind (columns as in
        docs/formats.md) whole or not at all.

        ``time`` may be int64 Unix seconds or text; money columns
        (``unit_price``, ``discount``, ``amount``) may be int64 minor units of
        the store's currency (converted exactly, column-wise) or decimal
        text. The frame travels through one temporary CSV file, parsed in C;
        an error names row ``i`` (0-based position) as line ``i + 2``.
        """
        if kind not in _KINDS or kind is None:
            raise ValueError(f"unknown kind {kind!r}; one of order_line, refund, event, customer")
        out = df.copy(deep=False)
        exponent = _native.currency_exponent(self.currency)
        for col in _MONEY_COLUMNS.get(kind, ()):
            if col in out.columns and np.issubdtype(out[col].dtype, np.integer):
                out[col] = _minor_to_text(out[col].to_numpy(), exponent)
        with tempfile.TemporaryDirectory(prefix="custops-") as d:
            path = os.path.join(d, f"{kind}.csv")
            out.to_csv(path, index=False)
            return self._ingest(path, True, kind, False, False)

    # -- views --
    def lines(self) -> Dict[str, np.ndarray]:
        """Order lines as ``{column: int64 array}``, sorted by (customer, time, order)."""
        return _frame_to_numpy(_native.store_lines(self._handle()))

    def events(self) -> Dict[str, np.ndarray]:
        """Behaviour events as ``{column: int64 array}``, sorted by (customer, time)."""
        return _frame_to_numpy(_native.store_events(self._handle()))

    def dict(self, name: str) -> np.ndarray:
        """A dictionary (``"sku"``, ``"category"``, ``"coupon"``, ``"channel"``,
        ``"region"``, ``"tag"``, ``"customer"``): code i is element i."""
        return _frame_to_numpy(_native.store_dict(self._handle(), name))["name"]

    def features(self, now: int, *, zone: Optional[str] = None, period: str = "week") -> "pd.DataFrame":
        """Customer features as of ``now`` (Unix seconds) as a pandas DataFrame:
        frequency / recency / T (Fader-Hardie, in ``period`` units), monetary,
        orders, spend, hours, attributes (see docs/formats.md)."""
        if period not in _PERIODS:
            raise ValueError("period must be 'day' or 'week'")
        return _frame_to_pandas(_native.store_features_at(self._handle(), int(now), zone, _PERIODS[period]))

    def split(self, split: int, holdout_end: int, *, zone: Optional[str] = None,
              period: str = "week") -> Tuple["pd.DataFrame", "pd.DataFrame"]:
        """Calibration features as of ``split`` and holdout repeat counts in
        (split, holdout_end], as two DataFrames in the same customer order."""
        if period not in _PERIODS:
            raise ValueError("period must be 'day' or 'week'")
        cal, hold = _native.store_split_at(self._handle(), int(split), zone, _PERIODS[period], int(holdout_end))
        return _frame_to_pandas(cal), _frame_to_pandas(hold)

    def count_orders(self, now: int, from_days: int, to_days: int = 0) -> "pd.DataFrame":
        """Orders per customer with time in (now - from_days, now - to_days] days (DataFrame)."""
        return _frame_to_pandas(_native.store_count_orders(self._handle(), int(now), int(from_days), int(to_days)))

    def count_events(self, type: str, now: int, from_days: int, to_days: int = 0) -> "pd.DataFrame":
        """Events of ``type`` (e.g. ``"cart_add"``) per customer in (now - from_days, now - to_days] days."""
        if type not in _EVENT_TYPES:
            raise ValueError(f"unknown event type {type!r}")
        return _frame_to_pandas(
            _native.store_count_events(self._handle(), _EVENT_TYPES[type], int(now), int(from_days), int(to_days))
        )

    # -- privacy --
    def erase(self, customer_id: str) -> None:
        """Erase a customer everywhere (lines, orders, refunds, events, attributes, id)."""
        _native.store_erase(self._handle(), customer_id)

    def purge(self, before: int) -> int:
        """Drop lines, refunds and events older than ``before``; returns how many."""
        return int(_native.store_purge_before(self._handle(), int(before)))

    def export_customer(self, customer_id: str) -> str:
        """Everything held on one customer as JSON text."""
        return _native.store_export_customer(self._handle(), customer_id)

    def __repr__(self) -> str:
        if self._h is None:
            return "custops.Store(closed)"
        c = self.counts()
        return f"custops.Store({self.zone!r}, {self.currency!r}: {c['customers']} customers, {c['lines']} lines)"
