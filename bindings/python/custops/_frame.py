"""Frames: the library's column tables as numpy arrays and pandas DataFrames."""
from __future__ import annotations

from typing import Dict, Mapping, TYPE_CHECKING

import numpy as np

from . import native as _native
from ._util import Handle, as_float64, as_int64, check_open

if TYPE_CHECKING:  # for annotations only; pandas is imported when used
    import pandas as pd


class Frame(Handle):
    """A table of named, equally long columns (int64, float64 or str).

    Frames come back from the library (features, RFM tables, predictions) and
    can be built from a mapping of arrays. Columns convert to numpy arrays
    with one copy and no per-row Python work.
    """

    _what = "frame"

    def __init__(self, _handle=None):
        self._h = _handle if _handle is not None else _native.frame_new()

    @classmethod
    def from_columns(cls, columns: Mapping[str, object]) -> "Frame":
        """Build a frame from ``{name: array-like}``; dtype int -> int64,
        float -> float64, anything else -> str."""
        f = cls()
        for name, values in columns.items():
            arr = np.asarray(values)
            if arr.dtype.kind in "iub":
                _native.frame_add_int64(f._live, name, as_int64(arr))
            elif arr.dtype.kind == "f":
                _native.frame_add_double(f._live, name, as_float64(arr))
            else:
                _native.frame_add_string(f._live, name, [str(v) for v in arr.tolist()])
        return f

    @classmethod
    def from_pandas(cls, df) -> "Frame":
        """Build a frame from a pandas DataFrame (columns in order)."""
        return cls.from_columns({str(c): df[c].to_numpy() for c in df.columns})

    def __len__(self) -> int:
        return int(_native.frame_nrows(self._live))

    @property
    def columns(self) -> list:
        """Column names in order."""
        h = self._live
        return [_native.frame_col_name(h, i) for i in range(_native.frame_ncols(h))]

    def column(self, name: str) -> np.ndarray:
        """One column as a numpy array (int64, float64 or object of str)."""
        h = self._live
        col = _native.frame_find(h, name)
        kind = _native.frame_col_type(h, col)
        if kind == _native.COL_INT64:
            return np.frombuffer(_native.frame_int64(h, col), dtype=np.int64).copy()
        if kind == _native.COL_DOUBLE:
            return np.frombuffer(_native.frame_double(h, col), dtype=np.float64).copy()
        return np.array(_native.frame_strings(h, col), dtype=object)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.column(name)

    def to_dict(self) -> Dict[str, np.ndarray]:
        """All columns as ``{name: numpy array}``."""
        return {name: self.column(name) for name in self.columns}

    def to_pandas(self) -> "pd.DataFrame":
        """All columns as a pandas DataFrame (pandas is imported lazily)."""
        import pandas as pd

        return pd.DataFrame(self.to_dict(), columns=self.columns)

    def write_csv(self, path: str) -> None:
        """Write the frame as CSV atomically (complete file or none)."""
        _native.frame_write_csv(self._live, str(path))

    def __repr__(self) -> str:
        if self._h is None:
            return "<custops.Frame closed>"
        return f"<custops.Frame {len(self)} rows x {len(self.columns)} columns>"
