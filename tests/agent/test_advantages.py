"""Self-play advantages are rank-based, scale-free, and put failures last."""

from __future__ import annotations

import numpy as np

from rocket_hpo.agent._advantages import (
    group_advantages,
    percentiles,
    pool_size,
    pool_weights,
    select_pool,
)


def test_percentiles_are_scale_free_and_share_ties() -> None:
    s = np.array([3.0, 1.0, 2.0, 2.0])
    np.testing.assert_allclose(percentiles(s), [0.0, 1.0, 0.5, 0.5])
    np.testing.assert_allclose(percentiles(1000 * s - 7), percentiles(s))


def test_failures_rank_last_and_never_enter_the_pool() -> None:
    s = np.array([-np.inf, 0.1, -np.inf, 0.5])
    p = percentiles(s)
    assert p[0] == p[2] == p.max()
    assert select_pool(s, 10).tolist() == [3, 1]
    adv = group_advantages(np.array([-np.inf, 0.5]), s)
    assert adv[0] < 0 < adv[1]


def test_pool_weights_decrease_with_rank_and_average_one() -> None:
    w = pool_weights(8)
    assert np.all(np.diff(w) < 0) and np.all(w > 0)
    assert abs(w.mean() - 1.0) < 1e-12


def test_pool_size_is_bounded() -> None:
    assert pool_size(3, 0.25, 24) == 1
    assert pool_size(40, 0.25, 24) == 10
    assert pool_size(1000, 0.25, 24) == 24


def test_group_advantages_credit_beating_siblings_and_history() -> None:
    history = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    adv = group_advantages(np.array([6.0, 5.0]), history)
    assert adv[0] > adv[1]
    assert adv[0] == 1.0
    assert abs(group_advantages(np.array([3.5]), np.append(history, 3.5))[0]) < 0.2
