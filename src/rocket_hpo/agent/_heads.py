"""Typed output heads: how one hyperparameter becomes a token the policy can emit, and back.

Every hyperparameter is an Optuna distribution. The policy emits one *token* per
hyperparameter, an index into a small set of outputs:

- ``categorical``: one output per choice (unordered).
- ``grid``: integers (or stepped floats) with at most ``n_bins`` values: one output per value
  (ordered, so training targets are smoothed over neighbours).
- ``continuous``: everything else: ``n_bins`` equal bins of the unit interval (log-mapped
  where ``log``); a value is drawn inside the chosen bin (uniform jitter, or refined around
  an elite that lies in that bin), then mapped back. Integers round; stepped floats snap.

Example:
    >>> from optuna.distributions import FloatDistribution
    >>> head = make_head("lr", FloatDistribution(1e-4, 1.0, log=True), n_bins=4)
    >>> head.kind, head.n_outputs, head.token(1e-4), head.token(1.0)
    ('continuous', 4, 0, 3)
    >>> round(head.value(0.5), 6)
    0.01
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

__all__ = ["Head", "make_head"]

Kind = Literal["categorical", "grid", "continuous"]


@dataclass(frozen=True)
class Head:
    """One hyperparameter as the policy sees it."""

    name: str
    distribution: BaseDistribution
    kind: Kind
    n_outputs: int
    # Numeric geometry: values live on low + k * step (k = 0..n_values-1) when n_values > 0.
    n_values: int = 0

    @property
    def ordered(self) -> bool:
        return self.kind != "categorical"

    # --- value -> (token, unit position) ----------------------------------------------
    def unit(self, value: Any) -> float:
        """Position of a numeric ``value`` in [0, 1] (each grid value gets an equal share)."""
        d = self.distribution
        assert isinstance(d, FloatDistribution | IntDistribution)
        lo, hi = float(d.low), float(d.high)
        v = float(value)
        if self.n_values:
            k = round((v - lo) / float(d.step or 1))
            return _clip((k + 0.5) / self.n_values)
        if d.log and isinstance(d, IntDistribution):
            a, b = math.log(lo - 0.5), math.log(hi + 0.5)
            return _clip((math.log(max(v, lo)) - a) / (b - a))
        if hi == lo:
            return 0.5
        if d.log:
            return _clip((math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo)))
        return _clip((v - lo) / (hi - lo))

    def token(self, value: Any) -> int:
        """The output index for ``value``."""
        d = self.distribution
        if isinstance(d, CategoricalDistribution):
            return int(d.to_internal_repr(value))
        u = self.unit(value)
        return min(int(u * self.n_outputs), self.n_outputs - 1)

    # --- (token, unit position) -> value ----------------------------------------------
    def value(self, u: float) -> Any:
        """The numeric value at unit position ``u``."""
        d = self.distribution
        assert isinstance(d, FloatDistribution | IntDistribution)
        u = _clip(u)
        lo, hi = float(d.low), float(d.high)
        if self.n_values:
            k = min(int(u * self.n_values), self.n_values - 1)
            if isinstance(d, IntDistribution):
                return int(d.low + k * d.step)
            return float(min(lo + k * float(d.step or 1), hi))
        if d.log and isinstance(d, IntDistribution):
            a, b = math.log(lo - 0.5), math.log(hi + 0.5)
            return int(min(max(round(math.exp(a + u * (b - a))), d.low), d.high))
        if d.log:
            x = math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
        else:
            x = lo + u * (hi - lo)
        return float(min(max(x, lo), hi))

    def snap(self, u: NDArray[np.float64] | float) -> NDArray[np.float64]:
        """``unit(value(u))`` for an array of numeric positions: where each drawn position is
        stored once it is a value (grids and integers snap). The same arithmetic as the two
        scalar methods, vectorised: the screen decodes 64 draws per hyperparameter, and the
        scalar round trip per draw cost a tenth of a proposal."""
        d = self.distribution
        assert isinstance(d, FloatDistribution | IntDistribution)
        u = np.clip(np.asarray(u, dtype=np.float64), 0.0, 1.0)
        lo, hi = float(d.low), float(d.high)
        if self.n_values:
            k = np.minimum((u * self.n_values).astype(np.int64), self.n_values - 1)
            step = float(d.step or 1)
            v = lo + k * step if isinstance(d, IntDistribution) else np.minimum(lo + k * step, hi)
            return np.clip((np.rint((v - lo) / step) + 0.5) / self.n_values, 0.0, 1.0)
        if d.log and isinstance(d, IntDistribution):
            a, b = math.log(lo - 0.5), math.log(hi + 0.5)
            v = np.clip(np.rint(np.exp(a + u * (b - a))), d.low, d.high)
            return np.clip((np.log(np.maximum(v, lo)) - a) / (b - a), 0.0, 1.0)
        if hi == lo:
            return np.full_like(u, 0.5)
        if d.log:
            log_lo, log_hi = math.log(lo), math.log(hi)
            x: NDArray[np.float64] = np.clip(np.exp(log_lo + u * (log_hi - log_lo)), lo, hi)
            return np.clip((np.log(x) - log_lo) / (log_hi - log_lo), 0.0, 1.0)
        x = np.clip(lo + u * (hi - lo), lo, hi)
        return np.clip((x - lo) / (hi - lo), 0.0, 1.0)

    def decode(self, token: int, u: float | None = None) -> Any:
        """The value for ``token``; ``u`` (a unit position inside the token's bin) for
        continuous heads, the bin centre when omitted."""
        d = self.distribution
        if isinstance(d, CategoricalDistribution):
            return d.choices[token]
        if self.kind == "grid":
            return self.value((token + 0.5) / self.n_outputs)
        return self.value((token + 0.5) / self.n_outputs if u is None else u)

    def bin_range(self, token: int) -> tuple[float, float]:
        return token / self.n_outputs, (token + 1) / self.n_outputs


def _clip(u: float) -> float:
    return min(max(u, 0.0), 1.0)


def make_head(name: str, distribution: BaseDistribution, n_bins: int) -> Head:
    """The head for an Optuna distribution (see the module docstring for the three kinds)."""
    d = distribution
    if isinstance(d, CategoricalDistribution):
        return Head(name, d, "categorical", len(d.choices))
    if isinstance(d, IntDistribution):
        if d.log:
            n = d.high - d.low + 1
            if n <= n_bins:
                return Head(name, d, "grid", n, n)
            return Head(name, d, "continuous", n_bins)
        n = (d.high - d.low) // d.step + 1
        return Head(name, d, "grid" if n <= n_bins else "continuous", min(n, n_bins), n)
    if isinstance(d, FloatDistribution):
        if d.step is not None:
            n = int(round((d.high - d.low) / d.step)) + 1
            return Head(name, d, "grid" if n <= n_bins else "continuous", min(n, n_bins), n)
        return Head(name, d, "continuous", n_bins)
    raise TypeError(f"Unsupported distribution for {name!r}: {d!r}")
