"""Campaign messages: templates with personal fields and the ad-text lint."""
from __future__ import annotations

from typing import List, TYPE_CHECKING

from . import native as _native
from ._util import Handle
from ._frame import Frame

if TYPE_CHECKING:  # for annotations only
    import numpy as np
    import pandas as pd


class Template(Handle):
    """A compiled message template, e.g. ``"{{nickname|default(\\"亲\\")}}，送你{{coupon|money}}元券"``.

    Fields are frame columns; ``render`` fills one row, ``render_all`` every
    row at once (one C call for a million customers).
    """

    _what = "template"

    def __init__(self, text: str):
        self._h = _native.template_compile(text)

    @property
    def fields(self) -> List[str]:
        """Names of the fields the template uses, in order of first use."""
        return [_native.template_field(self._live, i) for i in range(_native.template_nfields(self._live))]

    def check(self, fields) -> None:
        """Raise :class:`custops.Error` unless ``fields`` (a Frame or DataFrame)
        has every field with a fitting type."""
        _native.template_check(self._live, _as_frame(fields)._h)

    def render(self, fields, row: int = 0) -> str:
        """The message for one row of ``fields`` (a Frame, DataFrame or dict of arrays)."""
        return _native.template_render(self._live, _as_frame(fields)._h, row)

    def render_all(self, fields) -> np.ndarray:
        """Messages for every row, as a numpy array of str."""
        return Frame(_native.template_render_frame(self._live, _as_frame(fields)._h))["message"]


def _as_frame(fields) -> Frame:
    if isinstance(fields, Frame):
        return fields
    if hasattr(fields, "columns") and hasattr(fields, "to_numpy"):
        return Frame.from_pandas(fields)
    return Frame.from_columns(fields)


def ad_lint(text: str) -> "pd.DataFrame":
    """Absolute claims that Chinese advertising law forbids, as a DataFrame
    with columns start, end (byte offsets), line, column, term, rule; empty
    when the text is clean."""
    return Frame(_native.ad_lint(text)).to_pandas()
