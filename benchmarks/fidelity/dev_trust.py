"""Development comparison (dev instances and seeds only): sceptical vs optimistic trust.

Rocket on the ladder with Trust(sceptical=True) (learn on full data until a subset's rank
agreement is shown) and Trust(sceptical=False) (learn on the cheapest rung until
disagreement is shown), on the yahpo-dev rbv2_xgboost instances 40496, 41212, 4134, seeds
100-103 (not the reported seeds), budget 50 full-data equivalents. Picked the default.

Command:
    .venv/bin/python benchmarks/fidelity/dev_trust.py > benchmarks/fidelity/results/dev_trust.txt
"""

from __future__ import annotations

import numpy as np
import optuna

from rocket_hpo.bench.optimizers import optuna_loop
from rocket_hpo.bench.problems import get_problem
from rocket_hpo.bench.tracker import Tracker
from rocket_hpo.fidelity import SubsetScheduler, Trust
from rocket_hpo.sampler import RocketSampler

TASKS = ("yahpo/rbv2_xgboost/40496", "yahpo/rbv2_xgboost/41212", "yahpo/rbv2_xgboost/4134")


def run(task: str, sceptical: bool, seed: int) -> tuple[float, float]:
    problem = get_problem(task)
    tracker = Tracker(problem, 50.0)
    # ASHA with every rung's results in the context: the defaults these runs measured.
    scheduler = SubsetScheduler(trust=Trust(sceptical=sceptical), seed=seed, promotion="asha")
    sampler = RocketSampler(problem.space, seed=seed, fidelity=scheduler, cheap_results=True)
    study = optuna_loop(tracker, sampler)
    return tracker.record()["final_regret"], scheduler.learning_fraction(study)


def main() -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for sceptical in (True, False):
        rows = [run(t, sceptical, s) for t in TASKS for s in (100, 101, 102, 103)]
        regrets = [r for r, _ in rows]
        print(f"sceptical={sceptical}: mean final regret {np.mean(regrets):.4f} "
              f"(values {', '.join(f'{r:.3f}' for r in regrets)}); final learning fractions "
              f"{', '.join(f'{f:.3f}' for _, f in rows)}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
