"""Opening stored studies for the commands and the report, and what a study holds.

Every storage URL a person types is opened here (or by :func:`make_storage`), so a bad or
unreachable one is always the same one-line :class:`UsageError`.

Example:
    >>> import optuna
    >>> study = optuna.create_study(direction="maximize")
    >>> study.add_trial(optuna.trial.create_trial(value=0.5))
    >>> summarize(study).n_complete
    1
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import optuna

from rocket_hpo.errors import UsageError
from rocket_hpo.keys import METRIC_ATTR, data_fraction, trial_cost
from rocket_hpo.runner._loop import counted_trials
from rocket_hpo.runner._storage import make_storage, storage_error
from rocket_hpo.runner._urls import display_url

__all__ = [
    "StudySummary",
    "best_trial",
    "check_storage",
    "is_full_data",
    "load_study",
    "open_study",
    "study_names",
    "summarize",
]


def is_full_data(trial: optuna.trial.FrozenTrial) -> bool:
    """Whether ``trial`` ran on the full data (its data fraction is 1)."""
    return data_fraction(trial) >= 1.0 - 1e-9


def best_trial(study: optuna.Study) -> optuna.trial.FrozenTrial | None:
    """The best complete trial at full fidelity; the best at any fidelity if none ran on
    the full data; ``None`` when nothing completed."""
    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    pool = [t for t in complete if is_full_data(t)] or complete
    if not pool:
        return None
    sign = 1.0 if study.direction == optuna.study.StudyDirection.MAXIMIZE else -1.0
    return max(pool, key=lambda t: sign * float(t.value))  # type: ignore[arg-type]


@dataclass
class StudySummary:
    """Counts, cost and the answer of one study."""

    name: str
    direction: str
    metric: str
    n_complete: int
    n_failed: int
    n_pruned: int
    n_running: int
    cost: float
    """Cost spent, in full-data equivalents (:func:`rocket_hpo.keys.trial_cost`)."""
    best: optuna.trial.FrozenTrial | None
    best_is_full: bool
    """Whether :attr:`best` ran on the full data (else only subsets have finished)."""


def summarize(study: optuna.Study) -> StudySummary:
    """Summarise ``study`` (see :class:`StudySummary`)."""
    trials = study.get_trials(deepcopy=False)
    state = optuna.trial.TrialState
    count = {s: sum(1 for t in trials if t.state == s) for s in state}
    best = best_trial(study)
    counted = counted_trials(study)
    return StudySummary(
        name=study.study_name,
        direction=study.direction.name.lower(),
        metric=str(study.user_attrs.get(METRIC_ATTR, "value")),
        n_complete=count[state.COMPLETE],
        n_failed=sum(1 for t in counted if t.state == state.FAIL),
        n_pruned=count[state.PRUNED],
        n_running=count[state.RUNNING] + count[state.WAITING],
        cost=sum(trial_cost(t) for t in counted),
        best=best,
        best_is_full=best is not None and is_full_data(best),
    )


def check_storage(storage: str, must_exist: bool) -> None:
    """Refuse an SQLite URL whose file is missing when reading (SQLAlchemy would create it)."""
    prefix = "sqlite:///"
    if must_exist and storage.startswith(prefix):
        path = storage[len(prefix):]
        if path and path != ":memory:" and not Path(path).is_file():
            raise UsageError(f"Storage {display_url(storage)!r}: the file {path!r} "
                             f"does not exist.")


def study_names(storage: str, rdb: Any) -> list[str]:
    """The names of the studies in ``rdb`` (opened from ``storage``); a :class:`UsageError`
    when the database cannot be read (an unreachable server answers only when asked)."""
    try:
        return [s.study_name for s in optuna.study.get_all_study_summaries(rdb)]
    except Exception as e:
        raise storage_error("read", storage, e) from None


def load_study(storage: str, study_name: str | None) -> optuna.Study:
    """Load an existing study; with no name, the storage's only study.

    Raises:
        UsageError: the storage cannot be opened, or the study is not in it.
    """
    check_storage(storage, must_exist=True)
    rdb = make_storage(storage)
    names = study_names(storage, rdb)
    shown = display_url(storage)
    if study_name is None:
        if len(names) != 1:
            listed = ", ".join(names) if names else "none"
            raise UsageError(f"Storage {shown!r} holds {len(names)} studies ({listed}); "
                             f"choose one with --study.")
        study_name = names[0]
    if study_name not in names:
        raise UsageError(f"No study {study_name!r} in {shown!r}. "
                         f"Studies there: {', '.join(names) or 'none'}.")
    return optuna.load_study(study_name=study_name, storage=rdb)


def open_study(
    storage: str,
    study_name: str,
    direction: Literal["minimize", "maximize"],
    sampler: optuna.samplers.BaseSampler,
) -> optuna.Study:
    """Create the study or load it to resume; a bad storage URL is a :class:`UsageError`."""
    try:
        return optuna.create_study(
            storage=make_storage(storage),
            study_name=study_name,
            direction=direction,
            sampler=sampler,
            load_if_exists=True,
        )
    except UsageError:
        raise
    except Exception as e:  # sqlalchemy raises many types for a bad or unreachable URL
        raise storage_error("open", storage, e) from None
