"""RocketSampler driven by the SubsetScheduler: fractions, promotions with transfer, trust."""

from __future__ import annotations

import optuna
import pytest

from rocket_hpo import RocketSampler
from rocket_hpo.fidelity import (
    Ladder,
    Scale,
    SubsetScheduler,
    TransferRules,
    Trust,
    best_full_trial,
    cost_summary,
    data_fraction,
)
from rocket_hpo.keys import PROMOTED_FROM, TRANSFER
from rocket_hpo.space import Float, Int, Space

optuna.logging.set_verbosity(optuna.logging.WARNING)
SPACE = Space(x=Float(0.0, 1.0), steps=Int(1, 1000, log=True))


def objective(trial: optuna.Trial) -> float:
    config = SPACE.suggest(trial)
    x = config["x"]
    return 1 - x if data_fraction(trial) < 0.2 else x  # inverted on 1/9 of the data


def test_rocket_sampler_on_the_ladder() -> None:
    scheduler = SubsetScheduler(
        Ladder(1 / 9, 3), transfer=TransferRules(Scale("steps")), trust=Trust(sceptical=False)
    )
    study = optuna.create_study(
        direction="maximize", sampler=RocketSampler(SPACE, seed=0, fidelity=scheduler)
    )
    # A verdict needs 6 configurations scored on both 1/9 and 1/3 (Trust's min_pairs);
    # promotions deliver the sixth between trial 70 and 85 depending on the proposals.
    study.optimize(objective, n_trials=85)
    promoted = [t for t in study.trials if PROMOTED_FROM in t.user_attrs]
    assert promoted
    for t in promoted:
        src = study.trials[t.user_attrs[PROMOTED_FROM]]
        assert t.params["x"] == src.params["x"]
        assert t.params["steps"] == min(3 * src.params["steps"], 1000)
        if t.params["steps"] != src.params["steps"]:
            assert t.user_attrs[TRANSFER]["steps"] == [src.params["steps"], t.params["steps"]]
    # The inverted 1/9 rung is detected and the policy is told to learn on 1/3.
    assert scheduler.learning_fraction(study) == pytest.approx(1 / 3)
    assert best_full_trial(study) is not None
    summary = cost_summary(study)
    assert summary.n_trials == 85 and summary.saving > 1.5
