"""Statistics: bootstrap intervals, ranks, the Wilcoxon comparison and time to target."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rocket_hpo.bench.stats import (
    bootstrap_ci,
    mean_ranks,
    regret_curve,
    time_to_target,
    wilcoxon_vs_best_peer,
)


def test_bootstrap_interval_brackets_the_mean_and_shrinks_with_n() -> None:
    rng = np.random.default_rng(0)
    small = bootstrap_ci(rng.normal(size=10))
    large = bootstrap_ci(rng.normal(size=1000))
    assert small[1] <= small[0] <= small[2]
    assert large[2] - large[1] < small[2] - small[1]
    assert all(math.isnan(v) for v in bootstrap_ci([]))


def test_mean_ranks_average_ties() -> None:
    regrets = {"t": {"a": {0: 0.1, 1: 0.2}, "b": {0: 0.1, 1: 0.3}, "c": {0: 0.5, 1: 0.0}}}
    assert mean_ranks(regrets) == {"a": pytest.approx(1.75), "b": pytest.approx(2.25),
                                   "c": pytest.approx(2.0)}


def test_wilcoxon_picks_the_best_peer_and_ignores_rocket_variants() -> None:
    by_opt = {
        "rocket": {s: 0.1 for s in range(10)},
        "rocket-full": {s: 0.0 for s in range(10)},
        "tpe": {s: 0.2 + 0.01 * s for s in range(10)},
        "random": {s: 0.5 for s in range(10)},
    }
    w = wilcoxon_vs_best_peer(by_opt)
    assert w is not None and w["peer"] == "tpe" and w["n"] == 10
    assert w["median_diff"] < 0 and w["p"] < 0.01
    assert wilcoxon_vs_best_peer({"tpe": {0: 0.1}}) is None


def test_regret_curve_and_time_to_target() -> None:
    record = {"task": "t", "budget": 10.0, "trace": [],
              "regret_trace": [[2.0, 0.5], [6.0, 0.1]]}
    grid = np.array([0.0, 1.9, 2.0, 5.0, 6.0, 10.0])
    assert regret_curve(record, grid, {}).tolist() == [1.0, 1.0, 0.5, 0.5, 0.1, 0.1]
    assert time_to_target(record, 0.5, {}) == 2.0
    assert time_to_target(record, 0.2, {}) == 6.0
    assert time_to_target(record, 0.05, {}) == math.inf
