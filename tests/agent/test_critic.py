"""The critic that re-ranks policy proposals: what it prefers, failures, inactive
hyperparameters, and that screening proposals helps a study."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution

from rocket_hpo import RocketSampler
from rocket_hpo.agent._critic import Critic
from rocket_hpo.agent._heads import make_head
from rocket_hpo.agent._pool import Row, encode_config
from rocket_hpo.space import Categorical, Float, Space

optuna.logging.set_verbosity(optuna.logging.WARNING)

HEADS = [
    make_head("x", FloatDistribution(0.0, 1.0), 16),
    make_head("act", CategoricalDistribution(["relu", "tanh", "gelu"]), 16),
]


def rows(configs: list[dict[str, Any]], scores: list[float]) -> list[Row]:
    out = []
    for i, (c, s) in enumerate(zip(configs, scores, strict=True)):
        tokens, units = encode_config(HEADS, c)
        out.append(Row(i, tokens, units, 1.0, s))
    return out


def rate(critic: Critic, configs: list[dict[str, Any]]) -> np.ndarray:
    encoded = [encode_config(HEADS, c) for c in configs]
    return critic.score(np.stack([u for _, u in encoded]), np.stack([t for t, _ in encoded]))


def test_prefers_the_region_and_choice_of_the_better_results() -> None:
    rng = np.random.default_rng(0)
    configs = [{"x": float(x), "act": a}
               for x, a in zip(rng.random(40), rng.choice(["relu", "tanh", "gelu"], 40),
                               strict=True)]
    scores = [-abs(c["x"] - 0.7) - (0.0 if c["act"] == "tanh" else 0.5) for c in configs]
    critic = Critic.fit(HEADS, rows(configs, scores), gamma=0.2)
    near, far = rate(critic, [{"x": 0.7, "act": "tanh"}, {"x": 0.1, "act": "tanh"}])
    assert near > far
    tanh, relu = rate(critic, [{"x": 0.7, "act": "tanh"}, {"x": 0.7, "act": "relu"}])
    assert tanh > relu


def test_only_ranks_matter_and_failures_are_never_better() -> None:
    configs = [{"x": x, "act": "relu"} for x in np.linspace(0.0, 1.0, 12)]
    scores = [-abs(c["x"] - 0.3) for c in configs]
    a = rate(Critic.fit(HEADS, rows(configs, scores), 0.25), configs)
    # A monotone change of scale (here exp and x1000) gives the same ratings.
    b = rate(Critic.fit(HEADS, rows(configs, [1000 * math.exp(s) for s in scores]), 0.25),
             configs)
    np.testing.assert_allclose(a, b)
    # All failures but one: the "better" part is that one row, never a failure.
    failed = [-math.inf] * 11 + [0.0]
    critic = Critic.fit(HEADS, rows(configs, failed), 0.5)
    assert np.argmax(rate(critic, configs)) == 11


def test_inactive_hyperparameters_count_as_their_own_outcome() -> None:
    # The better rows all lack "x" (say, a branch without it): a candidate without it wins.
    configs = [{"act": "relu"}] * 6 + [{"x": float(x), "act": "relu"} for x in np.linspace(0, 1, 18)]
    scores = [1.0] * 6 + [0.0] * 18
    critic = Critic.fit(HEADS, rows(configs, scores), 0.25)
    without, with_x = rate(critic, [{"act": "relu"}, {"x": 0.5, "act": "relu"}])
    assert without > with_x


def test_screening_proposals_helps_a_study() -> None:
    space = Space(**{f"x{i}": Float(-3.0, 3.0) for i in range(4)},
                  act=Categorical(["relu", "tanh", "gelu"]))

    def objective(trial: optuna.Trial) -> float:
        c = space.suggest(trial)
        return sum((c[f"x{i}"] - 0.5 * i) ** 2 for i in range(4)) + (c["act"] != "gelu")

    def late_mean(n_candidates: int, seed: int) -> float:
        sampler = RocketSampler(space, seed=seed, n_candidates=n_candidates)
        study = optuna.create_study(sampler=sampler)
        study.optimize(objective, n_trials=60)
        return float(np.mean([t.value for t in study.trials[-30:]]))

    screened = np.mean([late_mean(16, s) for s in range(3)])
    unscreened = np.mean([late_mean(1, s) for s in range(3)])
    assert screened < unscreened
