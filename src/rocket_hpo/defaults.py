"""Defaults shared by the command line and the tuning loop (kept light: no heavy imports)."""

from __future__ import annotations

__all__ = ["DEFAULT_SAMPLER", "DEFAULT_STORAGE", "DEFAULT_TRIALS"]

DEFAULT_STORAGE = "sqlite:///rocket.db"
"""An SQLite file in the working folder: resumable, readable by optuna-dashboard."""
DEFAULT_TRIALS = 30
"""Trials a study holds when neither --trials nor --budget is given."""
DEFAULT_SAMPLER = "rocket"
"""The optimizer ``rocket tune`` uses unless told otherwise."""
