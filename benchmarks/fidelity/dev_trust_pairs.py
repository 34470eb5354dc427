"""Development check (dev instances and seeds only): does relaxing the sceptical trust buy the
10x cost reduction on rbv2_xgboost? Rocket on the ladder with Trust variants vs Rocket on full
data, instances 40496, 41212, 4134, seeds 100-103, budget 50. Per seed: the cost to reach the
full-data run's final score (full-data evaluations only), ratio full / subsets (unreached
counted at the budget); and the final regret difference. Default Trust: min_pairs 6.

Command:
    cd benchmarks/fidelity; ../../.venv/bin/python dev_trust_pairs.py > results/dev_trust_pairs.txt
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np

from rocket_hpo.bench.optimizers import optuna_loop
from rocket_hpo.bench.problems import get_problem
from rocket_hpo.bench.stats import cost_to_reach
from rocket_hpo.bench.tracker import BudgetExhausted, Tracker
from rocket_hpo.fidelity import SubsetScheduler, Trust
from rocket_hpo.sampler import RocketSampler

TASKS = ("yahpo/rbv2_xgboost/40496", "yahpo/rbv2_xgboost/41212", "yahpo/rbv2_xgboost/4134")
SEEDS = (100, 101, 102, 103)
BUDGET = 50.0
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "pairs4": {"min_pairs": 4},
    "pairs4_t0": {"min_pairs": 4, "threshold": 0.0},
    "optimistic": {"sceptical": False},
}


def run(task: str, seed: int, trust: dict[str, Any] | None) -> Tracker:
    """Rocket on ``task`` until the budget is spent; ``trust=None``: full data only."""
    problem = get_problem(task)
    tracker = Tracker(problem, BUDGET)
    # ASHA with every rung's results in the context: the defaults these runs measured.
    fidelity = (None if trust is None
                else SubsetScheduler(trust=Trust(**trust), seed=seed, promotion="asha"))
    with contextlib.suppress(BudgetExhausted):
        optuna_loop(tracker, RocketSampler(problem.space, seed=seed, fidelity=fidelity,
                                           cheap_results=True))
    return tracker


def main() -> None:
    full = {(t, s): run(t, s, None) for t in TASKS for s in SEEDS}
    for name, trust in VARIANTS.items():
        regrets, ratios = [], []
        for (task, seed), f in full.items():
            sub = run(task, seed, trust)
            target = f.trace[-1][1]
            reached = min(cost_to_reach(sub.trace, target, sub.maximize), BUDGET)
            ratios.append(cost_to_reach(f.trace, target, f.maximize) / reached)
            regrets.append(sub.record()["final_regret"] - f.record()["final_regret"])
        print(name, "mean regret diff (subsets - full)", round(float(np.mean(regrets)), 4),
              "ratio median", round(float(np.median(ratios)), 2),
              "geo", round(float(np.exp(np.mean(np.log(ratios)))), 2), flush=True)


if __name__ == "__main__":
    main()
