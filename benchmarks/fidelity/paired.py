"""Regret at each budget cut, paired by (task, seed) against a reference optimizer.

Reads a ``rocket benchmark`` results folder of problems with a known optimum (surrogates:
a task without one has no regret trace, and its cells are left out); for each optimizer,
the mean over the cells both ran of its best-so-far normalised regret at the cut minus the
reference's, with a t interval, and in how many cells it is below (wins) and above
(losses) the reference.

    D=benchmarks/fidelity/results_xgb_dev_b50
    .venv/bin/python benchmarks/fidelity/paired.py --results $D --reference rocket-full \\
        --cuts 20,50 > $D/paired.md
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from pathlib import Path
from typing import Any

from scipy import stats


def regret_at(record: dict[str, Any], cut: float) -> float:
    """The best regret reached within ``cut`` (1.0 before the first full-data result)."""
    return min((r for cost, r in (record["regret_trace"] or []) if cost <= cut + 1e-9),
               default=1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--reference", default="rocket-full")
    parser.add_argument("--cuts", default="20,50")
    args = parser.parse_args()
    records = json.loads((args.results / "results.json").read_text())["records"]
    cells: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}
    for r in records:
        if r.get("regret_trace") is None:
            continue
        cells.setdefault((r["task"], int(r["seed"])), {})[r["optimizer"]] = r
    optimizers = sorted({r["optimizer"] for r in records} - {args.reference})
    print(f"# Regret minus {args.reference}'s, paired by (task, seed)\n")
    print("| optimizer | cut | cells | mean difference [95% t interval] | wins | losses |")
    print("|---|---|---|---|---|---|")
    for o in optimizers:
        for cut in (float(c) for c in args.cuts.split(",")):
            diff = [regret_at(c[o], cut) - regret_at(c[args.reference], cut)
                    for c in cells.values() if o in c and args.reference in c]
            if len(diff) < 2:
                continue
            mean = statistics.fmean(diff)
            half = (stats.t.ppf(0.975, len(diff) - 1) * statistics.stdev(diff)
                    / math.sqrt(len(diff)))
            wins, losses = sum(d < 0 for d in diff), sum(d > 0 for d in diff)
            print(f"| {o} | {cut:g} | {len(diff)} | {mean:+.4f} [{mean - half:+.4f}, "
                  f"{mean + half:+.4f}] | {wins} | {losses} |")


if __name__ == "__main__":
    main()
