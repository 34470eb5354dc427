#!/bin/sh
# Refit the screen's Gaussian process at every trial while the history is short (fewer than
# 2 x context rows) instead of once per stage: refit.patch on ec3d569 (agent as 8d3f266's), development
# seeds 10-29, budget 50, three random streams, two processes on the two cores. From a
# worktree with the patch applied and .venv linked; parts concatenated afterwards.
export OMP_NUM_THREADS=1 PYTHONPATH=$PWD/src
D=benchmarks/agent/results/policy/tried/refit-parts; mkdir -p $D
run() { .venv/bin/python benchmarks/agent/policy_dev.py --seeds 10-29 --budget 50 --optimizers rocket \
          --label rocket-refit$2 --seed-offset $1 --out $D/$1.jsonl >> $D/run.log 2>&1; }
(run 0 ""; run 2000 -reseeded-2000) &
(run 1000 -reseeded-1000) &
wait
