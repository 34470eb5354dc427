#!/bin/sh
# The screen starting after 2 or after 5 finished results instead of 3 (start2.patch,
# start5.patch on f16fbed), development seeds 10-29, budget 20, three random streams; one
# process per variant (the two side by side on the two cores). From a worktree with the
# variant's patch applied and .venv linked: sh start-run.sh 2 (or 5).
export OMP_NUM_THREADS=1 PYTHONPATH=$PWD/src
D=benchmarks/agent/results/policy/tried/start$1-parts; mkdir -p $D
for o in 0 1000 2000; do
  label=rocket-start$1; [ $o = 0 ] || label=$label-reseeded-$o
  .venv/bin/python benchmarks/agent/policy_dev.py --seeds 10-29 --budget 20 --optimizers rocket \
      --label $label --seed-offset $o --out $D/$o.jsonl >> $D/run.log 2>&1
done
