#!/bin/sh
# usage: spread.sh SPREAD LABEL
cd /work/wt28
export OMP_NUM_THREADS=1 PYTHONPATH=/work/wt28/src ROCKET_SPREAD=$1
nice -n 5 .venv/bin/python benchmarks/agent/policy_dev.py --seeds 10-14 --budget 50 --optimizers rocket --label $2 --out /work/devruns28/spread-dev-seeds10-14.jsonl
