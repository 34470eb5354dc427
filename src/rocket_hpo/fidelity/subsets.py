"""Nested, seeded, stratified subsets of a training set.

For one seed, the subset at a smaller fraction is always contained in the subset at a
larger one: each class's indices are shuffled once and every fraction takes a prefix.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["nested_subset"]


def nested_subset(
    n_or_labels: int | np.ndarray, fraction: float, seed: int = 0, stratify: bool = True
) -> np.ndarray:
    """Sorted indices of a ``fraction`` of the data.

    Args:
        n_or_labels: the number of rows, or the class labels (stratified when ``stratify``).
        fraction: in (0, 1]; each class keeps ``ceil(fraction * class size)`` rows (at least 1).
        seed: the same seed gives nested subsets across fractions.
        stratify: keep class proportions (labels needed).

    Example:
        >>> y = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1])
        >>> small, large = nested_subset(y, 1 / 3, seed=1), nested_subset(y, 2 / 3, seed=1)
        >>> set(small) <= set(large)
        True
    """
    if not isinstance(fraction, int | float) or not 0.0 < float(fraction) <= 1.0:
        raise ValueError(f"The 'fraction' must be a number in (0, 1]. Got {fraction!r} instead.")
    labels: Any
    if isinstance(n_or_labels, int | np.integer):
        labels = np.zeros(int(n_or_labels), dtype=np.int64)
    else:
        labels = np.asarray(n_or_labels)
        if not stratify:
            labels = np.zeros(len(labels), dtype=np.int64)
    rng = np.random.default_rng(seed)
    keep = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        idx = idx[rng.permutation(len(idx))]
        keep.append(idx[: max(1, math.ceil(float(fraction) * len(idx) - 1e-9))])
    if not keep:
        return np.zeros(0, dtype=np.int64)
    return np.sort(np.concatenate(keep))
