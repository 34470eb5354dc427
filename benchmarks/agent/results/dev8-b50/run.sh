#!/bin/sh
# The acceptance run of issue 18 (peers only; Rocket's agent is added to the same folder later).
# One process on the shared 2-core machine, nice'd; from the checkout's root:
#   nohup sh benchmarks/agent/results/dev8-b50/run.sh > benchmarks/agent/results/dev8-b50/run.log 2>&1 &
# HEBO's runs need 'make bench-hebo' first and were started as a second invocation (run-hebo.sh).
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH="$PWD/src"
exec nice -n 10 .venv/bin/rocket benchmark --suite yahpo-dev8 \
    --optimizers random,tpe,gp,cmaes,smac --budget 50 --cuts 20,50 --seeds 10 --workers 1 \
    --out benchmarks/agent/results/dev8-b50
