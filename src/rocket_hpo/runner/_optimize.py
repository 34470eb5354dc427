"""``optimize``: run a study's trials on one or many local worker processes."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from typing import Any

import optuna

from rocket_hpo._checks import check_callable, check_instance, check_int, check_number
from rocket_hpo.errors import UsageError
from rocket_hpo.runner._loop import Callback, TrialCounts, count_trials, run_worker
from rocket_hpo.runner._processes import WorkerArgs, WorkerError, run_processes
from rocket_hpo.runner._storage import shareable, storage_url
from rocket_hpo.runner._urls import display_url

__all__ = ["WorkerError", "optimize"]


def _check_picklable(name: str, value: object) -> None:
    try:
        pickle.dumps(value)
    except Exception as e:
        raise UsageError(
            f"The {name!r} parameter must be picklable to run on several worker processes "
            f"(a module-level function or object"
            f"{'; or pass sampler_factory=' if name == 'sampler' else ''}). "
            f"Got {value!r}, which fails: {e}"
        ) from None


def _validate(
    study: object,
    objective: object,
    n_trials: object,
    budget: object,
    n_workers: object,
    timeout_per_trial: object,
    poll_interval: object,
) -> None:
    check_instance("study", study, optuna.Study, "an optuna.Study")
    check_callable("objective", objective, "a callable taking a trial")
    if n_trials is None and budget is None:
        raise UsageError("Give 'n_trials', 'budget' or both. Got neither.")
    check_int("n_trials", n_trials, 1, none=True)
    check_number("budget", budget, 0, open_low=True, unit=" (full-data equivalents)", none=True)
    check_int("n_workers", n_workers, 1)
    check_number("timeout_per_trial", timeout_per_trial, 0, open_low=True, unit=" of seconds",
                 none=True)
    check_number("poll_interval", poll_interval, 0, open_low=True, unit=" of seconds")

def optimize(
    study: optuna.Study,
    objective: Callable[[optuna.Trial], Any],
    *,
    n_trials: int | None = None,
    budget: float | None = None,
    n_workers: int = 1,
    timeout_per_trial: float | None = None,
    callbacks: Sequence[Callback] = (),
    poll_interval: float = 0.5,
    max_restarts: int | None = None,
    sampler_factory: Callable[[], optuna.samplers.BaseSampler] | None = None,
) -> TrialCounts:
    """Run ``study`` until it holds ``n_trials`` done trials or has spent ``budget``, on
    ``n_workers`` processes.

    ``n_trials`` and ``budget`` are the study's totals, not amounts to add: a study that
    was stopped or killed is resumed by calling ``optimize`` again with the same values,
    and it runs only what is missing. A trial's cost is :func:`rocket_hpo.keys.trial_cost`:
    the compute its training recorded relative to the full-data run (the built-in tasks
    record it), else its data fraction (1 when the sampler chose none). Workers share the
    budget without rounds: each asks for a trial only while the cost not yet committed
    (spent plus running) is below the budget, so it is overshot by at most the trials in
    flight. Done trials are complete, pruned, or failed by the objective: an exception, a
    NaN or infinite value, a value that is not a number, or a run past
    ``timeout_per_trial`` seconds each give a failed trial with the reason in its user
    attribute ``fail_reason``, and the study goes on. Trials that were running in a worker
    that died are found by their heartbeat (see :func:`make_storage`), failed and run
    again; they do not count.

    With ``n_workers == 1`` the trials run in this process with ``study``'s own sampler.
    With more, ``n_workers`` processes are started (``spawn``); each opens the study by
    its storage, which therefore must be a database (SQLite file or PostgreSQL), and
    builds its own sampler with ``sampler_factory()`` or, without one, gets a pickled
    copy of ``study.sampler``, reseeded (``reseed_rng``); a sampler that learns must
    keep its state in the study's storage (as ``RocketSampler`` does). ``objective``,
    ``callbacks`` and ``sampler_factory`` are pickled, so they must be module-level
    functions, ``functools.partial`` of them, or picklable objects. A worker process that
    dies while running a trial (``sys.exit`` is caught, but ``os._exit``, a segfault or the
    kernel's OOM killer are not) fails that trial with kind ``crash`` and is replaced; a
    trial that runs past ``timeout_per_trial`` without stopping (C code that ignores the
    alarm) has its process ended a grace period later. A worker killed outside a trial is
    replaced at most ``max_restarts`` times (default ``2 * n_workers``). Ctrl-C stops the
    workers and fails the trials they were running with kind ``interrupted``. Processes on
    other machines join the same study by calling ``optimize`` on a study loaded from
    the same storage URL.

    Args:
        study: The study to run, e.g. from ``optuna.create_study(storage=make_storage(url),
            sampler=RocketSampler(...), load_if_exists=True)``.
        objective: ``objective(trial) -> float`` (or a sequence of floats for several
            objectives), as for :meth:`optuna.Study.optimize`.
        n_trials: How many done trials the study must hold at the end (>= 1), or None
            when ``budget`` alone decides.
        budget: The cost the study may spend, in full-data equivalents (> 0), or None.
        n_workers: Worker processes on this machine (>= 1).
        timeout_per_trial: Seconds one objective call may run; ``None`` = no limit. On the
            main thread the call is interrupted (``SIGALRM``); it cannot interrupt C code
            that never releases the GIL.
        callbacks: ``callback(study, frozen_trial)`` after each finished trial, in the
            worker that ran it.
        poll_interval: Seconds between looks at the study while the last trials run on
            other workers.
        max_restarts: How many killed workers are replaced; ``None`` = ``2 * n_workers``.
        sampler_factory: Builds each worker's sampler (``n_workers > 1`` only), e.g.
            ``functools.partial(RocketSampler, space, seed=0)``.

    Returns:
        How the study's trials stand at the end.

    Raises:
        UsageError: A parameter is invalid, or ``n_workers > 1`` with an in-memory storage
            or unpicklable objective.
        WorkerError: A worker process stopped with an error of its own.

    Example:
        >>> import optuna
        >>> study = optuna.create_study()
        >>> optimize(study, lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=5).done
        5
    """
    _validate(study, objective, n_trials, budget, n_workers, timeout_per_trial, poll_interval)
    restarts_left = (
        2 * n_workers if max_restarts is None else check_int("max_restarts", max_restarts, 0)
    )
    timeout = None if timeout_per_trial is None else float(timeout_per_trial)
    if n_workers == 1:
        run_worker(
            study, objective, n_trials, timeout, callbacks, float(poll_interval),
            budget=None if budget is None else float(budget),
        )
        return count_trials(study)
    if not shareable(study):
        raise UsageError(
            f"The 'n_workers' parameter is {n_workers}, which needs a storage that other "
            f"processes can open (a SQLite file or PostgreSQL URL). Got the storage "
            f"{display_url(storage_url(study))!r}."
        )
    _check_picklable("objective", objective)
    _check_picklable("callbacks", tuple(callbacks))
    if sampler_factory is None:
        _check_picklable("sampler", study.sampler)
    else:
        check_callable("sampler_factory", sampler_factory, "a callable returning a sampler",
                       none=True)
        _check_picklable("sampler_factory", sampler_factory)
    args = WorkerArgs(
        storage=study._storage,
        study_name=study.study_name,
        sampler=study.sampler if sampler_factory is None else None,
        sampler_factory=sampler_factory,
        pruner=study.pruner,
        objective=objective,
        n_trials=n_trials,
        budget=None if budget is None else float(budget),
        timeout_per_trial=timeout,
        callbacks=tuple(callbacks),
        poll_interval=float(poll_interval),
        verbosity=optuna.logging.get_verbosity(),
    )
    return run_processes(study, args, n_workers, restarts_left)
