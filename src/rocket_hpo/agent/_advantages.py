"""Self-play advantages: every result is ranked against the agent's own results, never an
absolute scale, so the same agent works on accuracy, loss, BLEU or F1.

Scores are oriented so that larger is better; a failed trial (exception, NaN, inf, pruned)
has score ``-inf`` and ranks last.

Example:
    >>> import numpy as np
    >>> scores = np.array([0.2, 0.9, -np.inf, 0.5])
    >>> percentiles(scores).tolist()       # 0 = best, 1 = worst
    [0.6666666666666666, 0.0, 1.0, 0.3333333333333333]
    >>> pool_weights(3).round(3).tolist()  # better ones weighted more, mean 1
    [1.911, 0.854, 0.235]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray
from optuna.trial import FrozenTrial, TrialState

__all__ = [
    "group_advantages", "percentiles", "pool_size", "pool_weights", "select_pool", "trial_score",
]


def trial_score(trial: FrozenTrial, maximize: bool) -> float:
    """The self-play score of a finished trial: its value, negated when minimising;
    ``-inf`` for a failed or pruned trial or a NaN/inf value (they rank last)."""
    if trial.state != TrialState.COMPLETE or trial.values is None or len(trial.values) != 1:
        return -math.inf
    v = float(trial.values[0])
    if not math.isfinite(v):
        return -math.inf
    return v if maximize else -v


def percentiles(scores: NDArray[Any]) -> NDArray[Any]:
    """Rank of each score among all of them, scaled to [0 (best), 1 (worst)]; ties share
    their mean rank, so equal results get equal credit."""
    n = len(scores)
    if n <= 1:
        return np.zeros(n)
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(n)
    ranks[order] = np.arange(n, dtype=float)
    # Average ranks over ties (including all failures, which tie at -inf).
    for value in np.unique(scores):
        same = scores == value
        if same.sum() > 1:
            ranks[same] = ranks[same].mean()
    return ranks / (n - 1)


def pool_size(n_history: int, fraction: float, max_size: int) -> int:
    """How many of ``n_history`` results form the experience pool (at least 1)."""
    return max(1, min(max_size, math.ceil(fraction * n_history)))


def pool_weights(k: int) -> NDArray[Any]:
    """Replay weights for the pool's members, best first: log-rank decreasing, mean 1."""
    w: NDArray[Any] = np.log(k + 0.5) - np.log(np.arange(1, k + 1))
    out: NDArray[Any] = w * (k / w.sum())
    return out


def select_pool(scores: NDArray[Any], size: int) -> NDArray[Any]:
    """Indices of the ``size`` best finite scores, best first (failures never enter)."""
    finite = np.flatnonzero(np.isfinite(scores))
    order = finite[np.argsort(-scores[finite], kind="stable")]
    return order[:size]


def group_advantages(group_scores: NDArray[Any], history_scores: NDArray[Any]) -> NDArray[Any]:
    """Signed advantages in [-1, 1] for the latest group: the mean of its rank within the
    group and its rank within the whole history (both centred), so a proposal is credited
    for beating its siblings and for beating the agent's past."""
    in_group = 1.0 - 2.0 * percentiles(group_scores)
    if len(group_scores) <= 1:
        in_group = np.zeros(len(group_scores))
    n = len(history_scores)
    # Rank of each group score among the history (which contains it): 0 = best.
    beaten_by = np.array([(history_scores > s).sum() + 0.5 * ((history_scores == s).sum() - 1)
                          for s in group_scores])
    in_history = 1.0 - 2.0 * beaten_by / max(n - 1, 1)
    out: NDArray[Any] = 0.5 * (in_group + in_history)
    return out
