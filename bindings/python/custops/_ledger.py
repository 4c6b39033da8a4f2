"""Coupon redemption ledger: reserve, commit, release and reverse coupon uses
atomically and idempotently, in memory, in an SQLite file shared by several
processes, or in PostgreSQL."""
from __future__ import annotations

import json
from typing import List, NamedTuple, Optional, Tuple

from . import native as _native
from ._util import Error


class LedgerError(Error):
    """A ledger call failed; ``status`` is the status code and ``reason`` the
    refusal reason name ("ok" when there is none)."""


class LimitExceeded(LedgerError):
    """A usage, per-customer or budget limit refused the reservation
    (``reason`` is "total_limit", "customer_limit" or "budget")."""


class NotAllowed(LedgerError):
    """The coupon or reservation is in the wrong state: not valid yet,
    ended, owned by someone else, needs a customer, already committed..."""


class IdempotencyConflict(LedgerError):
    """An idempotency key was reused for a different request."""


class NotFound(LedgerError):
    """Unknown code, reservation or counter."""


class AlreadyExists(LedgerError):
    """The code is already issued, or the order already holds the coupon."""


class Busy(LedgerError):
    """Another process held the ledger longer than the busy timeout."""


class Corrupt(LedgerError):
    """The ledger or its journal is damaged or was tampered with."""


_BY_STATUS = {
    _native.ELIMIT: LimitExceeded,
    _native.ESTATE: NotAllowed,
    _native.ECONFLICT: IdempotencyConflict,
    _native.ENOTFOUND: NotFound,
    _native.EEXISTS: AlreadyExists,
    _native.EBUSY: Busy,
    _native.ECORRUPT: Corrupt,
}


def _translate(e: Error, reason: int = 0) -> LedgerError:
    status = getattr(e, "status", 0)
    cls = _BY_STATUS.get(status, LedgerError)
    err = cls(str(e))
    err.status = status
    err.status_name = getattr(e, "status_name", "")
    err.reason = _native.ledger_reason_name(reason)
    return err


class Receipt(NamedTuple):
    """What a transition did."""

    state: str
    """Reservation state afterwards: "pending", "committed", "partially_reversed", ..."""
    replayed: bool
    """True when the idempotency key was seen before and nothing changed."""
    seq: int
    """Journal sequence number of the transition."""
    amount: int
    """Money moved, in minor units."""
    expires: int
    """Reservation deadline (Unix seconds), 0 if none."""


class Counter(NamedTuple):
    """A usage or budget counter (limit -1 means unlimited)."""

    limit: int
    used: int
    reserved: int


def _receipt(t) -> Receipt:
    state, _reason, replayed, seq, amount, expires = t
    return Receipt(_native.ledger_state_name(state), bool(replayed), seq, amount, expires)


class Ledger:
    """A redemption ledger.

    ``location`` is ``"memory:"``, a file path (SQLite, shareable between
    processes), ``"sqlite:PATH"`` or a PostgreSQL URL. Use it as a context
    manager, or call :meth:`close`. Every transition takes the caller's
    clock ``now`` (Unix seconds) and an optional idempotency ``key``.
    Money is in minor units. Refusals raise :class:`LimitExceeded`,
    :class:`NotAllowed`, :class:`IdempotencyConflict`, ... (all
    :class:`LedgerError`, a :class:`custops.Error`).
    """

    def __init__(self, location: str = "memory:", *, busy_timeout_ms: int = 5000, durable: bool = True,
                 max_retries: int = 8):
        h = _native.ledger_open(str(location), int(busy_timeout_ms), int(bool(durable)), int(max_retries))
        if h is None:
            status = _native.ledger_open_status()
            err = _BY_STATUS.get(status, LedgerError)(_native.last_error())
            err.status = status
            err.reason = "ok"
            raise err
        self._h = h

    # -- lifetime --
    def close(self) -> None:
        """Close the ledger now (also done when it is garbage collected)."""
        if self._h is not None:
            _native.ledger_close(self._h)
            self._h = None

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _handle(self):
        if self._h is None:
            raise ValueError("ledger is closed")
        return self._h

    def _call(self, fn, *args):
        h = self._handle()
        try:
            return fn(h, *args)
        except LedgerError:
            raise
        except Error as e:
            raise _translate(e, _native.ledger_last_reason()) from None

    @property
    def backend(self) -> str:
        """"memory", "sqlite" or "postgresql"."""
        return _native.ledger_backend(self._handle())

    # -- transitions --
    def issue(self, code: str, *, now: int, owner: Optional[str] = None, campaign: Optional[str] = None,
              max_uses: int = 0, max_per_customer: int = 0, valid_from: int = 0, valid_until: int = 0,
              restore_on_reversal: bool = True, key: Optional[str] = None) -> Receipt:
        """Issue a coupon code with its limits (0 = unlimited; validity is
        ``[valid_from, valid_until)``, 0 = open)."""
        return _receipt(self._call(_native.ledger_issue, code, owner, campaign, int(max_uses), int(max_per_customer),
                                   int(valid_from), int(valid_until), int(bool(restore_on_reversal)), key, int(now)))

    def budget_add(self, campaign: str, amount: int, *, now: int, key: Optional[str] = None) -> Receipt:
        """Add money to a campaign budget."""
        return _receipt(self._call(_native.ledger_budget_add, campaign, int(amount), key, int(now)))

    def reserve(self, code: str, order: str, *, now: int, customer: Optional[str] = None, amount: int = 0,
                ttl: int = 900, key: Optional[str] = None) -> Receipt:
        """Reserve one use of ``code`` for ``order`` with discount ``amount``
        for ``ttl`` seconds."""
        return _receipt(self._call(_native.ledger_reserve, code, customer, order, int(amount), int(ttl), key, int(now)))

    def commit(self, order: str, code: str, *, now: int, key: Optional[str] = None) -> Receipt:
        """Commit a pending reservation (payment captured)."""
        return _receipt(self._call(_native.ledger_commit, order, code, key, int(now)))

    def release(self, order: str, code: str, *, now: int, key: Optional[str] = None) -> Receipt:
        """Release a pending reservation (order cancelled before payment)."""
        return _receipt(self._call(_native.ledger_release, order, code, key, int(now)))

    def reverse(self, order: str, code: str, amount: Optional[int] = None, *, now: int,
                key: Optional[str] = None) -> Receipt:
        """Refund ``amount`` of the discount (``None``: all that remains);
        a full reversal gives the use back unless the coupon says never."""
        amt = -1 if amount is None else int(amount)
        if amount is not None and amt < 0:
            raise ValueError("amount must not be negative")
        return _receipt(self._call(_native.ledger_reverse, order, code, amt, key, int(now)))

    def expire(self, now: int) -> int:
        """Expire overdue reservations; returns how many."""
        return int(self._call(_native.ledger_expire, int(now)))

    # -- reading --
    def counter(self, key: str) -> Counter:
        """A counter: ``"code:CODE"``, ``"code:CODE/cust:ID"`` or ``"budget:CAMPAIGN"``."""
        return Counter(*self._call(_native.ledger_counter, key))

    def reservation(self, order: str, code: str) -> Receipt:
        """State, remaining amount and deadline of a reservation."""
        return _receipt(self._call(_native.ledger_reservation, order, code))

    def show(self) -> dict:
        """The whole state (coupons, counters, reservations, journal head) as a dict."""
        return json.loads(self._call(_native.ledger_show))

    def journal(self, after: int = 0, limit: int = 0) -> List[dict]:
        """Journal records with seq > ``after`` (at most ``limit``; 0 = all) as
        dicts with seq, ts, prev, hash and the journaled record."""
        text = self._call(_native.ledger_journal, int(after), int(limit))
        return [json.loads(line) for line in text.splitlines()]

    def tables(self) -> dict:
        """Coupons, counters and reservations as pandas DataFrames (keys
        "coupons", "counters", "reservations")."""
        import pandas as pd

        state = self.show()
        return {name: pd.DataFrame(state[name]) for name in ("coupons", "counters", "reservations")}

    def verify(self) -> Tuple[int, str]:
        """Check the journal's hash chain; returns ``(records, head_hash_hex)``
        or raises :class:`Corrupt`."""
        n, head = self._call(_native.ledger_verify)
        return int(n), head

    def codes(self, count: int, *, prefix: str = "", length: int = 10, seed: int = 1) -> List[str]:
        """``count`` new unique codes (seeded; skipping codes already issued here)."""
        return self._call(_native.ledger_codes, int(count), prefix, int(length), int(seed)).split()


def generate_codes(count: int, *, prefix: str = "", length: int = 10, seed: int = 1) -> List[str]:
    """``count`` unique codes from an unambiguous alphabet, the same for the same seed."""
    try:
        return _native.ledger_codes(None, int(count), prefix, int(length), int(seed)).split()
    except LedgerError:
        raise
    except Error as e:
        raise _translate(e) from None
