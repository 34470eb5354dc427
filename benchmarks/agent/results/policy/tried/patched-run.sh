#!/bin/sh
# A patched agent (a change to the screen tried on development cells) on development seeds
# 10-29 at budget 20, three random streams (samplers seeded seed, seed + 1000, seed + 2000),
# two processes on the two cores, recorded as rocket-NAME:
#   sh benchmarks/agent/results/policy/tried/patched-run.sh prior    # prior.patch applied
# From a worktree with the patch applied and .venv linked; the parts in NAME-parts/ are
# concatenated afterwards (the variant's README has the command). OPT=rocket-frozen (a
# policy_dev.py optimizer) runs a setting of the unpatched agent instead of `rocket`:
#   OPT=rocket-frozen sh benchmarks/agent/results/policy/tried/patched-run.sh frozen-climb
NAME=${1:?usage: patched-run.sh NAME (the name of the patch, e.g. prior)}
export OMP_NUM_THREADS=1 PYTHONPATH=$PWD/src
D=benchmarks/agent/results/policy/tried/$NAME-parts; mkdir -p $D
run() {  # offset label-suffix seeds
  .venv/bin/python benchmarks/agent/policy_dev.py --seeds $3 --budget 20 --optimizers "${OPT:-rocket}" \
      --label rocket-$NAME$2 --seed-offset $1 --out $D/$1-$3.jsonl >> $D/run.log 2>&1
}
(run 0 "" 10-29; run 2000 -reseeded-2000 10-19) &
(run 1000 -reseeded-1000 10-29; run 2000 -reseeded-2000 20-29) &
wait
