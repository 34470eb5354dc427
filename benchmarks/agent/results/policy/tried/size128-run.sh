#!/bin/sh
# 128 draws, three random streams, development seeds 10-29, in a worktree at c338985
# (outputs concatenated into size128-dev-seeds10-29.jsonl afterwards).
cd /work/wtk
export OMP_NUM_THREADS=1 PYTHONPATH=/work/wtk/src
D=benchmarks/agent/results/policy/tried/size128-parts; mkdir -p $D
(
.venv/bin/python benchmarks/agent/policy_dev.py --seeds 10-29 --budget 50 --optimizers rocket-screen:128 --out $D/k128-0.jsonl > $D/k128-0.log 2>&1
.venv/bin/python benchmarks/agent/policy_dev.py --seeds 20-29 --budget 50 --optimizers rocket-screen:128 --label rocket-screen:128-reseeded-2000 --seed-offset 2000 --out $D/k128-2000.jsonl > $D/k128-2000b.log 2>&1
) &
(
.venv/bin/python benchmarks/agent/policy_dev.py --seeds 10-29 --budget 50 --optimizers rocket-screen:128 --label rocket-screen:128-reseeded-1000 --seed-offset 1000 --out $D/k128-1000.jsonl > $D/k128-1000.log 2>&1
.venv/bin/python benchmarks/agent/policy_dev.py --seeds 10-19 --budget 50 --optimizers rocket-screen:128 --label rocket-screen:128-reseeded-2000 --seed-offset 2000 --out $D/k128-2000.jsonl > $D/k128-2000a.log 2>&1
) &
wait
