"""Rerun records of a committed benchmark and check that their traces come out identical.

Usage::

    PYTHONHASHSEED=0 .venv/bin/python benchmarks/harness/check_reproducible.py \
        benchmarks/agent/results/dev8-b50 \
        --optimizers random,tpe,gp,cmaes,smac --per-optimizer 2

It picks ``--per-optimizer`` records per optimizer (seeded choice), reruns each in this
process with the same task, seed and budget, and compares the ``[cost, best]`` traces.
Rocket's records reproduce only with the code they were made with (their ``code`` field);
SMAC3 needs ``PYTHONHASHSEED=0``, the value the harness gives its worker processes.
Exit code 1 when any trace differs.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from rocket_hpo.bench.jobs import Job, load_results, run_job


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--optimizers", default="random,tpe,tpe-hyperband,dehb,smac")
    parser.add_argument("--per-optimizer", type=int, default=2)
    args = parser.parse_args()
    records = load_results(args.folder)["records"]
    rng = np.random.default_rng(0)
    bad = 0
    for opt in args.optimizers.split(","):
        mine = [r for r in records if r["optimizer"] == opt]
        if not mine:
            print(f"{opt}: no records")
            continue
        for i in rng.choice(len(mine), size=min(args.per_optimizer, len(mine)), replace=False):
            old = mine[int(i)]
            new = run_job(Job(old["task"], opt, int(old["seed"]), float(old["budget"])))
            same = new.get("trace") == old["trace"]
            bad += not same
            print(f"{opt:14s} {old['task']:28s} seed {old['seed']}: "
                  f"{'identical' if same else 'DIFFERENT'} ({len(old['trace'])} trace points)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
