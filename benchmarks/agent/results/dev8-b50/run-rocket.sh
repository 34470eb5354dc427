#!/usr/bin/env bash
# Rocket's policy (full-data evaluations, shipped weights) added to the peers' records.
cd "$(dirname "$0")/../../../.."
OMP_NUM_THREADS=1 .venv/bin/rocket benchmark --suite yahpo-dev8 --optimizers rocket-full \
    --budget 50 --cuts 20,50 --seeds 10 --workers 1 --out benchmarks/agent/results/dev8-b50
