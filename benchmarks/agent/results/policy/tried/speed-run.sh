#!/bin/sh
# Screen speed variants on development seeds 10-14 (budget 50), one process at a time.
# A: a GP fit every trial (the old cadence) with the new vectorised sampling;
# B: a fit once per stage; C: B with the prior's signal and noise terms counted once.
export OMP_NUM_THREADS=1
for v in A B C; do
  cd /work/wt$v && PYTHONPATH=$PWD/src nice -n 5 .venv/bin/python benchmarks/agent/policy_dev.py \
     --seeds 10-14 --budget 50 --optimizers rocket --label rocket-$v \
     --out /work/devruns/speed-dev-seeds10-14.jsonl > /work/devruns/log-$v.txt 2>&1
done
