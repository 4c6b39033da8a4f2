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


Error = _native.Error
