"""Optimizer overhead: time per ask + suggest + tell over a long study, Rocket vs TPE.

Rocket runs twice: the default (its policy's draws screened by a Gaussian process, the
best of them climbed) and ``screen=0`` (the policy's single draw); ``--without-climb`` adds
``climb=0`` (the screen's best draw as it is), to see what the climb costs.

The objective is a cheap closed-form function over a 7-dimensional mixed space shaped like
lcbench's (so the objective costs microseconds and the time measured is the optimizer's).
Both samplers run in the same process, one after the other, with in-memory storage.

Usage:
    .venv/bin/python benchmarks/agent/overhead.py --trials 1000 \
        --out benchmarks/agent/results/overhead.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import optuna

from rocket_hpo import RocketSampler
from rocket_hpo.bench.jobs import code_version
from rocket_hpo.space import Categorical, Float, Int, Space

SPACE = Space(
    batch_size=Int(16, 512, log=True),
    learning_rate=Float(1e-4, 1e-1, log=True),
    max_dropout=Float(0.0, 1.0),
    max_units=Int(64, 1024, log=True),
    momentum=Float(0.1, 0.99),
    num_layers=Int(1, 5),
    optimizer=Categorical(["adam", "sgd", "adamw"]),
)


def objective(c: dict[str, Any]) -> float:
    return (
        (math.log10(c["learning_rate"]) + 2.5) ** 2 + (c["max_dropout"] - 0.2) ** 2
        + (math.log2(c["batch_size"]) - 6) ** 2 / 10 + (c["momentum"] - 0.9) ** 2
        + abs(c["num_layers"] - 3) / 5 + math.log2(c["max_units"]) / 100
        + (0.0 if c["optimizer"] == "adamw" else 0.3)
    )


def timed_study(sampler: optuna.samplers.BaseSampler, trials: int) -> np.ndarray:
    study = optuna.create_study(sampler=sampler)
    times = np.empty(trials)
    for i in range(trials):
        t0 = time.perf_counter()
        trial = study.ask()
        value = objective(SPACE.suggest(trial))
        study.tell(trial, value)
        times[i] = time.perf_counter() - t0
    return times * 1000.0  # ms


def _sizes(text: str) -> list[int]:
    try:
        return [int(k) for k in text.split(",") if k]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"screen sizes are integers, e.g. '48,32'; got {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--screens", type=_sizes, default=[],
                    help="also time these screen sizes, e.g. '48,32' (as rocket-screen:K)")
    ap.add_argument("--without-climb", action="store_true",
                    help="also time the screen without its climb (as rocket-climb:0)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    result: dict[str, Any] = {"command": " ".join(sys.argv), "code": code_version(),
                              "trials": args.trials}
    extra = [(f"rocket-screen:{k}", RocketSampler(SPACE, seed=args.seed, screen=k))
             for k in args.screens]
    if args.without_climb:
        extra.append(("rocket-climb:0", RocketSampler(SPACE, seed=args.seed, climb=0)))
    for name, sampler in [("rocket", RocketSampler(SPACE, seed=args.seed)), *extra,
                          ("rocket-unscreened", RocketSampler(SPACE, seed=args.seed, screen=0)),
                          ("tpe", optuna.samplers.TPESampler(seed=args.seed))]:
        ms = timed_study(sampler, args.trials)
        result[name] = {"median_ms": float(np.median(ms)), "mean_ms": float(ms.mean()),
                        "p90_ms": float(np.percentile(ms, 90)), "max_ms": float(ms.max()),
                        "total_s": float(ms.sum() / 1000)}
        print(f"{name:17s} median {np.median(ms):6.2f} ms  mean {ms.mean():6.2f} ms  "
              f"p90 {np.percentile(ms, 90):6.2f} ms  total {ms.sum() / 1000:6.1f} s")
    result["median_ratio_rocket_over_tpe"] = result["rocket"]["median_ms"] / result["tpe"][
        "median_ms"]
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
