"""Time per ask+tell over a 600-trial study on SQLite, Rocket then TPE, in blocks of 100 trials:
does Rocket slow down as its per-stage signals pile up in the study attributes?

Command (writes long_<sampler>.db in the current folder, replacing an old one):
    .venv/bin/python benchmarks/runtime/long_study.py rocket
    .venv/bin/python benchmarks/runtime/long_study.py tpe
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import optuna

from rocket_hpo import RocketSampler
from rocket_hpo.space import Categorical, Float, Int, Space

SPACE = Space(
    x=Float(-5, 5), lr=Float(1e-5, 1, log=True), n=Int(1, 64, log=True),
    act=Categorical(["a", "b", "c"]), y=Float(0, 1), z=Float(0, 1), w=Int(0, 10),
)


def main(name: str, n_trials: int = 600, block: int = 100) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    tpe = optuna.samplers.TPESampler(seed=0)
    sampler = RocketSampler(SPACE, seed=0) if name == "rocket" else tpe
    path = f"long_{name}.db"
    if os.path.exists(path):
        os.remove(path)
    study = optuna.create_study(storage=f"sqlite:///{path}", sampler=sampler)
    times = []
    for _ in range(n_trials):
        t0 = time.perf_counter()
        trial = study.ask()
        c = SPACE.suggest(trial)
        study.tell(trial, (c["x"] - 1) ** 2 + c["y"])
        times.append(time.perf_counter() - t0)
    ms = np.array(times) * 1000
    for a in range(0, n_trials, block):
        chunk = ms[a : a + block]
        print(name, a, "median ms", round(float(np.median(chunk)), 1),
              "mean", round(float(chunk.mean()), 1))


if __name__ == "__main__":
    main(sys.argv[1])
