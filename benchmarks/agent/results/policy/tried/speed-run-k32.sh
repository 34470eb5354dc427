#!/bin/sh
# C's code (per-stage fit, prior counted once) with K=32 draws instead of 64.
export OMP_NUM_THREADS=1
cd /work/wtC && PYTHONPATH=$PWD/src nice -n 5 .venv/bin/python benchmarks/agent/policy_dev.py \
   --seeds 10-14 --budget 50 --optimizers rocket-screen:32 --label rocket-C32 \
   --out /work/devruns/speed-dev-seeds10-14.jsonl > /work/devruns/log-C32.txt 2>&1
