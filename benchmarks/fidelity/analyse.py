"""Tables for the data-subset benchmark (reads results/results.json, writes results.md).

Command:
    .venv/bin/python benchmarks/fidelity/analyse.py

Per task:
* final normalised regret at the full budget, mean and 95% bootstrap interval (10 seeds);
* cost to reach the full-data-only run's final quality, per seed: the target is the final
  score of ``rocket-full`` with the same seed; ``rocket-full``'s own cost is where it first
  found that score. Ratio = rocket-full's cost / rocket's cost (> 1: subsets are cheaper);
  a seed whose ``rocket`` run never reaches the target within the budget counts as not
  reached (ratio < 1 at most budget/target cost);
* the same with one target per task: the mean final score of ``rocket-full``;
* anytime regret of every optimizer at a few costs.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from rocket_hpo.bench.stats import bootstrap_ci

HERE = Path(__file__).parent


def cost_to_reach(trace: list[list[float]], target: float, maximize: bool) -> float:
    for cost, score in trace:
        if (score >= target - 1e-12) if maximize else (score <= target + 1e-12):
            return float(cost)
    return math.inf


def regret_at(record: dict[str, Any], cost: float) -> float:
    points = [r for c, r in (record.get("regret_trace") or []) if c <= cost + 1e-9]
    return min(points) if points else 1.0


def fmt(m: float, lo: float, hi: float, digits: int = 3) -> str:
    return f"{m:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def main() -> None:
    data = json.loads((HERE / "results" / "results.json").read_text())
    records = list(data["records"])
    ablation = HERE / "results" / "ablation.json"
    if ablation.exists():  # TPE with and without the ladder (ablation.py)
        records += json.loads(ablation.read_text())["records"]
    by: dict[str, dict[str, dict[int, dict[str, Any]]]] = defaultdict(lambda: defaultdict(dict))
    for r in records:
        by[r["task"]][r["optimizer"]][r["seed"]] = r
    lines = ["# Rocket with data subsets vs full data only, and peers at equal cost", ""]
    lines += [f"Produced by `{data['meta']['command']}` then "
              "`python benchmarks/fidelity/analyse.py`; cost in full-data equivalents "
              "(a trial on 1/9 of the data costs 1/9).", ""]  # fmt: skip
    order = ["rocket", "rocket-full", "dehb", "smac-mf", "tpe-hyperband", "tpe-ladder", "tpe"]
    for task in sorted(by):
        opts = [o for o in order if o in by[task]] + sorted(set(by[task]) - set(order))
        budget = max(r["budget"] for o in opts for r in by[task][o].values())
        lines += [f"## {task} (budget {budget:g})", ""]
        lines += ["| optimizer | seeds | final regret, mean [95% CI] | evaluations "
                  "| full-data evaluations |", "|---|---|---|---|---|"]  # fmt: skip
        for o in opts:
            rs = list(by[task][o].values())
            m, lo, hi = bootstrap_ci([r["final_regret"] for r in rs])
            n_evals = np.mean([r["n_evals"] for r in rs])
            n_full = np.mean([r["n_full"] for r in rs])
            row = f"| {o} | {len(rs)} | {fmt(m, lo, hi, 4)} | {n_evals:.0f} | {n_full:.0f} |"
            lines.append(row)
        lines.append("")
        for a, b in (("rocket", "rocket-full"), ("tpe-ladder", "tpe")):
            if a not in by[task] or b not in by[task]:
                continue
            sub, full = by[task][a], by[task][b]
            maximize = full[next(iter(full))].get("direction", "maximize") == "maximize"
            seeds = sorted(set(sub) & set(full))
            ratios, reached, c_full, c_sub = [], 0, [], []
            for s in seeds:
                target = full[s]["final_score"]
                cf = cost_to_reach(full[s]["trace"], target, maximize)
                cs = cost_to_reach(sub[s]["trace"], target, maximize)
                reached += math.isfinite(cs)
                c_full.append(cf)
                c_sub.append(cs)
                ratios.append(cf / cs if math.isfinite(cs) else cf / budget)
            mean_target = float(np.mean([full[s]["final_score"] for s in seeds]))
            cf_mean = [cost_to_reach(full[s]["trace"], mean_target, maximize) for s in seeds]
            cs_mean = [cost_to_reach(sub[s]["trace"], mean_target, maximize) for s in seeds]
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
                "",
            ]
        grid = [c for c in (2, 5, 10, 25, 50, 100) if c <= budget]
        lines += ["Anytime regret (mean over seeds) at cost:", "",
                  "| optimizer | " + " | ".join(f"{c:g}" for c in grid) + " |",
                  "|---|" + "---|" * len(grid)]  # fmt: skip
        for o in opts:
            rs = list(by[task][o].values())
            vals = [np.mean([regret_at(r, c) for r in rs]) for c in grid]
            lines.append(f"| {o} | " + " | ".join(f"{v:.4f}" for v in vals) + " |")
        lines.append("")
    (HERE / "results.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
