"""A known weakness of the fourth round's defaults: the mixed-type bowl of
``benchmarks/runtime/workers_postgres.py`` (three floats in [-5, 5], a log float, an int and a
categorical worth 1.0), 200 trials, one process, seeds 0-5, Rocket with the given settings
against Optuna TPE. A best value near 1.0 means the run settled on a wrong category.

    .venv/bin/python benchmarks/agent/bowl.py '{}'                                    # defaults
    .venv/bin/python benchmarks/agent/bowl.py '{"critic_candidates":0,"refine_max":0.7}'
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import optuna

sys.path.insert(0, str(Path(__file__).parents[1] / "runtime"))
from workers_postgres import SPACE, value

from rocket_hpo import RocketSampler

optuna.logging.set_verbosity(optuna.logging.ERROR)


def best_values(make_sampler, n_trials: int, seeds: range) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for seed in seeds:
        study = optuna.create_study(sampler=make_sampler(seed))
        study.optimize(value, n_trials=n_trials)
        out.append(study.best_value)
    return out


def main() -> None:
    settings = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    n_trials, seeds = 200, range(6)
    rocket = best_values(lambda s: RocketSampler(SPACE, seed=s, **settings), n_trials, seeds)
    tpe = best_values(lambda s: optuna.samplers.TPESampler(seed=s), n_trials, seeds)
    print(f"settings {settings}, {n_trials} trials, seeds 0-5 (0 = optimum)")
    print("rocket", np.round(rocket, 3).tolist(), f"median {np.median(rocket):.3f}")
    print("tpe   ", np.round(tpe, 3).tolist(), f"median {np.median(tpe):.3f}")


if __name__ == "__main__":
    main()
