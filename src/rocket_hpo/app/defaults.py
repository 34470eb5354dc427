"""Defaults shared by the command line and the tuning loop."""

from __future__ import annotations

from rocket_hpo.runner import DEFAULT_STORAGE

__all__ = ["DEFAULT_SAMPLER", "DEFAULT_STORAGE", "DEFAULT_TRIALS", "SAMPLERS"]

DEFAULT_TRIALS = 30
"""Trials a study holds when neither --trials nor --budget is given."""
DEFAULT_SAMPLER = "rocket"
"""The optimizer ``rocket tune`` uses unless told otherwise."""
SAMPLERS = ("rocket", "tpe", "random")
"""The optimizers ``rocket tune`` and study files accept."""
