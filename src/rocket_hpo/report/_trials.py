"""Every trial as a row of the report's table, and where each configuration came from.

Rocket's sampler stores the origin of each configuration in the trial user attribute
``rocket:origin`` (``policy``, ``promotion``, ``check`` or ``enqueued``; see
:mod:`rocket_hpo.sampler`).
A study run by another sampler has no such record; its trials are then told apart by what
Optuna and the fidelity scheduler store anyway: a configuration promoted from a smaller
data fraction, one enqueued by the user (``fixed_params``), else the sampler's own draw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import optuna

from rocket_hpo.keys import (
    CHECK_OF,
    FAIL_REASON,
    FIXED_PARAMS,
    ORIGIN_KEY,
    PROMOTED_FROM,
    cost_basis,
    data_fraction,
    trial_cost,
)

__all__ = ["ORIGINS", "TrialRow", "origin_of", "trial_rows"]

ORIGINS = {
    "policy": "drawn by Rocket's policy",
    "promotion": "promoted: a configuration re-run on more data",
    "check": "checked: a full-data configuration re-run on a subset, to measure the subset",
    "enqueued": "enqueued by the user",
    "sampler": "drawn by the study's sampler",
}
"""Each origin a trial can have, with how the report describes it."""


@dataclass
class TrialRow:
    """One trial as the table shows it."""

    number: int
    fraction: float
    value: float | None
    state: str
    reason: str
    """Why the trial failed ("" unless it failed)."""
    origin: str
    params: dict[str, Any]
    cost: float = 1.0
    """Full-data equivalents (:func:`rocket_hpo.keys.trial_cost`)."""
    measured: bool = False
    """Whether :attr:`cost` is the compute the trial recorded (else its data fraction)."""


def origin_of(trial: optuna.trial.FrozenTrial) -> str:
    """Where ``trial``'s configuration came from: a key of :data:`ORIGINS`."""
    stored = trial.user_attrs.get(ORIGIN_KEY)
    if stored in ORIGINS:
        return str(stored)
    if PROMOTED_FROM in trial.user_attrs:
        return "promotion"
    if CHECK_OF in trial.user_attrs:
        return "check"
    if FIXED_PARAMS in trial.system_attrs:
        return "enqueued"
    return "sampler"


def trial_rows(trials: list[optuna.trial.FrozenTrial]) -> list[TrialRow]:
    """A row per trial, in trial-number order."""
    rows = []
    for t in sorted(trials, key=lambda t: t.number):
        value = t.value if t.value is not None and math.isfinite(t.value) else None
        reason = str(t.user_attrs.get(FAIL_REASON, "")) if t.state.name == "FAIL" else ""
        rows.append(TrialRow(t.number, data_fraction(t), value, t.state.name.lower(), reason,
                             origin_of(t), dict(t.params), trial_cost(t),
                             cost_basis(t) == "compute"))
    return rows
