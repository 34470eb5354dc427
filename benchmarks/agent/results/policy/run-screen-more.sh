#!/usr/bin/env bash
# The screened default (issue 21) on the rest of the acceptance checks, one after another on
# one core (the machine has two). From the repository root:
#   nohup bash benchmarks/agent/results/policy/run-screen-more.sh > benchmarks/agent/results/policy/run-screen-more.log 2>&1 &
set -euo pipefail
export OMP_NUM_THREADS=1
PY=.venv/bin/python
R=benchmarks/agent/results
# Budget 100 on the four lcbench dev instances (the peers: lcbench-b100.jsonl).
$PY benchmarks/agent/policy_dev.py --budget 100 --seeds 0-9 --optimizers rocket \
    --problems yahpo/lcbench/3945,yahpo/lcbench/7593,yahpo/lcbench/126025,yahpo/lcbench/167168 \
    --out $R/policy/lcbench-b100-screen.jsonl
# The harness's dev8 subset, beside the six peers of ../dev8-b50 (SMAC and HEBO included).
.venv/bin/rocket benchmark --suite yahpo-dev8 --optimizers rocket-full --budget 50 \
    --cuts 20,50 --seeds 10 --workers 1 --out $R/dev8-b50-screen
# Overhead per ask+tell over a 1000-trial study, TPE and the unscreened policy in the same run.
$PY benchmarks/agent/overhead.py --trials 1000 --out $R/policy/overhead-screen.json
# mf-prior-bench's mfh3 and mfh6 (the peers: ../unseen/mfh).
.venv/bin/rocket benchmark --tasks mfpb/mfh3,mfpb/mfh6 --optimizers rocket-full --seeds 10 \
    --budget 50 --cuts 20,50 --out $R/unseen/mfh-screen
# The two ablations of the reported dev runs.
OPTIMIZERS=rocket-frozen,rocket-scratch sh $R/policy/run-screen.sh
