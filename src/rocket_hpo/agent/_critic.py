"""The critic: which configuration to evaluate next, and where else to look.

Sampling one configuration from the policy and evaluating it spends a whole evaluation on
whatever the policy happened to draw. Instead, each trial gathers candidates and evaluates
the one the critic rates best. The critic is self-play too: it splits the agent's own
history at the learning fidelity by rank into the better ``critic_gamma`` share and the
rest (failures always in the rest), fits a density to each (one factor per hyperparameter:
a Parzen window over unit positions for ordered ones, smoothed counts for categorical
ones, and the share of rows where it was inactive), and rates a candidate by the log ratio
better/rest. Only ranks enter, never the scores' scale.

The candidates come from two sources: ``n_candidates`` whole configurations drawn from
the policy (its learned joint distribution) and ``critic_candidates`` drawn from the
critic's own better density, one hyperparameter at a time (each value near a randomly
chosen better row). The policy proposes what it has learned, including dependencies
between hyperparameters that the product-form critic cannot express; the critic's draws
recombine the better rows' values and keep proposing near the bounds and between the
modes the policy has not reached. On the development problems the two sources together
beat either one alone (``benchmarks/agent/README.md``, fourth round).

Where trials failed, the rating also adds the log chance that the candidate does not fail,
from densities of the failed and of the finished rows (Bayes' rule with their counts), so
the critic stops proposing into a region that fails even where it borders the best rows.

Each row's Parzen kernel is a Gaussian truncated to [0, 1] as wide as the
larger gap to its neighbouring rows (the interval's ends count as neighbours), so it is
narrow inside a cluster of good rows, wide around a lone one, and keeps its full mass at
a bound, where many hyperparameters have their optimum.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr

from rocket_hpo.agent._agent import uniform_value
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
class _Factor:
    """One hyperparameter's part of a density: the rows' values where it was active."""

    seen: NDArray[Any]  # (m,) unit positions (ordered heads) or tokens (categorical)
    widths: NDArray[Any]  # (m,) kernel widths of ordered heads (empty for categorical)
    norms: NDArray[Any]  # (m,) each truncated kernel's normaliser (empty for categorical)


@dataclass
class _Density:
    """A product density over hyperparameters, fitted to some rows' coordinates."""

    n_rows: int
    factors: list[_Factor]

    def log_pdf(self, heads: Sequence[Head], x: NDArray[Any]) -> NDArray[Any]:
        """(B, P) candidate coordinates -> (B,) log density (sum over hyperparameters)."""
        out = np.zeros(len(x))
        for p, head in enumerate(heads):
            f = self.factors[p]
            x_p = x[:, p]
            active = np.isfinite(x_p)
            # Share of rows where the hyperparameter was present, with a half-row prior.
            p_active = (len(f.seen) + 0.5) / (self.n_rows + 1.0)
            dens = np.full(len(x), 1.0 - p_active)
            if active.any():
                dens[active] = p_active * _value_density(head, f, x_p[active])
            out += np.log(dens)
        return out

    def sample(self, head: Head, p: int, rng: np.random.Generator) -> Any:
        """A value of ``head`` from this density's factor: with the weight of one row a
        uniform draw, else a draw from the kernel of a randomly chosen row."""
        f = self.factors[p]
        m = len(f.seen)
        if m == 0 or rng.random() < 1.0 / (m + 1.0):
            return uniform_value(head, rng)
        i = int(rng.integers(m))
        if head.kind == "categorical":
            return head.decode(int(f.seen[i]))
        u = _truncated_normal(float(f.seen[i]), float(f.widths[i]), rng)
        if head.kind == "continuous":
            return head.value(u)
        return head.decode(min(int(u * head.n_outputs), head.n_outputs - 1))


def _value_density(head: Head, f: _Factor, x: NDArray[Any]) -> NDArray[Any]:
    m = len(f.seen)
    if head.kind == "categorical":
        k = head.n_outputs
        counts = np.bincount(f.seen.astype(np.int64), minlength=k).astype(float)
        probs: NDArray[Any] = (counts + 1.0 / k) / (m + 1.0)  # one uniform pseudo-row
        return probs[x.astype(np.int64)]
    if m == 0:
        return np.ones(len(x))
    # Parzen window of truncated Gaussians on [0, 1] plus one uniform pseudo-row.
    z = (x[:, None] - f.seen[None, :]) / f.widths[None, :]
    kernel = np.exp(-0.5 * z * z) / f.norms[None, :]
    out: NDArray[Any] = (kernel.sum(1) + 1.0) / (m + 1.0)
    return out


def _factor(head: Head, seen: NDArray[Any]) -> _Factor:
    """The factor of ``head`` for the rows' active values ``seen``; an ordered head's kernel
    widths and normalisers (the Gaussian's, times its mass inside [0, 1]) are fixed here,
    once per fit, not at every rating."""
    if head.kind == "categorical" or len(seen) == 0:
        return _Factor(seen, np.zeros(0), np.zeros(0))
    w = _widths(seen, head.n_outputs)
    mass = ndtr((1.0 - seen) / w) - ndtr(-seen / w)
    return _Factor(seen, w, w * math.sqrt(2 * math.pi) * mass)


def _truncated_normal(mu: float, sd: float, rng: np.random.Generator) -> float:
    """A draw from N(mu, sd) truncated to [0, 1) (by rejection; clipped if that fails)."""
    for _ in range(32):
        u = mu + sd * float(rng.normal())
        if 0.0 <= u < 1.0:
            return u
    return float(min(max(mu, 0.0), np.nextafter(1.0, 0.0)))


def _widths(seen: NDArray[Any], n_outputs: int) -> NDArray[Any]:
    """Per-row kernel widths: the larger gap to a neighbouring row (the ends of [0, 1]
    count as neighbours), at most 1 and at least 1 / (m + 2) (with m rows; never below
    1/100) and half a bin, so a grid or a tight cluster still spreads to its neighbours."""
    m = len(seen)
    order = np.argsort(seen, kind="stable")
    ext = np.concatenate([[0.0], seen[order], [1.0]])
    gaps = np.maximum(ext[1:-1] - ext[:-2], ext[2:] - ext[1:-1])
    low = max(1.0 / min(100.0, m + 2.0), 0.5 / n_outputs)
    out = np.empty(m)
    out[order] = np.clip(gaps, low, 1.0)
    return out


def _fit_density(heads: Sequence[Head], coords: NDArray[Any]) -> _Density:
    factors = []
    for p, head in enumerate(heads):
        col = coords[:, p]
        factors.append(_factor(head, col[np.isfinite(col)]))
    return _Density(len(coords), factors)


@dataclass
class Critic:
    heads: list[Head]
    better: _Density
    rest: _Density
    # Where trials failed: densities of the failed and the finished rows, weighted by their
    # counts (None while nothing failed).
    failed: tuple[_Density, _Density, float] | None = None

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
        failed = None
        if 0 < len(finite) < len(history):
            ok = np.isfinite(scores)
            failed = (_fit_density(heads, coords[~ok]), _fit_density(heads, coords[ok]),
                      math.log((~ok).sum() / ok.sum()))
        return cls(list(heads), _fit_density(heads, coords[better]),
                   _fit_density(heads, coords[~better]), failed)

    def sample(self, space: Any, index: Mapping[str, int],
               rng: np.random.Generator) -> dict[str, Any]:
        """A configuration drawn from the better density, in ``space``'s order and with
        only its active hyperparameters (each drawn on its own)."""
        config: dict[str, Any] = {}
        for name in space:
            if space.is_active(name, config):
                p = index[name]
                config[name] = self.better.sample(self.heads[p], p, rng)
        return config

    def score(self, units: NDArray[Any], tokens: NDArray[Any]) -> NDArray[Any]:
        """(B, P) candidates -> (B,) log density ratio better / rest (higher is better)."""
        x = coordinates(self.heads, tokens, units)
        out: NDArray[Any] = self.better.log_pdf(self.heads, x) - self.rest.log_pdf(self.heads, x)
        if self.failed is not None:
            # Plus the log chance that the candidate does not fail, from the same kind of
            # densities fitted to the failed and the finished rows (a feasibility factor).
            fail, ok, log_odds = self.failed
            a = fail.log_pdf(self.heads, x) + log_odds - ok.log_pdf(self.heads, x)
            out -= np.logaddexp(0.0, a)
        return out
