#!/bin/sh
# mf-prior-bench mfh3 and mfh6 (never trained on), budget 50, seeds 0-9, in three random
# streams each for Rocket, GPSampler and TPE (samplers seeded seed, seed + 1000, seed + 2000),
# all through policy_dev.py so the three share one regret scale. The harness runs beside it
# (mfh-v2, mfh) are one stream each. From a worktree of the commit, with a Python that has
# the bench extra (mf-prior-bench) as $PY (default .venv/bin/python):
#   nohup nice -n 10 sh benchmarks/agent/results/unseen/run-mfh-streams.sh > benchmarks/agent/results/unseen/mfh-streams.log 2>&1 &
export OMP_NUM_THREADS=1 PYTHONPATH="$PWD/src"
PY=${PY:-.venv/bin/python}
P="--budget 50 --seeds 0-9 --problems mfpb/mfh3,mfpb/mfh6"
D=benchmarks/agent/results/unseen/mfh-streams-parts; mkdir -p $D
for o in 0 1000 2000; do
  for opt in rocket tpe gp; do
    $PY benchmarks/agent/policy_dev.py $P --optimizers $opt --label $opt-reseeded-$o \
        --seed-offset $o --out $D/$opt-$o.jsonl
  done
done
