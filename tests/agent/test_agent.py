"""The agent on its own: refinement keeps a good parent reachable, updates move the policy
towards the pool and away from the worst, many configurations decoded side by side follow
the same distribution as one at a time, and its state round-trips exactly."""

from __future__ import annotations

import numpy as np
import torch
from optuna.distributions import CategoricalDistribution, FloatDistribution

from rocket_hpo.agent import Agent, AgentSettings
from rocket_hpo.agent._heads import make_head
from rocket_hpo.agent._pool import Row

HEADS = [make_head("c", CategoricalDistribution(["a", "b", "c"]), 8),
         make_head("x", FloatDistribution(0.0, 1.0), 8)]


def rows(n: int, seed: int) -> list[Row]:
    """Configurations scored by: choice 'b' and x near 0.8 are good."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        c, u = int(rng.integers(3)), float(rng.random())
        score = (1.0 if c == 1 else 0.0) - abs(u - 0.8)
        out.append(Row(i, np.array([c, min(int(u * 8), 7)]), np.array([np.nan, u]), 1.0, score))
    return out


def test_updates_move_the_policy_towards_the_pool() -> None:
    agent = Agent(HEADS, AgentSettings(), seed_key=0)
    history = rows(40, 0)
    for _ in range(6):
        agent.update(history, history[-4:])
    assert agent.stage == 6
    draws = [agent.begin(1.0, np.random.default_rng(i), 100) for i in range(200)]
    choices = [agent.draw(d, 0) for d in draws]
    xs = np.array([agent.draw(d, 1) for d in draws])
    assert choices.count("b") > 120
    assert np.mean(np.abs(xs - 0.8) < 0.2) > 0.5


def test_side_by_side_draws_follow_the_one_at_a_time_distribution() -> None:
    from rocket_hpo.space import Categorical, Float, Space

    space = Space(c=Categorical(["a", "b", "c"]), x=Float(0.0, 1.0, when=("c", ["b", "c"])))
    agent = Agent(HEADS, AgentSettings(explore_end=0.0), seed_key=0)
    history = rows(40, 0)
    for _ in range(3):
        agent.update(history, history[-4:])
    many = agent.draw_many(1.0, np.random.default_rng(0), 100, 3000, space)
    single = []
    rng = np.random.default_rng(1)
    for _ in range(3000):
        d = agent.begin(1.0, rng, 100)
        d.parent = None
        config = {"c": agent.draw(d, 0)}
        if space.is_active("x", config):
            config["x"] = agent.draw(d, 1)
        single.append(config)
    for value in ("a", "b", "c"):
        share_many = np.mean([c["c"] == value for c in many])
        assert abs(share_many - np.mean([c["c"] == value for c in single])) < 0.04
    assert all(("x" in c) == (c["c"] != "a") for c in many)  # inactive: never drawn
    xs_many = [c["x"] for c in many if "x" in c]
    xs_single = [c["x"] for c in single if "x" in c]
    assert abs(np.mean(xs_many) - np.mean(xs_single)) < 0.03


def test_an_update_that_diverges_is_undone_with_a_warning() -> None:
    import pytest

    # A learning rate this large drives the weights to NaN within a few updates.
    agent = Agent(HEADS, AgentSettings(learning_rate=1e6), seed_key=0)
    history = rows(40, 0)
    with pytest.warns(RuntimeWarning, match="non-finite"):
        for _ in range(4):
            result = agent.update(history, history[-4:])
    assert all(bool(torch.isfinite(q).all()) for q in agent.policy.parameters())
    assert agent.stage == 4 and np.isfinite(result.stats.entropy)
    assert all(np.isfinite(m).all() for m in result.marginals)
    draw = agent.begin(1.0, np.random.default_rng(0), 40)
    assert agent.draw(draw, 0) in ("a", "b", "c")


def test_refinement_keeps_the_parents_category_even_against_the_policy() -> None:
    agent = Agent(HEADS, AgentSettings(refine_switch=0.1), seed_key=0)
    history = rows(40, 1)
    agent.update(history, history[-4:])
    probs = np.array([0.98, 0.01, 0.01])
    best = agent.pool.rows[0]
    out = agent._refine(probs, 0, int(best.tokens[0]))
    assert out[int(best.tokens[0])] >= 0.9


def test_state_round_trips_exactly() -> None:
    agent = Agent(HEADS, AgentSettings(), seed_key=5)
    history = rows(20, 2)
    agent.update(history, history[-4:])
    agent.n_seen = 20
    copy = Agent.from_bytes(agent.state_bytes(), AgentSettings())
    assert (copy.stage, copy.n_seen, copy.seed_key) == (1, 20, 5)
    for a, b in zip(agent.policy.state_dict().values(), copy.policy.state_dict().values(),
                    strict=True):
        assert torch.equal(a, b)
    assert [r.number for r in copy.pool.rows] == [r.number for r in agent.pool.rows]
    d1 = agent.begin(1.0, np.random.default_rng(3), 20)
    d2 = copy.begin(1.0, np.random.default_rng(3), 20)
    assert [agent.draw(d1, p) for p in (0, 1)] == [copy.draw(d2, p) for p in (0, 1)]
