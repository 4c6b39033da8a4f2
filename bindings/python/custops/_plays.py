"""Automated plays: journeys driven by your events and your clock."""
from __future__ import annotations

from typing import Iterable, List, TYPE_CHECKING

from . import native as _native
from ._util import Handle
from ._frame import Frame

if TYPE_CHECKING:  # for annotations only; pandas is imported when used
    import pandas as pd


class Journeys(Handle):
    """A journey engine over compiled plays (see the play language in the
    C documentation of custops/plays.h).

    Feed events with :meth:`event`, enroll scheduled audiences with
    :meth:`enroll`, and call :meth:`due` with the current time to get the
    actions that fell due, each exactly once, as a pandas DataFrame.
    """

    _what = "journeys"

    def __init__(self, plays: str, zone: str = "Asia/Shanghai", _handle=None):
        self._h = _handle if _handle is not None else _native.journeys_new(plays, zone)

    @classmethod
    def load(cls, path: str) -> "Journeys":
        """Load an engine saved with :meth:`save`."""
        return cls("", _handle=_native.journeys_load(str(path)))

    def save(self, path: str) -> None:
        """Save plays and all journey state atomically."""
        _native.journeys_save(self._live, str(path))

    @property
    def plays(self) -> List[str]:
        """Names of the plays."""
        return [_native.journeys_play_name(self._live, i) for i in range(_native.journeys_nplays(self._live))]

    def event(self, customer: str, type: str, key: str = "", at: int = 0) -> None:
        """Feed one event (Unix seconds ``at``)."""
        _native.journeys_event(self._live, customer, type, key, int(at))

    def set_consent(self, customer: str, channel: str, allowed: bool = True) -> None:
        """Record consent for a channel (sends without consent are suppressed)."""
        _native.journeys_set_consent(self._live, customer, channel, int(bool(allowed)))

    def set_send_hour(self, customer: str, hour: int) -> None:
        """Record the customer's best local send hour (0..23)."""
        _native.journeys_set_send_hour(self._live, customer, int(hour))

    def next_run(self, play: str, after: int) -> int:
        """Next run instant of a schedule play strictly after ``after``."""
        return _native.journeys_next_run(self._live, play, int(after))

    def enroll(self, play: str, customers: Iterable[str], run_instant: int) -> None:
        """Start the scheduled play for an audience (one C call)."""
        _native.journeys_enroll(self._live, play, [str(c) for c in customers], int(run_instant))

    def due(self, now: int) -> "pd.DataFrame":
        """Actions due at ``now`` as a DataFrame (action_key, play, step,
        customer_id, kind, channel, target, at, status)."""
        return Frame(_native.journeys_due(self._live, int(now))).to_pandas()

    @property
    def active(self) -> int:
        """Journeys still running."""
        return int(_native.journeys_active(self._live))

    def in_holdout(self, play: str, customer: str) -> bool:
        """Whether the customer is in the play's holdout group."""
        return bool(_native.journeys_in_holdout(self._live, play, customer))


def uplift_report(customers, *, confidence: float = 0.95, holdout: str = "holdout", reached: str = "reached",
                  visited: str = "visited", converted: str = "converted", revenue: str = "revenue",
                  group_by=()) -> "pd.DataFrame":
    """Uplift of treatment over holdout with confidence intervals.

    ``customers`` is a DataFrame (or Frame) with one row per customer: 0/1
    int columns ``holdout``, ``converted`` and optionally ``reached`` and
    ``visited``, an int ``revenue`` in minor units, and string columns to
    group by (``group_by=["play", "channel"]``). Pass ``None`` for an
    outcome you do not have. Returns a DataFrame with one row per group.
    """
    from ._message import _as_frame

    f = _as_frame(customers)
    return Frame(_native.uplift_report_cols(f._live, confidence, holdout, reached or "", visited or "", converted,
                                            revenue or "", ",".join(group_by))).to_pandas()


def channel_value(customers, spend, *, channel: str = "first_channel", value: str = "value") -> "pd.DataFrame":
    """LTV, CAC and ROI per first-order channel. ``spend`` has columns
    ``channel`` and ``spend`` (minor units)."""
    from ._message import _as_frame

    return Frame(_native.channel_value(_as_frame(customers)._live, channel, value, _as_frame(spend)._live)).to_pandas()
