#!/bin/sh
# Issue 15: data subsets on the two data-rich tasks (mnist_full, etth1_multi; ladder 1/9, 1/3,
# 1 from the tasks' min_fraction), budget 20 full-data equivalents under honest cost (each
# trial is charged the compute its training used, keys.trial_cost), 5 seeds. Rocket with
# subsets (ASHA promotion; rocket-gain: promotion by expected gain per unit cost;
# rocket-no-cheap: the policy reads only the learning rung's results), the
# same agent on full data, and the multi-fidelity peers on the same ladder. Resumable; one
# nice'd process, from the checkout's root:
#   nohup sh benchmarks/fidelity/results_rich_b20/run.sh >> benchmarks/fidelity/results_rich_b20/run.log 2>&1 &
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH="$PWD/src"
exec nice -n 10 .venv/bin/rocket benchmark --tasks "${TASKS:-dl/mnist_full,dl/etth1_multi}" \
    --optimizers "${OPTIMIZERS:-rocket,rocket-full,rocket-asha,rocket-gain,rocket-no-cheap,dehb,tpe-hyperband,smac-mf}" --budget 20 --seeds 5 \
    --workers 1 --out benchmarks/fidelity/results_rich_b20
