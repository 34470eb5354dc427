"""4 worker processes on PostgreSQL, 400 trials: no trial lost or duplicated, and the agent
still beats random search.

Every evaluation leaves a file named after its trial number, so the check does not trust
the storage alone: the completed trials must be exactly the evaluated ones, once each.
Random search runs the same objective with the same number of trials and seeds (in-memory:
the objective is deterministic, so where it runs does not change its results).

    .venv/bin/python benchmarks/runtime/workers_postgres.py --seeds 3 \
        --out benchmarks/runtime/results/workers_postgres.json
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import optuna
from optuna.trial import TrialState

from rocket_hpo import RocketSampler
from rocket_hpo.runner import count_trials, make_storage, optimize
from rocket_hpo.space import Categorical, Float, Int, Space

PG = "postgresql://postgres@127.0.0.1:5432/test"
SPACE = Space(
    a=Float(-5.0, 5.0),
    b=Float(-5.0, 5.0),
    c=Float(-5.0, 5.0),
    d=Float(1e-4, 1.0, log=True),
    depth=Int(1, 8),
    kind=Categorical(["w", "x", "y", "z"]),
)
OPTIMUM = {"a": 1.5, "b": -2.0, "c": 0.5, "d": 1e-2, "depth": 6, "kind": "y"}


def value(trial: optuna.Trial) -> float:
    """A mixed-type bowl; 0 at ``OPTIMUM``."""
    import math

    p = SPACE.suggest(trial)
    v = sum((p[k] - OPTIMUM[k]) ** 2 for k in "abc")
    v += (math.log10(p["d"]) - math.log10(OPTIMUM["d"])) ** 2
    v += 0.25 * abs(p["depth"] - OPTIMUM["depth"]) + (0.0 if p["kind"] == "y" else 1.0)
    return v


class Recorded:
    """``value`` that leaves one file per evaluation (picklable for the workers)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, trial: optuna.Trial) -> float:
        v = value(trial)
        Path(self.folder, f"{trial.number}-{os.getpid()}-{uuid.uuid4().hex[:6]}").write_text("")
        return v


def run_workers(n_trials: int, n_workers: int, seed: int) -> dict:
    folder = tempfile.mkdtemp(prefix="rocket-workers-")
    storage = make_storage(PG)
    name = f"workers-{uuid.uuid4().hex[:8]}"
    factory = functools.partial(RocketSampler, SPACE, seed=seed)
    study = optuna.create_study(storage=storage, study_name=name, sampler=factory())
    start = time.perf_counter()
    counts = optimize(
        study, Recorded(folder), n_trials=n_trials, n_workers=n_workers, sampler_factory=factory
    )
    seconds = time.perf_counter() - start
    evaluated = sorted(int(p.name.split("-")[0]) for p in Path(folder).iterdir())
    complete = sorted(t.number for t in study.get_trials(states=(TrialState.COMPLETE,)))
    numbers = [t.number for t in study.trials]
    result = {
        "seed": seed,
        "seconds": round(seconds, 1),
        "counts": count_trials(study).__dict__,
        "complete": len(complete),
        "evaluations": len(evaluated),
        "no_lost_trial": evaluated == complete,
        "no_duplicate": len(set(evaluated)) == len(evaluated) and len(set(numbers)) == len(numbers),
        "exactly_n": counts.complete == n_trials,
        "best": study.best_value,
        "stage": int(
            study._storage.get_study_system_attrs(study._study_id)["rocket:agent:meta"]["stage"]
        ),
    }
    optuna.delete_study(study_name=name, storage=storage)
    return result


def run_random(n_trials: int, seed: int) -> float:
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    study.optimize(value, n_trials=n_trials)
    return float(study.best_value)


def compare(n_trials: int = 400, n_workers: int = 4, seeds: int = 3) -> dict:
    rows = []
    for seed in range(seeds):
        row = run_workers(n_trials, n_workers, seed)
        row["random_best"] = run_random(n_trials, seed)
        rows.append(row)
        print(json.dumps(row), flush=True)
    rocket = [r["best"] for r in rows]
    random_ = [r["random_best"] for r in rows]
    return {
        "n_trials": n_trials,
        "n_workers": n_workers,
        "rows": rows,
        "rocket_best_median": statistics.median(rocket),
        "random_best_median": statistics.median(random_),
        "rocket_wins": sum(a < b for a, b in zip(rocket, random_, strict=True)),
        "all_exact": all(r["no_lost_trial"] and r["no_duplicate"] and r["exactly_n"] for r in rows),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=400)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    report = {"command": "benchmarks/runtime/workers_postgres.py " + " ".join(sys.argv[1:])}
    report |= compare(args.trials, args.workers, args.seeds)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    ok = report["all_exact"] and report["rocket_wins"] > args.seeds / 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
