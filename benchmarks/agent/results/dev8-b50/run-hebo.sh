#!/bin/sh
# HEBO's runs for the same folder (needs 'make bench-hebo' first). HEBO spends several
# seconds per suggestion (its NSGA-II acquisition search), about 5 minutes per run of 50 on
# the shared 2-core machine: 80 runs take hours, so run it where more cores are free, e.g.
# with --workers 4. From the checkout's root:
#   nohup sh benchmarks/agent/results/dev8-b50/run-hebo.sh > benchmarks/agent/results/dev8-b50/run-hebo.log 2>&1 &
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH="$PWD/src"
exec nice -n 10 .venv/bin/rocket benchmark --suite yahpo-dev8 \
    --optimizers hebo --budget 50 --cuts 20,50 --seeds 10 --workers "${WORKERS:-1}" \
    --out benchmarks/agent/results/dev8-b50
