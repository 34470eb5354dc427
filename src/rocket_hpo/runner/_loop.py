"""One worker's ask/tell loop: run trials until the study holds ``n_trials`` finished ones
or has spent its ``budget``."""

from __future__ import annotations

import contextlib
import datetime
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import optuna
from optuna.trial import FrozenTrial, TrialState

from rocket_hpo.keys import FAIL_KIND, FAIL_REASON, data_fraction, trial_cost
from rocket_hpo.runner._failures import Outcome, call_objective, ctrl_c
from rocket_hpo.runner._lock import ask_lock
from rocket_hpo.runner._storage import (
    fail_lost_trials,
    heartbeat_interval,
    quiet_heartbeat_warnings,
)

__all__ = [
    "OBJECTIVE_FAILURES",
    "Callback",
    "Slot",
    "TrialCounts",
    "count_trials",
    "counted_trials",
    "fail_interrupted_ask",
    "run_worker",
]

_log = logging.getLogger("rocket_hpo.runner")

Callback = Callable[[optuna.Study, FrozenTrial], None]

OBJECTIVE_FAILURES = frozenset({"exception", "non-finite", "bad-value", "timeout", "crash"})
"""Failure kinds that are the objective's own outcome and so count toward ``n_trials``."""


@dataclass(frozen=True)
class TrialCounts:
    """How the trials of a study stand.

    ``done`` (complete + pruned + failed) is what ``n_trials`` counts. ``lost`` trials
    were running on a worker that died; a copy was queued and re-run, so they do not
    count. ``surplus`` trials were created by a worker that then found the budget already
    reached by others (a race between workers near the end) and were never run.
    ``interrupted`` trials were stopped by Ctrl-C or a signal and do not count either.
    """

    complete: int
    pruned: int
    failed: int
    lost: int
    surplus: int
    interrupted: int
    running: int
    waiting: int

    @property
    def done(self) -> int:
        """Trials that count toward ``n_trials``."""
        return self.complete + self.pruned + self.failed


class Slot(Protocol):
    """Where a worker process shows its parent which trial it runs (see ``optimize``)."""

    def asking(self) -> contextlib.AbstractContextManager[None]:
        """Around ``study.ask()`` and :meth:`running`: the parent does not stop the worker
        in between, so a trial it created is always one the parent knows about."""

    def running(self, trial_id: int) -> None:
        """The worker started the trial with this storage id."""

    def idle(self) -> None:
        """The worker told the trial's result."""


def _counts(t: FrozenTrial) -> bool:
    if t.state in (TrialState.COMPLETE, TrialState.PRUNED):
        return True
    return t.state == TrialState.FAIL and t.user_attrs.get(FAIL_KIND) in OBJECTIVE_FAILURES


def counted_trials(study: optuna.Study) -> list[FrozenTrial]:
    """The trials that count toward ``n_trials`` and the budget (see :class:`TrialCounts`):
    complete, pruned, or failed by the objective (not interrupted, lost or surplus)."""
    return [t for t in study.get_trials(deepcopy=False) if _counts(t)]


def _tally(trials: Sequence[FrozenTrial]) -> TrialCounts:
    kinds = [t.user_attrs.get(FAIL_KIND) for t in trials if t.state == TrialState.FAIL]
    failed = sum(k in OBJECTIVE_FAILURES for k in kinds)
    surplus = kinds.count("surplus")
    interrupted = kinds.count("interrupted")
    return TrialCounts(
        complete=sum(t.state == TrialState.COMPLETE for t in trials),
        pruned=sum(t.state == TrialState.PRUNED for t in trials),
        failed=failed,
        lost=len(kinds) - failed - surplus - interrupted,
        surplus=surplus,
        interrupted=interrupted,
        running=sum(t.state == TrialState.RUNNING for t in trials),
        waiting=sum(t.state == TrialState.WAITING for t in trials),
    )


def count_trials(study: optuna.Study) -> TrialCounts:
    """How the trials of ``study`` stand (see :class:`TrialCounts`).

    Example:
        >>> study = optuna.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
        >>> count_trials(study).done
        3
    """
    return _tally(study.get_trials(deepcopy=False))


class _Heartbeat:
    """Records the trial's heartbeat now and then every ``interval`` seconds until closed."""

    def __init__(self, study: optuna.Study, trial_id: int, interval: int | None) -> None:
        self._storage: Any = study._storage
        self._trial_id = trial_id
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _beat(self) -> None:
        try:
            self._storage.record_heartbeat(self._trial_id)
        except Exception as e:  # a database hiccup must not kill the trial; retry next beat
            _log.warning("Heartbeat of trial id %d failed: %s", self._trial_id, e)

    def _run(self) -> None:
        assert self._interval is not None
        while not self._stop.wait(self._interval):
            self._beat()

    def __enter__(self) -> _Heartbeat:
        if self._interval is not None:
            self._beat()
            self._thread = threading.Thread(target=self._run, daemon=True, name="rocket-heartbeat")
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def _tell_failed(study: optuna.Study, trial: optuna.Trial, kind: str, reason: str) -> FrozenTrial:
    trial.set_user_attr(FAIL_REASON, reason)
    trial.set_user_attr(FAIL_KIND, kind)
    return study.tell(trial, state=TrialState.FAIL)


def _tell(study: optuna.Study, trial: optuna.Trial, outcome: Outcome) -> FrozenTrial | None:
    try:
        if outcome.pruned:
            return study.tell(trial, state=TrialState.PRUNED)
        if outcome.values is None:
            assert outcome.kind is not None and outcome.reason is not None
            _log.warning("Trial %d failed: %s", trial.number, outcome.reason)
            return _tell_failed(study, trial, outcome.kind, outcome.reason)
        values = outcome.values[0] if len(outcome.values) == 1 else outcome.values
        return study.tell(trial, values)
    except optuna.exceptions.UpdateFinishedTrialError:
        # Its heartbeat went stale (the worker stalled past the grace period), another
        # worker failed it and queued a re-run; that re-run replaces this result.
        _log.warning("Trial %d was failed as lost before its result arrived", trial.number)
        return None


def _within_budget(
    study: optuna.Study,
    trial: optuna.Trial,
    n_trials: int,
    before: Sequence[FrozenTrial],
) -> bool:
    """Whether ``trial`` is among the first ``n_trials`` of the study, counting done ones first.

    Rocket's workers ask one at a time (:func:`ask_lock`), so this holds for them; it
    guards against processes that ask without the lock. Two such workers may both see one
    missing trial and both ask; the one with the higher trial number yields, so exactly
    ``n_trials`` trials run. ``before`` is the study as seen just before asking: when even
    counting every trial created since then as ahead leaves room, the study is not read
    again (reads cost milliseconds on a database).
    """
    active = (TrialState.RUNNING, TrialState.WAITING)
    known = [t for t in before if t.number != trial.number]
    ahead = sum(_counts(t) or t.state in active for t in known)
    newest = max((t.number for t in before), default=-1)
    if ahead + max(0, trial.number - newest - 1) < n_trials:
        return True
    ahead = 0
    for t in study.get_trials(deepcopy=False):
        if t.number == trial.number:
            continue
        if _counts(t) or (t.state in active and t.number < trial.number):
            ahead += 1
    return ahead < n_trials


_EPS = 1e-9


def spent_cost(trials: Sequence[FrozenTrial]) -> float:
    """The cost of the trials that count as run (see :class:`TrialCounts`), as
    :func:`rocket_hpo.keys.trial_cost` charges each: the compute it recorded, else its
    data fraction."""
    return sum(trial_cost(t) for t in trials if _counts(t))


def _next_step(
    trials: Sequence[FrozenTrial], n_trials: int | None, budget: float | None
) -> Literal["stop", "wait", "ask"]:
    """What a worker does next: stop (the study is done), wait (what is missing runs on
    other workers; one may die and its trial come back), or ask for a trial.

    Under a budget a worker asks only while the cost not yet committed (spent, plus the
    trials running or queued) leaves something to pay for the next trial, so the total
    overshoots by at most the trials in flight. A trial in flight is reckoned at its data
    fraction: what its training uses is known only when it ends."""
    counts = _tally(trials)
    if n_trials is not None and counts.done >= n_trials:
        return "stop"
    if budget is not None and spent_cost(trials) >= budget - _EPS:
        return "stop"
    if counts.waiting > 0:  # a queued re-run of a lost trial: already committed
        return "ask"
    if budget is not None:
        active = (TrialState.RUNNING, TrialState.WAITING)
        committed = spent_cost(trials) + sum(data_fraction(t) for t in trials if t.state in active)
        if committed >= budget - _EPS:
            return "wait"
    if n_trials is not None and counts.done + counts.running >= n_trials:
        return "wait"
    return "ask"


@contextlib.contextmanager
def _no_slot() -> Iterator[None]:
    yield


def run_worker(
    study: optuna.Study,
    objective: Callable[[optuna.Trial], Any],
    n_trials: int | None,
    timeout_per_trial: float | None = None,
    callbacks: Sequence[Callback] = (),
    poll_interval: float = 0.5,
    budget: float | None = None,
    slot: Slot | None = None,
) -> int:
    """Ask, run and tell trials until ``study`` has ``n_trials`` done or has spent
    ``budget`` (whichever comes first); the number run here.

    Workers ask one at a time (:func:`ask_lock`), so no trial is created beyond what
    ``n_trials`` or the budget allows. When the missing trials are all running on other
    workers, this worker waits: one of them may die, and then its trial is failed as lost
    (heartbeat) and queued again. Without heartbeats a dead worker cannot be told from a
    slow one, so it does not wait. The user's Ctrl-C fails the running trial with kind
    ``interrupted`` and propagates.
    """
    interval = heartbeat_interval(study)
    ran = 0
    last_check = -math.inf
    with ctrl_c:
        while True:
            if interval is not None and time.monotonic() - last_check >= interval:
                # Trials go stale only after a grace period of several intervals: looking
                # once per interval is enough, and each look costs database round trips.
                fail_lost_trials(study)
                last_check = time.monotonic()
            with ask_lock(study):
                trials = study.get_trials(deepcopy=False)
                step = _next_step(trials, n_trials, budget)
                if step == "ask":
                    with slot.asking() if slot is not None else _no_slot():
                        with quiet_heartbeat_warnings():
                            trial = study.ask()
                        if slot is not None:
                            slot.running(trial._trial_id)
            if step == "stop":
                return ran
            if step == "wait":
                if interval is None:
                    return ran
                time.sleep(poll_interval)
                continue
            if n_trials is not None and not _within_budget(study, trial, n_trials, trials):
                _tell_failed(
                    study, trial, "surplus",
                    f"surplus: not run, the study had its {n_trials} trials",
                )
                continue
            try:
                with _Heartbeat(study, trial._trial_id, interval):
                    outcome = call_objective(objective, trial, timeout_per_trial)
            except BaseException as e:  # the user's Ctrl-C: record why, then stop
                why = "Ctrl-C" if isinstance(e, KeyboardInterrupt) else type(e).__name__
                _tell_failed(study, trial, "interrupted", f"interrupted: {why}")
                raise
            frozen = _tell(study, trial, outcome)
            if slot is not None:
                slot.idle()
            ran += 1
            if frozen is not None:
                for callback in callbacks:
                    callback(study, frozen)


def fail_interrupted_ask(study: optuna.Study, since: datetime.datetime) -> None:
    """Fail the trial Ctrl-C caught outside the objective (while it was asked for or told),
    which :func:`run_worker` did not record (call it after a single-worker run stopped by
    Ctrl-C): else it stays RUNNING until its heartbeat goes stale
    and a resumed run waits for it. A single worker runs one trial at a time, so that is the
    newest running trial started by this run."""
    running = [t for t in study.get_trials(deepcopy=False,
                                           states=(TrialState.RUNNING,))
               if t.datetime_start is not None and t.datetime_start >= since]
    if not running:
        return
    t = max(running, key=lambda t: t.number)
    study._storage.set_trial_user_attr(t._trial_id, FAIL_KIND, "interrupted")
    study._storage.set_trial_user_attr(t._trial_id, FAIL_REASON, "interrupted: Ctrl-C")
    study.tell(t.number, state=TrialState.FAIL)
