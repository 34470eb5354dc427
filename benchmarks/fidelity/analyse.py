"""Tables for the data-subset benchmark (reads a results folder, writes a markdown file).

Commands:
    .venv/bin/python benchmarks/fidelity/analyse.py                 # results/ -> results.md
    .venv/bin/python benchmarks/fidelity/analyse.py --results benchmarks/fidelity/results_dl \
        --out benchmarks/fidelity/results_dl.md                      # deep-learning tasks

Per task:
* final normalised regret at the full budget, mean and 95% bootstrap interval (10 seeds);
* cost to reach the full-data-only run's final quality, per seed: the target is the final
  score of ``rocket-full`` with the same seed; ``rocket-full``'s own cost is where it first
  found that score. Ratio = rocket-full's cost / rocket's cost (> 1: subsets are cheaper);
  a seed whose ``rocket`` run never reaches the target within the budget counts as not
  reached (ratio < 1 at most budget/target cost);
* the same with one target per task: the mean final score of ``rocket-full``;
* the per-seed ratio for every optimizer (the peers too), against ``rocket-full``;
* anytime regret of every optimizer at a few costs;
* with ``studies.json`` in the folder (written by ``subsets_vs_full_dl.py``): Rocket's trials
  per data fraction and the rank agreement (trust) its scheduler stored with the study.

Regret is the harness's (``rocket_hpo.bench.stats``): the problem's own normalised regret
where it has reference values (YAHPO), otherwise normalised by the best and worst scores
observed across all records of the task in the folder (the ``dl/`` tasks).
"""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from rocket_hpo.bench.stats import (
    bootstrap_ci,
    cost_to_reach,
    normaliser,
    regret_at,
    regret_trace,
)

HERE = Path(__file__).parent


def cost_ratios(
    sub: dict[int, dict[str, Any]], full: dict[int, dict[str, Any]], seeds: list[int],
    budget: float, maximize: bool,
) -> tuple[list[float], list[float], list[float]]:
    """Per seed: ``full``'s cost to reach its own final score, ``sub``'s cost to reach it
    (inf if never), and the ratio full/sub (an unreached seed counts as the budget)."""
    c_full, c_sub, ratios = [], [], []
    for s in seeds:
        target = full[s]["final_score"]
        cf = cost_to_reach(full[s]["trace"], target, maximize)
        cs = cost_to_reach(sub[s]["trace"], target, maximize)
        c_full.append(cf)
        c_sub.append(cs)
        ratios.append(cf / cs if math.isfinite(cs) else cf / budget)
    return c_full, c_sub, ratios


def peer_ratio_lines(
    by_opt: dict[str, dict[int, dict[str, Any]]], opts: list[str], budget: float
) -> list[str]:
    """The same cost ratio for every optimizer against ``rocket-full``: how much cheaper
    than full data only each one reaches that run's final quality."""
    if "rocket-full" not in by_opt:
        return []
    full = by_opt["rocket-full"]
    maximize = full[next(iter(full))].get("direction", "maximize") == "maximize"
    lines = ["Every optimizer's cost to reach rocket-full's final quality (per seed, as "
             "above; ratio rocket-full/optimizer, > 1: cheaper than full data only):", "",
             "| optimizer | reached | median ratio | geometric mean ratio | largest ratio |",
             "|---|---|---|---|---|"]  # fmt: skip
    for o in opts:
        if o == "rocket-full":
            continue
        seeds = sorted(set(by_opt[o]) & set(full))
        _, c_sub, ratios = cost_ratios(by_opt[o], full, seeds, budget, maximize)
        reached = sum(map(math.isfinite, c_sub))
        lines.append(
            f"| {o} | {reached}/{len(seeds)} | {np.median(ratios):.2f} "
            f"| {math.exp(np.mean(np.log(ratios))):.2f} | {max(ratios):.2f} |"
        )
    return [*lines, ""]


def scheduler_lines(studies: dict[str, Any], task: str, opts: list[str]) -> list[str]:
    """Trials per data fraction (mean over seeds) and the stored agreement, per optimizer."""
    lines: list[str] = []
    for o in opts:
        runs = [v for k, v in sorted(studies.items()) if k.split("|")[:2] == [task, o]]
        if not runs:
            continue
        fracs = sorted({f for r in runs for f in r["trials_per_fraction"]}, key=float)
        if not lines:
            lines += [f"Scheduler (from the studies, {len(runs)} seeds; trials per data "
                      "fraction, mean over seeds, failed trials included; promotions and "
                      "audits in brackets):", ""]  # fmt: skip
        cells = []
        for f in fracs:
            c = [r["trials_per_fraction"].get(f, {}) for r in runs]
            n, p, a = (np.mean([x.get(k, 0) for x in c]) for k in ("trials", "promoted", "audits"))
            cells.append(
                f"{float(f):.3g}: {n:.1f}" + (f" ({p:.1f} promoted, {a:.1f} audits)" if p else "")
            )
        learn = Counter(r["learning_fraction"] for r in runs if r["learning_fraction"] is not None)
        lines.append(f"- {o}: " + "; ".join(cells))
        if learn:
            below = sum(any(d["learning_fraction"] < 1 for d in r["decisions"]) for r in runs)
            lines.append(
                "  - final learning fraction: "
                + ", ".join(f"{k:.3g} in {v} seeds" for k, v in sorted(learn.items()))
                + f"; learning moved below full data at some point in {below}/{len(runs)} seeds"
            )
        pairs: dict[tuple[float, float], list[dict[str, Any]]] = defaultdict(list)
        for r in runs:
            for a in r["agreement"] or []:
                pairs[(a["fractions"][0], a["fractions"][1])].append(a)
        for (lo, hi), recs in sorted(pairs.items()):
            rho = [a["spearman"] for a in recs if a["spearman"] is not None]
            status = Counter(a["status"] for a in recs)
            lines.append(
                f"  - agreement {lo:.3g} vs {hi:.3g}: audited pairs per seed "
                f"{np.mean([a['n'] for a in recs]):.1f}, Spearman median "
                f"{np.median(rho) if rho else math.nan:.2f} (range "
                f"{min(rho, default=math.nan):.2f} to {max(rho, default=math.nan):.2f}), "
                f"80% interval lower end median "
                f"{np.median([a['low'] for a in recs]):.2f}; status "
                + ", ".join(f"{k} {v}" for k, v in sorted(status.items()))
            )
    return [*lines, ""] if lines else []


def fmt(m: float, lo: float, hi: float, digits: int = 3) -> str:
    return f"{m:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--results",
        default=str(HERE / "results"),
        help="folder with results.json (and ablation.json, studies.json)",
    )
    parser.add_argument("--out", default=str(HERE / "results.md"))
    parser.add_argument("--tasks", default=None, help="comma-separated; default: all")
    args = parser.parse_args()
    folder = Path(args.results)
    data = json.loads((folder / "results.json").read_text())
    records = list(data["records"])
    ablation = folder / "ablation.json"
    if ablation.exists():  # TPE with and without the ladder (ablation.py)
        records += json.loads(ablation.read_text())["records"]
    if args.tasks:
        records = [r for r in records if r["task"] in args.tasks.split(",")]
    side = folder / "studies.json"
    studies = json.loads(side.read_text()) if side.exists() else {}
    norm = normaliser(records)
    regrets = {id(r): regret_trace(r, norm) for r in records}
    by: dict[str, dict[str, dict[int, dict[str, Any]]]] = defaultdict(lambda: defaultdict(dict))
    for r in records:
        by[r["task"]][r["optimizer"]][r["seed"]] = r
    cmd = "python benchmarks/fidelity/analyse.py" + "".join(
        f" --{k} {v}"
        for k, v in (("results", args.results), ("out", args.out), ("tasks", args.tasks))
        if v is not None and Path(str(v)) not in (HERE / "results", HERE / "results.md")
    )
    lines = ["# Rocket with data subsets vs full data only, and peers at equal cost", ""]
    lines += [f"Produced by `{data['meta']['command']}` then "
              f"`{cmd}`; cost in full-data equivalents "
              "(a surrogate's trial on 1/9 of the data costs 1/9; a training task's, the "
              "compute it used relative to the full-data run).", ""]  # fmt: skip
    order = ["rocket", "rocket-full", "rocket-asha", "dehb", "smac-mf", "tpe-hyperband",
             "tpe-ladder", "tpe"]
    for task in sorted(by):
        opts = [o for o in order if o in by[task]] + sorted(set(by[task]) - set(order))
        budget = max(r["budget"] for o in opts for r in by[task][o].values())
        lines += [f"## {task} (budget {budget:g})", ""]
        observed = any(r.get("regret_trace") is None for o in opts for r in by[task][o].values())
        if observed:
            best, worst, _ = norm[task]
            lines += [f"Regret normalised by the best ({best:.6g}) and worst ({worst:.6g}) "
                      "incumbent scores observed in these records.", ""]  # fmt: skip
        lines += ["| optimizer | seeds | final score, mean [95% CI] "
                  "| final regret, mean [95% CI] | evaluations "
                  "| full-data evaluations |", "|---|---|---|---|---|---|"]  # fmt: skip
        for o in opts:
            rs = list(by[task][o].values())
            m, lo, hi = bootstrap_ci([regrets[id(r)][-1][1] if regrets[id(r)] else 1.0 for r in rs])
            scores = [r["final_score"] for r in rs if r["final_score"] is not None]
            sm, slo, shi = bootstrap_ci(scores) if scores else (math.nan,) * 3
            n_evals = np.mean([r["n_evals"] for r in rs])
            n_full = np.mean([r["n_full"] for r in rs])
            row = (
                f"| {o} | {len(rs)} | {fmt(sm, slo, shi, 4)} | {fmt(m, lo, hi, 4)} "
                f"| {n_evals:.0f} | {n_full:.0f} |"
            )
            lines.append(row)
        lines.append("")
        for a, b in (("rocket", "rocket-full"), ("tpe-ladder", "tpe")):
            if a not in by[task] or b not in by[task]:
                continue
            sub, full = by[task][a], by[task][b]
            maximize = full[next(iter(full))].get("direction", "maximize") == "maximize"
            seeds = sorted(set(sub) & set(full))
            c_full, c_sub, ratios = cost_ratios(sub, full, seeds, budget, maximize)
            reached = sum(map(math.isfinite, c_sub))
            mean_target = float(np.mean([full[s]["final_score"] for s in seeds]))
            cf_mean = [cost_to_reach(full[s]["trace"], mean_target, maximize) for s in seeds]
            cs_mean = [cost_to_reach(sub[s]["trace"], mean_target, maximize) for s in seeds]
            diff = [
                (regrets[id(sub[s])] or [[0, 1.0]])[-1][1]
                - (regrets[id(full[s])] or [[0, 1.0]])[-1][1]
                for s in seeds
            ]
            dm, dlo, dhi = bootstrap_ci(diff)
            lines += [
                f"Cost to reach {b}'s final quality (per seed, its own final score):",
                "",
                f"- {a} reached it in {reached}/{len(seeds)} seeds within the budget",
                f"- median cost: {b} {np.median(c_full):.2f}, {a} "
                f"{np.median(c_sub):.2f} (inf = not reached)",
                f"- per-seed ratio {b}/{a} (unreached counted as budget): median "
                f"{np.median(ratios):.2f}, geometric mean {math.exp(np.mean(np.log(ratios))):.2f}, "
                f"values {', '.join(f'{x:.2f}' for x in ratios)}",
                f"- one target per task (mean {b} final score {mean_target:.4f}): reached "
                f"by {b} in {sum(map(math.isfinite, cf_mean))}/{len(seeds)}, by {a} in "
                f"{sum(map(math.isfinite, cs_mean))}/{len(seeds)}; median cost {b} "
                f"{np.median(cf_mean):.2f}, {a} {np.median(cs_mean):.2f}",
                f"- final regret, {a} minus {b}, paired by seed: mean {fmt(dm, dlo, dhi, 4)}",
                "",
            ]
        grid = sorted({c for c in (2, 5, 10, 25, 50, 100) if c <= budget} | {budget})
        lines += ["Anytime regret (mean over seeds) at cost:", "",
                  "| optimizer | " + " | ".join(f"{c:g}" for c in grid) + " |",
                  "|---|" + "---|" * len(grid)]  # fmt: skip
        for o in opts:
            rs = list(by[task][o].values())
            vals = [np.mean([regret_at(regrets[id(r)], c) for r in rs]) for c in grid]
            lines.append(f"| {o} | " + " | ".join(f"{v:.4f}" for v in vals) + " |")
        lines.append("")
        lines += peer_ratio_lines(by[task], opts, budget)
        lines += scheduler_lines(studies, task, opts)
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
