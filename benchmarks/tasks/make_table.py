"""Build benchmarks/tasks/README.md: every built-in task's full-fidelity training time, its
reference configuration's validation and test scores, a trivial predictor's score, and its
hyperparameters by type.

Run from the project root (about 30-60 minutes on the shared 2-core machine):

    nohup .venv/bin/python benchmarks/tasks/make_table.py --seeds 0 1 2 > tasks_table.log 2>&1 &
    nohup .venv/bin/python benchmarks/tasks/make_table.py --worst > tasks_worst.log 2>&1 &

Each (task, seed) result is appended to benchmarks/tasks/results.jsonl as it finishes, and
the table is re-rendered from that file after every run, so an interrupted run keeps what it
measured (``--render`` only re-renders; finished (task, seed) pairs are skipped on a re-run).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import torch

from rocket_hpo import tasks
from rocket_hpo.space import Bool, Categorical, Float, Int, Space
from rocket_hpo.tasks._torch_task import TorchTask

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.jsonl"
WORST = HERE / "results_worst.jsonl"
TABLE = HERE / "README.md"
COMMAND = "nohup .venv/bin/python benchmarks/tasks/make_table.py --seeds 0 1 2"
TUNED_HEADING = "## Tuned against the reference (issue 15)"
T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571}  # Student t, two-sided 95 %


def count_types(space: Space) -> dict[str, int]:
    """Hyperparameters by type; ``conditional`` counts those with a condition (of any type)."""
    counts = {"float": 0, "log-float": 0, "int": 0, "categorical": 0, "bool": 0}
    for _, hp in space.items():
        if isinstance(hp, Bool):
            counts["bool"] += 1
        elif isinstance(hp, Categorical):
            counts["categorical"] += 1
        elif isinstance(hp, Int):
            counts["int"] += 1
        elif isinstance(hp, Float):
            counts["log-float" if hp.log else "float"] += 1
    counts["conditional"] = sum(hp.condition is not None for _, hp in space.items())
    return counts


def measure(name: str, seed: int) -> dict[str, Any]:
    task = tasks.get(name)
    start = time.perf_counter()
    baseline = task.baseline() if isinstance(task, TorchTask) else math.nan  # loads the data
    load_seconds = time.perf_counter() - start
    cpu = time.process_time()
    result = task.evaluate(task.reference, fraction=1.0, seed=seed, test=True)
    cpu_seconds = time.process_time() - cpu
    return {
        "task": name, "seed": seed, "val": result.score, "test": result.test_score,
        "seconds": result.seconds, "cpu_seconds": cpu_seconds, "load_seconds": load_seconds,
        "baseline": baseline,
        "info": result.info,
    }  # fmt: skip


def measure_worst(name: str) -> dict[str, Any]:
    """CPU seconds of the costliest corners of the space: the reference at the most epochs
    with the smallest and with the largest batch (the step cap binds the small one)."""
    task = tasks.get(name)
    assert isinstance(task, TorchTask)
    task.baseline()  # loads the data outside the timing
    hp = task.space["batch_size"]
    assert isinstance(hp, Int)
    out: dict[str, Any] = {"task": name}
    for batch in (int(hp.low), int(hp.high)):
        config = {**task.reference, "epochs": task.max_epochs, "batch_size": batch}
        cpu = time.process_time()
        try:
            steps = task.evaluate(config, fraction=1.0, seed=0).info["steps"]
        except tasks.DivergenceError:
            steps = -1
        out[f"batch_{batch}"] = {"cpu_seconds": time.process_time() - cpu, "steps": steps}
    return out


def t_interval(values: list[float]) -> tuple[float, float]:
    """Mean and half-width of the 95 % t-interval over ``values`` (0 for one value)."""
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, 0.0
    return mean, T_975.get(len(values) - 1, 1.96) * statistics.stdev(values) / math.sqrt(
        len(values))


def _mean_ci(values: list[float], digits: int) -> str:
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    mean, half = t_interval(values)
    return f"{mean:.{digits}f} ± {half:.{digits}f}"


def render(rows: list[dict[str, Any]], worst: dict[str, float]) -> str:
    by_task: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_task.setdefault(row["task"], []).append(row)
    seeds = sorted({r["seed"] for r in rows})
    lines = [
        "# Built-in tasks: reference configurations, training time, search spaces",
        "",
        f"Made by `{COMMAND}` (later seeds of the 16 typed tasks by `run-seed.sh SEED A`, "
        "`--seeds SEED --tasks ...`), then the same with `--worst` instead of `--seeds ...` (and "
        "`--render` rebuilds it from the raw results), on this "
        "project's 2-core CPU machine shared "
        f"with other jobs, torch {torch.__version__}, one torch thread, Python "
        f"{platform.python_version()}. Seeds: {', '.join(map(str, seeds))}; a score is the mean "
        "± the half-width of its 95 % t-interval over the seeds (one value: one seed).",
        "",
        "* **CPU s**: CPU seconds of one full-fidelity training of the reference "
        "configuration plus its validation and test scoring, on one torch thread (median over "
        "seeds; data loading excluded): the wall time on an idle core. **wall s**: the wall "
        "time measured, inflated by the other jobs sharing the machine's two cores.",
        "* **trivial**: the validation score of a trivial predictor (majority class, training "
        "mean, persistence forecast, unigram characters, or 0.5 AUROC).",
        "* **reference**: Adam, lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay to speak "
        "of, constant learning rate, no clipping, no augmentation; epochs, batch size and "
        "dropout as listed (see each task module's docstring).",
        "* **worst CPU s**: CPU seconds of the costliest corner of the space, the reference "
        "configuration at the most epochs with the smallest or the largest batch size (one "
        "seed, `--worst`); the step cap bounds the small batches.",
        "* **hyperparameters**: total (float / log-float / int / categorical / bool; "
        "conditional ones of any type).",
        "",
        "| type | task | metric | trivial | reference val | reference test | CPU s | wall s "
        "| worst CPU s | epochs / batch / dropout | max epochs / steps | hyperparameters "
        "| float / log / int / cat / bool | conditional |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for kind, names in [*tasks.TYPES.items(), ("data-rich (50k+ rows)", tasks.DATA_RICH)]:
        for name in names:
            task = tasks.get(name)
            assert isinstance(task, TorchTask)
            runs = by_task.get(name, [])
            c = count_types(task.space)
            ref = task.reference
            arrow = "↑" if task.direction == "maximize" else "↓"
            if runs:
                val = _mean_ci([r["val"] for r in runs], 4)
                test = _mean_ci([r["test"] for r in runs], 4)
                secs = f"{statistics.median(r['seconds'] for r in runs):.1f}"
                cpu = f"{statistics.median(r['cpu_seconds'] for r in runs):.1f}"
                trivial = f"{runs[0]['baseline']:.4f}"
            else:
                val = test = secs = cpu = trivial = "not measured"
            lines.append(
                f"| {kind} | `{name}` | {task.metric} {arrow} | {trivial} | {val} | {test} "
                f"| {cpu} | {secs} | {f'{worst[name]:.1f}' if name in worst else 'not measured'} "
                f"| {ref['epochs']} / {ref['batch_size']} / {ref.get('dropout', '-')} "
                f"| {task.max_epochs} / {task.max_steps} | {len(task.space)} "
                f"| {c['float']} / {c['log-float']} / {c['int']} / {c['categorical']} / "
                f"{c['bool']} | {c['conditional']} |"
            )
    typed = {n for group in tasks.TYPES.values() for n in group}
    total = sum(statistics.median(r["cpu_seconds"] for r in runs)
                for name, runs in by_task.items() if name in typed)
    lines += [
        "",
        f"Sum of the median full-fidelity CPU times of the eight types' tasks: {total:.0f} s. "
        "Each trial's cost is bounded by the space itself: at most `max epochs` epochs and "
        "`max steps` optimizer steps. The data-rich tasks (`tasks.DATA_RICH`, for the "
        "data-subset benchmarks) train on 55,000 and 59,143 rows; their rungs' rank agreement "
        "with full data is in `benchmarks/fidelity/rank_agreement_rich.md`.",
        "",
        "Raw results: `benchmarks/tasks/results.jsonl` (one line per task and seed). A seed "
        "sets the model's initialisation, the shuffling and the augmentations; the data split "
        "is fixed. Notes: `wine` is nearly saturated by the reference (36 validation rows), "
        "so it separates good from bad configurations but not good from best; `fsdd_speaker` "
        "and `mnist_anomaly` are close to it too. The references are deliberately the plain "
        "default, not tuned: the character language models in particular are under-trained "
        "at 4 epochs of Adam at 1e-3, which leaves room for a tuner to show its worth.",
        "",
        TUNED_HEADING,
        "",
        "[`tuned.md`](tuned.md), made by `tuned_vs_reference.py` (command in its docstring): "
        "`rocket tune TASK --budget 20 --seed S` on each task, the returned configuration "
        "retrained and scored on the test split against the reference's test score above "
        "(same seed), with the state of the run (which seeds are done) and the verdicts once "
        "there are several seeds.",
        "",
    ]
    return "\n".join(lines)


def _write(text: str) -> None:
    """Write the table, keeping the tuned section an earlier README holds: it describes a
    tuning run (which commit, what it found), which only that run's note can say."""
    old = TABLE.read_text() if TABLE.exists() else ""
    if TUNED_HEADING in old:
        text = text[:text.index(TUNED_HEADING)] + old[old.index(TUNED_HEADING):]
    TABLE.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--tasks", nargs="+", default=None, help="default: all but digits")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--render", action="store_true", help="only rebuild the table")
    parser.add_argument("--worst", action="store_true", help="measure the costliest configs")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    lines = RESULTS.read_text().splitlines() if RESULTS.exists() else []
    rows = [json.loads(line) for line in lines]
    names = args.tasks or [*(n for group in tasks.TYPES.values() for n in group),
                           *tasks.DATA_RICH]
    worst_rows = [json.loads(x) for x in WORST.read_text().splitlines()] if WORST.exists() else []
    if args.worst and not args.render:
        for name in names:
            if not any(r["task"] == name for r in worst_rows):
                worst_rows.append(measure_worst(name))
                print(json.dumps(worst_rows[-1]), flush=True)
                with WORST.open("a") as f:
                    f.write(json.dumps(worst_rows[-1]) + "\n")
    worst = {
        r["task"]: max(v["cpu_seconds"] for k, v in r.items() if k.startswith("batch_"))
        for r in worst_rows
    }
    if not args.render and not args.worst:
        for seed in args.seeds:  # seed-major: one complete table first, then more seeds
            for name in names:
                if any(r["task"] == name and r["seed"] == seed for r in rows):
                    continue
                row = measure(name, seed)
                print(json.dumps(row), flush=True)
                rows.append(row)
                with RESULTS.open("a") as f:
                    f.write(json.dumps(row) + "\n")
                _write(render(rows, worst))
    _write(render(rows, worst))


if __name__ == "__main__":
    main()
