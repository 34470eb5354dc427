#!/bin/sh
# The screen's model fitted to rank quantiles (a Gaussian copula) instead of z-scores (copula.patch on ae3b229),
# development seeds 10-29, budget 20, three random streams, two processes on the two cores.
# From a worktree with the patch applied and .venv linked; parts concatenated afterwards.
export OMP_NUM_THREADS=1 PYTHONPATH=$PWD/src
D=benchmarks/agent/results/policy/tried/copula-parts; mkdir -p $D
run() { .venv/bin/python benchmarks/agent/policy_dev.py --seeds $3 --budget 20 --optimizers rocket \
          --label rocket-copula$2 --seed-offset $1 --out $D/$1-$3.jsonl >> $D/run.log 2>&1; }
(run 0 "" 10-29; run 2000 -reseeded-2000 10-19) &
(run 1000 -reseeded-1000 10-29; run 2000 -reseeded-2000 20-29) &
wait
