"""Audiences, RFM, lifecycle, k-means and loyalty over customer frames.

An :class:`Audience` compiles an expression of the audience language (see
the C documentation of ``custops/segment.h``) against a customers table
and evaluates it column by column in C; results come back as numpy arrays.
"""
from __future__ import annotations

from typing import Mapping, Optional, Sequence, TYPE_CHECKING, Tuple, Union

import numpy as np

from . import native as _native
from ._frame import Frame
from ._util import Handle, check_open

if TYPE_CHECKING:  # for annotations only; pandas is imported when used
    import pandas as pd

TableLike = Union[Frame, "object"]


def _as_frame(table) -> Frame:
    """A Frame from a Frame, a pandas DataFrame or a mapping of arrays."""
    if isinstance(table, Frame):
        return table
    if hasattr(table, "columns") and hasattr(table, "to_numpy"):
        return Frame.from_pandas(table)
    return Frame.from_columns(table)


def _dict_frame(values) -> Frame:
    """A dictionary frame (one string column ``name``) from names or a Frame."""
    if isinstance(values, Frame):
        return values
    return Frame.from_columns({"name": np.asarray([str(v) for v in values], dtype=object)})


def read_csv(path: str, zone=None) -> Frame:
    """Read a CSV file with a header row into a :class:`Frame`; column types
    are inferred (integers, numbers, dates as Unix seconds, text). Errors
    raise :class:`custops.Error` with ``file:line:col``."""
    return Frame(_native.frame_read_csv(str(path), zone._live if zone is not None else None))


class Bitset(Handle):
    """A set of customer rows, the result of :meth:`Audience.bitset`.

    ``len(b)`` is the number of members; ``row in b`` tests one row; ``|``,
    ``&`` and ``-`` combine two bitsets of the same size into a new one.
    """

    _what = "bitset"

    def __init__(self, _handle):
        self._h = _handle

    @classmethod
    def empty(cls, n: int) -> "Bitset":
        """An empty set over ``n`` rows."""
        return cls(_native.bitset_new(int(n)))

    @property
    def size(self) -> int:
        """Number of rows the set covers."""
        return int(_native.bitset_size(self._live))

    def __len__(self) -> int:
        return int(_native.bitset_count(self._live))

    def __contains__(self, row: int) -> bool:
        return bool(_native.bitset_test(self._live, int(row)))

    def add(self, row: int) -> None:
        """Add one row."""
        _native.bitset_set(self._live, int(row), 1)

    def discard(self, row: int) -> None:
        """Remove one row."""
        _native.bitset_set(self._live, int(row), 0)

    def copy(self) -> "Bitset":
        """An independent copy."""
        return Bitset(_native.bitset_copy(self._live))

    def _combine(self, other: "Bitset", fn) -> "Bitset":
        out = self.copy()
        fn(out._live, other._live)
        return out

    def __or__(self, other: "Bitset") -> "Bitset":
        return self._combine(other, _native.bitset_union)

    def __and__(self, other: "Bitset") -> "Bitset":
        return self._combine(other, _native.bitset_intersect)

    def __sub__(self, other: "Bitset") -> "Bitset":
        return self._combine(other, _native.bitset_minus)

    def ids(self) -> np.ndarray:
        """Member rows, ascending, as an int64 array."""
        return np.frombuffer(_native.bitset_ids(self._live), dtype=np.int64).copy()

    def to_numpy(self) -> np.ndarray:
        """Membership as a numpy bool array of length :attr:`size`."""
        return np.frombuffer(_native.bitset_bytes(self._live), dtype=np.uint8).astype(bool)

    def __repr__(self) -> str:
        return f"custops.Bitset({len(self)} of {self.size})"


class Library(Handle):
    """Named audience definitions, saved and loaded as one file.

    Definitions may refer to each other with ``segment NAME`` (quote names
    with ``-``); a definition that would close a cycle raises :class:`custops.Error`.
    """

    _what = "library"

    def __init__(self, _handle=None):
        self._h = _handle if _handle is not None else _native.segment_library_new()

    @classmethod
    def load(cls, path: str) -> "Library":
        """Load a library saved with :meth:`save`."""
        return cls(_native.segment_library_load(str(path)))

    def save(self, path: str) -> None:
        """Save atomically (a crash leaves the old file or the new one)."""
        _native.segment_library_save(self._live, str(path))

    def define(self, name: str, text: str) -> None:
        """Add or replace a definition (syntax and cycles are checked now)."""
        _native.segment_library_define(self._live, name, text)

    def remove(self, name: str) -> None:
        """Remove a definition."""
        _native.segment_library_remove(self._live, name)

    @property
    def names(self) -> list:
        """Names in order."""
        return [_native.segment_library_name(self._live, i) for i in range(_native.segment_library_count(self._live))]

    def __getitem__(self, name: str) -> str:
        return _native.segment_library_get(self._live, name)

    def __len__(self) -> int:
        return int(_native.segment_library_count(self._live))

    def __contains__(self, name: str) -> bool:
        return name in self.names


class Audience(Handle):
    """A compiled audience over a customers table.

    ``customers`` is a :class:`Frame`, a pandas DataFrame or a mapping of
    arrays (one row per customer, the data contract's columns or your own,
    e.g. model outputs such as ``clv``). ``lines`` and ``events`` enable the
    window counts (``orders in -10d..now``, ``events(cart_add) between -10d
    and -3d``, ``bought category "X"``); ``dicts`` maps dictionary names
    (``region``, ``category``, ``sku``, ``tag``) to lists of names, code i
    being the i-th name. ``now`` is the as-of instant in Unix seconds.
    Syntax and type errors raise :class:`custops.Error` with ``line:col``.
    """

    _what = "audience"

    def __init__(self, text: str, customers, now: int, lines=None, events=None,
                 dicts: Optional[Mapping[str, Sequence[str]]] = None, zone=None,
                 library: Optional[Library] = None, money_cols: Optional[str] = None, exponent: int = 2,
                 max_length: int = 65536, max_depth: int = 64):
        # the C context borrows these frames: keep them alive with the audience
        self._customers = _as_frame(customers)
        self._lines = _as_frame(lines) if lines is not None else None
        self._events = _as_frame(events) if events is not None else None
        self._dicts = {k: _dict_frame(v) for k, v in (dicts or {}).items()}
        self._zone = zone
        # ...and hold the native handles themselves, so that closing a Frame,
        # Zone or Library the caller passed in cannot free what C still reads
        self._borrowed = [f._live for f in (self._customers, self._lines, self._events) if f is not None]
        self._borrowed += [f._live for f in self._dicts.values()]
        self._borrowed += [o._live for o in (zone, library) if o is not None]
        ctx = _native.segment_ctx_new(self._customers._live, int(now))
        if self._lines is not None:
            _native.segment_ctx_set_lines(ctx, self._lines._live)
        if self._events is not None:
            _native.segment_ctx_set_events(ctx, self._events._live)
        for name, f in self._dicts.items():
            _native.segment_ctx_add_dict(ctx, name, f._live)
        if zone is not None:
            _native.segment_ctx_set_zone(ctx, zone._live)
        if library is not None:
            _native.segment_ctx_set_library(ctx, library._live)
        _native.segment_ctx_set_money_cols(ctx, money_cols or "", int(exponent))
        _native.segment_ctx_set_limits(ctx, int(max_length), int(max_depth))
        self._ctx = ctx
        self.text = text
        self._h = _native.audience_compile(text, ctx)

    @property
    def nclauses(self) -> int:
        """Leaf clauses in the compiled plan (after inlining ``segment`` references)."""
        return int(_native.audience_nclauses(self._live))

    def bitset(self) -> Bitset:
        """Evaluate over all customers into a :class:`Bitset` (for set algebra)."""
        return Bitset(_native.audience_evaluate(self._live))

    def evaluate(self) -> np.ndarray:
        """Evaluate over all customers: a numpy bool array, one entry per customer row."""
        return self.bitset().to_numpy()

    def mask(self) -> np.ndarray:
        """Same as :meth:`evaluate`."""
        return self.evaluate()

    def ids(self) -> np.ndarray:
        """Member rows as an int64 array."""
        return self.bitset().ids()

    def count(self) -> int:
        """Number of members."""
        return len(self.bitset())

    def explain(self, row: int) -> Tuple[bool, str]:
        """``(member, why)``: the deciding clauses as written, with the
        customer's values, e.g. ``"out: orders in -10d..now is false (orders = 0)"``."""
        text, member = _native.audience_explain(self._live, int(row))
        return bool(member), text

    def __repr__(self) -> str:
        return f"custops.Audience({self.text!r})"


def rfm(customers, recency: str = "days_since_last_order", frequency: str = "orders",
        monetary: str = "spend", names: bool = True, ties: str = "shared") -> "pd.DataFrame":
    """RFM scores 1-5 and the segment of the built-in 11-rule table.

    ``ties="shared"`` (default): equal values, equal scores, score = 1 +
    floor(5 * count strictly worse / n). ``ties="first"``: NTILE by position
    with row order breaking ties (pandas ``rank(method="first")``). Returns a
    DataFrame with r, f, m, rfm, segment_code and (with ``names``) segment;
    customers without orders score 0 with segment "prospect"."""
    if ties not in ("shared", "first"):
        raise ValueError("ties must be 'shared' or 'first'")
    f = _as_frame(customers)
    return Frame(_native.rfm_score_cols(f._live, recency, frequency, monetary, int(bool(names)),
                                        0 if ties == "shared" else 1)).to_pandas()


def lifecycle(customers, new_days: int = 30, active_orders: int = 2, sleeping_days: int = 90,
              churned_days: int = 365, p_alive: Optional[str] = None, sleeping_p: float = 0.5,
              churned_p: float = 0.2) -> "pd.DataFrame":
    """Lifecycle classes (prospect, new, potential, active, sleeping,
    churned) from orders, days_since_last_order and tenure_days, or with
    ``p_alive`` the model variant for the lapse classes. Returns a DataFrame
    with lifecycle_code and lifecycle."""
    f = _as_frame(customers)
    return Frame(_native.lifecycle_classify_with(f._live, int(new_days), int(active_orders), int(sleeping_days),
                                                 int(churned_days), p_alive or "", float(sleeping_p),
                                                 float(churned_p))).to_pandas()


def kmeans(table, columns: Sequence[str], k: int = 4, seed: int = 1, max_iter: int = 100,
           sample: int = 2000) -> Tuple[np.ndarray, "pd.DataFrame", float, float]:
    """k-means++ on standardized ``columns``; deterministic for ``seed``.
    Returns ``(labels, centers, silhouette, calinski_harabasz)``: labels an
    int64 array, centers a DataFrame in original units with a ``size`` column."""
    f = _as_frame(table)
    assign, centers, sil, ch = _native.kmeans_with(f._live, ",".join(columns), int(k), int(seed), int(max_iter),
                                                   int(sample))
    return Frame(assign).column("cluster"), Frame(centers).to_pandas(), float(sil), float(ch)


class Loyalty(Handle):
    """A loyalty program: tiers by trailing spend and a points ledger.

    ``tiers`` is ``"name:threshold,..."`` (major units, first 0),
    ``multipliers`` one earn multiplier per tier. Time only moves forward:
    every call takes an instant not before the previous call's.
    """

    _what = "loyalty"

    def __init__(self, tiers: str = "member:0,silver:1000,gold:5000,black:20000", multipliers: str = "",
                 points_per_unit: float = 1.0, exponent: int = 2, expiry_days: int = 365, window_days: int = 365,
                 _handle=None):
        self._h = _handle if _handle is not None else _native.loyalty_new_with(
            tiers, multipliers, float(points_per_unit), int(exponent), int(expiry_days), int(window_days))

    @classmethod
    def load(cls, path: str) -> "Loyalty":
        """Load a program saved with :meth:`save`."""
        return cls(_handle=_native.loyalty_load(str(path)))

    def save(self, path: str) -> None:
        """Save atomically."""
        _native.loyalty_save(self._live, str(path))

    def purchase(self, customer: str, at: int, amount: int, promo: float = 1.0) -> int:
        """Record a purchase (minor units); returns the points earned."""
        return int(_native.loyalty_purchase(self._live, customer, int(at), int(amount), float(promo)))

    def redeem(self, customer: str, at: int, points: int) -> None:
        """Redeem points, oldest first."""
        _native.loyalty_redeem(self._live, customer, int(at), int(points))

    def balance(self, customer: str, at: int) -> int:
        """Points balance as of ``at``."""
        return int(_native.loyalty_balance(self._live, customer, int(at)))

    def recalc(self, at: int) -> int:
        """Expire due points and recompute tiers; returns the number of tier changes."""
        return int(_native.loyalty_recalc(self._live, int(at)))

    def tier(self, customer: str) -> str:
        """The customer's current tier."""
        return _native.loyalty_tier(self._live, customer)

    def ledger(self) -> "pd.DataFrame":
        """Every earn, redeem and expire as a DataFrame."""
        return Frame(_native.loyalty_ledger(self._live)).to_pandas()

    def history(self) -> "pd.DataFrame":
        """Every tier change as a DataFrame."""
        return Frame(_native.loyalty_history(self._live)).to_pandas()
