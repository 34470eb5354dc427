#!/bin/sh
# Budget 100 on the four lcbench dev instances (seeds 0-9) with two more random streams for
# Rocket, TPE and GPSampler (samplers seeded seed + 1000, seed + 2000), as run-streams.sh did
# for the budget-50 table. Run from a worktree of the commit with the project .venv linked;
# the parts are concatenated into lcbench-b100-streams.jsonl afterwards.
export OMP_NUM_THREADS=1 PYTHONPATH="$PWD/src"
P="--budget 100 --seeds 0-9 --problems yahpo/lcbench/3945,yahpo/lcbench/7593,yahpo/lcbench/126025,yahpo/lcbench/167168"
D=benchmarks/agent/results/policy/b100-streams-parts; mkdir -p $D
(
.venv/bin/python benchmarks/agent/policy_dev.py $P --optimizers gp --label gp-reseeded-1000 --seed-offset 1000 --out $D/gp-1000.jsonl > $D/a.log 2>&1
) &
(
for o in 1000 2000; do
  .venv/bin/python benchmarks/agent/policy_dev.py $P --optimizers rocket --label rocket-reseeded-$o --seed-offset $o --out $D/rocket-$o.jsonl >> $D/b.log 2>&1
  .venv/bin/python benchmarks/agent/policy_dev.py $P --optimizers tpe --label tpe-reseeded-$o --seed-offset $o --out $D/tpe-$o.jsonl >> $D/b.log 2>&1
done
.venv/bin/python benchmarks/agent/policy_dev.py $P --optimizers gp --label gp-reseeded-2000 --seed-offset 2000 --out $D/gp-2000.jsonl >> $D/b.log 2>&1
) &
wait
