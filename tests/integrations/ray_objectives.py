"""Objectives for the Ray tests (module-level, so Ray workers can import them)."""

from __future__ import annotations

import math
import time

import optuna

from rocket_hpo.fidelity import FIDELITY_PARAM, data_fraction
from rocket_hpo.space import Categorical, Float, Space

SPACE = Space(x=Float(-1.0, 1.0), kind=Categorical(["a", "b"]))


def bowl(trial: optuna.Trial) -> float:
    c = SPACE.suggest(trial)
    return c["x"] ** 2 + (c["kind"] == "b")


def misbehaving(trial: optuna.Trial) -> float:
    value = bowl(trial)
    if trial.number % 10 == 3:
        raise RuntimeError("diverged")
    if trial.number % 10 == 5:
        return math.nan
    if trial.number % 10 == 7:
        time.sleep(30)
    return value


def fraction_echo(trial: optuna.Trial) -> float:
    """Returns the data fraction the trial was given, to see it cross to the Ray worker."""
    SPACE.suggest(trial)
    return data_fraction(trial)


__all__ = ["FIDELITY_PARAM", "SPACE", "bowl", "fraction_echo", "misbehaving"]
