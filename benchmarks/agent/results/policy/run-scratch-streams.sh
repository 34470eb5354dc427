#!/bin/sh
# What pretraining adds, with compact-v2: the same agent from scratch (pretrained=False,
# rocket-scratch) on the reported dev cells (seeds 0-9, budget 50) in three random streams,
# to set beside the default's three streams (dev-b50-streams.jsonl). Run from a worktree of
# the commit with the project .venv linked; parts concatenated afterwards.
export OMP_NUM_THREADS=1 PYTHONPATH="$PWD/src"
D=benchmarks/agent/results/policy/scratch-streams-parts; mkdir -p $D
run() {  # offset label
  .venv/bin/python benchmarks/agent/policy_dev.py --seeds 0-9 --budget 50 --optimizers rocket-scratch \
      --label "$2" --seed-offset "$1" --out $D/scratch-$1.jsonl >> $D/$1.log 2>&1
}
(run 0 rocket-scratch; run 2000 rocket-scratch-reseeded-2000) &
run 1000 rocket-scratch-reseeded-1000 &
wait
