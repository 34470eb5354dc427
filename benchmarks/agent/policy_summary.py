"""Summarise ``policy_dev.py`` runs: regret and rank at budget cuts, and paired differences.

    python benchmarks/agent/policy_summary.py RESULTS.jsonl [--cuts 20,50] [--ref rocket]
        [--pool NAME=A+B+C ...]

A result written ``PATH@TAG`` names each optimizer of that file ``NAME@TAG``, so that two
runs of the same optimizer with different weights or code can be compared (for example
``dev-b50-step.jsonl@v2`` beside ``dev-b50-speed.jsonl``).

For each cut: mean normalised regret per optimizer (over every (problem, seed) cell that
all listed optimizers completed), its mean rank in those cells (1 = best; ties share),
and for ``--ref`` against each other optimizer the paired mean regret difference and rank
difference with 95 % bootstrap intervals (negative = ``--ref`` better).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.stats import rankdata


def bootstrap(x: np.ndarray, n: int = 4000, seed: int = 0) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    means = x[rng.integers(len(x), size=(n, len(x)))].mean(axis=1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def _ranks(runs: dict[tuple[str, int], dict[str, list[float]]], cells: list[tuple[str, int]],
           names: list[str], pools: dict[str, list[str]], cut: int) -> np.ndarray:
    """(cells, optimizers) ranks. A pooled optimizer is ranked as one of its runs would be:
    replicate i ranks the i-th member of every pool (cycling through a shorter pool) against
    the others as they are, and the ranks are averaged over replicates (the rank of a mean
    curve would be biased: a mean is rarely first or last)."""
    pooled = [o for o in names if o in pools]
    n = max((len(pools[o]) for o in pooled), default=1)
    out = np.zeros((len(cells), len(names)))
    for i in range(n):
        pick = [pools[o][i % len(pools[o])] if o in pools else o for o in names]
        out += np.array([rankdata([runs[c][o][cut - 1] for o in pick]) for c in cells])
    return out / n


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("results", nargs="+")
    p.add_argument("--cuts", default="20,50")
    p.add_argument("--ref", default="rocket")
    p.add_argument("--optimizers", default=None, help="only these (comma-separated)")
    p.add_argument("--problems", default=None, help="only problems containing this text")
    p.add_argument("--pool", action="append", default=[], metavar="NAME=A+B+...",
                   help="add NAME: per cell, the mean regret curve of optimizers A, B, ... "
                        "(the same agent run with several random streams, policy_dev.py "
                        "--seed-offset), so a comparison is not one stream's luck; its rank is "
                        "the mean of its runs' ranks")
    args = p.parse_args()
    runs: dict[tuple[str, int], dict[str, list[float]]] = defaultdict(dict)
    for given in args.results:
        path, _, tag = given.partition("@")
        for line in Path(path).read_text().splitlines():
            r = json.loads(line)
            if tag:
                r["optimizer"] = f"{r['optimizer']}@{tag}"
            if args.problems and args.problems not in r["problem"]:
                continue
            runs[(r["problem"], r["seed"])][r["optimizer"]] = r["regret"]
    pools: dict[str, list[str]] = {}
    known = {o for cell in runs.values() for o in cell}
    for spec in args.pool:
        name, _, members = spec.partition("=")
        parts = pools[name] = members.split("+")
        if not name or not members or not set(parts) <= known:
            p.error(f"--pool {spec!r}: write NAME=A+B+... with optimizers of the results "
                    f"(unknown: {sorted(set(parts) - known)})")
        for cell in runs.values():
            if all(m in cell for m in parts):
                n = min(len(cell[m]) for m in parts)
                cell[name] = list(np.mean([cell[m][:n] for m in parts], axis=0))
    names = sorted({o for cell in runs.values() for o in cell})
    if args.optimizers:
        names = [o for o in args.optimizers.split(",") if o in names]
    cells = [k for k, v in runs.items() if all(o in v for o in names)]
    if not cells:
        print("no cell has every optimizer", file=sys.stderr)
        return 1
    print(f"{len(cells)} (problem, seed) cells; problems: "
          f"{', '.join(sorted({c[0] for c in cells}))}\n")
    for cut in [int(c) for c in args.cuts.split(",")]:
        usable = [c for c in cells if all(len(runs[c][o]) >= cut for o in names)]
        if not usable:
            continue
        r = np.array([[runs[c][o][cut - 1] for o in names] for c in usable])  # (cells, opts)
        ranks = _ranks(runs, usable, names, pools, cut)
        print(f"## budget {cut} ({len(usable)} cells)\n")
        print("| optimizer | mean regret [95% CI] | mean rank |")
        print("|---|---|---|")
        for k in np.argsort(ranks.mean(axis=0)):
            lo, hi = bootstrap(r[:, k])
            print(f"| {names[k]} | {r[:, k].mean():.4f} [{lo:.4f}, {hi:.4f}] | "
                  f"{ranks[:, k].mean():.2f} |")
        if args.ref in names:
            i = names.index(args.ref)
            print(f"\nPaired, {args.ref} minus peer (negative: {args.ref} better):\n")
            print("| peer | regret difference [95% CI] | rank difference [95% CI] "
                  "| wins/ties/losses |")
            print("|---|---|---|---|")
            for k, o in enumerate(names):
                if k == i:
                    continue
                d = r[:, i] - r[:, k]
                dr = ranks[:, i] - ranks[:, k]
                lo, hi = bootstrap(d)
                rlo, rhi = bootstrap(dr)
                w, l_ = int((d < -1e-12).sum()), int((d > 1e-12).sum())
                t = len(d) - w - l_
                print(f"| {o} | {d.mean():+.4f} [{lo:+.4f}, {hi:+.4f}] | {dr.mean():+.2f} "
                      f"[{rlo:+.2f}, {rhi:+.2f}] | {w}/{t}/{l_} |")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
