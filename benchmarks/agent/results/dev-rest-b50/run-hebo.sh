#!/bin/sh
# HEBO's runs for this folder (needs 'make bench-hebo' first): 100 runs of about 5 minutes
# each on the shared 2-core machine (its NSGA-II acquisition search), so run it where more
# cores are free, e.g. WORKERS=4. Resumable. From the checkout's root:
#   nohup sh benchmarks/agent/results/dev-rest-b50/run-hebo.sh >> benchmarks/agent/results/dev-rest-b50/run-hebo.log 2>&1 &
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH="$PWD/src"
exec nice -n 10 .venv/bin/rocket benchmark \
    --tasks yahpo/lcbench/167168,yahpo/lcbench/189873,yahpo/lcbench/189906,yahpo/lcbench/34539,yahpo/lcbench/126026,yahpo/rbv2_xgboost/4134,yahpo/rbv2_xgboost/40701,yahpo/rbv2_xgboost/29,yahpo/rbv2_rpart/4534,yahpo/rbv2_rpart/41168 \
    --optimizers hebo --budget 50 --cuts 20,50 --seeds 10 --workers "${WORKERS:-1}" \
    --out benchmarks/agent/results/dev-rest-b50
