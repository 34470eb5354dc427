"""The history-conditioned policy: valid proposals on any space, seeded draws, exact log
probabilities, independence from the order of hyperparameters, shipped weights, and a
pretraining run that learns."""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import weakref
from pathlib import Path

import numpy as np
import pytest
import torch

from rocket_hpo.agent._history import Columns, decode, make_context, stack
from rocket_hpo.agent._weights import DEFAULT_WEIGHTS, WeightsError, load_weights
from rocket_hpo.agent.policy import HistoryPolicy, log_prob
from rocket_hpo.agent.pretrain.tasks import SyntheticTask
from rocket_hpo.agent.pretrain.train import PretrainSettings, pretrain, quality, rollout
from rocket_hpo.space import Bool, Categorical, Float, Int, Space

NESTED = Space(
    lr=Float(1e-5, 1.0, log=True),
    layers=Int(1, 6),
    width=Int(16, 1024, log=True),
    opt=Categorical(["adam", "sgd", "rmsprop"]),
    momentum=Float(0.0, 0.99, when=("opt", "sgd")),
    nesterov=Bool(when="momentum"),
    dampening=Int(0, 5, step=1, when="nesterov"),
    eps=Float(1e-10, 1e-6, log=True, when=("opt", ["adam", "rmsprop"])),
)


def history(space: Space, n: int, seed: int) -> tuple[Columns, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    cols = Columns.from_space(space)
    units = np.stack([cols.encode(space.sample(rng)) for _ in range(n)]) if n else \
        np.zeros((0, len(space)))
    scores = rng.normal(size=n)
    scores[rng.random(n) < 0.2] = -np.inf  # some failed
    return cols, units, scores


@pytest.mark.parametrize("seed", range(6))
def test_proposals_are_valid_on_random_and_nested_spaces(seed: int) -> None:
    rng = np.random.default_rng(seed)
    space = NESTED if seed == 0 else SyntheticTask(rng).space
    policy = HistoryPolicy()
    for n in (0, 1, 7, 60):  # empty, tiny and bounded (60 > 2 x context) histories
        cols, units, scores = history(space, n, seed)
        ctx = make_context(units, scores, np.ones(n), limit=24)
        assert len(ctx.rank) <= 48
        drawn, logp = decode(policy, cols, [ctx] * 3, range(len(cols.heads)), 1.0, rng)
        for row, lp in zip(drawn, logp, strict=True):
            config = {h.name: cols.value(j, u) for j, (h, u) in
                      enumerate(zip(cols.heads, row, strict=True)) if not math.isnan(u)}
            space.validate(config)  # types, bounds, and exactly the active names
            assert np.isfinite(lp[~np.isnan(row)]).all()


def test_the_same_seed_gives_the_same_proposals() -> None:
    cols, units, scores = history(NESTED, 20, 0)
    ctx = make_context(units, scores, np.ones(20), limit=24)
    policy = HistoryPolicy()
    a = decode(policy, cols, [ctx] * 4, range(len(NESTED)), 1.0, np.random.default_rng(3))[0]
    b = decode(policy, cols, [ctx] * 4, range(len(NESTED)), 1.0, np.random.default_rng(3))[0]
    c = decode(policy, cols, [ctx] * 4, range(len(NESTED)), 1.0, np.random.default_rng(4))[0]
    assert np.array_equal(a, b, equal_nan=True) and not np.array_equal(a, c, equal_nan=True)


def test_numeric_densities_integrate_to_one_and_choices_sum_to_one() -> None:
    space = Space(x=Float(0, 1), k=Categorical(["a", "b", "c", "d"]))
    cols, units, scores = history(space, 12, 1)
    ctx = make_context(units, scores, np.ones(12), limit=24)
    policy = HistoryPolicy()
    grid = np.linspace(0, 1, 4001)
    d = stack(cols, [(ctx, 0, np.full(2, np.nan), 1.0)] * len(grid))
    with torch.no_grad():
        density = log_prob(policy(d), torch.tensor(grid, dtype=torch.float32)).exp().numpy()
    assert np.trapezoid(density, grid) == pytest.approx(1.0, abs=2e-3)
    d = stack(cols, [(ctx, 1, np.full(2, np.nan), 1.0)] * 4)
    probs = log_prob(policy(d), torch.arange(4, dtype=torch.float32)).exp()
    assert float(probs.sum().detach()) == pytest.approx(1.0, abs=1e-5)


def test_proposals_do_not_depend_on_the_order_of_hyperparameters() -> None:
    # The network sees hyperparameters only through features: permuting the columns of the
    # history permutes nothing in the distribution of a decision.
    cols, units, scores = history(NESTED, 30, 2)
    perm = np.array([3, 0, 7, 1, 6, 2, 5, 4])
    cols_p = Columns(heads=[cols.heads[i] for i in perm], desc=cols.desc[perm],
                     n_choices=cols.n_choices[perm], parents=[None] * 8, allowed=[None] * 8)
    policy = HistoryPolicy()
    ctx = make_context(units, scores, np.ones(30), limit=24)
    ctx_p = make_context(units[:, perm], scores, np.ones(30), limit=24)
    partial = np.full(8, np.nan)
    partial[0] = units[0, 0]  # lr decoded already
    for j in range(8):
        jp = int(np.flatnonzero(perm == j)[0])
        a = policy(stack(cols, [(ctx, j, partial, 1.0)]))
        b = policy(stack(cols_p, [(ctx_p, jp, partial[perm], 1.0)]))
        assert torch.allclose(a.uniform, b.uniform, atol=1e-5)
        assert torch.allclose(torch.softmax(a.logits, -1), torch.softmax(b.logits, -1),
                              atol=1e-5)


def test_the_shipped_weights_load_and_match_their_checksum(tmp_path: Path) -> None:
    meta = json.loads(DEFAULT_WEIGHTS.with_suffix(".json").read_text())
    data = DEFAULT_WEIGHTS.read_bytes()
    assert hashlib.sha256(data).hexdigest() == meta["sha256"]
    assert len(data) <= 10 * 2**20
    assert meta["command"].startswith("rocket pretrain") and "seed" in meta
    assert isinstance(load_weights(), HistoryPolicy)
    altered = tmp_path / "compact-v2.pt"
    shutil.copy(DEFAULT_WEIGHTS.with_suffix(".json"), altered.with_suffix(".json"))
    altered.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(WeightsError, match="checksum"):
        load_weights(altered)


def _quality_of(policy: HistoryPolicy, seeds: range) -> float:
    """Mean best-so-far over 8 episodes of 10 steps on each task, on the task's yardstick
    (0 at the median of uniform draws, 1 at their best)."""
    out = []
    for s in seeds:
        rng = np.random.default_rng(s)
        task = SyntheticTask(rng, Space(x=Float(0, 1), y=Float(0, 1)))
        _, scores, _, _ = rollout(policy, task, 8, 10, 24, rng)
        best = np.maximum.accumulate(scores, axis=1)
        out.append(quality(task, best, np.random.default_rng(0), weakref.WeakKeyDictionary()))
    return float(np.mean(out))


@pytest.mark.parametrize("seed", [0, 1])
def test_pretraining_with_step_groups_repairs_a_policy_that_cannot_explore(seed: int) -> None:
    """From kernels 1e-3 wide and almost no uniform draws (the policy copies its first
    results and never moves), 48 iterations of step groups bring the held-out quality
    from -0.18 to about that of uniform search (+0.55 to +0.67 over torch seeds 0-3).
    The episode groups, from the same start, moved it by -0.01 to +0.00: their credit
    is mostly noise (benchmarks/agent/results/policy/tried/checks-27/)."""
    torch.manual_seed(seed)
    policy = HistoryPolicy(width=16, layers=1)
    with torch.no_grad():
        policy.size_gain.zero_()
        policy.bias[0] = -6.0
        policy.bias[1] = math.log(1e-3)
    before = _quality_of(policy, range(100, 116))
    settings = PretrainSettings(group_size=16, horizon=(16, 16), iterations=48,
                                learning_rate=3e-2, stage_every=2, synthetic_share=0.0)
    tasks = [SyntheticTask(np.random.default_rng(s), Space(x=Float(0, 1), y=Float(0, 1)))
             for s in range(8)]
    log = pretrain(policy, settings, tasks=tasks, seed=seed)
    assert len(log) == 48
    after = _quality_of(policy, range(100, 116))  # held-out tasks of the same family
    assert after > before + 0.3, (before, after)


def test_an_unknown_kind_of_group_is_refused_before_any_work() -> None:
    with pytest.raises(ValueError, match=r"groups must be 'step' or 'episode'\. Got 'steps'"):
        pretrain(HistoryPolicy(width=8, layers=1), PretrainSettings(groups="steps",
                                                                    iterations=1))


def test_draws_follow_the_distribution_log_prob_describes() -> None:
    """The vectorised sampler against the density it samples: a numeric and a categorical
    decision with a uniform share, pointer weights over three rows (one masked) and
    truncated kernels; 40,000 draws each, binned."""
    from rocket_hpo.agent.policy import Mixture, sample

    B = 40_000
    logits = torch.tensor([[0.0, 1.0, -math.inf]]).repeat(B, 1)
    numeric = Mixture(uniform=torch.full((B,), 0.3), logits=logits,
                      centres=torch.tensor([[0.1, 0.95, 0.5]]).repeat(B, 1),
                      sigma=torch.tensor([[0.05, 0.2, 0.1]]).repeat(B, 1),
                      smooth=torch.zeros(B), n_choices=torch.zeros(B, dtype=torch.long))
    x = sample(numeric, np.random.default_rng(0))
    assert ((x >= 0) & (x <= 1)).all()
    edges = np.linspace(0, 1, 11)
    grid = torch.linspace(0.0005, 0.9995, 1000)
    density = log_prob(numeric.take(torch.zeros(1000, dtype=torch.long)), grid).exp().numpy()
    expected = np.add.reduceat(density / density.sum(), np.arange(0, 1000, 100))
    observed = np.histogram(x, edges)[0] / B
    assert np.abs(observed - expected).max() < 0.01, (observed, expected)

    choices = Mixture(uniform=torch.full((B,), 0.3), logits=logits,
                      centres=torch.tensor([[0.0, 2.0, 1.0]]).repeat(B, 1),
                      sigma=torch.ones(B, 3), smooth=torch.full((B,), 0.2),
                      n_choices=torch.full((B,), 3))
    c = sample(choices, np.random.default_rng(1))
    probs = log_prob(choices.take(torch.zeros(3, dtype=torch.long)),
                     torch.arange(3.0)).exp().numpy()
    assert abs(probs.sum() - 1) < 1e-5
    assert np.abs(np.bincount(c.astype(int), minlength=3) / B - probs).max() < 0.01
