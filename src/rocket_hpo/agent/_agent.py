"""The agent: the policy, its reference, optimiser and pool, and the two things it does:
draw a configuration one hyperparameter at a time, and learn from a finished stage.

Example:
    >>> import numpy as np
    >>> from optuna.distributions import CategoricalDistribution, FloatDistribution
    >>> from rocket_hpo.agent import AgentSettings
    >>> from rocket_hpo.agent._heads import make_head
    >>> heads = [make_head("opt", CategoricalDistribution(["adam", "sgd"]), 16),
    ...          make_head("lr", FloatDistribution(1e-4, 1.0, log=True), 16)]
    >>> agent = Agent(heads, AgentSettings(), seed_key=0)
    >>> draw = agent.begin(fraction=1.0, rng=np.random.default_rng(0), n_finished=0)
    >>> agent.draw(draw, 0) in ("adam", "sgd"), 1e-4 <= agent.draw(draw, 1) <= 1.0
    (True, True)
"""

from __future__ import annotations

import copy
import io
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from rocket_hpo.agent._advantages import group_advantages
from rocket_hpo.agent._heads import Head, smoothing_matrix
from rocket_hpo.agent._policy import Policy, one_thread
from rocket_hpo.agent._pool import Pool, Row, make_pool
from rocket_hpo.agent._settings import AgentSettings
from rocket_hpo.agent._update import Batch, UpdateStats, group_update

__all__ = ["Agent", "Draw", "StageResult", "uniform_value"]


@dataclass
class Draw:
    """Decoding state of one configuration in progress."""

    hidden: torch.Tensor  # (1, 1, H)
    fid: torch.Tensor  # (E,)
    rng: np.random.Generator
    explore: float
    parent: int | None = None  # pool member this draw refines around (None: a free draw)
    last: int = -1  # last position fed to the GRU
    prev: int = 0  # token at position ``last``


@dataclass
class StageResult:
    stats: UpdateStats
    group_advantages: NDArray[Any]
    marginals: list[NDArray[Any]]  # per head: mean output probabilities over the pool's contexts


def uniform_value(head: Head, rng: np.random.Generator) -> Any:
    """A uniform draw from ``head``'s distribution (log-uniform where it is log-scaled)."""
    if head.kind == "continuous":
        return head.value(float(rng.random()))
    return head.decode(int(rng.integers(head.n_outputs)))


class Agent:
    def __init__(
        self, heads: list[Head], settings: AgentSettings, seed_key: int, build: int = 0
    ) -> None:
        self.heads = heads
        self.settings = settings
        self.seed_key = seed_key
        self.build = build  # bumped when a define-by-run space grows and the net is rebuilt
        self.index = {h.name: p for p, h in enumerate(heads)}
        seed = int(np.random.SeedSequence([seed_key, build]).generate_state(1)[0])
        sizes = [h.n_outputs for h in heads]
        self.policy = Policy(sizes, settings.hidden_size, settings.embed_size, seed)
        self.reference = copy.deepcopy(self.policy).requires_grad_(False)
        self.optimizer = self._new_optimizer()
        K = max(sizes)
        self.smooth = torch.from_numpy(
            np.stack([smoothing_matrix(h, K, settings.smoothing) for h in heads])
        )  # (P, K, K)
        self.stage = 0
        self.n_seen = 0  # history size (at the learning fidelity) at the last update
        self.pool = Pool()
        self._set_pool(self.pool)

    def _set_pool(self, pool: Pool) -> None:
        self.pool = pool
        self._pool_tokens, self._pool_units = pool.arrays()
        P = len(self.heads)
        # Spread of the pool per coordinate (unit scale): the width of local refinement.
        floor = 0.125 / self.settings.n_bins
        sd = np.full(P, 4 * floor)
        for p in range(P if len(pool.rows) >= 2 else 0):
            col = self._pool_units[:, p]
            col = col[np.isfinite(col)]
            if len(col) >= 2:
                sd[p] = max(self.settings.refine_width * float(col.std()), floor)
        self._local_sd = sd

    # --- sampling ------------------------------------------------------------------------
    def begin(self, fraction: float, rng: np.random.Generator, n_finished: int) -> Draw:
        with torch.no_grad(), one_thread():
            hidden, fid = self.policy.begin(fraction)
        parent = None
        k = len(self.pool.rows)
        if k and rng.random() < self.settings.refinement(n_finished):
            cdf = np.cumsum(self.pool.weights)
            parent = min(int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right")), k - 1)
        return Draw(hidden, fid, rng, self.settings.exploration(n_finished), parent)

    def draw(self, d: Draw, position: int) -> Any:
        """Sample hyperparameter ``position``; skipped positions are fed as inactive."""
        with torch.no_grad(), one_thread():
            return self._draw(d, position)

    def _draw(self, d: Draw, position: int) -> Any:
        policy = self.policy
        if position > d.last:
            for q in range(d.last + 1, position):
                _, d.hidden = policy.step(d.hidden, d.fid, q, d.prev)
                d.prev = policy.inactive
            probs_t, d.hidden = policy.step(d.hidden, d.fid, position, d.prev)
        else:  # asked out of order: read the head at the current context, do not advance
            probs_t, _ = policy.step(d.hidden, d.fid, position, d.prev)
        head = self.heads[position]
        n = head.n_outputs
        probs = probs_t.double().numpy() * (1.0 - d.explore) + d.explore / n
        anchor = self._anchor(d, position)
        if anchor is not None:
            probs = self._refine(probs, position, anchor)
        cdf = np.cumsum(probs)
        token = min(int(np.searchsorted(cdf, d.rng.random() * cdf[-1], side="right")), n - 1)
        if position > d.last:
            d.last, d.prev = position, token
        if head.kind != "continuous":
            return head.decode(token)
        if anchor is not None and token == anchor:
            assert d.parent is not None
            u = self._pool_units[d.parent, position] + d.rng.normal() * self._local_sd[position]
            return head.value(float(np.clip(u, 0.0, 1.0)))
        return head.value(self._unit_in_bin(d.rng, position, token))

    def draw_many(
        self, fraction: float, rng: np.random.Generator, n_finished: int, n: int, space: Any
    ) -> list[dict[str, Any]]:
        """``n`` free draws (no refinement) of whole configurations of ``space``, decoded
        side by side: one batched policy step per hyperparameter instead of one per
        hyperparameter and configuration. The same distribution as ``n`` calls of
        :meth:`begin` and :meth:`draw` in the heads' order, for a space whose order is the
        heads' order; a hyperparameter inactive in a configuration is fed as inactive."""
        explore = self.settings.exploration(n_finished)
        configs: list[dict[str, Any]] = [{} for _ in range(n)]
        with torch.no_grad(), one_thread():
            hidden, fid = self.policy.begin(fraction, n)
            prev = torch.zeros(n, dtype=torch.long)
            for p, head in enumerate(self.heads):
                probs_t, hidden = self.policy.step_many(hidden, fid, p, prev)
                k = head.n_outputs
                probs = probs_t.double().numpy() * (1.0 - explore) + explore / k
                cdf = np.cumsum(probs, axis=1)
                u = rng.random(n) * cdf[:, -1]
                tokens = np.minimum((cdf <= u[:, None]).sum(axis=1), k - 1)
                active = np.array([space.is_active(head.name, c) for c in configs])
                for i in np.flatnonzero(active):
                    t = int(tokens[i])
                    configs[i][head.name] = (
                        head.value(self._unit_in_bin(rng, p, t)) if head.kind == "continuous"
                        else head.decode(t)
                    )
                prev = torch.from_numpy(np.where(active, tokens, self.policy.inactive))
        return configs

    def _anchor(self, d: Draw, position: int) -> int | None:
        """The parent's token at ``position`` when this draw refines a pool member."""
        if d.parent is None:
            return None
        token = int(self._pool_tokens[d.parent, position])
        return None if token == self.policy.inactive else token

    def _refine(self, probs: NDArray[Any], position: int, anchor: int) -> NDArray[Any]:
        """Local refinement around the parent's token. Ordered heads: a product of experts,
        (policy + uniform floor) times a kernel as wide as the pool's spread in that
        coordinate, so it narrows as the pool concentrates. Categorical heads: keep the
        parent's choice, or with probability ``refine_switch`` follow the policy. The
        floor and the keep rule let a good parent override a policy that has moved on."""
        head = self.heads[position]
        n = head.n_outputs
        if not head.ordered:
            s = self.settings.refine_switch
            out: NDArray[Any] = s * probs / probs.sum()
            out[anchor] += 1.0 - s
            return out
        width = max(float(self._local_sd[position]) * n, 0.75)
        kernel = np.exp(-0.5 * ((np.arange(n) - anchor) / width) ** 2)
        out = (probs / probs.sum() + 1.0 / n) * kernel
        return out

    def _unit_in_bin(self, rng: np.random.Generator, position: int, token: int) -> float:
        """Local refinement: near a pool member that lies in the chosen bin, else uniform."""
        lo, hi = self.heads[position].bin_range(token)
        s = self.settings
        if len(self._pool_tokens) and rng.random() < s.local_prob:
            members = np.flatnonzero(self._pool_tokens[:, position] == token)
            if len(members):
                w = self.pool.weights[members]
                pick = members[min(int(np.searchsorted(np.cumsum(w), rng.random() * w.sum())),
                                   len(members) - 1)]
                u = self._pool_units[pick, position] + rng.normal() * s.local_width * (hi - lo)
                return float(np.clip(u, 0.0, 1.0))
        return lo + float(rng.random()) * (hi - lo)

    # --- learning ------------------------------------------------------------------------
    def update(self, history: list[Row], group: list[Row]) -> StageResult:
        """One stage: rebuild the pool from the whole history, replay it with the latest
        group's self-play advantages, then make the policy the new reference."""
        s = self.settings
        self.pool = make_pool(history, s.elite_fraction, s.max_elites)
        self._set_pool(self.pool)
        scores = np.array([r.score for r in history])
        adv = group_advantages(np.array([r.score for r in group]), scores)
        worst = self._worst(history, scores)
        rows = self.pool.rows + group + worst
        k = len(self.pool.rows)
        weight = np.concatenate([
            self.pool.weights / max(k, 1),
            np.full(len(group), s.group_weight / max(len(group), 1)),
            np.full(len(worst), s.negative_weight / max(len(worst), 1)),
        ])
        advantage = np.concatenate([np.ones(k), adv, -np.ones(len(worst))])
        batch = Batch(
            tokens=torch.from_numpy(np.stack([r.tokens for r in rows])),
            fraction=torch.tensor([r.fraction for r in rows], dtype=torch.float32),
            advantage=torch.tensor(advantage, dtype=torch.float32),
            weight=torch.tensor(weight, dtype=torch.float32),
        )
        with one_thread():
            stats = self._group_update(batch, s.update_steps)
            if not all(bool(torch.isfinite(q).all()) for q in self.policy.parameters()):
                stats = self._undo_update(batch)
            self.reference.load_state_dict(self.policy.state_dict())
            marginals = self._marginals(batch.tokens[:k], batch.fraction[:k])
        self.stage += 1
        return StageResult(stats, adv, marginals)

    def _undo_update(self, batch: Batch) -> UpdateStats:
        """An update that left non-finite weights (seen once in a 4-worker PostgreSQL run;
        the cause is not known) is undone: the policy goes back to the reference (the
        policy before this update) and Adam starts afresh, so one bad stage costs one
        stage, not the study."""
        warnings.warn(
            f"Rocket agent: the update of stage {self.stage + 1} gave non-finite policy "
            "weights; it was undone and the optimiser state reset.",
            RuntimeWarning,
            stacklevel=3,
        )
        self.policy.load_state_dict(self.reference.state_dict())
        self.optimizer = self._new_optimizer()
        return self._group_update(batch, steps=0)  # the statistics of the restored policy

    def _new_optimizer(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(
            self.policy.parameters(), lr=self.settings.learning_rate, foreach=True
        )

    def _group_update(self, batch: Batch, steps: int) -> UpdateStats:
        s = self.settings
        return group_update(
            self.policy, self.reference, self.optimizer, batch, self.smooth, steps=steps,
            clip=s.clip, kl_coef=s.kl_coef, entropy_floor=s.entropy_floor,
            entropy_coef=s.entropy_coef,
        )

    def _worst(self, history: list[Row], scores: NDArray[Any]) -> list[Row]:
        """Negative replay: up to ``max_elites`` rows spread evenly over the worse half of
        the history (failures first), so the policy also learns where not to go."""
        s = self.settings
        if s.negative_weight == 0 or len(history) < 4:
            return []
        order = np.argsort(scores, kind="stable")[: len(history) // 2]  # worst first
        take = np.unique(np.linspace(0, len(order) - 1, min(s.max_elites, len(order))).round())
        return [history[int(order[int(i)])] for i in take]

    @torch.no_grad()
    def _marginals(self, tokens: torch.Tensor, fraction: torch.Tensor) -> list[NDArray[Any]]:
        if len(tokens) == 0:
            return [np.full(h.n_outputs, 1.0 / h.n_outputs) for h in self.heads]
        probs = self.policy.log_probs(tokens, fraction).exp().mean(0)  # (P, K)
        return [probs[p, : h.n_outputs].double().numpy() for p, h in enumerate(self.heads)]

    # --- state -----------------------------------------------------------------------------
    def state_bytes(self) -> bytes:
        """Everything needed to continue: weights, optimiser, reference, pool, counters."""
        from optuna.distributions import distribution_to_json

        tokens, units = self.pool.arrays()
        state = {
            "version": 1,
            "heads": [[h.name, distribution_to_json(h.distribution), h.kind, h.n_outputs,
                       h.n_values] for h in self.heads],
            "seed_key": self.seed_key,
            "build": self.build,
            "stage": self.stage,
            "n_seen": self.n_seen,
            "policy": self.policy.state_dict(),
            "reference": self.reference.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "pool_numbers": [r.number for r in self.pool.rows],
            "pool_fractions": [r.fraction for r in self.pool.rows],
            "pool_scores": [r.score for r in self.pool.rows],
            "pool_tokens": torch.from_numpy(tokens),
            "pool_units": torch.from_numpy(units),
        }
        buf = io.BytesIO()
        torch.save(state, buf)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, settings: AgentSettings) -> Agent:
        from optuna.distributions import json_to_distribution

        state = torch.load(io.BytesIO(data), weights_only=True)
        heads = [Head(name, json_to_distribution(d), kind, int(n_out), int(n_val))
                 for name, d, kind, n_out, n_val in state["heads"]]
        agent = cls(heads, settings, int(state["seed_key"]), int(state["build"]))
        agent.policy.load_state_dict(state["policy"])
        agent.reference.load_state_dict(state["reference"])
        agent.optimizer.load_state_dict(state["optimizer"])
        agent.stage, agent.n_seen = int(state["stage"]), int(state["n_seen"])
        rows = [
            Row(int(n), t.numpy().copy(), u.numpy().copy(), float(f), float(sc))
            for n, t, u, f, sc in zip(
                state["pool_numbers"], state["pool_tokens"], state["pool_units"],
                state["pool_fractions"], state["pool_scores"], strict=True,
            )
        ]
        from rocket_hpo.agent._advantages import pool_weights

        agent.pool = Pool(rows, pool_weights(len(rows)) if rows else np.zeros(0))
        agent._set_pool(agent.pool)
        return agent
