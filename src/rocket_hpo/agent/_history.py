"""A study as the policy reads it: columns (hyperparameters), bounded contexts, decisions.

- :class:`Columns`: each hyperparameter's head (value <-> unit scale), descriptor and
  condition, built from a :class:`~rocket_hpo.space.Space` or from Optuna distributions
  (define-by-run, where conditions are unknown and inferred from which rows lack a value).
- :func:`make_context`: finished results -> the rows the policy attends to: the best and
  the most recent ``limit`` each, with ranks and standardised scores computed per data
  fraction (a 1/27 result is ranked among 1/27 results), failures last.
- :func:`decode`: one configuration per context, hyperparameter by hyperparameter in a
  given order, skipping inactive ones; returns unit values and log probabilities.

Example:
    >>> from rocket_hpo.space import Categorical, Float, Space
    >>> cols = Columns.from_space(Space(x=Float(0, 1), k=Categorical(["a", "b"])))
    >>> ctx = make_context(np.array([[0.2, 1.0], [0.9, 0.0]]), np.array([1.0, 0.0]),
    ...                    np.ones(2), limit=8)
    >>> ctx.rank.tolist()
    [1.0, 0.0]
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from optuna.distributions import BaseDistribution, CategoricalDistribution, IntDistribution

from rocket_hpo.agent._heads import Head, make_head
from rocket_hpo.agent.policy import N_DESC, Decisions, HistoryPolicy, log_prob, sample
from rocket_hpo.space import Space

__all__ = ["Columns", "Context", "decode", "make_context", "stack"]

_Array = NDArray[Any]
N_BINS = 64  # integers with at most this many values are decoded on their own grid


def _descriptor(d: BaseDistribution, conditional: bool, depth: int) -> _Array:
    head = make_head("x", d, N_BINS)
    is_cat = isinstance(d, CategoricalDistribution)
    is_int = isinstance(d, IntDistribution) or getattr(d, "step", None) is not None
    levels = 0.0 if is_cat or not head.n_values else math.log1p(head.n_values) / 5
    return np.array([
        float(not is_cat and not is_int), float(is_int and not is_cat), float(is_cat),
        float(getattr(d, "log", False)), levels,
        min(len(d.choices), 20) / 10 if is_cat else 0.0,  # type: ignore[attr-defined]
        float(conditional), min(depth, 3) / 3,
    ], dtype=np.float32)


@dataclass
class Columns:
    """The hyperparameters, in the order of ``heads``; ``parents[j]`` is the index of j's
    parent and ``allowed[j]`` the parent values (choice indices or values) that make it
    active, None for "whenever the parent is active"."""

    heads: list[Head]
    desc: _Array  # (D, N_DESC)
    n_choices: _Array  # (D,)
    parents: list[int | None]
    allowed: list[frozenset[Any] | None]

    @property
    def names(self) -> list[str]:
        return [h.name for h in self.heads]

    @classmethod
    def from_space(cls, space: Space) -> Columns:
        names = list(space)
        dists = space.to_optuna()
        parents: list[int | None] = []
        allowed: list[frozenset[Any] | None] = []
        depth: list[int] = []
        for name in names:
            cond = space[name].condition
            if cond is None:
                parents.append(None)
                allowed.append(None)
                depth.append(0)
                continue
            p = names.index(cond.parent)
            parents.append(p)
            allowed.append(None if cond.values is None else frozenset(cond.values))
            depth.append(depth[p] + 1)
        conditional = [p is not None for p in parents]
        return cls._make(dists, conditional, depth, parents, allowed)

    @classmethod
    def from_distributions(
        cls, dists: Mapping[str, BaseDistribution], conditional: Sequence[bool]
    ) -> Columns:
        """Define-by-run: no conditions known; ``conditional`` marks names some rows lack."""
        n = len(dists)
        return cls._make(dict(dists), list(conditional), [int(c) for c in conditional],
                         [None] * n, [None] * n)

    @classmethod
    def _make(cls, dists: dict[str, BaseDistribution], conditional: list[bool],
              depth: list[int], parents: list[int | None],
              allowed: list[frozenset[Any] | None]) -> Columns:
        heads = [make_head(n, d, N_BINS) for n, d in dists.items()]
        desc = np.stack([_descriptor(d, c, k) for d, c, k in
                         zip(dists.values(), conditional, depth, strict=True)]) \
            if dists else np.zeros((0, N_DESC), dtype=np.float32)
        n_choices = np.array([len(d.choices) if isinstance(d, CategoricalDistribution) else 0
                              for d in dists.values()], dtype=np.int64)
        return cls(heads, desc, n_choices, parents, allowed)

    # --- values <-> units ------------------------------------------------------------------
    def encode(self, config: Mapping[str, Any]) -> _Array:
        """(D,) unit values / choice indices of ``config``; NaN where a name is absent."""
        out = np.full(len(self.heads), np.nan)
        for j, h in enumerate(self.heads):
            if h.name not in config:
                continue
            d = h.distribution
            out[j] = (d.to_internal_repr(config[h.name]) if isinstance(d, CategoricalDistribution)
                      else h.unit(config[h.name]))
        return out

    def value(self, j: int, u: float) -> Any:
        h = self.heads[j]
        d = h.distribution
        return d.choices[int(u)] if isinstance(d, CategoricalDistribution) else h.value(u)

    def snap(self, j: int, u: _Array | float) -> _Array:
        """The unit values drawn ``u`` (an array) are stored as once they are values
        (grids and integers snap; choice indices stay)."""
        if self.n_choices[j]:
            return np.asarray(u, dtype=np.float64)
        return self.heads[j].snap(u)

    def is_active(self, j: int, partial: _Array) -> bool:
        p = self.parents[j]
        if p is None:
            return True
        if not self.is_active(p, partial) or math.isnan(partial[p]):
            return False
        allowed = self.allowed[j]
        return allowed is None or self.value(p, float(partial[p])) in allowed


@dataclass
class Context:
    """One history, bounded: (N, D) ``units`` (NaN inactive) and per-row features."""

    units: _Array
    rank: _Array
    z: _Array
    failed: _Array
    log_fraction: _Array
    recency: _Array


def _context_rows(scores: _Array, limit: int) -> _Array:
    """Which rows of a history in time order a context keeps: all of them up to twice
    ``limit``, else the best ``limit`` and the most recent ``limit``, in time order."""
    n = len(scores)
    if n <= 2 * limit:
        return np.arange(n)
    best = np.argsort(-np.where(np.isfinite(scores), scores, -np.inf), kind="stable")[:limit]
    return np.union1d(best, np.arange(n - limit, n))


def make_context(units: _Array | Sequence[_Array], scores: _Array, fractions: _Array,
                 limit: int) -> Context:
    """The context of a history in time order (``scores`` larger-is-better, -inf failed).
    ``units`` (N, D), or a list of N rows of which only the kept ones are stacked (a long
    study has many more rows than a context keeps)."""
    keep = _context_rows(scores, limit)
    units = units[keep] if isinstance(units, np.ndarray) else np.stack([units[i] for i in keep])
    scores, fractions = scores[keep], fractions[keep]
    rank, z = np.zeros(len(keep)), np.full(len(keep), -3.0)
    for f in np.unique(fractions):
        at = np.flatnonzero((fractions == f) & np.isfinite(scores))
        if len(at) == 0:
            continue
        y = scores[at]
        order = np.argsort(np.argsort(y, kind="stable"), kind="stable")
        rank[at] = (order + 1) / len(at)
        spread = y.std() if len(at) > 1 else 0.0
        z[at] = np.clip((y - y.mean()) / spread, -3, 3) if spread > 0 else 0.0
    recency = (np.arange(len(keep)) + 1) / max(len(keep), 1)
    return Context(units, rank, z, ~np.isfinite(scores), np.log(fractions), recency)


def stack(
    columns: Columns,
    items: Sequence[tuple[Context, int, _Array, float]],
    device: torch.device | None = None,
) -> Decisions:
    """Decisions from ``(context, column, partial, target fraction)`` items; ``partial``
    (D,) holds the values decoded so far (NaN for undecided or inactive)."""
    B, D = len(items), len(columns.heads)
    N = max(1, max(len(c.rank) for c, *_ in items))
    units = np.zeros((B, N, D), dtype=np.float32)
    active = np.zeros((B, N, D), dtype=bool)
    rows = np.zeros((B, N), dtype=bool)
    per_row = np.zeros((5, B, N), dtype=np.float32)
    shared = all(c is items[0][0] for c, *_ in items)  # one context: filled once, copied
    for b, (c, *_) in enumerate(items[:1] if shared else items):
        n = len(c.rank)
        ok = ~np.isnan(c.units)
        units[b, :n] = np.where(ok, c.units, 0.0)
        active[b, :n] = ok
        rows[b, :n] = True
        per_row[:, b, :n] = [c.rank, c.z, c.failed, c.log_fraction, c.recency]
    if shared:
        units[1:], active[1:], rows[1:], per_row[:, 1:] = units[0], active[0], rows[0], \
            per_row[:, :1]
    p_all = np.array([p for _, _, p, _ in items], dtype=float).reshape(B, D)
    decided = ~np.isnan(p_all)
    partial = np.where(decided, p_all, 0.0).astype(np.float32)

    def t(x: _Array) -> torch.Tensor:
        return torch.as_tensor(x, device=device)

    return Decisions(
        units=t(units), active=t(active), rows=t(rows), rank=t(per_row[0]), z=t(per_row[1]),
        failed=t(per_row[2] > 0), log_fraction=t(per_row[3]), recency=t(per_row[4]),
        desc=t(np.broadcast_to(columns.desc, (B, D, N_DESC)).copy()),
        n_choices=t(np.broadcast_to(columns.n_choices, (B, D)).copy()),
        column=t(np.array([j for _, j, _, _ in items], dtype=np.int64)),
        partial=t(partial), decided=t(decided),
        target_log_fraction=t(np.log(np.array([f for *_, f in items], dtype=np.float32))),
    )


# The fields of Decisions that a proposal's draws share (its context and target).
_CONTEXT_FIELDS = ("units", "active", "rows", "rank", "z", "failed", "log_fraction",
                   "recency", "desc", "n_choices", "target_log_fraction")


def _for_draws(base: Decisions, column: int, partials: _Array, device: torch.device | None,
               ) -> Decisions:
    """``base`` (one decision on a context) repeated for the rows of ``partials`` (B, D) at
    ``column``: the context's tensors are broadcast views, not B copies (a proposal's K
    draws share one context, which ``stack`` used to copy K times for every hyperparameter:
    about 7 % of decoding them, profiled)."""
    B = len(partials)
    decided = ~np.isnan(partials)

    def rows(x: torch.Tensor) -> torch.Tensor:
        return x.expand(B, *x.shape[1:])

    return dataclasses.replace(
        base, **{f: rows(getattr(base, f)) for f in _CONTEXT_FIELDS},
        column=torch.full((B,), column, dtype=torch.int64, device=device),
        partial=torch.as_tensor(np.where(decided, partials, 0.0).astype(np.float32),
                                device=device),
        decided=torch.as_tensor(decided, device=device))


def decode(
    policy: HistoryPolicy,
    columns: Columns,
    contexts: Sequence[Context],
    order: Sequence[int],
    fraction: float,
    rng: np.random.Generator,
    active: Callable[[int, _Array], bool] | None = None,
    start: _Array | None = None,
    log_probs: bool = True,
) -> tuple[_Array, _Array]:
    """One configuration per context: (B, D) unit values and (B, D) log probabilities of
    each decision (NaN where inactive, and everywhere with ``log_probs=False``, which a
    proposal does not need: it saves a fifth of the time). ``order`` lists the columns,
    parents first; ``start`` (B, D) holds values decoded before (NaN elsewhere)."""
    is_active = active or columns.is_active
    B, D = len(contexts), len(columns.heads)
    partial = np.full((B, D), np.nan) if start is None else np.array(start, dtype=float)
    total = np.full((B, D), np.nan)
    device = next(policy.parameters()).device
    shared = B > 1 and all(c is contexts[0] for c in contexts)
    base = stack(columns, [(contexts[0], 0, np.full(D, np.nan), fraction)], device) \
        if shared else None
    for j in order:
        live = [b for b in range(B) if is_active(j, partial[b])]
        if not live:
            continue
        # Identical decisions (the same context with the same values decoded so far, as a
        # proposal's K draws all are at its first hyperparameter) go through the network once.
        slot: dict[tuple[int, bytes], int] = {}
        firsts: list[int] = []  # the first decision of each kind, in order
        inverse: list[int] = []  # each decision's kind
        for b in live:
            key = (id(contexts[b]), partial[b].tobytes())
            if key not in slot:
                slot[key] = len(firsts)
                firsts.append(b)
            inverse.append(slot[key])
        d = _for_draws(base, j, partial[firsts], device) if base is not None else \
            stack(columns, [(contexts[b], j, partial[b], fraction) for b in firsts], device)
        with torch.inference_mode():  # lighter than no_grad: no version counters
            mix = policy(d)
            if len(firsts) < len(live):
                mix = mix.take(torch.tensor(inverse, device=device))
            # Grids snap, so the stored value is the action whose probability is kept.
            drawn = columns.snap(j, sample(mix, rng))
            if log_probs:
                lp = log_prob(mix, torch.as_tensor(drawn, dtype=torch.float32, device=device))
                total[live, j] = lp.cpu().numpy()
        partial[live, j] = drawn
    return partial, total
