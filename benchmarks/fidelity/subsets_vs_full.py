"""Rocket with data subsets vs Rocket on full data only, and peers at equal cost.

Runs through the benchmark harness (``rocket_hpo.bench``): ``rocket`` is RocketSampler with
the SubsetScheduler's default ladder (1/27, 1/9, 1/3, 1 of ``trainsize``), ``rocket-full``
the same policy with every trial on full data; the peers are DEHB, SMAC's multi-fidelity
facade and Optuna TPE with the Hyperband pruner. Cost is in full-data equivalents.

Tasks: rbv2_xgboost 40701 and 29 (dev instances; formerly the ``yahpo-test`` suite); the
scheduler's settings were fixed before, looking only at the dev instance 40496.

Command (resumable; analyse with analyse.py; the latest runs give --out, see README.md):
    nohup .venv/bin/python benchmarks/fidelity/subsets_vs_full.py \
        > benchmarks/fidelity/subsets_vs_full.log 2>&1 &
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rocket_hpo.bench.jobs import run_benchmark

HERE = Path(__file__).parent
TASKS = ["yahpo/rbv2_xgboost/40701", "yahpo/rbv2_xgboost/29"]
# The main comparison first; the slow SMAC facade last, so partial results are usable.
GROUPS = [["rocket", "rocket-full"], ["dehb", "tpe-hyperband"], ["smac-mf"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--budget", type=float, default=50.0)
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument("--groups", default="0,1,2", help="which optimizer groups to run")
    args = parser.parse_args()
    command = "python benchmarks/fidelity/subsets_vs_full.py " + " ".join(
        f"--{k} {v}" for k, v in vars(args).items() if k != "out"
    )
    for g in (int(i) for i in args.groups.split(",")):
        run_benchmark(TASKS, GROUPS[g], args.seeds, args.budget, args.out, command=command)


if __name__ == "__main__":
    main()
