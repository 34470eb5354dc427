"""Per-trial overhead (sampler plus storage) and throughput with 1, 2 and 4 workers.

Overhead: ``optimize`` runs a study whose objective returns at once, so the wall time per
trial is what the sampler and the storage cost. Each (storage, sampler) cell is repeated
with several seeds; the table gives the mean and a 95% t-interval, and the ratio to random
search on in-memory storage measured in the same run.

The row ``random-optuna`` is the peer: the same random search run by Optuna's own
``Study.optimize`` on the same storage, so the difference to ``random`` is what Rocket's
runner adds (heartbeats, lost-trial checks, exact trial counting).

Throughput: a 1-second objective (``time.sleep(1)``) on PostgreSQL with RocketSampler,
with 1, 2 and 4 worker processes. Steady-state throughput counts trials finished per second
between the first and the last completion (worker start-up, seconds of imports, excluded
and reported separately as the wall time of the whole call).

    .venv/bin/python benchmarks/runtime/overhead.py \
        --out benchmarks/runtime/results/overhead.json --md benchmarks/runtime/results/overhead.md
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import optuna
from scipy import stats

from rocket_hpo import RocketSampler
from rocket_hpo.runner import make_storage, optimize
from rocket_hpo.space import Categorical, Float, Int, Space

PG = "postgresql://postgres@127.0.0.1:5432/test"
SPACE = Space(
    lr=Float(1e-5, 1.0, log=True),
    momentum=Float(0.0, 0.99),
    layers=Int(1, 4),
    act=Categorical(["relu", "tanh", "gelu"]),
)


def instant(trial: optuna.Trial) -> float:
    c = SPACE.suggest(trial)
    return math.log10(c["lr"]) ** 2 + c["momentum"] + c["layers"] + (c["act"] == "relu")


def one_second(trial: optuna.Trial) -> float:
    value = instant(trial)
    time.sleep(1.0)
    return value


def make_sampler(name: str, seed: int) -> optuna.samplers.BaseSampler:
    """``random-optuna`` is random search run by ``Study.optimize`` instead of ``optimize``."""
    if name == "rocket":
        return RocketSampler(SPACE, seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    return optuna.samplers.RandomSampler(seed=seed)


def _interval(xs: list[float]) -> tuple[float, float]:
    mean = statistics.fmean(xs)
    if len(xs) < 2:
        return mean, math.nan
    half = stats.t.ppf(0.975, len(xs) - 1) * statistics.stdev(xs) / math.sqrt(len(xs))
    return mean, half


def _storage(kind: str, folder: str) -> Any:
    if kind == "memory":
        return make_storage("memory")
    if kind == "sqlite":
        return make_storage(f"sqlite:///{folder}/{uuid.uuid4().hex[:8]}.db")
    return make_storage(PG)


def overhead(trials: int, seeds: int, samplers: list[str], storages: list[str]) -> list[dict]:
    rows = []
    folder = tempfile.mkdtemp(prefix="rocket-overhead-")
    for storage_kind in storages:
        for sampler in samplers:
            per_trial = []
            for seed in range(seeds):
                storage = _storage(storage_kind, folder)
                name = f"overhead-{uuid.uuid4().hex[:8]}"
                study = optuna.create_study(
                    storage=storage, study_name=name, sampler=make_sampler(sampler, seed)
                )
                start = time.perf_counter()
                if sampler == "random-optuna":
                    # The peer: Optuna's own loop, same storage and sampler, no Rocket runner.
                    study.optimize(instant, n_trials=trials)
                else:
                    optimize(study, instant, n_trials=trials)
                per_trial.append((time.perf_counter() - start) / trials)
                if storage_kind == "postgres":
                    optuna.delete_study(study_name=name, storage=storage)
            mean, half = _interval(per_trial)
            rows.append(
                {
                    "storage": storage_kind,
                    "sampler": sampler,
                    "ms_per_trial": round(1000 * mean, 2),
                    "ci95_ms": round(1000 * half, 2),
                    "runs": [round(1000 * x, 2) for x in per_trial],
                }
            )
            print(rows[-1], flush=True)
    base = next(r for r in rows if r["storage"] == "memory" and r["sampler"] == "random")
    for r in rows:
        r["ratio_to_random_memory"] = round(r["ms_per_trial"] / base["ms_per_trial"], 1)
    return rows


def throughput(trials: int, workers: list[int], repeats: int) -> list[dict]:
    rows = []
    for n in workers:
        steady, wall = [], []
        for rep in range(repeats):
            storage = make_storage(PG)
            name = f"throughput-{uuid.uuid4().hex[:8]}"
            study = optuna.create_study(
                storage=storage, study_name=name, sampler=RocketSampler(SPACE, seed=rep)
            )
            start = time.perf_counter()
            optimize(
                study,
                one_second,
                n_trials=trials,
                n_workers=n,
                sampler_factory=functools.partial(RocketSampler, SPACE, seed=rep),
            )
            wall.append(time.perf_counter() - start)
            done = sorted(t.datetime_complete for t in study.trials if t.datetime_complete)
            span = (done[-1] - done[0]).total_seconds()
            steady.append((len(done) - 1) / span)
            optuna.delete_study(study_name=name, storage=storage)
        s_mean, s_half = _interval(steady)
        w_mean, w_half = _interval(wall)
        rows.append(
            {
                "workers": n,
                "trials": trials,
                "steady_trials_per_s": round(s_mean, 3),
                "steady_ci95": round(s_half, 3),
                "wall_s": round(w_mean, 1),
                "wall_ci95": round(w_half, 1),
                "runs_trials_per_s": [round(x, 3) for x in steady],
            }
        )
        print(rows[-1], flush=True)
    one = rows[0]["steady_trials_per_s"]
    for r in rows:
        r["speedup_vs_1"] = round(r["steady_trials_per_s"] / one, 2)
    return rows


def markdown(report: dict) -> str:
    lines = [
        "# Runner overhead and throughput",
        "",
        f"Command: `{report['command']}`  ",
        f"Machine: {report['machine']}; measured {report['date']}.",
        "",
        f"## Per-trial overhead ({report['overhead_trials']} trials of an instant objective, "
        f"{report['seeds']} seeds; mean ± 95% CI)",
        "",
        "| storage | sampler | ms per trial | ratio to random/memory |",
        "|---|---|---|---|",
    ]
    for r in report["overhead"]:
        lines.append(
            f"| {r['storage']} | {r['sampler']} | {r['ms_per_trial']} ± {r['ci95_ms']} | "
            f"{r['ratio_to_random_memory']}x |"
        )
    lines += [
        "",
        f"## Throughput, 1-second objective, PostgreSQL, RocketSampler "
        f"({report['throughput'][0]['trials']} trials, {report['repeats']} repeats)",
        "",
        "| workers | steady trials/s | speed-up vs 1 | wall s (incl. start-up) |",
        "|---|---|---|---|",
    ]
    for r in report["throughput"]:
        lines.append(
            f"| {r['workers']} | {r['steady_trials_per_s']} ± {r['steady_ci95']} | "
            f"{r['speedup_vs_1']}x | {r['wall_s']} ± {r['wall_ci95']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--throughput-trials", type=int, default=24)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--md", type=Path, default=None)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    import os
    import platform

    report = {
        "command": "benchmarks/runtime/overhead.py " + " ".join(sys.argv[1:]),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs (shared with other jobs)",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "overhead_trials": args.trials,
        "seeds": args.seeds,
        "repeats": args.repeats,
        "overhead": overhead(
            args.trials,
            args.seeds,
            ["random-optuna", "random", "tpe", "rocket"],
            ["memory", "sqlite", "postgres"],
        ),
        "throughput": throughput(args.throughput_trials, [1, 2, 4], args.repeats),
    }
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    if args.md is not None:
        args.md.write_text(markdown(report))
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
