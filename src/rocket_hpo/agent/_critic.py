"""The critic: which of several policy proposals to evaluate next.

Sampling one configuration from the policy and evaluating it spends a whole evaluation on
whatever the policy happened to draw. Instead the agent draws ``n_candidates``
configurations and evaluates the one its critic rates best. The critic is self-play too:
it splits the agent's own history at the learning fidelity by rank into the better
``critic_gamma`` share and the rest (failures always in the rest), fits a density to each
(one factor per hyperparameter: a Parzen window over unit positions for ordered ones,
smoothed counts for categorical ones, and the share of rows where it was inactive), and
rates a candidate by the log ratio better/rest. Only ranks enter, never the scores' scale.

The policy still decides *where* candidates come from (its learned joint distribution and
the pool refinement); the critic only re-ranks them, so what the policy has not learned
(dependencies between hyperparameters) the product-form critic does not have to.

Example:
    >>> import numpy as np
    >>> from optuna.distributions import FloatDistribution
    >>> from rocket_hpo.agent._heads import make_head
    >>> from rocket_hpo.agent._pool import Row
    >>> head = make_head("x", FloatDistribution(0.0, 1.0), 16)
    >>> rows = [Row(i, np.array([head.token(u)]), np.array([u]), 1.0, -abs(u - 0.8))
    ...         for i, u in enumerate(np.linspace(0.0, 1.0, 21))]
    >>> critic = Critic.fit([head], rows, gamma=0.2)
    >>> bool(critic.score(np.array([[0.8]]), np.array([[12]]))[0]
    ...      > critic.score(np.array([[0.1]]), np.array([[1]]))[0])
    True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rocket_hpo.agent._heads import Head
from rocket_hpo.agent._pool import Row

__all__ = ["Critic", "coordinates"]


def coordinates(heads: Sequence[Head], tokens: NDArray[Any], units: NDArray[Any]) -> NDArray[Any]:
    """(B, P) positions the critic compares: the unit position of an ordered value (bin
    centre for a grid), the token of a categorical one, NaN where inactive."""
    out = np.full(tokens.shape, np.nan)
    for p, head in enumerate(heads):
        active = tokens[:, p] < head.n_outputs
        if head.kind == "continuous":
            out[active, p] = units[active, p]
        elif head.kind == "grid":
            out[active, p] = (tokens[active, p] + 0.5) / head.n_outputs
        else:
            out[active, p] = tokens[active, p]
    return out


@dataclass
class _Density:
    """A product density over hyperparameters, fitted to some rows' coordinates."""

    coords: NDArray[Any]  # (n, P)
    bandwidth: NDArray[Any]  # (P,) for ordered heads (unused for categorical)

    def log_pdf(self, heads: Sequence[Head], x: NDArray[Any]) -> NDArray[Any]:
        """(B, P) candidate coordinates -> (B,) log density (sum over hyperparameters)."""
        n = len(self.coords)
        out = np.zeros(len(x))
        for p, head in enumerate(heads):
            col = self.coords[:, p]
            seen = col[np.isfinite(col)]
            x_p = x[:, p]
            active = np.isfinite(x_p)
            # Share of rows where the hyperparameter was present, with a half-row prior.
            p_active = (len(seen) + 0.5) / (n + 1.0)
            dens = np.full(len(x), 1.0 - p_active)
            if active.any():
                dens[active] = p_active * self._value_density(head, p, seen, x_p[active])
            out += np.log(dens)
        return out

    def _value_density(
        self, head: Head, p: int, seen: NDArray[Any], x: NDArray[Any]
    ) -> NDArray[Any]:
        m = len(seen)
        if head.kind == "categorical":
            k = head.n_outputs
            counts = np.bincount(seen.astype(np.int64), minlength=k).astype(float)
            probs: NDArray[Any] = (counts + 1.0 / k) / (m + 1.0)  # one uniform pseudo-row
            return probs[x.astype(np.int64)]
        # Parzen window on [0, 1] plus one uniform pseudo-point (TPE's prior, in spirit).
        bw = self.bandwidth[p]
        if m == 0:
            return np.ones(len(x))
        z = (x[:, None] - seen[None, :]) / bw
        kernel = np.exp(-0.5 * z * z).sum(1) / (bw * math.sqrt(2 * math.pi))
        out: NDArray[Any] = (kernel + 1.0) / (m + 1.0)
        return out


def _fit_density(heads: Sequence[Head], coords: NDArray[Any]) -> _Density:
    bandwidth = np.ones(len(heads))
    for p, head in enumerate(heads):
        col = coords[:, p]
        col = col[np.isfinite(col)]
        if head.kind == "categorical" or len(col) == 0:
            continue
        # Scott's rule on the unit interval, floored at half a bin so a grid or a tight
        # cluster still spreads to its neighbours, capped so one point never covers all.
        floor = 0.5 / head.n_outputs
        sd = float(col.std()) if len(col) > 1 else 0.25
        bandwidth[p] = min(max(1.06 * sd * len(col) ** -0.2, floor), 0.5)
    return _Density(coords, bandwidth)


@dataclass
class Critic:
    heads: list[Head]
    better: _Density
    rest: _Density

    @classmethod
    def fit(cls, heads: Sequence[Head], history: Sequence[Row], gamma: float) -> Critic:
        """Split ``history`` by rank (the better ``gamma`` share, at least one row, never a
        failure) and fit a density to each part."""
        tokens = np.stack([r.tokens for r in history])
        units = np.stack([r.units for r in history])
        scores = np.array([r.score for r in history])
        coords = coordinates(heads, tokens, units)
        finite = np.flatnonzero(np.isfinite(scores))
        n_better = min(max(1, math.ceil(gamma * len(history))), len(finite))
        order = finite[np.argsort(-scores[finite], kind="stable")]
        better = np.zeros(len(history), dtype=bool)
        better[order[:n_better]] = True
        return cls(list(heads), _fit_density(heads, coords[better]),
                   _fit_density(heads, coords[~better]))

    def score(self, units: NDArray[Any], tokens: NDArray[Any]) -> NDArray[Any]:
        """(B, P) candidates -> (B,) log density ratio better / rest (higher is better)."""
        x = coordinates(self.heads, tokens, units)
        out: NDArray[Any] = self.better.log_pdf(self.heads, x) - self.rest.log_pdf(self.heads, x)
        return out
