"""Time per ask+tell over a 600-trial study on SQLite, Rocket then TPE, in blocks of 100 trials:
does Rocket slow down as its per-stage signals pile up in the study attributes?

Command (writes long_<sampler>.db in the current folder):
    .venv/bin/python benchmarks/runtime/long_study.py rocket; .venv/bin/python benchmarks/runtime/long_study.py tpe
"""
import time, optuna, numpy as np, sys
from rocket_hpo import RocketSampler
from rocket_hpo.space import Float, Int, Categorical, Space
optuna.logging.set_verbosity(optuna.logging.WARNING)
space = Space(x=Float(-5,5), lr=Float(1e-5,1,log=True), n=Int(1,64,log=True), act=Categorical(["a","b","c"]), y=Float(0,1), z=Float(0,1), w=Int(0,10))
name = sys.argv[1]
sampler = RocketSampler(space, seed=0) if name == "rocket" else optuna.samplers.TPESampler(seed=0)
import os
if os.path.exists(f"long_{name}.db"): os.remove(f"long_{name}.db")
study = optuna.create_study(storage=f"sqlite:///long_{name}.db", sampler=sampler)
ts = []
for i in range(600):
    t0 = time.perf_counter(); tr = study.ask(); c = space.suggest(tr); study.tell(tr, (c["x"]-1)**2 + c["y"]); ts.append(time.perf_counter()-t0)
ts = np.array(ts)*1000
for a in range(0, 600, 100): print(name, a, "median ms", round(float(np.median(ts[a:a+100])),1), "mean", round(float(ts[a:a+100].mean()),1))
