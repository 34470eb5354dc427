#!/bin/sh
# Issue 15: data subsets on the five rbv2_xgboost dev instances (trainsize as the fraction,
# ladder 1/27, 1/9, 1/3, 1), budget 50 full-data equivalents, 10 seeds: Rocket with subsets
# (rocket: the defaults since the checks, gain promotion with checks, the policy reading the
# learning rung's results; rocket-cheap: the same reading every rung's; rocket-asha: ASHA
# with every rung's results, the default before, recorded as "rocket" then; rocket-gain:
# promotion by expected gain measured by audits; rocket-no-cheap: ASHA, the policy reading
# only the learning rung's results), the same agent on full data, TPE on full data, and the
# multi-fidelity peers DEHB and TPE + Hyperband. SMAC's multi-fidelity facade (about two
# minutes a run here) runs separately: OPTIMIZERS=smac-mf sh run.sh (log run-smac-mf.log). Resumable; one nice'd
# process, from the checkout's root:
#   nohup sh benchmarks/fidelity/results_xgb_dev_b50/run.sh >> benchmarks/fidelity/results_xgb_dev_b50/run.log 2>&1 &
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH="$PWD/src"
exec nice -n 10 .venv/bin/rocket benchmark \
    --tasks yahpo/rbv2_xgboost/40496,yahpo/rbv2_xgboost/41212,yahpo/rbv2_xgboost/4134,yahpo/rbv2_xgboost/40701,yahpo/rbv2_xgboost/29 \
    --optimizers "${OPTIMIZERS:-rocket,rocket-cheap,rocket-full,rocket-asha,rocket-gain,rocket-no-cheap,tpe,dehb,tpe-hyperband}" \
    --budget 50 --cuts 20,50 --seeds 10 --workers 1 --out benchmarks/fidelity/results_xgb_dev_b50
