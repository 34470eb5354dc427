"""The stored attribute names and the one reader of a trial's data fraction."""

from __future__ import annotations

import doctest

import optuna

import rocket_hpo._text
import rocket_hpo.keys
from rocket_hpo.keys import FIDELITY_PARAM, data_fraction, has_fraction


def test_docstring_examples() -> None:
    for module in (rocket_hpo.keys, rocket_hpo._text):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0


def test_data_fraction_reads_trials_frozen_trials_and_fixed_trials() -> None:
    study = optuna.create_study()
    trial = study.ask()
    trial.set_user_attr(FIDELITY_PARAM, 0.25)
    study.tell(trial, 1.0)
    fixed = optuna.trial.FixedTrial({})
    assert (data_fraction(trial), data_fraction(study.trials[0]), data_fraction(fixed)) == (
        0.25, 0.25, 1.0)
    assert has_fraction(study.trials[0]) and not has_fraction(fixed)
    assert data_fraction(object()) == 1.0  # no user attributes: the full data
