"""One optimizer's runs in two ``rocket benchmark`` folders, paired by (task, seed).

    .venv/bin/python benchmarks/agent/paired_folders.py NEW_FOLDER OLD_FOLDER \
        [--optimizer rocket-full] [--cuts 20,50]

For a change of weights or code that a new folder records beside an old one: the mean
normalised regret of each at every cut, their paired difference (new minus old; negative:
new better) with a 95 % bootstrap interval, and wins/ties/losses.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from rocket_hpo.bench.stats import regret_at


def load(folder: Path, optimizer: str) -> dict[tuple[str, int], list[list[float]]]:
    records = json.loads((folder / "results.json").read_text())["records"]
    return {(r["task"], r["seed"]): r["regret_trace"] for r in records
            if r["optimizer"] == optimizer}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("new", type=Path)
    p.add_argument("old", type=Path)
    p.add_argument("--optimizer", default="rocket-full")
    p.add_argument("--cuts", default="20,50")
    args = p.parse_args()
    new, old = load(args.new, args.optimizer), load(args.old, args.optimizer)
    cells = sorted(set(new) & set(old))
    print(f"{args.optimizer}: {args.new} against {args.old}, {len(cells)} paired cells")
    print("| cut | new | old | new - old [95% CI] | wins/ties/losses |\n|---|---|---|---|---|")
    rng = np.random.default_rng(0)  # one stream for every cut (the committed tables' draws)
    for cut in (float(c) for c in args.cuts.split(",")):
        a = np.array([regret_at(new[k], cut) for k in cells])
        b = np.array([regret_at(old[k], cut) for k in cells])
        d = a - b
        boot = d[rng.integers(len(d), size=(4000, len(d)))].mean(axis=1)
        lo, hi = np.quantile(boot, [0.025, 0.975])
        print(f"| {cut:g} | {a.mean():.4f} | {b.mean():.4f} | {d.mean():+.4f} [{lo:+.4f}, "
              f"{hi:+.4f}] | {(d < 0).sum()}/{(d == 0).sum()}/{(d > 0).sum()} |")


if __name__ == "__main__":
    main()
