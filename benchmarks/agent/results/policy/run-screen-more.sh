#!/usr/bin/env bash
# The screened default (issue 21) on the rest of the acceptance checks. Each argument names
# one part, run in the order given (all parts when none is given); the first session ran two
# streams on the two cores. From the repository root:
#   nohup bash benchmarks/agent/results/policy/run-screen-more.sh lcbench ablations > benchmarks/agent/results/policy/run-screen-more-1.log 2>&1 &
#   nohup bash benchmarks/agent/results/policy/run-screen-more.sh dev8 overhead mfh > benchmarks/agent/results/policy/run-screen-more-2.log 2>&1 &
#   nohup bash benchmarks/agent/results/policy/run-screen-more.sh loso dl > benchmarks/agent/results/policy/run-screen-more-3.log 2>&1 &
set -euo pipefail
export OMP_NUM_THREADS=1
PY=.venv/bin/python
R=benchmarks/agent/results
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(lcbench dev8 overhead mfh ablations loso dl)
for part in "${parts[@]}"; do
  case "$part" in
    lcbench)  # budget 100 on the four lcbench dev instances (the peers: lcbench-b100.jsonl)
      $PY benchmarks/agent/policy_dev.py --budget 100 --seeds 0-9 --optimizers rocket \
          --problems yahpo/lcbench/3945,yahpo/lcbench/7593,yahpo/lcbench/126025,yahpo/lcbench/167168 \
          --out $R/policy/lcbench-b100-screen.jsonl ;;
    dev8)  # the harness's dev8 subset, beside the peers of ../dev8-b50 (SMAC and HEBO included)
      .venv/bin/rocket benchmark --suite yahpo-dev8 --optimizers rocket-full --budget 50 \
          --cuts 20,50 --seeds 10 --workers 1 --out $R/dev8-b50-screen ;;
    overhead)  # per ask+tell over a 1000-trial study; TPE and screen=0 in the same run
      $PY benchmarks/agent/overhead.py --trials 1000 --out $R/policy/overhead-screen.json ;;
    mfh)  # mf-prior-bench's mfh3 and mfh6 (the peers: ../unseen/mfh)
      .venv/bin/rocket benchmark --tasks mfpb/mfh3,mfpb/mfh6 --optimizers rocket-full \
          --seeds 10 --budget 50 --cuts 20,50 --out $R/unseen/mfh-screen ;;
    loso)  # the policy pretrained without rbv2_rpart, screened, on the rbv2_rpart dev instances
      $PY benchmarks/agent/policy_dev.py --budget 50 --seeds 0-9 \
          --problems yahpo/rbv2_rpart/470,yahpo/rbv2_rpart/41168 --optimizers rocket \
          --weights benchmarks/pretrain/loso-rbv2_rpart.pt --label rocket-loso \
          --out $R/policy/loso-rbv2_rpart-screen.jsonl ;;
    dl)  # four deep-learning tasks, budget 20 full trainings, 5 seeds (the peers: ../unseen/dl)
      .venv/bin/rocket benchmark --tasks dl/wine,dl/diabetes,dl/cancer_anomaly,dl/etth1_h24 \
          --optimizers rocket-full --seeds 5 --budget 20 --out $R/unseen/dl-screen ;;
    ablations)  # the two ablations of the reported dev runs
      OPTIMIZERS=rocket-frozen,rocket-scratch sh $R/policy/run-screen.sh ;;
    *) echo "unknown part $part" >&2; exit 2 ;;
  esac
done
