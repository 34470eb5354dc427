#!/bin/sh
# usage: eval2.sh OPTIMIZER LABEL [WEIGHTS]
cd /work/main
export OMP_NUM_THREADS=1 PYTHONPATH=/work/main/src
W=""; [ -n "$3" ] && W="--weights $3"
nice -n 5 .venv/bin/python benchmarks/agent/policy_dev.py --seeds 10-14 --budget 50 --optimizers $1 $W --label $2 --out /work/devruns27/dev-seeds10-14.jsonl
