"""How well each rung of the subset ladder ranks configurations on the data-rich tasks (issue 15).

For every task of ``rocket_hpo.tasks.DATA_RICH`` (``mnist_full``, ``etth1_multi``): 200
uniform configurations of its space (``space.sample_many(200, seed=0)``), each trained on
every rung of the ladder 1/9, 1/3, 1 (nested subsets, training seed 0: the same
configuration and the same initialisation on every rung), and the reference configuration
besides. Per task and rung it reports

* Spearman's rho between the rung's validation scores and the full-data ones, with a 95 %
  bootstrap interval (2,000 resamples of the configurations, seed 0). A configuration that
  diverges on a rung ranks last there (ties among the diverged), as a failed trial would;
  rho over the configurations that trained on both is given beside it;
* the same among the best quarter of the configurations on full data (uniform draws span
  everything from chance to the best, which makes ranking easy; a scheduler needs the rung to
  rank the good ones);
* the CPU seconds of one evaluation (``time.process_time``, one torch thread: training plus
  validation scoring), median, mean and max;
* the CPU seconds of the costliest corner of the space on full data: the reference at the
  most epochs, the widest model, gradient clipping and every augmentation on, at batch sizes
  from the smallest to the largest (the step cap bounds the small ones);
* the compute charged relative to the rung's nominal fraction (``EvalResult.cost /
  fraction``; above 1 where the step cap lets a subset run more passes), mean.

Results go to ``rank_agreement_rich.json`` (every evaluation, then the summary) and
``rank_agreement_rich.md`` beside this script. The JSON is rewritten after each
configuration and read back on start, so a killed run resumes where it stopped: run the
same command again. Needs the task data (``$ROCKET_DATA`` or ``../shared/data``).

    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH=src nohup nice -n 15 \\
        .venv/bin/python benchmarks/fidelity/rank_agreement_rich.py \\
        >> benchmarks/fidelity/rank_agreement_rich.log 2>&1 &
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import spearmanr

HERE = Path(__file__).parent
FRACTIONS = (1 / 9, 1 / 3, 1.0)
N_CONFIGS = 200
N_BOOTSTRAP = 2000
SUMMARY_EVERY = 20


def _key(fraction: float) -> str:
    return f"{fraction:.6f}"


def _evaluate(task: Any, config: dict[str, Any], fraction: float, test: bool = False,
              ) -> dict[str, Any]:
    """One training: its validation score (None when it diverged), CPU seconds and cost."""
    from rocket_hpo.tasks import DivergenceError

    start = time.process_time()
    try:
        result = task.evaluate(config, fraction=fraction, seed=0, test=test)
    except DivergenceError as e:
        return {"score": None, "cpu_s": time.process_time() - start, "diverged": str(e)}
    row = {"score": result.score, "cpu_s": time.process_time() - start, "cost": result.cost,
           "steps": result.info["steps"], "n_train": result.info["n_train"]}
    if test:
        row["test_score"] = result.test_score
    return row


def _show(score: float | None) -> str:
    return "diverged" if score is None else f"{score:.4f}"


def _ranked(scores: list[float | None], maximize: bool) -> np.ndarray:
    """Scores with a divergence as the worst value (below or above every real score)."""
    real = [s for s in scores if s is not None]
    worst = (min(real) - 1.0 if maximize else max(real) + 1.0) if real else 0.0
    return np.array([worst if s is None else s for s in scores], dtype=float)


def _rho(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 3 or np.all(a == a[0]) or np.all(b == b[0]):
        return math.nan
    return float(spearmanr(a, b).statistic)


def bootstrap_interval(statistic: Callable[[np.ndarray], float], n: int,
                       ) -> tuple[float, float]:
    """95 % percentile interval of ``statistic(index)`` over bootstrap resamples of ``n``
    items (seed 0; resamples where it is not finite are dropped)."""
    rng = np.random.default_rng(0)
    values = [statistic(i) for i in rng.integers(0, n, (N_BOOTSTRAP, n))]
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return math.nan, math.nan
    low, high = np.percentile(finite, [2.5, 97.5])
    return float(low), float(high)


def _interval(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    return bootstrap_interval(lambda i: _rho(a[i], b[i]), len(a))


def summarise(task: Any, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Per rung: rank agreement with full data, CPU seconds, cost over fraction."""
    maximize = task.direction == "maximize"
    full = [r["rungs"][_key(1.0)]["score"] for r in records]
    out: dict[str, Any] = {"n_configs": len(records),
                           "diverged_full": sum(s is None for s in full)}
    for fraction in FRACTIONS:
        rows = [r["rungs"][_key(fraction)] for r in records]
        scores = [row["score"] for row in rows]
        a, b = _ranked(scores, maximize), _ranked(full, maximize)
        both = [i for i, (s, f) in enumerate(zip(scores, full, strict=True))
                if s is not None and f is not None]
        low, high = _interval(a, b)
        # the best quarter on full data (diverged ones are the worst, never among them)
        order = np.argsort(-b if maximize else b, kind="stable")
        top = np.sort(order[: len(order) // 4])
        top_low, top_high = _interval(a[top], b[top])
        cpu = [row["cpu_s"] for row in rows]
        costs = [row["cost"] / fraction for row in rows if row.get("cost") is not None]
        out[_key(fraction)] = {
            "fraction": fraction,
            "n_train": next((row["n_train"] for row in rows if "n_train" in row), None),
            "spearman": _rho(a, b), "low": low, "high": high,
            "spearman_trained": _rho(a[both], b[both]), "n_trained": len(both),
            "spearman_top": _rho(a[top], b[top]), "top_low": top_low, "top_high": top_high,
            "n_top": len(top),
            "diverged": sum(s is None for s in scores),
            "cpu_s_median": float(np.median(cpu)), "cpu_s_mean": float(np.mean(cpu)),
            "cpu_s_max": float(np.max(cpu)), "cpu_s_total": float(np.sum(cpu)),
            "cost_over_fraction_mean": float(np.mean(costs)) if costs else None,
        }  # fmt: skip
    return out


CORNER_BATCHES = (32, 128, 256, 1024)


def corner(task: Any, batch_size: int) -> dict[str, Any]:
    """The reference with every cost-raising setting at its costliest: most epochs, largest
    ``width`` and ``hidden_layers``, clipping on, the input-noise augmentation on."""
    from rocket_hpo.space import Int

    config = {**task.reference, "epochs": task.max_epochs, "batch_size": batch_size,
              "grad_clip": True, "clip_norm": 1.0}
    for name in ("width", "hidden_layers"):
        if name in task.space and isinstance(hp := task.space[name], Int):
            config[name] = hp.high
    if "aug_noise" in task.space:
        config |= {"aug_noise": True, "noise_std": 0.1}
    task.space.validate(config)
    return config


def _markdown(data: dict[str, Any]) -> str:
    meta = data["meta"]
    lines = [
        "# Rank agreement of each rung with full data, data-rich tasks",
        "",
        f"Produced by `benchmarks/fidelity/rank_agreement_rich.py` at commit "
        f"{', '.join(meta['commits'])}; "
        f"{N_CONFIGS} uniform configurations per task (seed 0), each trained on every rung "
        "(nested subsets and training seed 0). rho: Spearman between the rung's validation "
        "score and the full-data one, a diverged training ranked last; [95 % bootstrap "
        "interval]; rho trained: over the configurations that trained on both; rho top "
        "quarter: among the best quarter of the configurations on full data. CPU s: one "
        "evaluation (training and validation scoring, one torch thread), median / mean / "
        "max. cost / fraction: compute charged over the nominal fraction, mean.",
        "",
        "| task | rung | rows | configs | rho [95 % CI] | rho trained (n) | "
        "rho top quarter [95 % CI] (n) | diverged | CPU s median / mean / max | "
        "cost / fraction |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, entry in data["tasks"].items():
        s = entry.get("summary")
        if not s:
            continue
        for fraction in FRACTIONS:
            r = s[_key(fraction)]
            cof = r["cost_over_fraction_mean"]
            lines.append(
                f"| {name} | {fraction:.3g} | {r['n_train']} | {s['n_configs']} | "
                f"{r['spearman']:.3f} [{r['low']:.3f}, {r['high']:.3f}] | "
                f"{r['spearman_trained']:.3f} ({r['n_trained']}) | "
                f"{r['spearman_top']:.3f} [{r['top_low']:.3f}, {r['top_high']:.3f}] "
                f"({r['n_top']}) | {r['diverged']} | "
                f"{r['cpu_s_median']:.2f} / {r['cpu_s_mean']:.2f} / {r['cpu_s_max']:.2f} | "
                f"{'' if cof is None else f'{cof:.2f}'} |"
            )
    lines += ["", "The costliest corner of the space on full data (most epochs, widest model, "
              "clipping and input noise on), by batch size:", "",
              "| task | batch | steps | val score | CPU s |", "|---|---|---|---|---|"]
    for name, entry in data["tasks"].items():
        for b, row in entry.get("corners", {}).items():
            lines.append(f"| {name} | {b} | {row.get('steps', '')} | {_show(row['score'])} | "
                         f"{row['cpu_s']:.2f} |")
    lines += ["", "The reference configuration, one training per rung (the first evaluation "
              "of a run also pays torch's one-off set-up, about 1.5 CPU s):", "",
              "| task | rung | val score | test score | CPU s |", "|---|---|---|---|---|"]
    for name, entry in data["tasks"].items():
        for k, row in sorted(entry.get("reference", {}).items()):
            test = row.get("test_score")
            lines.append(f"| {name} | {float(k):.3g} | {_show(row['score'])} | "
                         f"{'' if test is None else f'{test:.4f}'} | {row['cpu_s']:.2f} |")
    return "\n".join(lines) + "\n"


def save(path: Path, data: dict[str, Any],
         render: Callable[[dict[str, Any]], str] | None = None) -> None:
    """Write ``data`` to ``path`` atomically (a killed run leaves the last complete file)
    and its table (``render``, this script's by default) beside it as Markdown."""
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    os.replace(tmp, path)
    path.with_suffix(".md").write_text((render or _markdown)(data))


def main() -> None:
    import torch

    from rocket_hpo import tasks

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", nargs="+", default=list(tasks.DATA_RICH))
    parser.add_argument("--configs", type=int, default=N_CONFIGS)
    parser.add_argument("--out", type=Path, default=HERE / "rank_agreement_rich.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip()
    data: dict[str, Any] = {"meta": {"commits": []}, "tasks": {}}
    if args.out.exists():
        data = json.loads(args.out.read_text())
        print(f"resuming from {args.out}", flush=True)
    for name in args.tasks:
        task = tasks.get(name)
        # Read the data before the clock runs: the CPU seconds are the training's own.
        print(f"{name}: {len(task._splits.y_train)} training rows", flush=True)
        entry = data["tasks"].setdefault(name, {"records": []})
        new = "reference" not in entry or "corners" not in entry
        if new and commit not in data["meta"]["commits"]:
            data["meta"]["commits"].append(commit)  # every commit records were made at
        if "reference" not in entry:
            entry["reference"] = {_key(f): _evaluate(task, task.reference, f, test=True)
                                  for f in FRACTIONS}
            print(f"{name} reference: " + ", ".join(
                f"{float(k):.3g}: {r['score']} ({r['cpu_s']:.2f} s)"
                for k, r in entry["reference"].items()), flush=True)
            save(args.out, data)
        if "corners" not in entry:
            entry["corners"] = {}
            _evaluate(task, task.reference, 1 / 27)  # untimed: torch's one-off set-up
            for batch in CORNER_BATCHES:
                config = corner(task, batch)
                entry["corners"][str(batch)] = {"config": config,
                                                **_evaluate(task, config, 1.0)}
            print(f"{name} costliest corners: " + ", ".join(
                f"batch {b}: {r['cpu_s']:.2f} s" for b, r in entry["corners"].items()),
                flush=True)
            save(args.out, data)
        done = {r["index"] for r in entry["records"]}
        configs = task.space.sample_many(args.configs, seed=0)
        for i, config in enumerate(configs):
            if i in done:
                continue
            if commit not in data["meta"]["commits"]:
                data["meta"]["commits"].append(commit)  # every commit records were made at
            rungs = {_key(f): _evaluate(task, config, f) for f in FRACTIONS}
            entry["records"].append({"index": i, "config": config, "rungs": rungs})
            entry["records"].sort(key=lambda r: r["index"])
            if len(entry["records"]) % SUMMARY_EVERY == 0 or len(entry["records"]) == len(configs):
                entry["summary"] = summarise(task, entry["records"])  # the bootstrap takes seconds
            save(args.out, data)
            print(f"{name} {len(entry['records'])}/{args.configs} config {i}: " + ", ".join(
                f"{float(k):.3g}: {_show(r['score'])} ({r['cpu_s']:.1f} s)"
                for k, r in rungs.items()), flush=True)
        entry["summary"] = s = summarise(task, entry["records"])
        print(f"{name} done: " + "; ".join(
            f"{s[_key(f)]['fraction']:.3g}: rho {s[_key(f)]['spearman']:.3f} "
            f"[{s[_key(f)]['low']:.3f}, {s[_key(f)]['high']:.3f}]" for f in FRACTIONS),
            flush=True)
    save(args.out, data)


if __name__ == "__main__":
    main()
