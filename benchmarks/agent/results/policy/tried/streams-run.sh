#!/bin/sh
# The default agent (and 32 / 48 draws) again with two other random streams, development
# seeds 10-29, in a worktree at 750b4a0 (git worktree add --detach /work/wtk 750b4a0; link .venv).
cd /work/wtk  # outputs were concatenated into streams-dev-seeds10-29.jsonl afterwards
mkdir -p benchmarks/agent/results/policy/tried/streams-parts
export OMP_NUM_THREADS=1 PYTHONPATH=/work/wtk/src
.venv/bin/python benchmarks/agent/policy_dev.py --seeds 10-29 --budget 50 --optimizers rocket --label rocket-reseeded-1000 --seed-offset 1000 --out benchmarks/agent/results/policy/tried/streams-parts/r-1000.jsonl > benchmarks/agent/results/policy/tried/streams-parts/r-1000.log 2>&1 &
.venv/bin/python benchmarks/agent/policy_dev.py --seeds 10-29 --budget 50 --optimizers rocket --label rocket-reseeded-2000 --seed-offset 2000 --out benchmarks/agent/results/policy/tried/streams-parts/r-2000.jsonl > benchmarks/agent/results/policy/tried/streams-parts/r-2000.log 2>&1 &
wait  # two at a time on the two cores
.venv/bin/python benchmarks/agent/policy_dev.py --seeds 10-29 --budget 50 --optimizers rocket-screen:32 --label rocket-screen:32-reseeded-1000 --seed-offset 1000 --out benchmarks/agent/results/policy/tried/streams-parts/r32-1000.jsonl > benchmarks/agent/results/policy/tried/streams-parts/r32-1000.log 2>&1 &
.venv/bin/python benchmarks/agent/policy_dev.py --seeds 10-29 --budget 50 --optimizers rocket-screen:32 --label rocket-screen:32-reseeded-2000 --seed-offset 2000 --out benchmarks/agent/results/policy/tried/streams-parts/r32-2000.jsonl > benchmarks/agent/results/policy/tried/streams-parts/r32-2000.log 2>&1 &
wait  # two at a time on the two cores
.venv/bin/python benchmarks/agent/policy_dev.py --seeds 10-29 --budget 50 --optimizers rocket-screen:48 --label rocket-screen:48-reseeded-1000 --seed-offset 1000 --out benchmarks/agent/results/policy/tried/streams-parts/r48-1000.jsonl > benchmarks/agent/results/policy/tried/streams-parts/r48-1000.log 2>&1 &
.venv/bin/python benchmarks/agent/policy_dev.py --seeds 10-29 --budget 50 --optimizers rocket-screen:48 --label rocket-screen:48-reseeded-2000 --seed-offset 2000 --out benchmarks/agent/results/policy/tried/streams-parts/r48-2000.jsonl > benchmarks/agent/results/policy/tried/streams-parts/r48-2000.log 2>&1 &
wait  # two at a time on the two cores
