"""The ladder, transfer rules and the cost ledger; plus the package's docstring examples."""

from __future__ import annotations

import doctest
import math

import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

import rocket_hpo.fidelity as fidelity
from rocket_hpo.errors import UsageError
from rocket_hpo.fidelity import (
    FIDELITY_PARAM,
    Ladder,
    Scale,
    TransferRules,
    best_full_trial,
    cost_summary,
    ledger,
)

optuna.logging.set_verbosity(optuna.logging.WARNING)


def test_ladder_rungs() -> None:
    assert Ladder(1 / 27, 3).fractions == pytest.approx((1 / 27, 1 / 9, 1 / 3, 1))
    assert Ladder(0.05, 3).fractions == pytest.approx((1 / 9, 1 / 3, 1))  # all >= min
    assert Ladder(0.25, 2, max_fraction=0.5).fractions == pytest.approx((0.25, 0.5))
    assert Ladder(1.0, 3).fractions == (1.0,)
    ladder = Ladder(1 / 27, 3)
    assert ladder.rung_of(1 / 3) == 2 and ladder.rung_of(0.5) is None and ladder.top == 3
    assert Ladder.from_dict(ladder.to_dict()).same_as(ladder)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_fraction": 0}, "'min_fraction' parameter of Ladder must be a number in \\(0, 1\\]"),
        ({"max_fraction": 2}, "'max_fraction' parameter of Ladder must be a number in \\(0, 1\\]"),
        ({"min_fraction": 0.5, "max_fraction": 0.25}, "must be <= max_fraction"),
        ({"eta": 1}, "'eta' parameter of Ladder must be a finite number > 1. Got 1 "),
        ({"eta": "3"}, "'eta' parameter of Ladder must be a finite number > 1. Got '3'"),
    ],
)
def test_ladder_rejects_bad_settings(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Ladder(**kwargs)


DISTS = {
    "epochs": IntDistribution(1, 100),
    "batch": IntDistribution(16, 512, step=16),
    "lr": FloatDistribution(1e-5, 1.0, log=True),
    "opt": CategoricalDistribution(["adam", "sgd"]),
}


def test_transfer_scales_clips_and_rounds() -> None:
    rules = TransferRules(Scale("epochs", power=-1), Scale("batch"), Scale("lr", by="batch"))
    new, changes = rules.apply({"epochs": 30, "batch": 32, "lr": 0.5, "opt": "sgd"}, DISTS, 0.25, 1)
    assert new == {"epochs": 8, "batch": 128, "lr": 1.0, "opt": "sgd"}  # lr clipped at its max
    assert changes == {"epochs": [30, 8], "batch": [32, 128], "lr": [0.5, 1.0]}
    # A rule on an inactive hyperparameter is skipped, and so is one scaled by it.
    new, changes = rules.apply({"epochs": 10, "lr": 0.01}, DISTS, 0.5, 1)
    assert new == {"epochs": 5, "lr": 0.01} and changes == {"epochs": [10, 5]}


def test_transfer_rejects_bad_rules() -> None:
    with pytest.raises(UsageError, match="needs a rule of its own earlier"):
        TransferRules(Scale("lr", by="batch"), Scale("batch"))
    with pytest.raises(UsageError, match="two rules for 'lr'"):
        TransferRules(Scale("lr"), Scale("lr"))
    with pytest.raises(UsageError, match="'power' parameter of Scale must be a finite number"):
        Scale("lr", power=math.inf)
    with pytest.raises(UsageError, match=r"takes Scale rules\. Got dict"):
        TransferRules({"lr": 1})  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="'opt', which is CategoricalDistribution"):
        TransferRules(Scale("opt")).apply({"opt": "sgd"}, DISTS, 0.5, 1)


def test_ledger_and_answer_from_full_data_only() -> None:
    study = optuna.create_study(direction="maximize")
    for fraction, value, seconds in ((1 / 9, 0.99, 1.0), (1 / 9, 0.5, 1.0), (1 / 3, 0.7, 3.0),
                                     (1.0, 0.8, 9.0), (1.0, 0.6, 10.0)):  # fmt: skip
        trial = study.ask()
        trial.set_user_attr(FIDELITY_PARAM, fraction)
        trial.set_user_attr("train_seconds", seconds)
        study.tell(trial, value)
    failed = study.ask()
    failed.set_user_attr(FIDELITY_PARAM, 1 / 3)
    study.tell(failed, state=optuna.trial.TrialState.FAIL)
    study.ask()  # still running: not in the ledger

    entries = ledger(study)
    assert [e.number for e in entries] == [0, 1, 2, 3, 4, 5]
    assert entries[5].state == "FAIL" and entries[5].cost == pytest.approx(1 / 3)
    summary = cost_summary(study)
    assert summary.n_trials == 6 and summary.full_data_cost == 6
    assert summary.spent == pytest.approx(2 / 9 + 2 / 3 + 2)
    assert summary.saving == pytest.approx(6 / (2 / 9 + 2 / 3 + 2))
    assert summary.seconds >= 24.0
    assert summary.full_data_seconds >= 9 + 9 + 9 + 9 + 10
    assert summary.trials_per_fraction == {1 / 9: 2, 1 / 3: 2, 1.0: 2}
    assert best_full_trial(study).number == 3  # not trial 0, whose 0.99 was on 1/9 of the data
    assert best_full_trial(optuna.create_study()) is None


@pytest.mark.parametrize(
    "module",
    ["agreement", "hook", "ladder", "ledger", "on_ladder", "scheduler", "subsets", "transfer",
     "__init__"],
)
def test_docstring_examples(module: str) -> None:
    import importlib

    mod = (
        fidelity
        if module == "__init__"
        else importlib.import_module(f"rocket_hpo.fidelity.{module}")
    )
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_top_level_names() -> None:
    import rocket_hpo

    trial = optuna.create_study().ask()
    assert rocket_hpo.data_fraction(trial) == 1.0
    trial.set_user_attr(FIDELITY_PARAM, 1 / 3)
    assert rocket_hpo.data_fraction(trial) == pytest.approx(1 / 3)
    assert rocket_hpo.SubsetScheduler is fidelity.SubsetScheduler
    assert rocket_hpo.Ladder is fidelity.Ladder
