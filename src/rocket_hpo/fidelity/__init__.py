"""Reward approximation on data subsets (the fidelity a trial runs at)."""

from __future__ import annotations

from typing import Any

__all__ = ["FIDELITY_PARAM", "data_fraction"]

FIDELITY_PARAM = "rocket:fraction"
"""Trial user attribute holding the data fraction Rocket chose for the trial."""


def data_fraction(trial: Any) -> float:
    """The fraction of the training data ``trial`` should train on (1.0 = full data)."""
    value = getattr(trial, "user_attrs", {}).get(FIDELITY_PARAM)
    return 1.0 if value is None else float(value)
