#!/bin/sh
# usage: eval.sh WEIGHTS LABEL
cd /work/main
export OMP_NUM_THREADS=1 PYTHONPATH=/work/main/src
nice -n 5 .venv/bin/python benchmarks/agent/policy_dev.py --seeds 10-14 --budget 50 --optimizers rocket --weights $1 --label $2 --out /work/devruns27/dev-seeds10-14.jsonl
