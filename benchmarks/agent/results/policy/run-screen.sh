#!/bin/sh
# The reported runs of the screened default (issue 21) on the development instances, seeds
# 0-9, budget 50 (cuts 20 and 50 read off the traces); the peers are in dev-b50.jsonl and
# dev-b50-gp.jsonl. From the checkout's root:
# (OPTIMIZERS=a,b,... runs only those; the first session ran rocket,rocket-uniform,rocket-screen:0
# first and the two ablations after.)
#   nohup sh benchmarks/agent/results/policy/run-screen.sh > benchmarks/agent/results/policy/dev-b50-screen.log 2>&1 &
export OMP_NUM_THREADS=1
.venv/bin/python benchmarks/agent/policy_dev.py --budget 50 --seeds 0-9 \
    --optimizers "${OPTIMIZERS:-rocket,rocket-uniform,rocket-screen:0,rocket-frozen,rocket-scratch}" \
    --out benchmarks/agent/results/policy/dev-b50-screen.jsonl
