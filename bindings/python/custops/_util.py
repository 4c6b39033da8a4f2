"""Small helpers shared by the package modules."""
from __future__ import annotations

import numpy as np

from . import native as _native


def as_int64(values) -> np.ndarray:
    """Return a C-contiguous int64 view or copy of ``values`` (no Python loop)."""
    arr = np.ascontiguousarray(values, dtype=np.int64)
    if arr.ndim != 1:
        raise ValueError("expected a one-dimensional array")
    return arr


def as_float64(values) -> np.ndarray:
    """Return a C-contiguous float64 view or copy of ``values`` (no Python loop)."""
    arr = np.ascontiguousarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError("expected a one-dimensional array")
    return arr


def check_open(obj, name: str):
    """Raise ValueError when a handle was already closed."""
    if obj is None:
        raise ValueError(f"{name} is closed")
    return obj


class Handle:
    """Base of every class that owns a native handle.

    ``close()`` frees the native object now instead of at garbage
    collection, ``with obj:`` closes at the end of the block, and any use
    after closing raises ValueError instead of reaching the library with a
    null handle.
    """

    _what = "object"
    _h = None

    def close(self) -> None:
        """Free the native object now; later calls raise ValueError."""
        self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def _live(self):
        return check_open(self._h, self._what)


Error = _native.Error
