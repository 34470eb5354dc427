"""A study of 50 trials on a local Ray cluster: RocketSampler with the subset scheduler.

Checks that the results land in the Optuna storage, that the data fraction the scheduler
chose reaches the objective on the Ray workers, and that failures keep their reasons.

    .venv/bin/python benchmarks/runtime/ray_run.py --trials 50 \
        --out benchmarks/runtime/results/ray_run.json
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import sys
import tempfile
import time
from pathlib import Path

import optuna
import ray
from optuna.trial import TrialState

from rocket_hpo import RocketSampler
from rocket_hpo.fidelity import FIDELITY_PARAM, SubsetScheduler, data_fraction
from rocket_hpo.integrations.ray import run_ray
from rocket_hpo.runner import FAIL_KIND, make_storage
from rocket_hpo.space import Categorical, Float, Space

SPACE = Space(x=Float(-1.0, 1.0), y=Float(-1.0, 1.0), kind=Categorical(["a", "b", "c"]))


def objective(trial: optuna.Trial) -> float:
    """A bowl whose score gets noisier on smaller data fractions; fails on some trials."""
    c = SPACE.suggest(trial)
    fraction = data_fraction(trial)
    trial.set_user_attr("seen_fraction", fraction)  # FixedTrial: stays on the worker
    if trial.number % 17 == 5:
        raise RuntimeError("diverged")
    if trial.number % 17 == 11:
        return math.nan
    noise = 0.05 * math.sin(1000 * c["x"] * c["y"]) / math.sqrt(fraction)
    time.sleep(0.05)
    return (c["x"] - 0.3) ** 2 + (c["y"] + 0.1) ** 2 + {"a": 0, "b": 0.5, "c": 1}[c["kind"]] + noise


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--storage", default=None, help="default: a SQLite file in a temp dir")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    folder = tempfile.mkdtemp(prefix="rocket-ray-run-")
    url = args.storage or f"sqlite:///{folder}/ray.db"
    start = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray_up = time.perf_counter() - start
    sampler = RocketSampler(SPACE, seed=args.seed, fidelity=SubsetScheduler())
    counts = run_ray(
        objective,
        SPACE,
        n_trials=args.trials,
        study_name="ray-run",
        storage=url,
        sampler=sampler,
        max_concurrent=2,
        ray_dir=f"{folder}/ray",
    )
    seconds = time.perf_counter() - start
    ray.shutdown()
    study = optuna.load_study(study_name="ray-run", storage=make_storage(url))
    fractions = collections.Counter(
        round(data_fraction(t), 4) for t in study.trials
    )
    failed = collections.Counter(
        t.user_attrs.get(FAIL_KIND) for t in study.trials if t.state == TrialState.FAIL
    )
    full = [
        t.value
        for t in study.trials
        if t.state == TrialState.COMPLETE and data_fraction(t) == 1.0
    ]
    # The objective's noise depends on the data fraction: recomputing each value here with
    # the fraction stored for the trial gives the same number only if the Ray worker ran
    # the trial at that fraction.
    matches = []
    for t in study.get_trials(states=(TrialState.COMPLETE,)):
        fixed = optuna.trial.FixedTrial(t.params, number=t.number)
        fixed.set_user_attr(FIDELITY_PARAM, data_fraction(t))
        matches.append(abs(objective(fixed) - float(t.value)) < 1e-9)  # type: ignore[arg-type]
    from rocket_hpo.bench.jobs import code_version

    report = {
        "command": f"benchmarks/runtime/ray_run.py --trials {args.trials} --seed {args.seed}",
        "code": code_version(),  # the commit that ran, '+dirty' with local changes in src/
        "ray": ray.__version__,
        "ray_init_seconds": round(ray_up, 1),
        "total_seconds": round(seconds, 1),
        "trials_in_storage": len(study.trials),
        "counts": counts.__dict__,
        "failed_by_kind": dict(failed),
        "trials_per_fraction": {str(k): v for k, v in sorted(fractions.items())},
        "best_full_data_value": min(full) if full else None,
        "agent_stage": sampler.stage,
        "worker_used_the_stored_fraction": all(matches) and len(matches) == counts.complete,
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    return 0 if counts.done == args.trials and len(study.trials) == args.trials else 1


if __name__ == "__main__":
    sys.exit(main())
