"""What a tuning task is: a fixed model, its data, and a space of training hyperparameters."""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rocket_hpo.keys import FAIL_REASON, TRAIN_SECONDS, data_fraction
from rocket_hpo.space import Config, Space

__all__ = [
    "DataMissingError",
    "DivergenceError",
    "EvalResult",
    "Task",
    "TrialObjective",
    "data_dir",
    "data_file",
]

DATA_ENV = "ROCKET_DATA"


class DivergenceError(RuntimeError):
    """Training blew up (NaN/inf or exploding loss). Raised so the trial fails with this reason."""


class DataMissingError(FileNotFoundError):
    """A task's data file is not in the data folder."""


_PROJECT_ROOT = Path(__file__).resolve().parents[3]


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: ``override``, else ``$ROCKET_DATA``, else ``../shared/data``.

    ``../shared/data`` is taken relative to the current directory, and, when it is not
    there, relative to the project root (so commands work from any folder of a checkout).

    Example:
        >>> str(data_dir("/tmp/data"))
        '/tmp/data'
    """
    if override or os.environ.get(DATA_ENV):
        return Path(override or os.environ[DATA_ENV])
    relative = Path("..") / "shared" / "data"
    if not relative.is_dir() and (_PROJECT_ROOT / relative).is_dir():
        return (_PROJECT_ROOT / relative).resolve()
    return relative


def data_file(relative: str, override: str | os.PathLike[str] | None = None) -> Path:
    """A file inside the data folder, or a :class:`DataMissingError` saying where it was sought."""
    folder = data_dir(override)
    path = folder / relative
    if not path.exists():
        raise DataMissingError(
            f"Data file {relative!r} not found in the data folder {str(folder.absolute())!r}. "
            f"Set ${DATA_ENV} to the folder that holds it."
        )
    return path


@dataclass
class EvalResult:
    """The outcome of training one configuration."""

    score: float
    """Validation metric, the value tuned."""
    test_score: float | None = None
    """Held-out test metric, when asked for."""
    fraction: float = 1.0
    """Fraction of the training data used."""
    seconds: float = 0.0
    """Wall time of the training."""
    info: dict[str, Any] = field(default_factory=dict)


class Task(ABC):
    """A deep-learning tuning task.

    Subclasses set the class attributes and implement :meth:`evaluate`. ``evaluate`` is
    called once per trial with a configuration valid for :attr:`space`; it trains on
    ``fraction`` of the training data (a nested, seeded subset) and returns the
    validation score. It raises :class:`DivergenceError` when training blows up.
    """

    name: str = ""
    metric: str = ""
    direction: Literal["maximize", "minimize"] = "maximize"
    description: str = ""

    @property
    @abstractmethod
    def space(self) -> Space:
        """The search space of training hyperparameters."""

    @property
    @abstractmethod
    def reference(self) -> Config:
        """The configuration a practitioner would use by default."""

    @abstractmethod
    def evaluate(
        self, config: Config, *, fraction: float = 1.0, seed: int = 0, test: bool = False
    ) -> EvalResult:
        """Train ``config`` on ``fraction`` of the training data and score it."""

    def objective(self, trial: Any, seed: int = 0) -> float:
        """An Optuna objective: suggest a configuration, train it, return the validation score.

        A diverging configuration raises :class:`DivergenceError` after storing its reason in
        the trial's ``fail_reason`` attribute; ``catch`` it to keep the study going.

        Example:
            >>> import optuna
            >>> from rocket_hpo.tasks import get
            >>> task = get("digits")
            >>> study = optuna.create_study(direction=task.direction)
            >>> study.optimize(task.objective, n_trials=1, catch=(DivergenceError,))
        """
        def evaluate(config: Config, *, fraction: float, seed: int, trial: Any) -> EvalResult:
            return self.evaluate(config, fraction=fraction, seed=seed)

        try:
            score: float = TrialObjective(self.space, evaluate, seed)(trial)
        except DivergenceError as e:
            # Kept on the trial, so a study run with catch=(DivergenceError,) shows why it failed.
            trial.set_user_attr(FAIL_REASON, str(e))
            raise
        return score


class TrialObjective:
    """The one Optuna objective wrapper (for :meth:`Task.objective`, study files and
    ``rocket tune``): suggest a configuration from ``space``, train it at the data fraction
    Rocket chose for the trial (:func:`rocket_hpo.keys.data_fraction`) through
    ``evaluate(config, *, fraction, seed, trial)``, return the score. Picklable for worker
    processes when ``evaluate`` is (see :mod:`rocket_hpo.tasks.objective`).

    The trial's ``train_seconds`` attribute is the task's own training time when
    ``evaluate`` returns an :class:`EvalResult`, else the wall time of the call.
    """

    def __init__(self, space: Space, evaluate: Callable[..., Any], seed: int) -> None:
        self.space, self.evaluate, self.seed = space, evaluate, seed

    def __call__(self, trial: Any) -> Any:
        config = self.space.suggest(trial)
        start = time.perf_counter()
        value = self.evaluate(config, fraction=data_fraction(trial), seed=self.seed, trial=trial)
        seconds = time.perf_counter() - start
        if isinstance(value, EvalResult):
            seconds, value = value.seconds, value.score
        trial.set_user_attr(TRAIN_SECONDS, seconds)
        return value
