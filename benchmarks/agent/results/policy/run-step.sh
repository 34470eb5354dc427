#!/bin/sh
# The reported runs of the weights pretrained with step groups (compact-v2, commit 0477791)
# on the development instances, seeds 0-9, budget 50 (cuts 20 and 50 read off the traces):
# the default, never updated in the study, and the policy's single draw. The peers are in
# dev-b50.jsonl and dev-b50-gp.jsonl; from scratch and the uniform screen in
# dev-b50-speed*.jsonl (neither reads the shipped weights; their code did not change).
# From the checkout's root:
#   nohup sh benchmarks/agent/results/policy/run-step.sh > benchmarks/agent/results/policy/dev-b50-step.log 2>&1 &
export OMP_NUM_THREADS=1
exec nice -n 2 .venv/bin/python benchmarks/agent/policy_dev.py --budget 50 --seeds 0-9 \
    --optimizers "${OPTIMIZERS:-rocket,rocket-screen:0,rocket-frozen}" \
    --out benchmarks/agent/results/policy/dev-b50-step.jsonl
