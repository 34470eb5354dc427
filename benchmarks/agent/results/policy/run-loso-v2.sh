#!/bin/sh
# Leave one scenario out with step groups: weights pretrained without rbv2_rpart
# (benchmarks/pretrain/loso-rbv2_rpart-v2.pt, same command as compact-v2 plus
# --exclude rbv2_rpart), screened default, on the rbv2_rpart dev instances, seeds 0-9,
# budget 50. Compared with compact-v2's runs of the same cells (dev-b50-step.jsonl) and
# from scratch (dev-b50-speed-rocket-scratch.jsonl). From the checkout's root:
#   nohup sh benchmarks/agent/results/policy/run-loso-v2.sh > benchmarks/agent/results/policy/loso-rbv2_rpart-v2.log 2>&1 &
export OMP_NUM_THREADS=1
exec .venv/bin/python benchmarks/agent/policy_dev.py --budget 50 --seeds 0-9 \
    --problems yahpo/rbv2_rpart/470,yahpo/rbv2_rpart/41168 --optimizers rocket \
    --weights benchmarks/pretrain/loso-rbv2_rpart-v2.pt --label rocket-loso-v2 \
    --out benchmarks/agent/results/policy/loso-rbv2_rpart-v2.jsonl
