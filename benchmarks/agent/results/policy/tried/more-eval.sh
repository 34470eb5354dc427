#!/bin/sh
# Session 28, weights pretrained longer: usage: more-eval.sh WEIGHTS LABEL [OPTIMIZER]
# (OPTIMIZER defaults to rocket; rocket-screen:0 for the policy's single draw). Development
# seeds 10-14 of the nine dev problems, budget 50; records appended to OUT.
cd /work/main
export OMP_NUM_THREADS=1 PYTHONPATH=/work/main/src
nice -n 5 .venv/bin/python benchmarks/agent/policy_dev.py --seeds 10-14 --budget 50 \
    --optimizers "${3:-rocket}" --weights "$1" --label "$2" \
    --out "${OUT:-/work/devruns28/dev-seeds10-14.jsonl}"
