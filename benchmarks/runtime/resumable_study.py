"""A study process meant to be killed and resumed (used by kill_resume.py and the tests).

Runs ``optimize`` on a small mixed space until the study holds ``--trials`` done trials,
printing one JSON line per finished trial: ``{"trial": number, "stage": agent stage}``.
Start it again after a kill and it resumes the same study.

    .venv/bin/python benchmarks/runtime/resumable_study.py --storage sqlite:///k.db \
        --study demo --trials 40
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import optuna

from rocket_hpo.runner import make_storage, optimize
from rocket_hpo.space import Categorical, Float, Space

SPACE = Space(x=Float(-5.0, 5.0), y=Float(-5.0, 5.0), kind=Categorical(["a", "b", "c"]))
SLEEP = 0.0


def objective(trial: optuna.Trial) -> float:
    """A shifted bowl plus a categorical penalty; minimum 0 at x=1, y=-2, kind=a."""
    c = SPACE.suggest(trial)
    if SLEEP:
        time.sleep(SLEEP)
    return (c["x"] - 1.0) ** 2 + (c["y"] + 2.0) ** 2 + {"a": 0.0, "b": 1.0, "c": 2.0}[c["kind"]]


def make_sampler(name: str, seed: int) -> optuna.samplers.BaseSampler:
    if name == "rocket":
        from rocket_hpo import RocketSampler

        return RocketSampler(SPACE, seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    return optuna.samplers.RandomSampler(seed=seed)


def main(argv: list[str] | None = None) -> int:
    global SLEEP
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storage", required=True)
    parser.add_argument("--study", required=True)
    parser.add_argument("--trials", type=int, required=True)
    parser.add_argument("--sampler", choices=["rocket", "tpe", "random"], default="rocket")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sleep", type=float, default=0.05, help="seconds per objective call")
    parser.add_argument("--heartbeat", type=int, default=1)
    parser.add_argument("--grace", type=int, default=2)
    parser.add_argument("--log", default=None, help="write the JSON lines here, not stdout")
    args = parser.parse_args(argv)
    out = sys.stdout if args.log is None else open(args.log, "a", buffering=1)  # noqa: SIM115
    SLEEP = args.sleep
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = make_sampler(args.sampler, args.seed)
    study = optuna.create_study(
        storage=make_storage(
            args.storage, heartbeat_interval=args.heartbeat, grace_period=args.grace
        ),
        study_name=args.study,
        sampler=sampler,
        load_if_exists=True,
    )

    def report(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        stage = int(getattr(sampler, "stage", -1))
        print(json.dumps({"trial": trial.number, "stage": stage}), file=out, flush=True)

    counts = optimize(study, objective, n_trials=args.trials, callbacks=[report])
    print(json.dumps({"done": counts.done, "complete": counts.complete}), file=out, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
