"""Heads map every value to a token and back without leaving the distribution."""

from __future__ import annotations

import numpy as np
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

from rocket_hpo.agent._heads import make_head

DISTS = [
    CategoricalDistribution(["a", "b", None, 3]),
    IntDistribution(1, 5),
    IntDistribution(1, 1000, log=True),
    IntDistribution(0, 100, step=5),
    IntDistribution(2, 9, log=True),
    FloatDistribution(1e-5, 1.0, log=True),
    FloatDistribution(-2.0, 3.0),
    FloatDistribution(0.0, 1.0, step=0.25),
    FloatDistribution(0.0, 10.0, step=0.1),
]


@pytest.mark.parametrize("dist", DISTS, ids=repr)
def test_decoded_values_lie_in_the_distribution_and_round_trip(dist: object) -> None:
    head = make_head("p", dist, n_bins=16)  # type: ignore[arg-type]
    rng = np.random.default_rng(0)
    for _ in range(200):
        token = int(rng.integers(head.n_outputs))
        u = (token + rng.random()) / head.n_outputs
        value = head.decode(token, u)
        assert dist._contains(dist.to_internal_repr(value))  # type: ignore[attr-defined]
        if head.kind != "continuous":
            assert head.token(value) == token
        else:
            # Rounding (ints, steps) may move a value to a neighbouring bin, never further.
            assert abs(head.token(value) - token) <= 1


def test_kinds() -> None:
    assert make_head("c", DISTS[0], 16).kind == "categorical"
    assert make_head("i", DISTS[1], 16).kind == "grid"
    assert make_head("i", DISTS[2], 16).kind == "continuous"
    assert make_head("f", DISTS[7], 16).n_outputs == 5
    assert make_head("f", DISTS[5], 8).n_outputs == 8


def test_log_head_gives_each_decade_the_same_share() -> None:
    head = make_head("lr", FloatDistribution(1e-4, 1.0, log=True), n_bins=4)
    assert [head.token(v) for v in (1.5e-4, 2e-3, 2e-2, 0.5)] == [0, 1, 2, 3]


@pytest.mark.parametrize("dist", [d for d in DISTS if not isinstance(d, CategoricalDistribution)]
                         + [FloatDistribution(0.5, 0.5), IntDistribution(64, 1024, log=True)],
                         ids=repr)
def test_snap_is_the_scalar_round_trip_vectorised(dist: object) -> None:
    """``snap`` (the screen's 64 draws at once) stores exactly what ``unit(value(u))`` does."""
    head = make_head("p", dist, n_bins=64)  # type: ignore[arg-type]
    u = np.concatenate([np.random.default_rng(1).random(2000), [0.0, 1.0, 0.5, 1e-12]])
    assert head.snap(u).tolist() == [head.unit(head.value(float(x))) for x in u]
