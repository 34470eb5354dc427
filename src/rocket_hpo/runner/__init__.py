"""Running studies that survive: failing objectives, killed processes, many workers.

``optimize`` is a thin ask/tell loop over an Optuna study. Storages come by URL
(``make_storage``): a SQLite file by default, PostgreSQL for many workers, each with
heartbeats so that trials of a dead worker are failed and run again. Objective failures
(exception, NaN/inf, timeout) become failed trials with their reason in the user
attribute ``fail_reason``.

Example:
    >>> import optuna
    >>> from rocket_hpo.runner import make_storage, optimize
    >>> study = optuna.create_study(storage=make_storage("sqlite:///:memory:"))
    >>> optimize(study, lambda t: t.suggest_float("x", 0, 1), n_trials=3).complete
    3
"""

from rocket_hpo.keys import FAIL_KIND, FAIL_REASON
from rocket_hpo.runner._failures import TrialTimeoutError
from rocket_hpo.runner._loop import (
    OBJECTIVE_FAILURES,
    TrialCounts,
    count_trials,
    counted_trials,
    fail_interrupted_ask,
)
from rocket_hpo.runner._optimize import WorkerError, optimize
from rocket_hpo.runner._storage import (
    DEFAULT_STORAGE,
    MEMORY,
    fail_lost_trials,
    make_storage,
    storage_error,
    storage_url,
)
from rocket_hpo.runner._studies import (
    StudySummary,
    best_trial,
    check_storage,
    is_full_data,
    load_study,
    open_study,
    study_names,
    summarize,
)
from rocket_hpo.runner._urls import display_url, hide_password

__all__ = [
    "DEFAULT_STORAGE",
    "FAIL_KIND",
    "FAIL_REASON",
    "MEMORY",
    "OBJECTIVE_FAILURES",
    "StudySummary",
    "TrialCounts",
    "TrialTimeoutError",
    "WorkerError",
    "best_trial",
    "check_storage",
    "count_trials",
    "counted_trials",
    "display_url",
    "fail_interrupted_ask",
    "fail_lost_trials",
    "hide_password",
    "is_full_data",
    "load_study",
    "make_storage",
    "open_study",
    "optimize",
    "storage_error",
    "storage_url",
    "study_names",
    "summarize",
]
