#!/bin/sh
# The reported runs of the cheaper screen (commit fcad21a: vectorised sampling, the GP fitted
# once per stage, its prior counted once) on the development instances, seeds 0-9, budget
# 50 (cuts 20 and 50 read off the traces); the peers are in dev-b50.jsonl and
# dev-b50-gp.jsonl (their code did not change). From the checkout's root:
#   nohup sh benchmarks/agent/results/policy/run-speed.sh > benchmarks/agent/results/policy/dev-b50-speed.log 2>&1 &
# (OPTIMIZERS=a,b,... runs only those.)
export OMP_NUM_THREADS=1
exec nice -n 2 .venv/bin/python benchmarks/agent/policy_dev.py --budget 50 --seeds 0-9 \
    --optimizers "${OPTIMIZERS:-rocket,rocket-uniform,rocket-screen:0}" \
    --out benchmarks/agent/results/policy/dev-b50-speed.jsonl
