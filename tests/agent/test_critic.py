"""The critic that picks among proposals: what it prefers, failures and the regions where
they happen, inactive hyperparameters, its own draws, and that screening proposals helps a
study."""

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


def test_a_region_that_fails_is_rated_down_even_next_to_the_best() -> None:
    # Scores rise towards x = 0.4; every trial above 0.4 failed. Without the feasibility
    # factor the better rows' kernels spill over the cliff.
    xs = np.linspace(0.0, 1.0, 41)
    configs = [{"x": float(x), "act": "relu"} for x in xs]
    scores = [float(x) if x <= 0.4 else -math.inf for x in xs]
    critic = Critic.fit(HEADS, rows(configs, scores), 0.1)
    inside, beyond = rate(critic, [{"x": 0.38, "act": "relu"}, {"x": 0.45, "act": "relu"}])
    assert inside > beyond + 2.0  # e**2: over 7 times less likely to be picked
    # No failures: no feasibility factor at all.
    assert Critic.fit(HEADS, rows(configs[:10], scores[:10]), 0.1).failed is None


def test_own_draws_follow_the_better_rows_and_the_space() -> None:
    space = Space(x=Float(0.0, 1.0), act=Categorical(["relu", "tanh", "gelu"]),
                  slope=Float(0.0, 1.0, when=("act", "tanh")))
    heads = [make_head("x", FloatDistribution(0.0, 1.0), 16),
             make_head("act", CategoricalDistribution(["relu", "tanh", "gelu"]), 16),
             make_head("slope", FloatDistribution(0.0, 1.0), 16)]
    rng = np.random.default_rng(0)
    configs: list[dict[str, Any]] = []
    for x in rng.random(60):
        c: dict[str, Any] = {"x": float(x), "act": str(rng.choice(["relu", "tanh", "gelu"]))}
        if c["act"] == "tanh":
            c["slope"] = float(rng.random())
        configs.append(c)
    scores = [-abs(c["x"] - 0.8) - (c["act"] != "gelu") for c in configs]
    history = [Row(i, *encode_config(heads, c), 1.0, sc)
               for i, (c, sc) in enumerate(zip(configs, scores, strict=True))]
    critic = Critic.fit(heads, history, 0.2)
    draws = [critic.sample(space, {"x": 0, "act": 1, "slope": 2}, rng) for _ in range(400)]
    for d in draws:
        space.validate(d)  # in range, and "slope" only where "act" is tanh
        assert ("slope" in d) == (d["act"] == "tanh")
    assert np.mean([d["act"] == "gelu" for d in draws]) > 0.6
    # Uniform draws would lie 0.34 from x = 0.8 on average.
    assert np.mean([abs(d["x"] - 0.8) for d in draws]) < 0.2


def test_screening_proposals_helps_a_study() -> None:
    space = Space(**{f"x{i}": Float(-3.0, 3.0) for i in range(4)},
                  act=Categorical(["relu", "tanh", "gelu"]))

    def objective(trial: optuna.Trial) -> float:
        c = space.suggest(trial)
        return sum((c[f"x{i}"] - 0.5 * i) ** 2 for i in range(4)) + (c["act"] != "gelu")

    def late_mean(seed: int, **settings: Any) -> float:
        sampler = RocketSampler(space, seed=seed, **settings)
        study = optuna.create_study(sampler=sampler)
        study.optimize(objective, n_trials=60)
        return float(np.mean([t.value for t in study.trials[-30:]]))

    screened = np.mean([late_mean(s) for s in range(3)])  # the defaults
    policy_screened = np.mean([late_mean(s, critic_candidates=0) for s in range(3)])
    unscreened = np.mean([late_mean(s, n_candidates=1, critic_candidates=0) for s in range(3)])
    assert screened < unscreened
    assert policy_screened < unscreened
