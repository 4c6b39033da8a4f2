"""lifetimes-compatible CLV fitters on the libcustops C models.

The classes mirror the ``lifetimes`` package (BetaGeoFitter,
ModifiedBetaGeoFitter, ParetoNBDFitter, BetaGeoBetaBinomFitter,
GammaGammaFitter): ``fit`` takes numpy arrays or pandas Series, ``params_``
is a pandas Series, predictions accept arrays and return numpy arrays (or a
Series when a Series came in), with no per-element Python loops. Fitting,
likelihoods and predictions run in C (see :mod:`custops` and custops/clv.h).

    >>> from custops.clv import BetaGeoFitter
    >>> bgf = BetaGeoFitter().fit(df["frequency"], df["recency"], df["T"])
    >>> bgf.conditional_probability_alive(df["frequency"], df["recency"], df["T"])
"""
from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, Union

import numpy as np

from ._clv import Model, fit  # noqa: F401  (re-exported: the native face)

if TYPE_CHECKING:  # for annotations only; pandas is imported when used
    import pandas as pd

    #: what predictions return: an array, a Series when a Series came in, a float for scalars
    Predicted = Union[np.ndarray, pd.Series, float]

_F = TypeVar("_F", bound="_BaseFitter")

__all__ = ["Model", "fit", "BetaGeoFitter", "ModifiedBetaGeoFitter", "ParetoNBDFitter", "BetaGeoBetaBinomFitter",
           "GammaGammaFitter"]


def _index_of(*values):
    for v in values:
        if hasattr(v, "index") and hasattr(v, "values"):
            return v.index
    return None


def _wrap(result, *inputs):
    """Return a pandas Series when a Series came in, else an array (or a float for scalars)."""
    idx = _index_of(*inputs)
    if idx is not None and np.ndim(result) == 1 and len(idx) == len(result):
        import pandas as pd

        return pd.Series(result, index=idx)
    if np.ndim(result) == 0:
        return float(result)
    return result


def _values(v):
    return np.asarray(getattr(v, "values", v), dtype=np.float64)


class _BaseFitter:
    _model = ""
    _names: list = []

    def __init__(self, penalizer_coef: float = 0.0):
        self.penalizer_coef = float(penalizer_coef)
        self._m = None

    def _check(self):
        if self._m is None:
            raise ValueError(f"{type(self).__name__} is not fitted: call fit() first")
        return self._m

    @property
    def params_(self) -> "pd.Series":
        """Fitted parameters as a pandas Series."""
        import pandas as pd

        return pd.Series(self._check().params, name="coef")

    @property
    def standard_errors_(self) -> "pd.Series":
        """Standard errors from the observed information, as a pandas Series."""
        import pandas as pd

        return pd.Series(self._check().stderr, name="se(coef)")

    @property
    def log_likelihood_(self) -> float:
        """Maximised log-likelihood."""
        return self._check().loglik

    @property
    def summary(self) -> "pd.DataFrame":
        """coef, se(coef) and a 95% interval per parameter (DataFrame)."""
        import pandas as pd

        p, se = self.params_, self.standard_errors_
        return pd.DataFrame({"coef": p, "se(coef)": se, "lower 95% bound": p - 1.96 * se,
                             "upper 95% bound": p + 1.96 * se})

    @property
    def model(self) -> Model:
        """The underlying :class:`custops.clv.Model`."""
        return self._check()

    def save_model(self, path) -> None:
        """Save the fitted model (a CLVM save file)."""
        self._check().save(path)

    def load_model(self: _F, path) -> _F:
        """Load a model saved with :meth:`save_model`; returns self."""
        m = Model.load(path)
        if m.name != self._model:
            raise ValueError(f"{path} holds a {m.name} model, not {self._model}")
        self._m = m
        return self

    def __repr__(self) -> str:
        if self._m is None:
            return f"<custops.clv.{type(self).__name__}: not fitted>"
        ps = ", ".join(f"{k}: {v:.2f}" for k, v in self._m.params.items())
        return f"<custops.clv.{type(self).__name__}: fitted with {self._m.convergence} ({ps})>"


class _RepeatFitter(_BaseFitter):
    def fit(self: _F, frequency, recency, T, weights=None, initial_params=None, verbose=False, tol=None, index=None,
            **kwargs) -> _F:
        """Fit on per-customer (or, with ``weights``, compressed) arrays; returns self."""
        self._m = Model.fit(self._model, _values(frequency), _values(recency), _values(T),
                            None if weights is None else _values(weights), penalty=self.penalizer_coef)
        self.data_index_ = index if index is not None else _index_of(frequency)
        return self

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T) -> Predicted:
        """Expected purchases in the next ``t`` time units given each history."""
        m = self._check()
        return _wrap(m.conditional_expected_purchases(float(t), _values(frequency), _values(recency), _values(T)),
                     frequency, recency, T)

    predict = conditional_expected_number_of_purchases_up_to_time

    def conditional_probability_alive(self, frequency, recency, T) -> Predicted:
        """P(alive) at T given each history."""
        return _wrap(self._check().prob_alive(_values(frequency), _values(recency), _values(T)), frequency, recency, T)

    def expected_number_of_purchases_up_to_time(self, t) -> Predicted:
        """Expected repeat purchases of a new customer in (0, t]."""
        return _wrap(self._check().expected_purchases(_values(t)), t)

    def probability_of_n_purchases_up_to_time(self, t, n) -> Predicted:
        """P(X(t) = n) for a new customer."""
        return _wrap(self._check().prob_purchases(_values(t), _values(n)), t, n)

    def conditional_probability_alive_matrix(self, max_frequency=None, max_recency=None) -> np.ndarray:
        """P(alive) over frequency 0..max_frequency and recency 0..max_recency."""
        mf = int(max_frequency if max_frequency is not None else 20)
        mr = float(max_recency if max_recency is not None else 40)
        return self._check().alive_matrix(mf, mr, int(mr) + 1)


class BetaGeoFitter(_RepeatFitter):
    """BG/NBD (Fader, Hardie and Lee 2005): parameters r, alpha, a, b."""

    _model = "bgnbd"


class ModifiedBetaGeoFitter(_RepeatFitter):
    """MBG/NBD (Batislam et al. 2007): parameters r, alpha, a, b."""

    _model = "mbgnbd"


class ParetoNBDFitter(_RepeatFitter):
    """Pareto/NBD (Schmittlein et al. 1987): parameters r, alpha, s, beta."""

    _model = "pareto_nbd"


class BetaGeoBetaBinomFitter(_BaseFitter):
    """BG/BB (Fader, Hardie and Shang 2010) for discrete opportunities:
    parameters alpha, beta, gamma, delta."""

    _model = "bgbb"

    def fit(self: _F, frequency, recency, n_periods, weights=None, initial_params=None, verbose=False, tol=None,
            index=None, **kwargs) -> _F:
        """Fit on (x, t_x, n) patterns; ``weights`` counts customers per pattern."""
        self._m = Model.fit("bgbb", _values(frequency), _values(recency), _values(n_periods),
                            None if weights is None else _values(weights), penalty=self.penalizer_coef)
        return self

    def conditional_expected_number_of_purchases_up_to_time(self, m_periods_in_future, frequency, recency,
                                                             n_periods) -> Predicted:
        """Expected purchases in the next ``m_periods_in_future`` opportunities."""
        return _wrap(self._check().conditional_expected_purchases(float(m_periods_in_future), _values(frequency),
                                                                  _values(recency), _values(n_periods)),
                     frequency, recency, n_periods)

    def conditional_probability_alive(self, m_periods_in_future, frequency, recency, n_periods) -> Predicted:
        """P(alive) at opportunity n_periods + m_periods_in_future."""
        m = int(m_periods_in_future)
        if m < 1:
            raise ValueError("m_periods_in_future must be at least 1")
        n = _values(n_periods)
        p = self._check().prob_alive(_values(frequency), _values(recency), n)
        g, d = self._m.params["gamma"], self._m.params["delta"]
        # B(g, d+n+m)/B(g, d+n+1) as a product over the extra periods (a loop
        # over periods, not customers)
        for k in range(1, m):
            p = p * (d + n + k) / (g + d + n + k)
        return _wrap(p, frequency, recency, n_periods)

    def expected_number_of_transactions_in_first_n_periods(self, n) -> Predicted:
        """Expected purchases of a new customer in the first ``n`` opportunities."""
        return _wrap(self._check().expected_purchases(_values(n)), n)

    def expected_number_of_purchases_up_to_time(self, n) -> Predicted:
        """Same as :meth:`expected_number_of_transactions_in_first_n_periods`."""
        return self.expected_number_of_transactions_in_first_n_periods(n)

    def probability_of_n_purchases_up_to_time(self, n_periods, n) -> Predicted:
        """P(X(n_periods) = n) for a new customer."""
        return _wrap(self._check().prob_purchases(_values(n_periods), _values(n)), n_periods, n)


_FREQ = {"W": 4.345, "M": 1.0, "D": 30.0, "H": 30.0 * 24}


class GammaGammaFitter(_BaseFitter):
    """Gamma-Gamma spend model (Fader, Hardie and Lee 2005): parameters p, q, v
    (lifetimes' names; the C library calls v gamma)."""

    _model = "gamma_gamma"

    @property
    def params_(self) -> "pd.Series":
        """Fitted p, q, v as a pandas Series."""
        import pandas as pd

        p = self._check().params
        return pd.Series({"p": p["p"], "q": p["q"], "v": p["gamma"]}, name="coef")

    @property
    def standard_errors_(self) -> "pd.Series":
        """Standard errors of p, q, v as a pandas Series."""
        import pandas as pd

        s = self._check().stderr
        return pd.Series({"p": s["p"], "q": s["q"], "v": s["gamma"]}, name="se(coef)")

    def fit(self: _F, frequency, monetary_value, weights=None, initial_params=None, verbose=False, tol=None, index=None,
            q_constraint=False, **kwargs) -> _F:
        """Fit on repeat buyers' frequency and average spend (x = 0 rows are ignored)."""
        self._m = Model.fit_spend(_values(frequency), _values(monetary_value),
                                  None if weights is None else _values(weights), penalty=self.penalizer_coef)
        return self

    def conditional_expected_average_profit(self, frequency=None, monetary_value=None) -> Predicted:
        """Expected average spend per transaction given each customer's history."""
        return _wrap(self._check().expected_spend(_values(frequency), _values(monetary_value)), frequency,
                     monetary_value)

    def customer_lifetime_value(self, transaction_prediction_model, frequency, recency, T, monetary_value, time=12,
                                discount_rate=0.01, freq="D") -> Predicted:
        """Discounted CLV over ``time`` months; ``freq`` is the time unit of
        the transaction model ("D" days, "W" weeks, "M" months, "H" hours)."""
        txn = getattr(transaction_prediction_model, "model", transaction_prediction_model)
        if freq not in _FREQ:
            raise ValueError(f"freq must be one of {sorted(_FREQ)}")
        v = txn.lifetime_value(self._check(), _values(frequency), _values(recency), _values(T),
                               _values(monetary_value), months=int(time), discount_rate=float(discount_rate),
                               periods_per_month=_FREQ[freq])
        return _wrap(v, frequency, recency, T, monetary_value)
