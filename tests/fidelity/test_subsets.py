"""Nested, stratified, deterministic subsets (numpy indices and the torch wrapper)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from torch.utils.data import TensorDataset

from rocket_hpo.fidelity import nested_subset, subset_dataset

FRACTIONS = (1 / 27, 1 / 9, 1 / 3, 0.5, 1.0)


def labels(n: int = 600, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.choice(4, size=n, p=[0.55, 0.25, 0.15, 0.05])


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_smaller_fraction_is_contained_in_larger(seed: int) -> None:
    y = labels()
    subsets = [set(nested_subset(y, f, seed)) for f in FRACTIONS]
    for small, large in itertools.pairwise(subsets):
        assert small < large
    assert subsets[-1] == set(range(len(y)))


def test_same_seed_same_subset_other_seed_other_subset() -> None:
    y = labels()
    assert np.array_equal(nested_subset(y, 1 / 9, 3), nested_subset(y, 1 / 9, 3))
    assert not np.array_equal(nested_subset(y, 1 / 9, 3), nested_subset(y, 1 / 9, 4))


def test_stratified_keeps_class_proportions() -> None:
    y = labels(2700)
    for f in (1 / 27, 1 / 9, 1 / 3):
        idx = nested_subset(y, f, seed=0)
        for c in range(4):
            expected = np.ceil(f * (y == c).sum() - 1e-9)
            assert (y[idx] == c).sum() == expected
    # every class survives even when it has fewer rows than 1/fraction
    rare = np.array([0] * 100 + [1] * 2)
    assert set(rare[nested_subset(rare, 1 / 27, seed=0)]) == {0, 1}


def test_unstratified_and_plain_count() -> None:
    idx = nested_subset(1000, 0.1, seed=5)
    assert len(idx) == 100 and len(set(idx)) == 100 and idx.max() < 1000
    y = np.array([0] * 90 + [1] * 10)
    assert len(nested_subset(y, 0.1, seed=0, stratify=False)) == 10


@pytest.mark.parametrize("bad", [0, 0.0, -0.1, 1.5, "half", None])
def test_bad_fraction_is_rejected(bad: object) -> None:
    with pytest.raises(ValueError, match="'fraction' parameter must be a number in \\(0, 1\\]"):
        nested_subset(100, bad, seed=0)  # type: ignore[arg-type]


def test_torch_subset_is_nested_and_stratified_from_targets() -> None:
    y = torch.from_numpy(labels(540))
    ds = TensorDataset(torch.arange(540.0), y)
    ds.targets = y  # torchvision datasets expose their labels as `targets`
    small, large = subset_dataset(ds, 1 / 9, seed=2), subset_dataset(ds, 1 / 3, seed=2)
    assert set(small.indices) < set(large.indices)
    assert list(small.indices) == nested_subset(y.numpy(), 1 / 9, 2).tolist()
    x0, y0 = small[0]
    assert int(x0) == small.indices[0] and int(y0) == int(y[small.indices[0]])


def test_torch_subset_without_labels_and_bad_labels() -> None:
    ds = TensorDataset(torch.arange(100.0))
    assert len(subset_dataset(ds, 0.25, seed=0)) == 25
    with pytest.raises(ValueError, match="one entry per item \\(100\\)"):
        subset_dataset(ds, 0.25, labels=np.zeros(3))
