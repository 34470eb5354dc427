"""What each Rocket trial pays to sync with the stored agent, as the study grows: the time of
one ``get_study_system_attrs`` read (which every trial makes) on a SQLite study after K
stages, with the per-stage signals kept as study attributes (before f249fa2) or on trials
(since), the agent's state (one 60 000-character chunk) present in both.

Command (writes signals_read.db in the current folder, replacing an old one):
    .venv/bin/python benchmarks/runtime/signals_read.py
"""

from __future__ import annotations

import os
import time

import numpy as np
import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution

from rocket_hpo.agent._checkpoint import stage_signals
from rocket_hpo.agent._heads import make_head
from rocket_hpo.keys import SIGNALS_KEY, SIGNALS_PREFIX

HEADS = [make_head(f"x{i}", FloatDistribution(1e-4, 1.0, log=True), 16) for i in range(6)]
HEADS.append(make_head("act", CategoricalDistribution(["a", "b", "c"]), 16))


def signals(stage: int) -> dict[str, object]:
    marginals = [np.full(h.n_outputs, 1.0 / h.n_outputs) for h in HEADS]
    return stage_signals(stage=stage, n_trials=4 * stage, fraction=1.0, entropy=0.5, kl=0.1,
                         mean_advantage=0.0, best_value=1.0, group_values=[1.0] * 4,
                         pool_size=24, heads=HEADS, marginals=marginals)


def read_ms(study: optuna.Study, repeats: int = 20) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        study._storage.get_study_system_attrs(study._study_id)
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


def main(stages: tuple[int, ...] = (0, 50, 100, 150)) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    path = "signals_read.db"
    if os.path.exists(path):
        os.remove(path)
    storage = f"sqlite:///{path}"
    studies = {where: optuna.create_study(storage=storage, study_name=where)
               for where in ("study-attrs", "trial-attrs")}
    for study in studies.values():
        study._storage.set_study_system_attr(study._study_id, "rocket:agent:state:0", "A" * 60000)
    done = 0
    print("stages | read ms, signals in study attrs | read ms, signals on trials")
    for k in stages:
        for stage in range(done + 1, k + 1):
            old, new = studies["study-attrs"], studies["trial-attrs"]
            old._storage.set_study_system_attr(old._study_id, f"{SIGNALS_PREFIX}{stage:06d}",
                                               signals(stage))
            trial = new.ask()
            new._storage.set_trial_system_attr(trial._trial_id, SIGNALS_KEY, signals(stage))
            new.tell(trial, 0.0)
        done = k
        before, now = read_ms(studies["study-attrs"]), read_ms(studies["trial-attrs"])
        print(f"{k} | {before:.2f} | {now:.2f}")


if __name__ == "__main__":
    main()
