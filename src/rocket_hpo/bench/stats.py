"""Statistics over benchmark records: normalised regret, bootstrap intervals, ranks, tests.

Regret of a record at cost ``c`` is the normalised regret of the best full-fidelity score
found by cost ``c``; before the first full-fidelity result it is 1 (the reference
worst). Problems without reference values (``dl/...``) are normalised by the best and
worst scores observed across all records of that task.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "bootstrap_ci",
    "cost_to_reach",
    "final_regrets",
    "mean_ranks",
    "normaliser",
    "regret_at",
    "regret_curve",
    "time_to_target",
    "wilcoxon_vs_best_peer",
]

Records = Sequence[dict[str, Any]]


def normaliser(records: Records) -> dict[str, tuple[float, float, bool]]:
    """Per task ``(best, worst, maximize)`` from the observed scores (for tasks lacking one)."""
    out: dict[str, tuple[float, float, bool]] = {}
    by_task: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_task[r["task"]].append(r)
    for task, rs in by_task.items():
        maximize = rs[0].get("direction", "maximize") == "maximize"
        scores = [s for r in rs for _, s in r["trace"] if math.isfinite(s)]
        if not scores:
            out[task] = (0.0, 1.0, maximize)
            continue
        best, worst = (max(scores), min(scores)) if maximize else (min(scores), max(scores))
        out[task] = (best, worst, maximize)
    return out


def regret_trace(
    record: dict[str, Any], norm: dict[str, tuple[float, float, bool]]
) -> list[list[float]]:
    """``[[cost, regret], ...]`` of a record (its own, or from the observed normaliser)."""
    if record.get("regret_trace") is not None:
        return [list(p) for p in record["regret_trace"]]
    best, worst, _ = norm[record["task"]]
    span = best - worst
    return [[c, (best - s) / span if span else 0.0] for c, s in record["trace"]]


def regret_curve(record: dict[str, Any], grid: np.ndarray[Any, Any],
                 norm: dict[str, tuple[float, float, bool]]) -> np.ndarray[Any, Any]:
    """The record's regret at each cost in ``grid`` (a step function; 1 before any result)."""
    trace = regret_trace(record, norm)
    out = np.ones_like(grid, dtype=float)
    for cost, regret in trace:
        out[grid >= cost] = regret
    return out


def final_regrets(records: Records,
                  cut: float | None = None) -> dict[str, dict[str, dict[int, float]]]:
    """``task -> optimizer -> seed -> normalised regret`` at the end of each run, or at cost
    ``cut`` (the best full-fidelity result found by then; 1 before any) when given.

    Records whose budget is below ``cut`` are left out: their run stopped before it.

    Example:
        >>> rec = {"task": "t", "optimizer": "o", "seed": 0, "budget": 50.0, "trace": [],
        ...        "regret_trace": [[3.0, 0.5], [30.0, 0.1]]}
        >>> final_regrets([rec], cut=20)["t"]["o"][0], final_regrets([rec])["t"]["o"][0]
        (0.5, 0.1)
    """
    norm = normaliser(records)
    out: dict[str, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    for r in records:
        if cut is not None and float(r["budget"]) < cut - 1e-9:
            continue
        trace = regret_trace(r, norm)
        out[r["task"]][r["optimizer"]][int(r["seed"])] = regret_at(
            trace, math.inf if cut is None else cut)
    return out


def regret_at(trace: Sequence[Sequence[float]], cost: float) -> float:
    """The regret of a ``[[cost, regret], ...]`` trace at ``cost`` (1 before its first point).

    Example:
        >>> regret_at([[3.0, 0.5], [30.0, 0.1]], 20), regret_at([[3.0, 0.5]], 1)
        (0.5, 1.0)
    """
    points = [r for c, r in trace if c <= cost + 1e-9]
    return float(points[-1]) if points else 1.0


def cost_to_reach(trace: Sequence[Sequence[float]], target: float, maximize: bool) -> float:
    """The first cost at which a raw-score trace ``[[cost, best], ...]`` reaches ``target``
    (inf if it never does).

    Example:
        >>> cost_to_reach([[1.0, 0.5], [4.0, 0.8]], 0.7, maximize=True)
        4.0
    """
    for cost, score in trace:
        if (score >= target - 1e-12) if maximize else (score <= target + 1e-12):
            return float(cost)
    return math.inf


def bootstrap_ci(values: Sequence[float], seed: int = 0, n: int = 2000,
                 level: float = 0.95) -> tuple[float, float, float]:
    """Mean and a percentile bootstrap interval of the mean.

    Example:
        >>> m, lo, hi = bootstrap_ci([1.0, 2.0, 3.0, 4.0])
        >>> lo <= m <= hi
        True
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return (math.nan, math.nan, math.nan)
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, x.size, size=(n, x.size))].mean(axis=1)
    alpha = (1 - level) / 2
    return float(x.mean()), float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))


def mean_ranks(regrets: dict[str, dict[str, dict[int, float]]]) -> dict[str, float]:
    """Mean rank (1 = best, ties averaged) of each optimizer over all (task, seed) pairs."""
    from scipy.stats import rankdata

    ranks: dict[str, list[float]] = defaultdict(list)
    for by_opt in regrets.values():
        opts = sorted(by_opt)
        seeds = set.intersection(*(set(by_opt[o]) for o in opts))
        for s in sorted(seeds):
            r = rankdata([by_opt[o][s] for o in opts])
            for o, v in zip(opts, r, strict=True):
                ranks[o].append(float(v))
    return {o: float(np.mean(v)) for o, v in ranks.items()}


def wilcoxon_vs_best_peer(by_opt: dict[str, dict[int, float]],
                          ours: str = "rocket") -> dict[str, Any] | None:
    """Two-sided Wilcoxon signed-rank test of ``ours`` against the peer with the lowest mean
    final regret on one task, paired by seed. ``None`` when ``ours`` or peers are missing.

    Example:
        >>> w = wilcoxon_vs_best_peer({"rocket": {0: 0.1, 1: 0.2, 2: 0.1},
        ...                            "tpe": {0: 0.3, 1: 0.4, 2: 0.5}})
        >>> w["peer"], w["median_diff"]
        ('tpe', -0.2)
    """
    from scipy.stats import wilcoxon

    # Rocket's own variants (rocket-full, ...) are ablations, not peers.
    peers = {o: v for o, v in by_opt.items() if not o.startswith("rocket")}
    if ours not in by_opt or not peers:
        return None
    best = min(peers, key=lambda o: float(np.mean(list(peers[o].values()))))
    seeds = sorted(set(by_opt[ours]) & set(peers[best]))
    a = np.array([by_opt[ours][s] for s in seeds])
    b = np.array([peers[best][s] for s in seeds])
    diff = a - b
    p = math.nan
    if len(seeds) >= 2 and np.any(diff != 0):
        p = float(wilcoxon(a, b, zero_method="zsplit").pvalue)
    return {"peer": best, "n": len(seeds), "median_diff": float(np.median(diff)) if len(diff) else
            math.nan, "p": p}


def time_to_target(record: dict[str, Any], target: float,
                   norm: dict[str, tuple[float, float, bool]]) -> float:
    """Cost at which the record's regret first reaches ``target`` (inf if never)."""
    for cost, regret in regret_trace(record, norm):
        if regret <= target + 1e-12 and cost <= float(record["budget"]) + 1e-9:
            return float(cost)
    return math.inf
