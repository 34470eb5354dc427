"""How far can a data-subset screen get at a tenth of the cost? (issue 4's 10x target)

For each task and seed of a committed results folder, the target is ``rocket-full``'s final
score and ``c_full`` its cost to first reach it; the 10x target asks a subset method to
reach that score for at most ``c_full / 10`` full-data equivalents, the answer taken from
full data. This script asks what uniform random configurations screened on the smallest
rung could do with that money, so the target can be judged against the task itself:

* ``full``: ``floor(C)`` uniform configurations, each on full data;
* ``screen``: ``N`` uniform configurations on 1/27 of the data, the best ``k`` of them by
  that score promoted to full data, ``N / 27 + k <= C``, the best ``k`` for the task;
* ``oracle``: the same, but promoting by the *full-data* score, as if the small rung
  ranked perfectly: an upper bound for any screen of uniform configurations.

Each is a probability over 400 draws (without replacement) from 20,000 uniform
configurations evaluated once at both fidelities. ``p`` is the share of uniform
configurations that reach the target on full data. A learned proposal does better than
uniform, so these are not a bound for Rocket; they say how much of the 10x a screen of
this ladder's smallest rung can carry on the task.

Command (the runs reported in README.md; budget 50 from ``results_critic``, 150 from
``results_b150``):
    .venv/bin/python benchmarks/fidelity/screen_bound.py \
        --results benchmarks/fidelity/results_b150 \
        > benchmarks/fidelity/results_b150/screen_bound.txt
"""

from __future__ import annotations

import argparse
import json
import math
from collections import defaultdict
from pathlib import Path

import numpy as np

from rocket_hpo.bench.problems import get_problem
from rocket_hpo.bench.stats import cost_to_reach

SMALL = 1 / 27
N_POOL = 20_000
N_DRAWS = 400


def pool_scores(task: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores of ``N_POOL`` uniform configurations on 1/27 and on all of the data."""
    problem = get_problem(task)
    sign = 1.0 if problem.direction == "maximize" else -1.0
    configs = problem.space.sample_many(N_POOL, seed=seed)
    low = np.array([problem.evaluate(c, SMALL)[0] for c in configs]) * sign
    full = np.array([problem.evaluate(c, 1.0)[0] for c in configs]) * sign
    low[~np.isfinite(low)] = -np.inf
    full[~np.isfinite(full)] = -np.inf
    return low, full


def chance(low: np.ndarray, full: np.ndarray, target: float, budget: float,
           rng: np.random.Generator) -> dict[str, float]:
    """Probability that each strategy reaches ``target`` for at most ``budget``."""
    out = {"full": 0.0, "screen": 0.0, "oracle": 0.0}
    n_full = int(math.floor(budget + 1e-9))
    if n_full >= 1:
        hits = [full[rng.choice(len(full), n_full, replace=False)].max() >= target
                for _ in range(N_DRAWS)]
        out["full"] = float(np.mean(hits))
    for k in range(1, n_full + 1):
        n = int(math.floor((budget - k) / SMALL + 1e-9))
        if n < k:
            break
        screen = oracle = 0
        for _ in range(N_DRAWS):
            idx = rng.choice(len(full), n, replace=False)
            top = idx[np.argsort(-low[idx], kind="stable")[:k]]
            screen += full[top].max() >= target
            oracle += np.sort(full[idx])[-k:].max() >= target
        out["screen"] = max(out["screen"], screen / N_DRAWS)
        out["oracle"] = max(out["oracle"], oracle / N_DRAWS)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", default=str(Path(__file__).parent / "results_b150"))
    ap.add_argument("--factor", type=float, default=10.0)
    args = ap.parse_args()
    records = json.loads((Path(args.results) / "results.json").read_text())["records"]
    full_runs = defaultdict(dict)
    for r in records:
        if r["optimizer"] == "rocket-full":
            full_runs[r["task"]][r["seed"]] = r
    print(f"# {args.results}: target = rocket-full's final score, money = its cost to "
          f"reach it / {args.factor:g}")
    for task, by_seed in sorted(full_runs.items()):
        low, full = pool_scores(task, seed=0)
        rng = np.random.default_rng(0)
        rho = float(np.corrcoef(np.argsort(np.argsort(low)), np.argsort(np.argsort(full)))[0, 1])
        print(f"\n## {task}: Spearman(1/27, full) over {N_POOL} uniform configs = {rho:.2f}")
        print("| seed | target | c_full | money | p (uniform reaches target) "
              "| P full | P screen | P oracle |")
        print("|---|---|---|---|---|---|---|---|")
        rows = []
        for seed, r in sorted(by_seed.items()):
            target = r["final_score"]
            c_full = cost_to_reach(r["trace"], target, maximize=True)
            money = c_full / args.factor
            p = float(np.mean(full >= target - 1e-12))
            c = chance(low, full, target, money, rng)
            rows.append((p, c))
            print(f"| {seed} | {target:.4f} | {c_full:.1f} | {money:.2f} | {p:.5f} "
                  f"| {c['full']:.2f} | {c['screen']:.2f} | {c['oracle']:.2f} |")
        mean = {k: np.mean([c[k] for _, c in rows]) for k in ("full", "screen", "oracle")}
        print(f"| mean | | | | {np.mean([p for p, _ in rows]):.5f} | {mean['full']:.2f} "
              f"| {mean['screen']:.2f} | {mean['oracle']:.2f} |")


if __name__ == "__main__":
    main()
