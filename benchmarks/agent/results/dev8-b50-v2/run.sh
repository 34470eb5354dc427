#!/bin/sh
# Rocket's default with the weights compact-v2 (pretrained with step groups) on yahpo-dev8,
# the peers' protocol (their runs: ../dev8-b50/). From the checkout's root:
#   nohup sh benchmarks/agent/results/dev8-b50-v2/run.sh > benchmarks/agent/results/dev8-b50-v2/run.log 2>&1 &
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH="$PWD/src"
exec .venv/bin/rocket benchmark --suite yahpo-dev8 --optimizers rocket-full --budget 50 \
    --cuts 20,50 --seeds 10 --workers 1 --out benchmarks/agent/results/dev8-b50-v2
