#!/bin/sh
# Screen size K on development seeds 10-29 (never the reported 0-9), two streams, in a
# worktree at commit 8d3f266 (git worktree add --detach /work/wtk 8d3f266; ln -s .../.venv .venv).
cd /work/wtk  # outputs concatenated into size-dev-seeds10-29.jsonl afterwards
mkdir -p benchmarks/agent/results/policy/tried/size-parts
export OMP_NUM_THREADS=1 PYTHONPATH=/work/wtk/src
.venv/bin/python benchmarks/agent/policy_dev.py --seeds 10-29 --budget 50 --optimizers rocket,rocket-screen:48 --out benchmarks/agent/results/policy/tried/size-parts/k-a.jsonl > benchmarks/agent/results/policy/tried/size-parts/k-a.log 2>&1 &
.venv/bin/python benchmarks/agent/policy_dev.py --seeds 10-29 --budget 50 --optimizers rocket-screen:32 --out benchmarks/agent/results/policy/tried/size-parts/k-b.jsonl > benchmarks/agent/results/policy/tried/size-parts/k-b.log 2>&1 &
wait

