"""Nested, seeded, stratified subsets of a training set.

For one seed, the subset at a smaller fraction is always contained in the subset at a
larger one: each class's indices are shuffled once and every fraction takes a prefix.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from rocket_hpo._checks import check_number, invalid
from rocket_hpo.errors import UsageError

if TYPE_CHECKING:
    from torch.utils.data import Dataset, Subset

__all__ = ["nested_subset", "subset_dataset"]


def nested_subset(
    n_or_labels: int | NDArray[Any], fraction: float, seed: int = 0, stratify: bool = True
) -> NDArray[np.int64]:
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
    check_number("fraction", fraction, 0, 1, open_low=True)
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


def _labels_of(dataset: Any) -> NDArray[Any] | None:
    """Class labels a dataset exposes (``targets`` as torchvision has, or ``labels``)."""
    for name in ("targets", "labels"):
        value = getattr(dataset, name, None)
        if value is not None:
            arr = np.asarray(value.cpu() if hasattr(value, "cpu") else value)
            if arr.ndim == 1 and len(arr) == len(dataset):
                return arr
    return None


def subset_dataset(
    dataset: Dataset[Any],
    fraction: float,
    seed: int = 0,
    labels: Any = None,
    stratify: bool = True,
) -> Subset[Any]:
    """A ``torch.utils.data.Subset`` with :func:`nested_subset`'s indices.

    Args:
        dataset: a map-style dataset with ``len``.
        fraction: in (0, 1].
        seed: the same seed gives nested subsets across fractions.
        labels: class labels for stratification; by default the dataset's ``targets`` or
            ``labels`` attribute when it has one, else the subset is not stratified.
        stratify: keep class proportions when labels are known.

    Example:
        >>> import torch
        >>> from torch.utils.data import TensorDataset
        >>> ds = TensorDataset(torch.arange(90.0), torch.arange(90) % 3)
        >>> small = subset_dataset(ds, 0.1, seed=0, labels=ds.tensors[1])
        >>> large = subset_dataset(ds, 1 / 3, seed=0, labels=ds.tensors[1])
        >>> len(small), set(small.indices) <= set(large.indices)
        (9, True)
    """
    from torch.utils.data import Subset

    try:
        n = len(dataset)  # type: ignore[arg-type]
    except TypeError:
        raise invalid("dataset", "a map-style dataset with a length",
                      type(dataset).__name__) from None
    if labels is None:
        labels = _labels_of(dataset)
    else:
        labels = np.asarray(labels.cpu() if hasattr(labels, "cpu") else labels)
        if labels.shape != (n,):
            raise UsageError(
                f"The 'labels' parameter must have one entry per item ({n}). "
                f"Got shape {labels.shape}."
            )
    source: int | NDArray[Any] = n if labels is None or not stratify else labels
    return Subset(dataset, nested_subset(source, fraction, seed).tolist())
