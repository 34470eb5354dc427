"""Objectives for worker-process tests; module-level so that ``spawn`` can pickle them."""

from __future__ import annotations

import math
import os
import time
import uuid
from pathlib import Path

import optuna


def quadratic(trial: optuna.Trial) -> float:
    """A fast 2-d objective with its minimum 0 at (0.3, -0.2)."""
    x = trial.suggest_float("x", -1.0, 1.0)
    y = trial.suggest_float("y", -1.0, 1.0)
    return (x - 0.3) ** 2 + (y + 0.2) ** 2


class Recording:
    """``quadratic`` that leaves one file per evaluation, to count evaluations per trial."""

    def __init__(self, folder: str, sleep: float = 0.0) -> None:
        self.folder = folder
        self.sleep = sleep

    def __call__(self, trial: optuna.Trial) -> float:
        value = quadratic(trial)
        if self.sleep:
            time.sleep(self.sleep)
        name = f"{trial.number}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        (Path(self.folder) / name).write_text(repr(value))
        return value


def evaluations(folder: str | Path) -> list[int]:
    """The trial numbers evaluated, one entry per evaluation."""
    return sorted(int(p.name.split("-")[0]) for p in Path(folder).iterdir())


def misbehaving(trial: optuna.Trial) -> float:
    """Raises, returns NaN or inf, or hangs, by trial number; otherwise a normal value."""
    x = trial.suggest_float("x", 0.0, 1.0)
    kind = trial.number % 5
    if kind == 1:
        raise RuntimeError("diverged")
    if kind == 2:
        return math.nan
    if kind == 3:
        time.sleep(60)
    if kind == 4:
        return math.inf
    return x
