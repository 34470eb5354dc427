"""Pretraining by recurrent group policy optimisation across many tasks.

One iteration: draw a task (a fresh synthetic one, or a fixed one: YAHPO ``train``
instances, a team's finished studies); roll out a few episodes on it with the current
policy; form **groups** and turn rewards into advantages **relative to the group**
(self-play: no absolute scale); take a few clipped steps with a KL pull to the **reference
policy**, which is refreshed every ``stage_every`` iterations.

A group is, by default (``groups="step"``), ``group_size`` configurations drawn from the
*same* history, a state of one of those episodes; each draw's reward is its improvement
on that history's best, measured on the task's yardstick (0 at the median of uniform
draws, 1 at their best). Because the draws share everything but the proposal, the group
credits the proposal alone. The older form (``groups="episode"``) makes a group of whole
episodes, credits each step with the discounted reward-to-go of its episode's best-so-far
and replays strong episodes from an **experience pool**; its episodes' histories differ,
so most of that credit is noise: from a policy that could not explore it learned nothing
in 48 iterations where step groups recovered (benchmarks/agent/results/policy/tried/
checks-27/). A draw's reward is its improvement alone, not its quality: a share of
quality in the reward (tried: 10 %) taught the policy to copy the incumbent.

Example (a few seconds):
    >>> import numpy as np
    >>> from rocket_hpo.agent.policy import HistoryPolicy
    >>> log = pretrain(HistoryPolicy(width=16, layers=1), PretrainSettings(
    ...     group_size=4, horizon=(4, 6), seconds=1.0), seed=0)
    >>> len(log) > 0
    True
"""

from __future__ import annotations

import copy
import json
import math
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from rocket_hpo.agent._history import Columns, Context, decode, make_context, stack
from rocket_hpo.agent.policy import HistoryPolicy, group_loss, no_grad_log_prob
from rocket_hpo.agent.pretrain.tasks import SyntheticTask, Task

__all__ = ["PretrainSettings", "pretrain", "quality"]

_Array = NDArray[Any]


@dataclass(frozen=True)
class PretrainSettings:
    """Settings of a pretraining run."""

    group_size: int = 16
    """Members of a group: draws from one history (``groups="step"``) or whole episodes on
    one task (``groups="episode"``)."""
    horizon: tuple[int, int] = (10, 50)
    """Range of episode lengths (varied so the policy does not learn one horizon)."""
    context: int = 24
    """Best and most recent rows the policy reads (as in a study)."""
    learning_rate: float = 1e-3
    clip: float = 0.2
    kl_coef: float = 0.05
    epochs: int = 2
    """Passes over each group's decisions."""
    minibatch: int = 512
    decisions: int = 1024
    """Decisions of each group sampled for the update (bounds its cost; the rest of the
    group's decisions are correlated with these through the shared advantage)."""
    gamma: float = 0.8
    """With ``groups="episode"``: discount of the reward-to-go, how far ahead a proposal's
    effect on the best counts."""
    stage_every: int = 10
    """Iterations between refreshes of the reference policy."""
    pool_size: int = 64
    """With ``groups="episode"``: strong episodes kept for replay (the experience pool)."""
    replay: int = 1
    """With ``groups="episode"``: pool episodes replayed in each update."""
    synthetic_share: float = 0.5
    """Share of iterations on a fresh synthetic task (the rest on the fixed tasks)."""
    groups: str = "step"
    """What a group is. ``"step"``: ``group_size`` draws from the *same* history (a state
    of an episode the policy rolled out), each rewarded by its own improvement, so the
    group isolates the proposal's effect. ``"episode"``: ``group_size`` whole episodes,
    each step credited with the discounted reward-to-go of its episode's best-so-far; the
    episodes' histories differ, so most of that credit is noise (on a toy, the gradient's
    sign on the pointer's rank gain agreed in 52-67 % of updates:
    benchmarks/agent/results/policy/tried/checks-26/)."""
    states: int = 8
    """With ``groups="step"``: histories per iteration, each the start of one group."""
    episodes: int = 4
    """With ``groups="step"``: episodes rolled out per iteration to take histories from."""
    seconds: float = 3600.0
    """Wall-clock length of the run."""
    iterations: int | None = None
    """Stop after this many iterations instead (a run that a test can repeat exactly)."""


@dataclass
class _Items:
    """Decisions of some episodes, ready to be stacked: (context, column, partial, fraction)."""

    items: list[tuple[Context, int, _Array, float]]
    action: list[float]
    advantage: list[float]
    old: list[float]
    columns: Columns


def _advantages(best: _Array, gamma: float) -> _Array:
    """(G, T) group-relative advantages of the discounted reward-to-go of ``best``."""
    G, T = best.shape
    togo = np.zeros_like(best)
    acc, norm = np.zeros(G), 0.0
    for t in range(T - 1, -1, -1):
        acc = best[:, t] + gamma * acc
        norm = 1 + gamma * norm
        togo[:, t] = acc / norm
    spread = togo.std(axis=0, keepdims=True)
    return np.where(spread > 1e-12, (togo - togo.mean(axis=0, keepdims=True)) / np.where(
        spread > 1e-12, spread, 1.0), 0.0)


def _best_so_far(scores: _Array) -> _Array:
    """(G, T) best score so far per episode, failures counted as the worst result seen."""
    finite = np.where(np.isfinite(scores), scores, np.nan)
    floor = np.nanmin(finite) if np.isfinite(finite).any() else 0.0
    return np.fmax.accumulate(np.where(np.isfinite(scores), scores, floor), axis=1)


def rollout(policy: HistoryPolicy, task: Task, G: int, T: int, limit: int,
            rng: np.random.Generator) -> tuple[_Array, _Array, _Array, list[list[int]]]:
    """G episodes of T steps side by side: units (G, T, D), scores (G, T), per-decision
    log probabilities (G, T, D) and the decoding order of each step."""
    D = len(task.columns.heads)
    units = np.full((G, T, D), np.nan)
    scores = np.zeros((G, T))
    logp = np.full((G, T, D), np.nan)
    orders = []
    ones = np.ones(T)
    for t in range(T):
        contexts = [make_context(units[g, :t], scores[g, :t], ones[:t], limit) for g in range(G)]
        order = task.order(rng)
        orders.append(order)
        units[:, t], logp[:, t] = decode(policy, task.columns, contexts, order, 1.0, rng)
        scores[:, t] = task.score(units[:, t])
    return units, scores, logp, orders


def _episode_items(task: Task, units: _Array, scores: _Array, logp: _Array,
                   orders: list[list[int]], adv: _Array, limit: int, episodes: Sequence[int],
                   ) -> _Items:
    out = _Items([], [], [], [], task.columns)
    T = units.shape[1]
    ones = np.ones(T)
    for g in episodes:
        for t in range(T):
            ctx = make_context(units[g, :t], scores[g, :t], ones[:t], limit)
            partial = np.full(units.shape[2], np.nan)
            for j in orders[t]:
                if math.isnan(units[g, t, j]):
                    continue
                out.items.append((ctx, j, partial.copy(), 1.0))
                out.action.append(float(units[g, t, j]))
                out.advantage.append(float(adv[g, t]))
                out.old.append(float(logp[g, t, j]))
                partial[j] = units[g, t, j]
    return out


def _update(policy: HistoryPolicy, reference: HistoryPolicy, opt: torch.optim.Optimizer,
            batches: list[_Items], s: PretrainSettings, rng: np.random.Generator,
            ) -> dict[str, float]:
    device = next(policy.parameters()).device
    chunks = []
    for b in batches:
        if len(b.items) > s.decisions:
            keep = np.sort(rng.choice(len(b.items), s.decisions, replace=False))
            b = _Items([b.items[i] for i in keep], [b.action[i] for i in keep],
                       [b.advantage[i] for i in keep], [b.old[i] for i in keep], b.columns)
        for i in range(0, len(b.items), s.minibatch):
            d = stack(b.columns, b.items[i:i + s.minibatch], device)
            action = torch.tensor(b.action[i:i + s.minibatch], device=device)
            old = torch.tensor(b.old[i:i + s.minibatch], device=device)
            old = torch.where(torch.isnan(old), no_grad_log_prob(policy, d, action), old)
            chunks.append((d, action, torch.tensor(b.advantage[i:i + s.minibatch],
                                                   device=device), old,
                           no_grad_log_prob(reference, d, action)))
    stats: dict[str, float] = {}
    for _ in range(s.epochs):
        for k in rng.permutation(len(chunks)):
            d, action, adv, old, ref = chunks[k]
            loss, stats = group_loss(policy, d, action, adv, old, ref, clip=s.clip,
                                     kl_coef=s.kl_coef)
            opt.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
            opt.step()
    return stats


def quality(task: Task, best: _Array, rng: np.random.Generator,
             cache: weakref.WeakKeyDictionary[Task, tuple[float, float]]) -> _Array:
    """Scores on the scale of uniform search: 0 at the median of 256 uniform draws, 1 at
    their best (a fixed yardstick per task: for the log, and the step groups' rewards).
    Keyed by the task itself: an id() key was reused by later synthetic tasks, which then
    got another task's yardstick. Failures (-inf) map to the floor, -5."""
    if task not in cache:
        y = task.score(task.random_rows(256, rng))
        y = y[np.isfinite(y)]
        cache[task] = (float(np.median(y)), float(y.max())) if len(y) else (0.0, 1.0)
    mid, top = cache[task]
    q = (np.where(np.isfinite(best), best, -np.inf) - mid) / max(top - mid, 1e-12)
    return np.clip(q, -5, 5)


def step_groups(policy: HistoryPolicy, task: Task, s: PretrainSettings, T: int,
                rng: np.random.Generator,
                cache: weakref.WeakKeyDictionary[Task, tuple[float, float]],
                ) -> tuple[_Items, _Array]:
    """Groups of draws that share a history: roll out ``s.episodes`` episodes of ``T``
    steps, take ``s.states`` of their histories, draw ``s.group_size`` configurations from
    each, score them, and give each draw its reward relative to its group. Returns the
    decisions and the episodes' best-so-far (E, T) scores (for the log)."""
    units, scores, _, _ = rollout(policy, task, s.episodes, T, s.context, rng)
    q_hist = quality(task, scores, rng, cache)
    ones = np.ones(T)
    picks = [(int(rng.integers(s.episodes)), int(rng.integers(T))) for _ in range(s.states)]
    contexts = [make_context(units[g, :t], scores[g, :t], ones[:t], s.context)
                for g, t in picks]
    K = s.group_size
    drawn_ctx = [c for c in contexts for _ in range(K)]
    order = task.order(rng)
    drawn, logp = decode(policy, task.columns, drawn_ctx, order, 1.0, rng)
    q = quality(task, task.score(drawn), rng, cache).reshape(len(picks), K)
    incumbent = np.array([q_hist[g, :t].max() if t else -5.0 for g, t in picks])
    reward = np.maximum(q - incumbent[:, None], 0.0)
    spread = reward.std(axis=1, keepdims=True)
    adv = np.where(spread > 1e-9, (reward - reward.mean(axis=1, keepdims=True))
                   / np.where(spread > 1e-9, spread, 1.0), 0.0)
    out = _Items([], [], [], [], task.columns)
    for i, ctx in enumerate(drawn_ctx):
        partial = np.full(drawn.shape[1], np.nan)
        a = float(adv.flat[i])
        if a == 0.0:
            continue  # a group with no spread teaches nothing
        for j in order:
            if math.isnan(drawn[i, j]):
                continue
            out.items.append((ctx, j, partial.copy(), 1.0))
            out.action.append(float(drawn[i, j]))
            out.advantage.append(a)
            out.old.append(float(logp[i, j]))
            partial[j] = drawn[i, j]
    return out, _best_so_far(scores)


def episode_groups(policy: HistoryPolicy, task: Task, s: PretrainSettings, T: int,
                   rng: np.random.Generator, pool: list[tuple[float, _Items]],
                   ) -> tuple[list[_Items], _Array]:
    """A group of whole episodes, credited by the discounted reward-to-go of their
    best-so-far, with replay from the experience ``pool`` (which this updates in place).
    Returns the batches to learn from and the episodes' best-so-far (G, T)."""
    units, scores, logp, orders = rollout(policy, task, s.group_size, T, s.context, rng)
    best = _best_so_far(scores)
    adv = _advantages(best, s.gamma)
    group = _episode_items(task, units, scores, logp, orders, adv, s.context,
                           range(s.group_size))
    top = int(np.argmax(adv.mean(axis=1)))
    strong = _episode_items(task, units, scores, logp, orders, np.maximum(adv, 0),
                            s.context, [top])
    strong.old = [math.nan] * len(strong.old)  # replayed against the policy of the day
    replay = [pool[int(i)][1] for i in rng.choice(len(pool), min(s.replay, len(pool)),
                                                  replace=False)] if pool else []
    pool.append((float(adv[top].mean()), strong))
    pool.sort(key=lambda p: -p[0])
    del pool[s.pool_size:]
    return [group, *replay], best


def pretrain(
    policy: HistoryPolicy,
    settings: PretrainSettings | None = None,
    *,
    tasks: Sequence[Task] = (),
    seed: int = 0,
    log: Callable[[dict[str, Any]], None] | None = None,
    checkpoint: Callable[[HistoryPolicy, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Train ``policy`` in place for ``settings.seconds``; returns one record per iteration
    (task, mean anytime quality and final quality of the group, loss, KL)."""
    s = settings or PretrainSettings()
    if s.groups not in ("step", "episode"):
        raise ValueError(f"groups must be 'step' or 'episode'. Got {s.groups!r} instead.")
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    reference = copy.deepcopy(policy)
    opt = torch.optim.Adam(policy.parameters(), lr=s.learning_rate)
    pool: list[tuple[float, _Items]] = []
    records: list[dict[str, Any]] = []
    cache: weakref.WeakKeyDictionary[Task, tuple[float, float]] = weakref.WeakKeyDictionary()
    start = last_save = time.monotonic()
    it = 0
    while time.monotonic() - start < s.seconds and (s.iterations is None or it < s.iterations):
        fixed = len(tasks) > 0 and rng.random() >= s.synthetic_share
        task = tasks[int(rng.integers(len(tasks)))] if fixed else SyntheticTask(rng)
        T = int(rng.integers(s.horizon[0], s.horizon[1] + 1))
        if s.groups == "step":
            items, best = step_groups(policy, task, s, T, rng, cache)
            batches = [items]
        else:
            batches, best = episode_groups(policy, task, s, T, rng, pool)
        batches = [b for b in batches if b.items]
        stats = _update(policy, reference, opt, batches, s, rng) if batches else {}
        it += 1
        if it % s.stage_every == 0:
            reference.load_state_dict(policy.state_dict())
        q = quality(task, best, rng, cache)
        record = {"iteration": it, "seconds": round(time.monotonic() - start, 1),
                  "task": task.name, "horizon": T, "anytime": float(q.mean()),
                  "final": float(q[:, -1].mean()), **stats}
        records.append(record)
        if log is not None:
            log(record)
        if checkpoint is not None and time.monotonic() - last_save > 120:
            checkpoint(policy, it)
            last_save = time.monotonic()
    return records


def settings_dict(s: PretrainSettings) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(asdict(s)))
    return out


def write_log(path: Path) -> Callable[[dict[str, Any]], None]:
    """A logger appending JSON lines to ``path``."""
    def write(record: dict[str, Any]) -> None:
        with path.open("a") as f:
            f.write(json.dumps(record) + "\n")
    return write
