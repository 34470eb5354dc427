"""Experience: finished trials as rows the policy learns from, and the pool of the best.

A :class:`Row` is one finished configuration as tokens (one per hyperparameter, ``inactive``
where the trial did not have it), the unit position of each continuous value (NaN
elsewhere), the fidelity it ran at, and its self-play score (oriented so larger is better,
``-inf`` for a failure).

The experience pool is the best ``elite_fraction`` of the history at the learning fidelity,
at most ``max_elites`` rows, best first, with replay weights that decrease with rank. It is
replayed in every update and anchors local refinement when sampling.

Example:
    >>> import numpy as np
    >>> rows = [Row(i, np.array([i]), np.array([np.nan]), 1.0, s)
    ...         for i, s in enumerate([0.1, 0.7, -np.inf, 0.4])]
    >>> [r.number for r in make_pool(rows, fraction=0.5, max_size=8).rows]
    [1, 3]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from optuna.trial import FrozenTrial, TrialState

from rocket_hpo.agent._advantages import pool_size, pool_weights, select_pool
from rocket_hpo.agent._heads import Head

__all__ = ["Pool", "Row", "encode_config", "encode_trial", "make_pool", "trial_score"]


@dataclass
class Row:
    number: int
    tokens: NDArray[Any]  # (P,) int
    units: NDArray[Any]  # (P,) float, NaN unless continuous and active
    fraction: float
    score: float


@dataclass
class Pool:
    rows: list[Row] = field(default_factory=list)
    weights: NDArray[Any] = field(default_factory=lambda: np.zeros(0))

    def arrays(self) -> tuple[NDArray[Any], NDArray[Any]]:
        """(k, P) tokens and (k, P) unit positions of the members."""
        if not self.rows:
            return np.zeros((0, 0), dtype=np.int64), np.zeros((0, 0))
        return (np.stack([r.tokens for r in self.rows]), np.stack([r.units for r in self.rows]))


def trial_score(trial: FrozenTrial, maximize: bool) -> float:
    """The self-play score of a finished trial: its value, negated when minimising;
    ``-inf`` for a failed or pruned trial or a NaN/inf value (they rank last)."""
    if trial.state != TrialState.COMPLETE or trial.values is None or len(trial.values) != 1:
        return -math.inf
    v = float(trial.values[0])
    if not math.isfinite(v):
        return -math.inf
    return v if maximize else -v


def encode_trial(heads: Sequence[Head], trial: FrozenTrial, fraction: float, score: float) -> Row:
    """The row for ``trial``; a parameter whose distribution no longer matches its head
    (the objective changed it) counts as absent."""
    params = {
        h.name: trial.params[h.name] for h in heads
        if h.name in trial.params and trial.distributions[h.name] == h.distribution
    }
    tokens, units = encode_config(heads, params)
    return Row(trial.number, tokens, units, fraction, score)


def encode_config(
    heads: Sequence[Head], config: Mapping[str, Any]
) -> tuple[NDArray[Any], NDArray[Any]]:
    """(tokens, unit positions) of a configuration; absent names are inactive."""
    P = len(heads)
    inactive = max(h.n_outputs for h in heads) if heads else 0
    tokens = np.full(P, inactive, dtype=np.int64)
    units = np.full(P, np.nan)
    for p, head in enumerate(heads):
        if head.name not in config:
            continue
        value: Any = config[head.name]
        tokens[p] = head.token(value)
        if head.kind == "continuous":
            units[p] = head.unit(value)
    return tokens, units


def make_pool(history: Sequence[Row], fraction: float, max_size: int) -> Pool:
    """The experience pool of ``history`` (see the module docstring)."""
    if not history:
        return Pool()
    scores = np.array([r.score for r in history])
    idx = select_pool(scores, pool_size(len(history), fraction, max_size))
    rows = [history[i] for i in idx]
    return Pool(rows, pool_weights(len(rows)) if rows else np.zeros(0))
