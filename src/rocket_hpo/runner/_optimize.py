"""``optimize``: run a study's trials on one or many local worker processes."""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import pickle
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import optuna

from rocket_hpo.errors import UsageError
from rocket_hpo.runner._loop import Callback, TrialCounts, count_trials, run_worker
from rocket_hpo.runner._storage import shareable, storage_url

__all__ = ["WorkerError", "optimize"]

_log = logging.getLogger("rocket_hpo.runner")


class WorkerError(RuntimeError):
    """A worker process stopped with an error of its own (not of the objective)."""


@dataclass(frozen=True)
class _WorkerArgs:
    storage: Any
    study_name: str
    sampler: optuna.samplers.BaseSampler | None
    sampler_factory: Callable[[], optuna.samplers.BaseSampler] | None
    pruner: optuna.pruners.BasePruner
    objective: Callable[[optuna.Trial], Any]
    n_trials: int
    timeout_per_trial: float | None
    callbacks: tuple[Callback, ...]
    poll_interval: float
    verbosity: int


def _exit_with_parent(parent: int) -> None:
    # A worker whose study process was killed (kill -9 gives it no chance to stop its
    # children) stops too, like a machine that died; its running trial goes stale.
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _worker_main(args: _WorkerArgs, parent: int) -> None:
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    optuna.logging.set_verbosity(args.verbosity)
    if args.sampler_factory is not None:
        sampler = args.sampler_factory()
    else:
        assert args.sampler is not None
        sampler = args.sampler
        # Each worker received a copy of the same sampler; without reseeding all would
        # propose the same configurations.
        sampler.reseed_rng()
    study = optuna.load_study(
        study_name=args.study_name, storage=args.storage, sampler=sampler, pruner=args.pruner
    )
    run_worker(
        study,
        args.objective,
        args.n_trials,
        args.timeout_per_trial,
        args.callbacks,
        args.poll_interval,
    )


def _check_int(name: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise UsageError(f"The {name!r} parameter must be an int >= {low}. Got {value!r} instead.")
    return value


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
    n_workers: object,
    timeout_per_trial: object,
    poll_interval: object,
) -> None:
    if not isinstance(study, optuna.Study):
        raise UsageError(f"The 'study' parameter must be an optuna.Study. Got {study!r} instead.")
    if not callable(objective):
        raise UsageError(
            f"The 'objective' parameter must be a callable taking a trial. Got {objective!r}."
        )
    _check_int("n_trials", n_trials, 1)
    _check_int("n_workers", n_workers, 1)
    for name, value in (("timeout_per_trial", timeout_per_trial), ("poll_interval", poll_interval)):
        if value is None and name == "timeout_per_trial":
            continue
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(float(value)) or float(value) <= 0:  # type: ignore[arg-type]
            raise UsageError(
                f"The {name!r} parameter must be a finite number of seconds > 0"
                f"{' or None' if name == 'timeout_per_trial' else ''}. Got {value!r} instead."
            )


def optimize(
    study: optuna.Study,
    objective: Callable[[optuna.Trial], Any],
    *,
    n_trials: int,
    n_workers: int = 1,
    timeout_per_trial: float | None = None,
    callbacks: Sequence[Callback] = (),
    poll_interval: float = 0.5,
    max_restarts: int | None = None,
    sampler_factory: Callable[[], optuna.samplers.BaseSampler] | None = None,
) -> TrialCounts:
    """Run ``study`` until it holds ``n_trials`` done trials, on ``n_workers`` processes.

    ``n_trials`` is the study's total, not a number to add: a study that was stopped
    or killed is resumed by calling ``optimize`` again with the same ``n_trials``, and it
    runs only the missing trials. Done trials are complete, pruned, or failed by the
    objective: an exception, a NaN or infinite value, a value that is not a number, or
    a run past ``timeout_per_trial`` seconds each give a failed trial with the reason in
    its user attribute ``fail_reason``, and the study goes on. Trials that were running
    in a worker that died are found by their heartbeat (see :func:`make_storage`), failed
    and run again; they do not count.

    With ``n_workers == 1`` the trials run in this process with ``study``'s own sampler.
    With more, ``n_workers`` processes are started (``spawn``); each opens the study by
    its storage, which therefore must be a database (SQLite file or PostgreSQL), and
    builds its own sampler with ``sampler_factory()`` or, without one, gets a pickled
    copy of ``study.sampler``, reseeded (``reseed_rng``); a sampler that learns must
    keep its state in the study's storage (as ``RocketSampler`` does). ``objective``,
    ``callbacks`` and ``sampler_factory`` are pickled, so they must be module-level
    functions, ``functools.partial`` of them, or picklable objects. A worker killed by a signal
    is replaced (at most ``max_restarts`` times, default ``2 * n_workers``). Processes on
    other machines join the same study by calling ``optimize`` on a study loaded from
    the same storage URL.

    Args:
        study: The study to run, e.g. from ``optuna.create_study(storage=make_storage(url),
            sampler=RocketSampler(...), load_if_exists=True)``.
        objective: ``objective(trial) -> float`` (or a sequence of floats for several
            objectives), as for :meth:`optuna.Study.optimize`.
        n_trials: How many done trials the study must hold at the end (>= 1).
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
    _validate(study, objective, n_trials, n_workers, timeout_per_trial, poll_interval)
    restarts_left = (
        2 * n_workers if max_restarts is None else _check_int("max_restarts", max_restarts, 0)
    )
    timeout = None if timeout_per_trial is None else float(timeout_per_trial)
    if n_workers == 1:
        run_worker(study, objective, n_trials, timeout, callbacks, float(poll_interval))
        return count_trials(study)
    if not shareable(study):
        raise UsageError(
            f"The 'n_workers' parameter is {n_workers}, which needs a storage that other "
            f"processes can open (a SQLite file or PostgreSQL URL). Got the storage "
            f"{storage_url(study)!r}."
        )
    _check_picklable("objective", objective)
    _check_picklable("callbacks", tuple(callbacks))
    if sampler_factory is None:
        _check_picklable("sampler", study.sampler)
    else:
        if not callable(sampler_factory):
            raise UsageError(
                f"The 'sampler_factory' parameter must be a callable returning a sampler, "
                f"or None. Got {sampler_factory!r} instead."
            )
        _check_picklable("sampler_factory", sampler_factory)
    args = _WorkerArgs(
        storage=study._storage,
        study_name=study.study_name,
        sampler=study.sampler if sampler_factory is None else None,
        sampler_factory=sampler_factory,
        pruner=study.pruner,
        objective=objective,
        n_trials=n_trials,
        timeout_per_trial=timeout,
        callbacks=tuple(callbacks),
        poll_interval=float(poll_interval),
        verbosity=optuna.logging.get_verbosity(),
    )
    return _run_processes(study, args, n_workers, restarts_left)


def _run_processes(
    study: optuna.Study, args: _WorkerArgs, n_workers: int, restarts_left: int
) -> TrialCounts:
    context = multiprocessing.get_context("spawn")

    def start(index: int) -> multiprocessing.process.BaseProcess:
        process = context.Process(
            target=_worker_main, args=(args, os.getpid()), name=f"rocket-worker-{index}"
        )
        process.start()
        return process

    workers = {i: start(i) for i in range(n_workers)}
    try:
        while workers:
            for index, process in list(workers.items()):
                process.join(timeout=0.2)
                code = process.exitcode
                if code is None:
                    continue
                del workers[index]
                if code > 0:
                    raise WorkerError(
                        f"Worker process {index} stopped with exit code {code}; "
                        f"its traceback is above."
                    )
                if code < 0:
                    _log.warning("Worker process %d was killed by signal %d", index, -code)
                    if restarts_left > 0 and count_trials(study).done < args.n_trials:
                        restarts_left -= 1
                        workers[index] = start(index)
    finally:
        for process in workers.values():
            process.terminate()
        for process in workers.values():
            process.join()
    return count_trials(study)
