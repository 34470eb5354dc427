#!/bin/sh
# One variant of the agent on the reported dev cells (seeds 0-9, budget 50) in three random
# streams (samplers seeded seed, seed + 1000, seed + 2000), to set beside the default's
# three streams (dev-b50-streams.jsonl, whose proposals the current code reproduces):
#   sh run-variant-streams.sh rocket-uniform   # what the policy adds (dev-b50-uniform-streams)
#   sh run-variant-streams.sh rocket-scratch   # what pretraining adds (dev-b50-scratch-streams)
#   sh run-variant-streams.sh rocket rocket-climb   # a second argument names the runs
#   BUDGET=100 PROBLEMS=yahpo/lcbench/3945,... sh run-variant-streams.sh rocket NAME
#       # another budget, or other problems (PY=python: one with the bench extra, for mfpb/...)
# Run from a worktree of the commit with the project .venv linked; the parts in
# $LABEL-streams-parts/ are concatenated afterwards (README.md beside this file).
NAME=${1:?usage: run-variant-streams.sh OPTIMIZER [LABEL] (a policy_dev.py optimizer name)}
LABEL=${2:-$NAME}
export OMP_NUM_THREADS=1 PYTHONPATH="$PWD/src"
D=benchmarks/agent/results/policy/$LABEL-streams-parts; mkdir -p $D
run() {  # offset label
  ${PY:-.venv/bin/python} benchmarks/agent/policy_dev.py --seeds 0-9 --budget "${BUDGET:-50}" \
      ${PROBLEMS:+--problems "$PROBLEMS"} --optimizers "$NAME" \
      --label "$2" --seed-offset "$1" --out $D/$1.jsonl >> $D/$1.log 2>&1
}
(run 0 "$LABEL"; run 2000 "$LABEL-reseeded-2000") &
run 1000 "$LABEL-reseeded-1000" &
wait
