#!/bin/sh
# The reported cells (development problems, seeds 0-9, budget 50) with two more random
# streams for Rocket, TPE and GPSampler (samplers seeded seed + 1000, seed + 2000).
cd /work/wtk  # a worktree at c338985 with the project .venv linked
export OMP_NUM_THREADS=1 PYTHONPATH=/work/wtk/src
D=benchmarks/agent/results/policy/streams-parts; mkdir -p $D  # concatenated into dev-b50-streams.jsonl afterwards
(
for o in 1000 2000; do
  .venv/bin/python benchmarks/agent/policy_dev.py --seeds 0-9 --budget 50 --optimizers rocket --label rocket-reseeded-$o --seed-offset $o --out $D/rep-rocket-$o.jsonl >> $D/rep-a.log 2>&1
  .venv/bin/python benchmarks/agent/policy_dev.py --seeds 0-9 --budget 50 --optimizers tpe --label tpe-reseeded-$o --seed-offset $o --out $D/rep-tpe-$o.jsonl >> $D/rep-a.log 2>&1
done
.venv/bin/python benchmarks/agent/policy_dev.py --seeds 0-9 --budget 50 --optimizers gp --label gp-reseeded-2000 --seed-offset 2000 --out $D/rep-gp-2000.jsonl >> $D/rep-a.log 2>&1
) &
.venv/bin/python benchmarks/agent/policy_dev.py --seeds 0-9 --budget 50 --optimizers gp --label gp-reseeded-1000 --seed-offset 1000 --out $D/rep-gp-1000.jsonl > $D/rep-b.log 2>&1 &
wait
