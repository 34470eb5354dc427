"""How often the agent proposes into a region that fails, late in a study.

The task of ``tests/test_sampler.py::test_failures_rank_last_and_their_region_is_avoided``:
maximise x + y on [0, 1]^2, where x > 0.6 raises and 0.4 < x <= 0.6 returns NaN, so the
best lies just below the failing region. Uniform sampling lands there 60 % of the time.
Per seed: the share of failing proposals among the first 20 and the last 40 of 100 trials.

    .venv/bin/python benchmarks/agent/failing_region.py '{}'
"""

from __future__ import annotations

import json
import sys
import warnings

import numpy as np
import optuna

from rocket_hpo import RocketSampler
from rocket_hpo.space import Float, Space

optuna.logging.set_verbosity(optuna.logging.ERROR)
SPACE = Space(x=Float(0.0, 1.0), y=Float(0.0, 1.0))


def objective(trial: optuna.Trial) -> float:
    c = SPACE.suggest(trial)
    if c["x"] > 0.6:
        raise RuntimeError("diverged")
    if c["x"] > 0.4:
        return float("nan")
    return c["x"] + c["y"]


def main() -> None:
    settings = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    print(f"settings {settings}; share of proposals with x > 0.4, 100 trials")
    last = []
    for seed in range(5, 11):
        study = optuna.create_study(direction="maximize",
                                    sampler=RocketSampler(SPACE, seed=seed, **settings))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            study.optimize(objective, n_trials=100, catch=(RuntimeError,))
        failing = [t.params["x"] > 0.4 for t in study.trials]
        last.append(np.mean(failing[-40:]))
        print(f"seed {seed}: first 20 {np.mean(failing[:20]):.2f}, last 40 {last[-1]:.2f}, "
              f"best {study.best_value:.3f}")
    print(f"last 40, mean over seeds: {np.mean(last):.2f}")


if __name__ == "__main__":
    main()
