"""Ablation: the same subset ladder under Optuna's TPE (FidelitySampler) vs TPE on full data.

Separates the scheduler from the policy: if TPE on the ladder reaches TPE-on-full-data's
final quality much cheaper while Rocket on the ladder does not, the policy is the weak part.
Same tasks, budget and seeds as subsets_vs_full.py; the harness's Tracker does the cost accounting.

Command:
    .venv/bin/python benchmarks/fidelity/ablation.py      # writes results/ablation.json
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import optuna

from rocket_hpo.bench.optimizers import optuna_loop
from rocket_hpo.bench.problems import get_problem
from rocket_hpo.bench.tracker import BudgetExhausted, Tracker
from rocket_hpo.fidelity import FidelitySampler, SubsetScheduler

HERE = Path(__file__).parent
TASKS = ["yahpo/rbv2_xgboost/40701", "yahpo/rbv2_xgboost/29"]


def run(task: str, method: str, seed: int, budget: float) -> dict[str, Any]:
    problem = get_problem(task)
    tracker = Tracker(problem, budget)
    tpe = optuna.samplers.TPESampler(seed=seed)
    ladder = SubsetScheduler(seed=seed, promotion="asha")  # the default these runs measured
    sampler = FidelitySampler(tpe, ladder) if method == "tpe-ladder" else tpe
    with contextlib.suppress(BudgetExhausted):
        optuna_loop(tracker, sampler)
    record = tracker.record()
    record.update(task=task, optimizer=method, seed=seed, budget=budget,
                  direction=problem.direction)  # fmt: skip
    return record


def main() -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    out = HERE / "results" / "ablation.json"
    records = [run(t, m, s, 50.0) for t in TASKS for s in range(10) for m in ("tpe-ladder", "tpe")]
    out.write_text(json.dumps({"meta": {"command": "python benchmarks/fidelity/ablation.py"},
                               "records": records}, indent=1))  # fmt: skip
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
