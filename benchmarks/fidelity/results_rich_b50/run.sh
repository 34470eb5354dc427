#!/bin/sh
# Issue 15, the open question of the budget-20 runs (../results_rich_b20): do data subsets pay
# on the data-rich tasks once the checks are paid for? The same protocol at budget 50 full-data
# equivalents, 5 seeds: Rocket's default (checks, then gain promotion), the same agent on full
# data, and DEHB on the same ladder. One nice'd process per task, each with its own --out
# folder (the harness appends to one results.json per folder); from the checkout's root:
#   TASK=mnist_full nohup sh benchmarks/fidelity/results_rich_b50/run.sh > .../run-mnist_full.log 2>&1 &
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH="$PWD/src"
exec nice -n 10 .venv/bin/rocket benchmark --tasks "dl/$TASK" \
    --optimizers "${OPTIMIZERS:-rocket,rocket-full,dehb}" --budget 50 --seeds 5 \
    --workers 1 --out "benchmarks/fidelity/results_rich_b50/$TASK"
