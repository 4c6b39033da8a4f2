"""libcustops for Python: customer operations at C speed.

Profiles, segmentation, coupon rules, CLV models and campaign analytics from
the libcustops C library, with numpy arrays and pandas DataFrames in and out.
Every library error raises :class:`custops.Error`, whose text is the
library's message (with file, line and column for bad input) and whose
``status`` attribute is the status code.

Every object that owns library memory (Store, Frame, Ruleset, Quote,
Audience, Model, Ledger, ...) is a context manager: ``with`` or ``close()``
frees it at a known point, and a closed object raises ValueError when used.
Objects that read another's memory hold it themselves, so closing the one
you passed in (a Frame given to an Audience, the Ruleset of a Quote) is
always safe.
"""
from __future__ import annotations

from . import native as _native
from ._frame import Frame
from ._message import Template, ad_lint
from ._plays import Journeys, channel_value, uplift_report
from ._segment import Audience, Bitset, Library, Loyalty, kmeans, lifecycle, read_csv, rfm
from ._ledger import Ledger, LedgerError, generate_codes
from ._synth import synth_catalog, synth_order_lines, synth_write
from ._store import Store
from ._coupon import Quote, Ruleset
from ._util import Error, Handle
from ._analytics import (Calendar, ab_means, ab_means_summary, ab_power, ab_proportions, ab_sample_size, ab_sample_size_means, ab_sequential, cross_sell, kpi_cohorts, kpi_funnel, kpi_summary, repurchase_cycles, repurchase_due, send_hours_from_counts, send_times)
from . import clv  # noqa: E402  (custops.clv: CLV models, lifetimes-compatible fitters)

__all__ = ["Error", "Frame", "Zone", "Template", "ad_lint", "Journeys", "uplift_report", "channel_value", "version", "money_parse", "money_format",
           "currency_exponent", "parse_time", "format_time",
           "Calendar", "ab_means", "ab_means_summary", "ab_power", "ab_proportions", "ab_sample_size", "ab_sample_size_means", "ab_sequential", "cross_sell", "kpi_cohorts", "kpi_funnel", "kpi_summary", "repurchase_cycles", "repurchase_due", "send_hours_from_counts", "send_times"]
__all__ += ["synth_write", "synth_order_lines", "synth_catalog"]
__all__ += ["Store"]
__all__ += ["Audience", "Bitset", "Library", "Loyalty", "rfm", "lifecycle", "kmeans", "read_csv"]
__all__ += ["Ruleset", "Quote"]

__all__ += ["Ledger", "LedgerError", "generate_codes"]
__version__ = _native.version()


def version() -> str:
    """Version of the loaded C library, e.g. ``"0.1.0"``."""
    return _native.version()


def currency_exponent(code: str) -> int:
    """Minor-unit exponent of an ISO 4217 currency (``"CNY"`` -> 2)."""
    return _native.currency_exponent(code)


def money_parse(text: str, exponent: int = 2) -> int:
    """Parse ``"69.90"`` into minor units (6990). Never rounds: too many
    decimals raise :class:`Error`."""
    return _native.money_parse(text, exponent)


def money_format(minor: int, exponent: int = 2) -> str:
    """Format minor units as a decimal string (6990 -> ``"69.90"``)."""
    return _native.money_format(minor, exponent)


class Zone(Handle):
    """A time zone: ``"Asia/Shanghai"``, ``"UTC"`` or ``"+08:00"``.

    Zones are read-only and may be shared across threads.
    """

    _what = "zone"

    def __init__(self, name: str = "UTC"):
        self._h = _native.zone_open(name)

    @property
    def name(self) -> str:
        """The name the zone was opened with."""
        return _native.zone_name(self._live)

    def offset(self, instant: int) -> int:
        """UTC offset in seconds in force at ``instant`` (Unix seconds)."""
        return _native.zone_offset(self._live, instant)

    def local_day(self, instant: int) -> int:
        """Local calendar day (days since 1970-01-01) of ``instant``."""
        day, _ = _native.zone_local(self._live, instant)
        return day

    def __repr__(self) -> str:
        return f"custops.Zone({self.name!r})"


def parse_time(text: str, zone: "Zone | None" = None) -> int:
    """Parse ``"2024-11-11 00:00"`` (local to ``zone``, default UTC) or a
    text with an offset into Unix seconds."""
    return _native.time_parse(text, zone._live if zone is not None else None)


def format_time(instant: int, zone: "Zone | None" = None) -> str:
    """Format Unix seconds as ISO 8601 in ``zone`` (default UTC)."""
    return _native.time_format(instant, zone._live if zone is not None else None)
