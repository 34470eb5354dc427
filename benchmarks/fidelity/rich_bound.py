"""The oracle bound on the data-rich tasks: the speedup a perfectly ranking screen could give.

Issue 15 asks each data-subset result to be shown next to what was possible on its problem.
``screen_bound.py`` answers that for YAHPO surrogates by drawing 20,000 configurations; on
the data-rich deep-learning tasks each configuration costs seconds of training, so this
script uses the 200 uniform configurations of ``rank_agreement_rich.json``, each trained on
every rung (1/9, 1/3, full) with its compute recorded.

Per task and seed of a results folder: the target is ``rocket-full``'s final score and
``c_full`` its cost to first reach it (as ``analyse.py`` takes them). The oracle screens
``N`` uniform configurations on the smallest rung and promotes, to full data, the one that
is best *on full data* (a screen that ranks perfectly), paying each screened
configuration's recorded smallest-rung compute (honest cost: a step-capped rung can cost
more than its fraction) and one full training. It reaches the target when one of the ``N``
does; with ``p`` the share of the pool that reaches it, that chance is hypergeometric and
exact (no sampling). ``N*`` is the smallest ``N`` with a chance of at least one half, and
the oracle's speedup is ``c_full / (N* x mean smallest-rung cost + 1)``. Uniform full-data
search needs ``N*`` full trainings for the same chance. A learned proposal does better than
uniform draws, so this is the bound for a screen of uniform configurations, not for Rocket.
Diverged configurations (no score) count as not reaching the target; their compute is
not recorded, so the mean cost is over the others.

Command (results folder made by its run.sh):
    .venv/bin/python benchmarks/fidelity/rich_bound.py \
        --results benchmarks/fidelity/results_rich_b20 \
        > benchmarks/fidelity/results_rich_b20/oracle_bound.md
"""

from __future__ import annotations

import argparse
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from rocket_hpo.bench.stats import cost_to_reach

HERE = Path(__file__).parent


def pool(path: Path, task: str) -> tuple[np.ndarray, float, str, float]:
    """Full-data scores (NaN where diverged) of the pool, the mean smallest-rung cost,
    the smallest rung's key, and its Spearman rank agreement with full data."""
    records = json.loads(path.read_text())["tasks"][task]["records"]
    rungs = sorted(records[0]["rungs"], key=float)
    low_key, full_key = rungs[0], rungs[-1]

    def score(r: dict[str, Any], key: str) -> float:
        s = r["rungs"][key]["score"]
        return math.nan if s is None else float(s)

    full = np.array([score(r, full_key) for r in records])
    low = np.array([score(r, low_key) for r in records])
    costs = [r["rungs"][low_key]["cost"] for r in records if "cost" in r["rungs"][low_key]]
    ok = ~np.isnan(full) & ~np.isnan(low)
    rank = [np.argsort(np.argsort(x[ok])) for x in (low, full)]
    rho = float(np.corrcoef(*rank)[0, 1])
    return full, float(np.mean(costs)), low_key, rho


def chance_any(n_pool: int, n_hits: int, n: int) -> float:
    """P(at least one of ``n`` draws without replacement from ``n_pool`` is a hit)."""
    if n_hits == 0:
        return 0.0
    return 1.0 - math.comb(n_pool - n_hits, n) / math.comb(n_pool, n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", default=str(HERE / "results_rich_b20"))
    ap.add_argument("--pool", default=str(HERE / "rank_agreement_rich.json"))
    args = ap.parse_args()
    records = json.loads((Path(args.results) / "results.json").read_text())["records"]
    full_runs: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for r in records:
        if r["optimizer"] == "rocket-full":
            full_runs[r["task"]][r["seed"]] = r
    print(f"# Oracle bound for `{Path(args.results).name}`\n\nPool: `{Path(args.pool).name}`. "
          "Target: rocket-full's final score; `c_full`: its cost to first reach it. See the "
          "docstring of `rich_bound.py` for the model.")
    for task, by_seed in sorted(full_runs.items()):
        name = task.split("/", 1)[1]
        full, low_cost, low_key, rho = pool(Path(args.pool), name)
        maximize = by_seed[min(by_seed)]["direction"] == "maximize"
        sign = 1.0 if maximize else -1.0
        good = np.where(np.isnan(full), -np.inf, sign * full)
        print(f"\n## {task}\n\nSmallest rung {float(low_key):.4f}: mean cost "
              f"{low_cost:.3f} of a full training; Spearman with full data {rho:.3f} "
              f"({len(full)} configurations).\n")
        print("| seed | target | c_full | p (pool share reaching it) | N* | oracle cost "
              "| oracle speedup | uniform full-data cost |")
        print("|---|---|---|---|---|---|---|---|")
        speedups = []
        for seed, r in sorted(by_seed.items()):
            target = r["final_score"]
            c_full = cost_to_reach(r["trace"], target, maximize=maximize)
            hits = int(np.sum(good >= sign * target - 1e-12))
            n_star = next((n for n in range(1, len(good) + 1)
                           if chance_any(len(good), hits, n) >= 0.5), None)
            if n_star is None:
                speedups.append(0.0)
                print(f"| {seed} | {target:.4f} | {c_full:.2f} | 0 | – | – | 0 (unreachable "
                      "for uniform draws) | – |")
                continue
            cost = n_star * low_cost + 1.0
            speedups.append(c_full / cost)
            print(f"| {seed} | {target:.4f} | {c_full:.2f} | {hits / len(good):.3f} | {n_star} "
                  f"| {cost:.2f} | {c_full / cost:.2f} | {n_star} |")
        reachable = [s for s in speedups if s > 0]
        median = f"{float(np.median(reachable)):.2f}" if reachable else "none"
        print(f"\nMedian oracle speedup over the {len(reachable)} of {len(speedups)} seeds whose "
              f"target a uniform configuration of the pool reaches: {median} (all seeds: "
              f"{', '.join(f'{s:.2f}' for s in speedups)}, 0 = unreachable).")


if __name__ == "__main__":
    main()
