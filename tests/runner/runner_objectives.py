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


def dying(trial: optuna.Trial) -> float:
    """Trial 2 ends its own process (as a segfault or the OOM killer would); trial 4 hangs
    where the alarm cannot reach (it ignores SIGALRM); trial 6 calls sys.exit; others sleep
    briefly."""
    import signal
    import sys

    x = trial.suggest_float("x", 0.0, 1.0)
    if trial.number == 2:
        os._exit(7)
    if trial.number == 4:
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        time.sleep(120)
    if trial.number == 6:
        sys.exit(5)
    time.sleep(0.05)
    return x


def fraction_cost(trial: optuna.Trial) -> float:
    """Sets its own cost (the data fraction a fidelity sampler would) from trial number."""
    from rocket_hpo.keys import FIDELITY_PARAM

    trial.set_user_attr(FIDELITY_PARAM, 0.5 if trial.number % 2 else 1.0)
    time.sleep(0.05)
    return trial.suggest_float("x", 0.0, 1.0)
