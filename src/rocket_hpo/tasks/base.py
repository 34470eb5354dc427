"""What a tuning task is: a fixed model, its data, and a space of training hyperparameters."""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rocket_hpo.keys import (
    COMPUTE,
    COST,
    FAIL_REASON,
    FIDELITY_PARAM,
    TRAIN_SECONDS,
    data_fraction,
)
from rocket_hpo.space import Config, Space

__all__ = [
    "Compute",
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


@dataclass(frozen=True)
class Compute:
    """Training compute: optimizer steps, and the examples they processed (the rows through
    the forward and backward passes, summed over the steps)."""

    steps: int
    examples: int


@dataclass
class EvalResult:
    """The outcome of training one configuration.

    A task that trains by optimizer steps fills :attr:`compute` and :attr:`full_compute`;
    the trial is then charged ``compute.examples / full_compute.examples`` full-data
    equivalents (:attr:`cost`) instead of its nominal data fraction: under a step cap a small
    subset can take as many steps as the full data.

    Example:
        >>> r = EvalResult(0.9, fraction=1 / 9, compute=Compute(100, 3200),
        ...                full_compute=Compute(100, 6400))
        >>> r.cost
        0.5
        >>> from rocket_hpo.keys import trial_cost
        >>> trial_cost(r), trial_cost(EvalResult(0.9, fraction=1 / 9)) == 1 / 9
        (0.5, True)
    """

    score: float
    """Validation metric, the value tuned."""
    test_score: float | None = None
    """Held-out test metric, when asked for."""
    fraction: float = 1.0
    """Fraction of the training data used."""
    seconds: float = 0.0
    """Wall time of the training."""
    info: dict[str, Any] = field(default_factory=dict)
    compute: Compute | None = None
    """What the training used; None when the task does not train by steps (or does not say)."""
    full_compute: Compute | None = None
    """What the same configuration uses on the full training data (same epochs, batch size
    and step cap); None as :attr:`compute`."""

    @property
    def cost(self) -> float | None:
        """The compute used relative to the full-data run, or None when not known."""
        if self.compute is None or self.full_compute is None or self.full_compute.examples <= 0:
            return None
        return self.compute.examples / self.full_compute.examples

    @property
    def recorded(self) -> dict[str, Any]:
        """The user attributes the trial objective stores for this evaluation: its training
        time and, when known, its relative compute and the numbers behind it."""
        attrs: dict[str, Any] = {TRAIN_SECONDS: self.seconds}
        cost = self.cost
        if cost is not None and self.compute is not None and self.full_compute is not None:
            attrs[COST] = cost
            attrs[COMPUTE] = {
                "steps": self.compute.steps, "examples": self.compute.examples,
                "full_steps": self.full_compute.steps,
                "full_examples": self.full_compute.examples,
            }  # fmt: skip
        return attrs

    @property
    def user_attrs(self) -> dict[str, Any]:
        """:attr:`recorded` and the data fraction: the evaluation as a finished trial's
        attributes, so that :func:`rocket_hpo.keys.trial_cost` charges it as it would the
        trial (the benchmark harness does)."""
        return {FIDELITY_PARAM: self.fraction, **self.recorded}


# Weight decay shrinks in proportion as a promoted configuration gets more data: the L2
# penalty's weight per example falls as 1/n. Measured on the data-rich tasks
# (`benchmarks/fidelity/transfer_agreement*.md`, 1/9 to full data, 200 uniform
# configurations in two halves): the rank agreement is unchanged and the configurations the
# 1/9 rung ranks best score better on the full data with it in all four comparisons (beyond
# the interval in one); scaling the batch and learning rate instead lowered the agreement.
WEIGHT_DECAY_BY_DATA: tuple[dict[str, Any], ...] = (
    {"param": "weight_decay", "power": -1.0},
)


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
    # The smallest data fraction worth training on: the bottom rung of the task's subset
    # ladder in `rocket tune` and the benchmarks (a rung below it would hold too few
    # examples to rank by); a study file's `fidelity: {min_fraction: ...}` overrides it.
    min_fraction: float = 1 / 27
    # How a configuration changes when `rocket tune` promotes it to more data: transfer
    # rules as a study file's `fidelity: {transfer: [...]}` writes them ({param, power,
    # by}), which overrides them. None by default: a task declares a rule where measured to
    # help (`benchmarks/fidelity/transfer_agreement.py`).
    transfer: tuple[dict[str, Any], ...] = ()

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

    When ``evaluate`` returns an :class:`EvalResult`, the trial records its
    :attr:`~EvalResult.recorded` attributes: the task's own training time
    (``train_seconds``) and the compute it used (``rocket:cost``, ``rocket:compute``); else
    ``train_seconds`` is the wall time of the call and the trial costs its data fraction.
    """

    def __init__(self, space: Space, evaluate: Callable[..., Any], seed: int) -> None:
        self.space, self.evaluate, self.seed = space, evaluate, seed

    def __call__(self, trial: Any) -> Any:
        config = self.space.suggest(trial)
        start = time.perf_counter()
        value = self.evaluate(config, fraction=data_fraction(trial), seed=self.seed, trial=trial)
        attrs = {TRAIN_SECONDS: time.perf_counter() - start}
        if isinstance(value, EvalResult):
            attrs, value = value.recorded, value.score
        for key, item in attrs.items():
            trial.set_user_attr(key, item)
        return value
