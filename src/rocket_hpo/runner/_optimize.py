"""``optimize``: run a study's trials on one or many local worker processes."""

from __future__ import annotations

import contextlib
import logging
import math
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import optuna
from optuna.trial import TrialState

from rocket_hpo.errors import UsageError
from rocket_hpo.runner._failures import FAIL_KIND, FAIL_REASON
from rocket_hpo.runner._loop import (
    Callback,
    TrialCounts,
    count_trials,
    run_worker,
    spent_cost,
)
from rocket_hpo.runner._storage import shareable, storage_url
from rocket_hpo.runner._urls import display_url

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
    n_trials: int | None
    budget: float | None
    timeout_per_trial: float | None
    callbacks: tuple[Callback, ...]
    poll_interval: float
    verbosity: int


class _ProcessSlot:
    """A worker's :class:`~rocket_hpo.runner._loop.Slot` in shared memory: the storage id of
    the trial it runs (-1: none) and when it started, read by the parent to fail the trial
    of a worker that crashed, hung past its timeout or was stopped by Ctrl-C."""

    def __init__(self, context: Any) -> None:
        self.trial_id = context.Value("q", -1, lock=False)
        self.started = context.Value("d", 0.0, lock=False)
        self._critical = False
        self._stop_pending = False

    def __getstate__(self) -> dict[str, Any]:
        return {"trial_id": self.trial_id, "started": self.started}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.trial_id, self.started = state["trial_id"], state["started"]
        self._critical = self._stop_pending = False

    @contextlib.contextmanager
    def asking(self) -> Iterator[None]:
        self._critical = True
        try:
            yield
        finally:
            self._critical = False
            if self._stop_pending:
                os._exit(_STOPPED)

    def running(self, trial_id: int) -> None:
        self.started.value = time.time()
        self.trial_id.value = trial_id

    def idle(self) -> None:
        self.trial_id.value = -1

    def on_sigterm(self, signum: int, frame: Any) -> None:
        # The parent stops its workers with SIGTERM (Ctrl-C, or the run ended). A worker
        # between creating a trial and publishing its id finishes that step first, so the
        # parent can fail the trial; anywhere else it stops at once.
        if self._critical:
            self._stop_pending = True
        else:
            os._exit(_STOPPED)


_STOPPED = 143  # the exit code of a worker stopped by its parent (128 + SIGTERM)


def _exit_with_parent(parent: int) -> None:
    # A worker whose study process was killed (kill -9 gives it no chance to stop its
    # children) stops too, like a machine that died; its running trial goes stale.
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _worker_main(args: _WorkerArgs, parent: int, slot: _ProcessSlot) -> None:
    # Ctrl-C reaches the whole process group; the parent handles it for its workers and
    # fails their trials, so a KeyboardInterrupt in a worker is its objective's own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, slot.on_sigterm)
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
        budget=args.budget,
        slot=slot,
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
    budget: object,
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
    if n_trials is None and budget is None:
        raise UsageError("Give 'n_trials', 'budget' or both. Got neither.")
    if n_trials is not None:
        _check_int("n_trials", n_trials, 1)
    if budget is not None:
        ok = isinstance(budget, int | float) and not isinstance(budget, bool)
        if not ok or not math.isfinite(float(budget)) or float(budget) <= 0:  # type: ignore[arg-type]
            raise UsageError(
                f"The 'budget' parameter must be a finite number > 0 (full-data "
                f"equivalents) or None. Got {budget!r} instead."
            )
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
    and it runs only what is missing. A trial's cost is its data fraction (1 when the
    sampler chose none); workers share the budget without rounds: each asks for a trial
    only while the cost not yet committed (spent plus running) is below the budget, so it
    is overshot by at most the trials in flight. Done trials are complete, pruned, or failed by the
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
        2 * n_workers if max_restarts is None else _check_int("max_restarts", max_restarts, 0)
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
        budget=None if budget is None else float(budget),
        timeout_per_trial=timeout,
        callbacks=tuple(callbacks),
        poll_interval=float(poll_interval),
        verbosity=optuna.logging.get_verbosity(),
    )
    return _run_processes(study, args, n_workers, restarts_left)


def _fail(study: optuna.Study, trial_id: int, kind: str, reason: str) -> bool:
    """Fail the trial with this storage id if it is still running; whether it was."""
    storage = study._storage
    try:
        if storage.get_trial(trial_id).state != TrialState.RUNNING:
            return False
        storage.set_trial_user_attr(trial_id, FAIL_REASON, reason)
        storage.set_trial_user_attr(trial_id, FAIL_KIND, kind)
        return bool(storage.set_trial_state_values(trial_id, state=TrialState.FAIL))
    except optuna.exceptions.UpdateFinishedTrialError:
        return False  # it finished (or was failed as lost) meanwhile


def _unfinished(study: optuna.Study, args: _WorkerArgs) -> bool:
    if args.n_trials is not None and count_trials(study).done >= args.n_trials:
        return False
    return args.budget is None or spent_cost(study.get_trials(deepcopy=False)) < args.budget


def _how_it_died(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def _run_processes(
    study: optuna.Study, args: _WorkerArgs, n_workers: int, restarts_left: int
) -> TrialCounts:
    """Start the workers and watch them: a worker that dies inside a trial fails that
    trial (``crash``) and is replaced; one whose trial runs past its timeout and did not
    stop by itself (C code that ignores the alarm) is killed, its trial failed
    (``timeout``) and replaced. At the end, or on Ctrl-C, the workers are stopped and the
    trials they were running are failed as ``interrupted``."""
    context = multiprocessing.get_context("spawn")
    slots = {i: _ProcessSlot(context) for i in range(n_workers)}
    # A trial whose objective ignored its alarm gets a grace period before its process
    # is ended.
    timeout = args.timeout_per_trial
    limit = None if timeout is None else timeout + max(2.0, 0.1 * timeout)

    def start(index: int) -> multiprocessing.process.BaseProcess:
        slots[index].idle()
        process = context.Process(
            target=_worker_main,
            args=(args, os.getpid(), slots[index]),
            name=f"rocket-worker-{index}",
        )
        process.start()
        return process

    def restart(index: int) -> None:
        if _unfinished(study, args):
            workers[index] = start(index)

    workers = {i: start(i) for i in range(n_workers)}
    why = "interrupted: the run stopped"
    try:
        while workers:
            for index, process in list(workers.items()):
                process.join(timeout=0.2 / len(workers))
                code = process.exitcode
                trial_id = int(slots[index].trial_id.value)
                if code is None:
                    late = time.time() - slots[index].started.value
                    if limit is not None and trial_id >= 0 and late > limit:
                        process.kill()
                        process.join()
                        _fail(study, trial_id, "timeout",
                              f"timeout: the objective ran longer than {timeout:g} s; "
                              f"its process was ended")
                        restart(index)
                    continue
                del workers[index]
                if code == 0:
                    continue
                if trial_id >= 0 and _fail(
                    study, trial_id, "crash", f"crash: the objective's process {_how_it_died(code)}"
                ):
                    _log.warning("Worker process %d %s during a trial; its trial failed",
                                 index, _how_it_died(code))
                    restart(index)
                elif code > 0:
                    raise WorkerError(
                        f"Worker process {index} {_how_it_died(code)} outside a trial "
                        f"(an error in Rocket or the sampler; a Python traceback, if any, "
                        f"was printed above)."
                    )
                else:
                    _log.warning("Worker process %d %s", index, _how_it_died(code))
                    if restarts_left > 0:
                        restarts_left -= 1
                        restart(index)
    except KeyboardInterrupt:
        why = "interrupted: Ctrl-C"
        raise
    finally:
        _stop(study, workers, slots, why)
    return count_trials(study)


def _stop(
    study: optuna.Study,
    workers: dict[int, multiprocessing.process.BaseProcess],
    slots: dict[int, _ProcessSlot],
    why: str,
) -> None:
    """Stop the workers still running and fail the trials they were running."""
    for process in workers.values():
        process.terminate()
    deadline = time.monotonic() + 5.0
    for process in workers.values():
        process.join(timeout=max(0.0, deadline - time.monotonic()))
        if process.exitcode is None:  # stuck in C code, or in a slow ask: no more waiting
            process.kill()
            process.join()
    for index in workers:
        trial_id = int(slots[index].trial_id.value)
        if trial_id >= 0:
            _fail(study, trial_id, "interrupted", why)
