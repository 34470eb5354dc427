"""Worker processes for ``optimize(n_workers > 1)``: start them, restart the ones that die,
fail the trial a dead one was running, and stop them all on Ctrl-C."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import optuna
from optuna.trial import TrialState

from rocket_hpo.keys import FAIL_KIND, FAIL_REASON
from rocket_hpo.runner._loop import Callback, TrialCounts, count_trials, run_worker, spent_cost

__all__ = ["WorkerArgs", "WorkerError", "run_processes"]

_log = logging.getLogger("rocket_hpo.runner")


class WorkerError(RuntimeError):
    """A worker process stopped with an error of its own (not of the objective)."""


@dataclass(frozen=True)
class WorkerArgs:
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


def _worker_main(args: WorkerArgs, parent: int, slot: _ProcessSlot) -> None:
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


def _unfinished(study: optuna.Study, args: WorkerArgs) -> bool:
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


def run_processes(
    study: optuna.Study, args: WorkerArgs, n_workers: int, restarts_left: int
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
