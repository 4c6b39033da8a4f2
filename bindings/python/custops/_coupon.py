"""Coupons and promotions: compile rules, quote carts, issue on events."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, TYPE_CHECKING, Union

from . import native as _native
from ._util import Handle
from ._frame import Frame

if TYPE_CHECKING:  # for annotations only; pandas is imported when used
    import pandas as pd

CartLike = Union[str, Mapping[str, Any]]
TimeLike = Union[int, str, None]


def _cart(cart: CartLike):
    text = cart if isinstance(cart, str) else json.dumps(cart, ensure_ascii=False)
    return _native.coupon_cart_text(text)


def _now(now: TimeLike, cart: CartLike) -> int:
    if now is None:
        now = (json.loads(cart) if isinstance(cart, str) else cart).get("now")
        if now is None:
            raise ValueError("pass now= (Unix seconds or ISO 8601) or give the cart a \"now\"")
    if isinstance(now, str):
        return _native.time_parse(now, None)
    return int(now)


class Quote(Handle):
    """The result of :meth:`Ruleset.quote`.

    ``result`` is the canonical JSON as a dict; ``allocations`` and
    ``reasons`` are DataFrames (one row per rule and line; one row per rule
    not used). Money is in minor units.
    """

    _what = "quote"

    def __init__(self, ruleset: "Ruleset", handle):
        # the quote refers to its ruleset: hold the native handle, so that
        # closing the Ruleset object cannot free what the quote still reads
        self._rs = ruleset._live
        self._h = handle

    @property
    def discount(self) -> int:
        """Total discount on goods and shipping (minor units)."""
        return _native.quote_discount(self._live)

    @property
    def total(self) -> int:
        """Amount payable after discounts (minor units)."""
        return _native.quote_total(self._live)

    @property
    def points(self) -> int:
        """Points the order earns."""
        return _native.quote_points(self._live)

    @property
    def exact(self) -> bool:
        """True when the best combination was proved optimal."""
        return bool(_native.quote_exact(self._live))

    def to_json(self) -> str:
        """Canonical JSON text (byte-identical for identical inputs)."""
        return _native.coupon_quote_json(self._live)

    @property
    def result(self) -> Dict[str, Any]:
        """The canonical JSON parsed into a dict."""
        return json.loads(self.to_json())

    @property
    def allocations(self) -> "pd.DataFrame":
        """DataFrame: rule, lane, line_id, amount, unit_high, units_high, unit_low."""
        return Frame(_native.coupon_allocations(self._live)).to_pandas()

    @property
    def reasons(self) -> "pd.DataFrame":
        """DataFrame: rule, reason, need, have, gap, value, other, message."""
        return Frame(_native.coupon_reasons(self._live)).to_pandas()


class Ruleset(Handle):
    """Compiled promotion rules (text language or canonical JSON).

    >>> rs = Ruleset('rule r { when subtotal() >= 69.00; then amount_off 10.00; }')
    >>> rs.quote({"lines": [{"id": "L1", "sku": "A", "unit_price": "80.00"}]}, now=0).discount
    1000

    Errors raise :class:`custops.Error` with ``file:line:col`` in the message.
    A ruleset is read-only and may be shared across threads.
    """

    _what = "ruleset"

    def __init__(self, text: str = "", what: str = "<rules>", _handle=None):
        self._h = _handle if _handle is not None else _native.coupon_compile_text(text, what)

    @classmethod
    def from_json(cls, text: str) -> "Ruleset":
        """Build from the canonical JSON written by :meth:`to_json`."""
        return cls(_handle=_native.coupon_from_json_text(text))

    @classmethod
    def load(cls, path: str) -> "Ruleset":
        """Compile a rule file (text or canonical JSON)."""
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if text.lstrip().startswith("{"):
            return cls.from_json(text)
        return cls(text, what=str(path))

    def to_json(self) -> str:
        """Canonical JSON (rules sorted by id; round-trips byte for byte)."""
        return _native.coupon_ruleset_json(self._live)

    @property
    def rule_ids(self) -> List[str]:
        """Rule ids in canonical (sorted) order."""
        return [_native.ruleset_rule_id(self._live, i) for i in range(_native.ruleset_nrules(self._live))]

    def lint(self) -> "pd.DataFrame":
        """Lint findings as a DataFrame: rule, line, column, code, message."""
        return Frame(_native.coupon_lint(self._live)).to_pandas()

    def quote(self, cart: CartLike, now: TimeLike = None) -> Quote:
        """Quote a cart (a dict or JSON text, see docs/coupons.md) at ``now``
        (Unix seconds or ISO 8601 with an offset; default: the cart's "now")."""
        c = _cart(cart)
        return Quote(self, _native.coupon_quote(self._live, c, _now(now, cart)))

    def quote_many(self, carts: List[CartLike], now: TimeLike = None) -> List[Dict[str, Any]]:
        """Quote several carts; returns their result dicts."""
        return [self.quote(c, now).result for c in carts]

    def issue(self, event: str, cart: CartLike, now: TimeLike = 0) -> "pd.DataFrame":
        """Coupons an event issues for the cart's customer, as a DataFrame:
        rule, template, recipient, issue_key, cost_points."""
        c = _cart(cart)
        return Frame(_native.coupon_issue(self._live, event, c, _now(now, cart))).to_pandas()
