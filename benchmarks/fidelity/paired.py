"""Regret at each budget cut, paired by (task, seed) against a reference optimizer.

Reads a ``rocket benchmark`` results folder; for each optimizer, the mean over the cells
both ran of its best-so-far normalised regret at the cut minus the reference's
(:func:`rocket_hpo.bench.stats.final_regrets`, as in ``summary.md``: a task without a known
optimum is normalised by the scores observed in the folder), with a t interval, and in how
many cells it is below (wins) and above (losses) the reference.

    D=benchmarks/fidelity/results_xgb_dev_b50
    .venv/bin/python benchmarks/fidelity/paired.py --results $D --reference rocket-full \\
        --cuts 20,50 > $D/paired.md
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections.abc import Sequence
from pathlib import Path

from scipy import stats

from rocket_hpo.bench.jobs import load_results
from rocket_hpo.bench.stats import final_regrets


def paired_difference(diff: Sequence[float]) -> tuple[float, float, float]:
    """Mean of ``diff`` and its 95 % t interval (at least two values)."""
    mean = statistics.fmean(diff)
    half = stats.t.ppf(0.975, len(diff) - 1) * statistics.stdev(diff) / math.sqrt(len(diff))
    return mean, mean - half, mean + half


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--reference", default="rocket-full")
    parser.add_argument("--cuts", default="20,50")
    args = parser.parse_args()
    records = load_results(args.results)["records"]
    optimizers = sorted({r["optimizer"] for r in records} - {args.reference})
    print(f"# Regret minus {args.reference}'s, paired by (task, seed)\n")
    print("| optimizer | cut | cells | mean difference [95% t interval] | wins | losses |")
    print("|---|---|---|---|---|---|")
    for o in optimizers:
        for cut in (float(c) for c in args.cuts.split(",")):
            by = final_regrets(records, cut)
            diff = [by[t][o][s] - by[t][args.reference][s]
                    for t in by for s in by[t].get(o, {}) if s in by[t].get(args.reference, {})]
            if len(diff) < 2:
                continue
            mean, low, high = paired_difference(diff)
            wins, losses = sum(d < 0 for d in diff), sum(d > 0 for d in diff)
            print(f"| {o} | {cut:g} | {len(diff)} | {mean:+.4f} [{low:+.4f}, {high:+.4f}] "
                  f"| {wins} | {losses} |")


if __name__ == "__main__":
    main()
