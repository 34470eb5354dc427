#!/bin/sh
# The ablations with the cheaper screen (src of fcad21a): never updated and from scratch,
# seeds 0-9, nine dev problems, budget 50; two processes, one per variant. From the root:
#   nohup sh benchmarks/agent/results/policy/run-speed-ablations.sh > /dev/null 2>&1 &
export OMP_NUM_THREADS=1
P=benchmarks/agent/results/policy
for v in rocket-frozen rocket-scratch; do
  .venv/bin/python benchmarks/agent/policy_dev.py --budget 50 --seeds 0-9 --optimizers $v \
      --out $P/dev-b50-speed-$v.jsonl > $P/dev-b50-speed-$v.log 2>&1 &
done
wait
