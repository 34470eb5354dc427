"""What a stored study holds, for ``rocket status``, ``rocket best`` and the report.

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
from typing import Any

import optuna

from rocket_hpo.errors import UsageError
from rocket_hpo.runner._loop import trial_cost

__all__ = [
    "METRIC_ATTR",
    "SPACE_ATTR",
    "TARGET_ATTR",
    "StudySummary",
    "best_trial",
    "check_storage",
    "counted_trials",
    "is_full_data",
    "load_study",
    "open_storage",
    "study_names",
    "summarize",
    "trial_cost",
]

# Study user attributes written by ``rocket tune`` (visible in optuna-dashboard too).
METRIC_ATTR = "rocket:metric"
SPACE_ATTR = "rocket:space"
TARGET_ATTR = "rocket:target"


def counted_trials(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    """Trials that count as run, as :func:`rocket_hpo.runner.optimize` counts them: complete,
    pruned, or failed by the objective (not interrupted, lost to a dead worker, or surplus)."""
    from rocket_hpo.runner import FAIL_KIND, OBJECTIVE_FAILURES

    state = optuna.trial.TrialState
    return [t for t in study.get_trials(deepcopy=False)
            if t.state in (state.COMPLETE, state.PRUNED)
            or (t.state == state.FAIL and t.user_attrs.get(FAIL_KIND) in OBJECTIVE_FAILURES)]


def is_full_data(trial: optuna.trial.FrozenTrial) -> bool:
    """Whether ``trial`` ran on the full data (its data fraction is 1)."""
    return trial_cost(trial) >= 1.0 - 1e-9


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
    """Cost spent, in full-data equivalents."""
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
            raise UsageError(f"Storage {_shown(storage)!r}: the file {path!r} does not exist.")


def _shown(storage: str) -> str:
    from rocket_hpo.runner import display_url

    return display_url(storage)


def open_storage(storage: str) -> Any:
    from rocket_hpo.runner import make_storage
    from rocket_hpo.runner._storage import first_line

    try:
        return make_storage(storage)
    except UsageError:
        raise
    except Exception as e:  # SQLAlchemy raises many types for a bad or unreachable URL
        raise UsageError(f"Cannot open storage {_shown(storage)!r}: "
                         f"{first_line(e, storage)}") from None


def study_names(storage: str, rdb: Any) -> list[str]:
    """The names of the studies in ``rdb`` (opened from ``storage``); a :class:`UsageError`
    when the database cannot be read (an unreachable server answers only when asked)."""
    from rocket_hpo.runner._storage import first_line

    try:
        return [s.study_name for s in optuna.study.get_all_study_summaries(rdb)]
    except Exception as e:
        raise UsageError(f"Cannot read storage {_shown(storage)!r}: "
                         f"{first_line(e, storage)}") from None


def load_study(storage: str, study_name: str | None) -> optuna.Study:
    """Load an existing study; with no name, the storage's only study.

    Raises:
        UsageError: the storage cannot be opened, or the study is not in it.
    """
    check_storage(storage, must_exist=True)
    rdb = open_storage(storage)
    names = study_names(storage, rdb)
    if study_name is None:
        if len(names) != 1:
            listed = ", ".join(names) if names else "none"
            raise UsageError(f"Storage {_shown(storage)!r} holds {len(names)} studies ({listed}); "
                             f"choose one with --study.")
        study_name = names[0]
    if study_name not in names:
        raise UsageError(f"No study {study_name!r} in {_shown(storage)!r}. "
                         f"Studies there: {', '.join(names) or 'none'}.")
    return optuna.load_study(study_name=study_name, storage=rdb)
