"""Development sweep (dev instances only): Trust threshold for the learning rung.

Rocket on the ladder with Trust(threshold=t) on the yahpo-dev rbv2_xgboost instances 40496
and 41212, seeds 100-102 (not the reported seeds), budget 50; prints mean final regret and
the learning fraction at the end. Used to pick the default threshold before the reported run.

Command:
    .venv/bin/python benchmarks/fidelity/dev_trust.py > benchmarks/fidelity/results/dev_trust.txt
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import optuna

from rocket_hpo.bench.problems import get_problem
from rocket_hpo.bench.tracker import BudgetExhausted, Tracker
from rocket_hpo.fidelity import SubsetScheduler, Trust, data_fraction
from rocket_hpo.sampler import RocketSampler


def run(task: str, threshold: float, seed: int) -> tuple[float, float]:
    problem = get_problem(task)
    tracker = Tracker(problem, 50.0)
    scheduler = SubsetScheduler(trust=Trust(threshold=threshold), seed=seed)
    sampler = RocketSampler(problem.space, seed=seed, fidelity=scheduler)
    study = optuna.create_study(direction=problem.direction, sampler=sampler)
    with contextlib.suppress(BudgetExhausted):
        while True:
            trial = study.ask()
            score = tracker.evaluate(problem.space.suggest(trial), data_fraction(trial))
            study.tell(trial, score if math.isfinite(score) else None,
                       state=None if math.isfinite(score) else optuna.trial.TrialState.FAIL)  # fmt: skip
    return tracker.record()["final_regret"], scheduler.learning_fraction(study)


def main() -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for threshold in (0.3, 0.6, 0.8):
        rows = [run(t, threshold, s) for t in ("yahpo/rbv2_xgboost/40496", "yahpo/rbv2_xgboost/41212")
                for s in (100, 101, 102)]  # fmt: skip
        regrets = [r for r, _ in rows]
        print(f"threshold {threshold}: mean final regret {np.mean(regrets):.4f} "
              f"(values {', '.join(f'{r:.3f}' for r in regrets)}); learning fractions "
              f"{', '.join(f'{f:.3f}' for _, f in rows)}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
