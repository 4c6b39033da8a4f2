"""Customer lifetime value models (native face of custops/clv.h).

Arrays go to C as whole columns (one copy, no per-element Python work) and
results come back as numpy arrays or pandas DataFrames. Use
:mod:`custops.clv` for classes that mirror the ``lifetimes`` package.
"""
from __future__ import annotations

from typing import Dict, Optional, Tuple, TYPE_CHECKING

import numpy as np

from . import native as _native
from ._util import Handle, as_float64

if TYPE_CHECKING:  # for annotations only; pandas is imported when used
    import pandas as pd

MODELS = {
    "bgnbd": _native.CLV_BGNBD,
    "mbgnbd": _native.CLV_MBGNBD,
    "pareto_nbd": _native.CLV_PARETO_NBD,
    "bgbb": _native.CLV_BGBB,
    "gamma_gamma": _native.CLV_GAMMA_GAMMA,
}


def _frame(**columns):
    """A native frame of float64 columns (scalars are broadcast)."""
    arrays = [np.asarray(v, dtype=np.float64) for v in columns.values()]
    arrays = np.broadcast_arrays(*arrays) if arrays else []
    h = _native.frame_new()
    for name, arr in zip(columns, arrays):
        _native.frame_add_double(h, name, as_float64(np.ravel(arr)))
    return h


def _column(h, name: str = "value") -> np.ndarray:
    return np.frombuffer(_native.frame_double(h, _native.frame_find(h, name)), dtype=np.float64).copy()


def _shape_of(*values):
    return np.broadcast(*[np.asarray(v) for v in values]).shape


class Model(Handle):
    """A fitted (or given) CLV model.

    Make one with :meth:`fit`, :meth:`fit_spend`, :meth:`from_params` or
    :meth:`load`. Repeat-purchase models (``bgnbd``, ``mbgnbd``,
    ``pareto_nbd``, ``bgbb``) predict purchases and P(alive); the
    ``gamma_gamma`` model predicts spend. Every library error raises
    :class:`custops.Error`.
    """

    _what = "model"

    def __init__(self, _handle):
        self._h = _handle

    # ---- construction -------------------------------------------------
    @classmethod
    def fit(cls, model: str, frequency, recency, T, weights=None, *, penalty: float = 0.0, starts: int = 0,
            max_iter: int = 0) -> "Model":
        """Fit ``model`` by maximum likelihood. ``T`` is the observation length
        (for ``bgbb`` the number of opportunities); ``weights`` counts customers
        per row. Rows are compressed to unique patterns in C."""
        cols = dict(frequency=frequency, recency=recency, T=T)
        if weights is not None:
            cols["weights"] = weights
        return cls(_native.clv_fit_frame(MODELS[model], _frame(**cols), float(penalty), int(starts), int(max_iter)))

    @classmethod
    def fit_spend(cls, frequency, monetary, weights=None, *, penalty: float = 0.0) -> "Model":
        """Fit the Gamma-Gamma spend model on repeat buyers' average spend
        (rows with frequency 0 are ignored)."""
        cols = dict(frequency=frequency, monetary=monetary)
        if weights is not None:
            cols["weights"] = weights
        return cls(_native.clv_fit_frame(_native.CLV_GAMMA_GAMMA, _frame(**cols), float(penalty), 0, 0))

    @classmethod
    def from_params(cls, model: str, params) -> "Model":
        """A model with known parameters (in the model's order, or a dict)."""
        if isinstance(params, dict):
            names = {"bgbb": ["alpha", "beta", "gamma", "delta"], "gamma_gamma": ["p", "q", "gamma"],
                     "pareto_nbd": ["r", "alpha", "s", "beta"]}.get(model, ["r", "alpha", "a", "b"])
            params = [params[k] for k in names]
        return cls(_native.clv_new(MODELS[model], as_float64(params)))

    @classmethod
    def load(cls, path) -> "Model":
        """Load a model saved with :meth:`save`."""
        return cls(_native.clv_load(str(path)))

    def save(self, path) -> None:
        """Save atomically (a CLVM save file)."""
        _native.clv_save(self._live, str(path))

    # ---- pickling (Dask ships models to workers) ------------------------
    def __getstate__(self):
        """The model's save file as bytes: pickling keeps every field
        (parameters, standard errors, fit report)."""
        import os
        import tempfile

        with tempfile.TemporaryDirectory(prefix="custops-") as d:
            path = os.path.join(d, "model.clvm")
            _native.clv_save(self._live, path)
            with open(path, "rb") as f:
                return {"clvm": f.read()}

    def __setstate__(self, state):
        import os
        import tempfile

        with tempfile.TemporaryDirectory(prefix="custops-") as d:
            path = os.path.join(d, "model.clvm")
            with open(path, "wb") as f:
                f.write(state["clvm"])
            self._h = _native.clv_load(path)

    # ---- report -------------------------------------------------------
    @property
    def name(self) -> str:
        """``"bgnbd"``, ``"mbgnbd"``, ``"pareto_nbd"``, ``"bgbb"`` or ``"gamma_gamma"``."""
        return _native.clv_name(self._live)

    @property
    def params(self) -> Dict[str, float]:
        """Parameters by name."""
        n = _native.clv_nparams(self._live)
        return {_native.clv_param_name(self._live, i): _native.clv_param(self._live, i) for i in range(n)}

    @property
    def stderr(self) -> Dict[str, float]:
        """Standard errors by name (0 when not available)."""
        n = _native.clv_nparams(self._live)
        return {_native.clv_param_name(self._live, i): _native.clv_stderr(self._live, i) for i in range(n)}

    @property
    def loglik(self) -> float:
        """Maximised log-likelihood."""
        return _native.clv_loglik(self._live)

    @property
    def convergence(self) -> Dict[str, object]:
        """Iterations, gradient norm and status of the fit."""
        return {"iterations": _native.clv_iterations(self._live), "grad_norm": _native.clv_grad_norm(self._live),
                "status": _native.clv_status(self._live)}

    def __repr__(self) -> str:
        ps = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        return f"custops.clv.Model({self.name}: {ps})"

    # ---- predictions --------------------------------------------------
    def _predict(self, what, data_h, t=0.0, spend=None, months=12, discount_rate=0.01, periods_per_month=30.0,
                 margin=1.0):
        out = _native.clv_predict_frame(self._live, spend._live if spend is not None else None, what, data_h, float(t),
                                        int(months), float(discount_rate), float(periods_per_month), float(margin))
        return _column(out)

    def prob_alive(self, frequency, recency, T) -> np.ndarray:
        """P(alive) at T (BG/BB: at opportunity n + 1)."""
        shape = _shape_of(frequency, recency, T)
        return self._predict("alive", _frame(frequency=frequency, recency=recency, T=T)).reshape(shape)

    def conditional_expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """Expected purchases in (T, T + t] given each history."""
        shape = _shape_of(frequency, recency, T)
        return self._predict("conditional", _frame(frequency=frequency, recency=recency, T=T), t).reshape(shape)

    def score(self, frequency, recency, T, t: float) -> Tuple[np.ndarray, np.ndarray]:
        """``(prob_alive, conditional_expected_purchases(t))`` for the same
        histories, sending the three input columns to C once."""
        shape = _shape_of(frequency, recency, T)
        h = _frame(frequency=frequency, recency=recency, T=T)
        return self._predict("alive", h).reshape(shape), self._predict("conditional", h, t).reshape(shape)

    def expected_purchases(self, t) -> np.ndarray:
        """Expected repeat purchases of a new customer in (0, t]."""
        shape = np.shape(t)
        return self._predict("expected", _frame(t=t)).reshape(shape)

    def prob_purchases(self, t, x) -> np.ndarray:
        """P(X(t) = x) for a new customer."""
        shape = _shape_of(t, x)
        return self._predict("pmf", _frame(t=t, x=x)).reshape(shape)

    def expected_spend(self, frequency, monetary) -> np.ndarray:
        """Gamma-Gamma conditional expected average spend."""
        shape = _shape_of(frequency, monetary)
        return self._predict("spend", _frame(frequency=frequency, monetary=monetary)).reshape(shape)

    def lifetime_value(self, spend: "Model", frequency, recency, T, monetary, *, months: int = 12,
                       discount_rate: float = 0.01, periods_per_month: float = 30.0, margin: float = 1.0) -> np.ndarray:
        """Discounted CLV over ``months`` (lifetimes' customer_lifetime_value)."""
        shape = _shape_of(frequency, recency, T, monetary)
        h = _frame(frequency=frequency, recency=recency, T=T, monetary=monetary)
        return self._predict("clv", h, 0.0, spend, months, discount_rate, periods_per_month, margin).reshape(shape)

    # ---- simulation ---------------------------------------------------
    def simulate(self, T, seed: int = 0) -> "pd.DataFrame":
        """Simulate customers observed for ``T``: DataFrame (frequency, recency)."""
        import pandas as pd

        out = _native.clv_simulate_frame(self._live, float(seed), _frame(T=T))
        return pd.DataFrame({"frequency": _column(out, "frequency"), "recency": _column(out, "recency")})

    def simulate_spend(self, frequency, seed: int = 0) -> np.ndarray:
        """Simulate average repeat spend (Gamma-Gamma) for the given frequencies."""
        return _column(_native.clv_simulate_frame(self._live, float(seed), _frame(frequency=frequency)), "monetary")

    # ---- diagnostics --------------------------------------------------
    def repeat_histogram(self, frequency, T, weights=None, max_x: int = 7) -> "pd.DataFrame":
        """Expected against observed customers by repeat purchases 0..max_x-1
        and max_x or more: DataFrame (frequency, expected, observed)."""
        import pandas as pd

        cols = dict(frequency=frequency, T=T)
        if weights is not None:
            cols["weights"] = weights
        out = _native.clv_diag_frame(self._live, "histogram", _frame(**cols), _frame(), 0.0, 0.0, int(max_x))
        return pd.DataFrame({"frequency": np.arange(max_x + 1), "expected": _column(out, "expected"),
                             "observed": _column(out, "observed")})

    def tracking(self, birth, times, weights=None) -> "pd.DataFrame":
        """Expected cumulative and incremental repeat purchases of a cohort at
        ``times`` given first-purchase times ``birth``: DataFrame."""
        import pandas as pd

        cols = dict(birth=birth)
        if weights is not None:
            cols["weights"] = weights
        out = _native.clv_diag_frame(self._live, "tracking", _frame(**cols), _frame(times=times), 0.0, 0.0, 0)
        return pd.DataFrame({"time": np.asarray(times, dtype=float), "cumulative": _column(out, "cumulative"),
                             "incremental": _column(out, "incremental")})

    def holdout_by_frequency(self, frequency, recency, T, frequency_holdout, duration_holdout,
                             max_x: int = 7) -> "pd.DataFrame":
        """Mean predicted against mean actual holdout purchases by calibration
        frequency: DataFrame (frequency, count, predicted, actual)."""
        import pandas as pd

        h = _frame(frequency=frequency, recency=recency, T=T, frequency_holdout=frequency_holdout)
        out = _native.clv_diag_frame(self._live, "holdout", h, _frame(), float(duration_holdout), 0.0, int(max_x))
        return pd.DataFrame({"frequency": np.arange(max_x + 1), "count": _column(out, "count"),
                             "predicted": _column(out, "predicted"), "actual": _column(out, "actual")})

    def alive_matrix(self, max_frequency: int, T: float, nrecency: int = 50) -> np.ndarray:
        """P(alive) over frequency 0..max_frequency (rows) and recency 0..T
        (``nrecency`` columns); impossible histories hold 0."""
        out = _native.clv_diag_frame(self._live, "alive_matrix", _frame(), _frame(), float(T), float(nrecency),
                                     int(max_frequency))
        return _column(out).reshape(max_frequency + 1, nrecency)


def fit(model: str, frequency, recency=None, T=None, weights=None, *, monetary=None, penalty: float = 0.0,
        starts: int = 0) -> Optional[Model]:
    """Fit ``model`` (``"gamma_gamma"`` takes ``frequency`` and ``monetary``)."""
    if model == "gamma_gamma":
        return Model.fit_spend(frequency, monetary, weights, penalty=penalty)
    return Model.fit(model, frequency, recency, T, weights, penalty=penalty, starts=starts)
