#!/bin/sh
# usage: eval3.sh OPTIMIZER LABEL WEIGHTS   (code of the exp-critic worktree)
cd /work/wt21
export OMP_NUM_THREADS=1 PYTHONPATH=/work/wt21/src
nice -n 5 .venv/bin/python benchmarks/agent/policy_dev.py --seeds 10-14 --budget 50 --optimizers $1 --weights $3 --label $2 --out /work/devruns27/dev-seeds10-14.jsonl
