#!/usr/bin/env bash
# Issue 21's unseen-space checks and the budget-100 lcbench runs, one after another on one
# core (the machine has two). Run from the repository root:
#   bash benchmarks/agent/results/unseen/run.sh > benchmarks/agent/results/unseen/run.log 2>&1
set -euo pipefail
export OMP_NUM_THREADS=1
PY=.venv/bin/python
R=benchmarks/agent/results
# Budget 100 on the four lcbench dev instances: Rocket (the peers ran before, same file).
$PY benchmarks/agent/policy_dev.py --budget 100 --seeds 0-9 --optimizers rocket \
    --problems yahpo/lcbench/3945,yahpo/lcbench/7593,yahpo/lcbench/126025,yahpo/lcbench/167168 \
    --out $R/policy/lcbench-b100.jsonl
# mf-prior-bench's mfh3 and mfh6 (never a training task), full-data evaluations.
.venv/bin/rocket benchmark --tasks mfpb/mfh3,mfpb/mfh6 \
    --optimizers rocket-full,tpe,gp,random,cmaes --seeds 10 --budget 50 --cuts 20,50 \
    --out $R/unseen/mfh
# Four deep-learning tasks of different types (tabular classification, tabular regression,
# anomaly detection, forecasting), budget 20 full trainings, 5 seeds.
.venv/bin/rocket benchmark --tasks dl/wine,dl/diabetes,dl/cancer_anomaly,dl/etth1_h24 \
    --optimizers rocket-full,tpe,gp --seeds 5 --budget 20 --out $R/unseen/dl
