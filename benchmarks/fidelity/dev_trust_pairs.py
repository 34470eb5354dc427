"""Development check (dev instances and seeds only): does relaxing the sceptical trust buy the
10x cost reduction on rbv2_xgboost? Rocket on the ladder with Trust variants vs Rocket on full
data, instances 40496, 41212, 4134, seeds 100-103, budget 50. Per seed: the cost to reach the
full-data run's final score (full-data evaluations only), ratio full / subsets (unreached
counted at the budget); and the final regret difference. Default Trust: min_pairs 6.

Command:
    .venv/bin/python benchmarks/fidelity/dev_trust_pairs.py > benchmarks/fidelity/results/dev_trust_pairs.txt
"""
import contextlib, math, sys, json
import numpy as np, optuna
from rocket_hpo.bench.problems import get_problem
from rocket_hpo.bench.tracker import BudgetExhausted, Tracker
from rocket_hpo.fidelity import SubsetScheduler, Trust, data_fraction
from rocket_hpo.sampler import RocketSampler
optuna.logging.set_verbosity(optuna.logging.WARNING)
TASKS = ("yahpo/rbv2_xgboost/40496", "yahpo/rbv2_xgboost/41212", "yahpo/rbv2_xgboost/4134")
def run(task, seed, trust):
    p = get_problem(task); tr = Tracker(p, 50.0)
    sched = None if trust == "full" else SubsetScheduler(trust=Trust(**trust), seed=seed)
    st = optuna.create_study(direction=p.direction, sampler=RocketSampler(p.space, seed=seed, fidelity=sched))
    with contextlib.suppress(BudgetExhausted):
        while True:
            t = st.ask(); s = tr.evaluate(p.space.suggest(t), data_fraction(t) if sched else 1.0)
            st.tell(t, s) if math.isfinite(s) else st.tell(t, state=optuna.trial.TrialState.FAIL)
    r = tr.record(); return r["final_regret"], tr.trace, tr.maximize
def reach(trace, target, mx):
    for c, s in trace:
        if (s >= target - 1e-12) if mx else (s <= target + 1e-12): return c
    return math.inf
variants = {"default": {}, "pairs4": {"min_pairs": 4}, "pairs4_t0": {"min_pairs": 4, "threshold": 0.0}, "optimistic": {"sceptical": False}}
for name, kw in variants.items():
    regs, ratios = [], []
    for task in TASKS:
        for seed in (100, 101, 102, 103):
            rf, trf, mx = run(task, seed, "full"); r, trr, _ = run(task, seed, kw)
            target = trf[-1][1]; cf = reach(trf, target, mx); cr = min(reach(trr, target, mx), 50.0)
            regs.append(r - rf); ratios.append(cf / cr)
    print(name, "mean regret diff (subsets - full)", round(float(np.mean(regs)), 4), "ratio median", round(float(np.median(ratios)), 2), "geo", round(float(np.exp(np.mean(np.log(ratios)))), 2), flush=True)
