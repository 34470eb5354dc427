"""On how many seeds does the entropy test's study fail its checks?

Runs the study of ``tests/test_sampler.py::test_stored_entropy_falls_and_stage_mean_score_rises``
(100 trials of its bowl) on seeds 10-29 and applies that test's three learning checks: the
stored entropy falls, the stage mean score improves, the policy prefers the right activation.

    .venv/bin/python benchmarks/agent/entropy_seeds.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[2] / "tests"))
from rocket_hpo import RocketSampler
from rocket_hpo.agent import read_signals
from test_sampler import SPACE, run


def main() -> None:
    failing = []
    for seed in range(10, 30):
        signals = read_signals(run(RocketSampler(SPACE, seed=seed), 100))
        entropy = [s["entropy"] for s in signals]
        means = [s["group_mean_value"] for s in signals]
        probs = signals[-1]["hyperparameters"]["act"]["probs"]
        ok = (np.mean(entropy[-4:]) < np.mean(entropy[:4]) - 0.05
              and np.mean(means[-5:]) < np.mean(means[:5])
              and max(probs, key=probs.get) == "tanh")
        if not ok:
            failing.append(seed)
    print(f"seeds 10-29: {len(failing)} of 20 fail the checks {failing}")


if __name__ == "__main__":
    main()
