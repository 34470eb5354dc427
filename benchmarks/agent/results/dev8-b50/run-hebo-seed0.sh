#!/bin/sh
# A first look at HEBO within issue 18's session: seed 0 only, on the same 8 problems and
# folder (the other 9 seeds: run-hebo.sh, which skips what is already recorded).
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH="$PWD/src"
exec nice -n 10 .venv/bin/rocket benchmark --suite yahpo-dev8 \
    --optimizers hebo --budget 50 --cuts 20,50 --seeds 1 --workers 1 \
    --out benchmarks/agent/results/dev8-b50
