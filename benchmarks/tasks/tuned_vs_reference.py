"""The paper's main table: `rocket tune` on each built-in task against the practitioner reference.

For each of the 16 built-in tasks (`rocket_hpo.tasks.TYPES`) and seed: `rocket tune TASK
--budget 20 --seed S` (the default: Rocket's policy with the data-subset ladder, the
task's reference configuration evaluated first on the full data as `rocket tune` does; 20
full-data equivalents of compute, each trial charged the compute it used) into one SQLite
storage, then the configuration it returns (the best full-data trial) is trained once more
on the full data with the same seed and scored on the **test** split. The reference's test
score for the same seed comes from `results.jsonl` (`make_table.py`). A task's verdict
compares the paired differences (tuned minus reference, signed so that positive is better)
with their 95 % t-interval: *better* when the interval is above zero, *level* when it holds
zero, *worse* when it is below.

Resumable: each (task, seed) is appended to `tuned.jsonl` when it finishes, a study
interrupted half-way continues from the storage, and the table (`tuned.md`) is rendered
after every run (`--render` only renders). About 20 x the reference's CPU seconds per
(task, seed), some 3 hours for 3 seeds on one core of the shared 2-core machine; on a GPU
the tasks train there. From the project root:

    OMP_NUM_THREADS=1 nohup nice -n 10 .venv/bin/python benchmarks/tasks/tuned_vs_reference.py \
        --seeds 0 1 2 >> benchmarks/tasks/tuned.log 2>&1 &
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REFERENCE = HERE / "results.jsonl"


def all_tasks() -> list[str]:
    from rocket_hpo.tasks import TYPES

    return [name for names in TYPES.values() for name in names]


def read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def tune_one(task: str, seed: int, budget: float, storage: str) -> dict[str, Any]:
    """Run (or resume) the study, then score its answer on the test split."""
    import optuna

    from rocket_hpo import tasks
    from rocket_hpo.bench.jobs import code_version
    from rocket_hpo.keys import data_fraction, trial_cost
    from rocket_hpo.runner import best_trial, counted_trials

    name = f"{task}-seed{seed}"
    started = time.perf_counter()
    command = [str(ROOT / ".venv/bin/rocket"), "tune", task, "--budget", f"{budget:g}",
               "--seed", str(seed), "--storage", storage, "--study-name", name]
    subprocess.run(command, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.load_study(study_name=name, storage=storage)
    best = best_trial(study)
    if best is None:
        raise RuntimeError(f"{name}: no trial completed")
    task_object = tasks.get(task)
    task_object.space.validate(best.params)  # the trial's parameters are the configuration
    result = task_object.evaluate(dict(best.params), fraction=1.0, seed=seed, test=True)
    counted = counted_trials(study)
    return {
        "task": task, "seed": seed, "budget": budget, "command": " ".join(command[1:]),
        "code": code_version(),
        "best_trial": best.number, "best_fraction": data_fraction(best),
        "val": float(best.value), "retrained_val": float(result.score),
        "test": float(result.test_score) if result.test_score is not None else math.nan,
        "params": dict(best.params), "n_trials": len(counted),
        "cost": float(sum(trial_cost(t) for t in counted)),
        "seconds": time.perf_counter() - started,
    }


def side(task: str, value: float, other: float) -> str:
    """Whether ``value`` is higher (better), equal to or lower than ``other`` on ``task``."""
    from rocket_hpo import tasks

    d = (1.0 if tasks.get(task).direction == "maximize" else -1.0) * (value - other)
    return "higher" if d > 1e-9 else "lower" if d < -1e-9 else "equal"


def against(results: list[dict[str, Any]], other: Path) -> str:
    """One line: per (task, seed) held by both, is this table's test score higher (better),
    equal to or lower than ``other``'s (another run's ``tuned.jsonl``)?"""
    theirs = {(r["task"], r["seed"]): r["test"] for r in read(other)}
    counts = {"higher": 0, "equal": 0, "lower": 0}
    for r in results:
        if (r["task"], r["seed"]) in theirs:
            counts[side(r["task"], r["test"], theirs[(r["task"], r["seed"])])] += 1
    return (f"Against `{other.name}` of `{other.parent.name}/`, per (task, seed) held by "
            "both, the test score here is " + ", ".join(f"{k} {v}" for k, v in counts.items())
            + " (better direction).\n")


def render(results: list[dict[str, Any]]) -> str:
    from make_table import t_interval  # this folder's reference table: the same intervals

    from rocket_hpo import tasks

    reference = {(r["task"], r["seed"]): r for r in read(REFERENCE)}
    budgets = " / ".join(sorted({f"{r['budget']:g}" for r in results}))
    lines = [
        "# `rocket tune` against the practitioner reference, on the test split",
        "",
        "Made by `benchmarks/tasks/tuned_vs_reference.py` (its docstring has the command "
        f"and the protocol): budget {budgets} full-data equivalents, Rocket's defaults "
        "(policy, subset ladder, the reference run first), the returned configuration "
        "retrained on the full data and scored on the test split; the reference's test "
        "score from `results.jsonl`, same seed. Mean ± 95 % t half-width over seeds; "
        "*diff* is tuned minus reference, signed so that positive is better.",
        "",
        "| task | metric | seeds | reference test | tuned test | diff (better > 0) | verdict "
        "| trials | cost |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    verdicts: dict[str, int] = {"better": 0, "level": 0, "worse": 0}
    per_seed: dict[int, dict[str, int]] = {}  # test score above, equal to, below the reference
    for task in all_tasks():
        rows = sorted((r for r in results if r["task"] == task), key=lambda r: r["seed"])
        rows = [r for r in rows if (task, r["seed"]) in reference]
        if not rows:
            continue
        t = tasks.get(task)
        sign = 1.0 if t.direction == "maximize" else -1.0
        ref = [reference[(task, r["seed"])]["test"] for r in rows]
        tuned = [r["test"] for r in rows]
        diff = [sign * (a - b) for a, b in zip(tuned, ref, strict=True)]
        for r, a, b in zip(rows, tuned, ref, strict=True):
            counts = per_seed.setdefault(r["seed"], {"higher": 0, "equal": 0, "lower": 0})
            counts[side(task, a, b)] += 1
        (mr, hr), (mt, ht), (md, hd) = t_interval(ref), t_interval(tuned), t_interval(diff)
        verdict = ("better" if md - hd > 0 else "worse" if md + hd < 0 else "level") \
            if len(rows) > 1 else "(one seed)"
        verdicts[verdict] = verdicts.get(verdict, 0) + 1
        lines.append(
            f"| `{task}` | {t.metric} | {len(rows)} | {mr:.4f} ± {hr:.4f} | {mt:.4f} ± {ht:.4f} "
            f"| {md:+.4f} ± {hd:.4f} | {verdict} "
            f"| {statistics.fmean(r['n_trials'] for r in rows):.0f} "
            f"| {statistics.fmean(r['cost'] for r in rows):.1f} |")
    lines += ["", "Verdicts: " + ", ".join(f"{k} {v}" for k, v in verdicts.items()) + "."]
    lines += ["", "Per seed, tasks whose tuned test score is higher than, equal to or lower "
              "than the reference's (better direction):", ""]
    lines += [f"- seed {seed} ({sum(c.values())} tasks): " + ", ".join(
        f"{k} {v}" for k, v in c.items()) for seed, c in sorted(per_seed.items())]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--tasks", nargs="+", default=None, help="default: all 16")
    ap.add_argument("--budget", type=float, default=20.0)
    ap.add_argument("--render", action="store_true", help="only render the table")
    ap.add_argument("--out", type=Path, default=HERE,
                    help="folder of tuned.jsonl, tuned.md and the studies' tuned.db")
    ap.add_argument("--against", type=Path, default=None,
                    help="another run's tuned.jsonl: add a line comparing the two per (task, seed)")
    args = ap.parse_args()
    if args.against is not None and not args.against.is_file():
        ap.error(f"--against: no file {args.against}")
    results, table = args.out / "tuned.jsonl", args.out / "tuned.md"
    storage = f"sqlite:///{args.out.resolve() / 'tuned.db'}"
    if not args.render:
        for seed in args.seeds:
            for task in args.tasks or all_tasks():
                if any(r["task"] == task and r["seed"] == seed for r in read(results)):
                    continue
                print(f"== {task} seed {seed}", flush=True)
                record = tune_one(task, seed, args.budget, storage)
                with results.open("a") as f:
                    f.write(json.dumps(record) + "\n")
                print(f"{task} seed {seed}: test {record['test']:.4f} "
                      f"({record['n_trials']} trials, {record['seconds']:.0f} s)", flush=True)
                table.write_text(render(read(results)))
    text = render(read(results))
    if args.against is not None:
        text += "\n" + against(read(results), args.against)
    table.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
