#!/usr/bin/env bash
# Issue 21's budget-100, unseen-function and deep-learning checks again with the current
# default (weights compact-v2, the screen after this round's decode speed-ups); the earlier
# runs (run-screen-more.sh) were of compact-v1. Rocket only: the peers' runs are unchanged
# (lcbench-b100.jsonl, ../unseen/mfh, ../unseen/dl). Parts as arguments, from the repository
# root; the session ran "lcbench mfh" and "dl" as two processes on the two cores:
#   nohup bash benchmarks/agent/results/policy/run-v2-unseen.sh lcbench mfh > benchmarks/agent/results/policy/run-v2-unseen-1.log 2>&1 &
#   nohup bash benchmarks/agent/results/policy/run-v2-unseen.sh dl > benchmarks/agent/results/policy/run-v2-unseen-2.log 2>&1 &
set -euo pipefail
export OMP_NUM_THREADS=1
R=benchmarks/agent/results
for part in "$@"; do
  case "$part" in
    lcbench)
      .venv/bin/python benchmarks/agent/policy_dev.py --budget 100 --seeds 0-9 --optimizers rocket \
          --problems yahpo/lcbench/3945,yahpo/lcbench/7593,yahpo/lcbench/126025,yahpo/lcbench/167168 \
          --out $R/policy/lcbench-b100-v2.jsonl ;;
    mfh)
      .venv/bin/rocket benchmark --tasks mfpb/mfh3,mfpb/mfh6 --optimizers rocket-full \
          --seeds 10 --budget 50 --cuts 20,50 --out $R/unseen/mfh-v2 ;;
    dl)
      .venv/bin/rocket benchmark --tasks dl/wine,dl/diabetes,dl/cancer_anomaly,dl/etth1_h24 \
          --optimizers rocket-full --seeds 5 --budget 20 --out $R/unseen/dl-v2 ;;
    *) echo "unknown part $part" >&2; exit 2 ;;
  esac
done
