#!/bin/sh
# What the policy adds to the screen, with compact-v2: the same agent whose policy always
# draws uniformly (rocket-uniform: the screen over 64 uniform draws), on the reported dev
# cells (seeds 0-9, budget 50) in three random streams, to set beside the default's three
# streams (dev-b50-streams.jsonl, whose proposals the current code reproduces). Run from a
# worktree of the commit with the project .venv linked; parts concatenated afterwards.
export OMP_NUM_THREADS=1 PYTHONPATH="$PWD/src"
D=benchmarks/agent/results/policy/uniform-streams-parts; mkdir -p $D
run() {  # offset label
  .venv/bin/python benchmarks/agent/policy_dev.py --seeds 0-9 --budget 50 --optimizers rocket-uniform \
      --label "$2" --seed-offset "$1" --out $D/uniform-$1.jsonl >> $D/$1.log 2>&1
}
(run 0 rocket-uniform; run 2000 rocket-uniform-reseeded-2000) &
run 1000 rocket-uniform-reseeded-1000 &
wait
