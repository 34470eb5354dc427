"""Calling the user's objective so that anything it does becomes a trial outcome, never a crash."""

from __future__ import annotations

import math
import signal
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import optuna

__all__ = [
    "FAIL_KIND",
    "FAIL_REASON",
    "Outcome",
    "TrialTimeoutError",
    "call_objective",
    "call_with_timeout",
]

FAIL_REASON = "fail_reason"
"""User attribute of a failed trial: why it failed, in words."""

FAIL_KIND = "rocket:fail_kind"
"""User attribute of a failed trial: ``exception``, ``non-finite``, ``bad-value``, ``timeout``,
``interrupted`` or ``surplus``."""


class TrialTimeoutError(BaseException):
    """Raised inside an objective that ran past its time limit.

    A ``BaseException`` so that an objective's own ``except Exception`` does not swallow it.
    """


@dataclass(frozen=True)
class Outcome:
    """What one call of the objective gave: values, or a failure kind and reason, or pruned."""

    values: list[float] | None = None
    kind: str | None = None
    reason: str | None = None
    pruned: bool = False


def _alarm_call(fn: Callable[[], Any], timeout: float) -> Any:
    # SIGALRM interrupts sleeps, I/O waits and Python loops; it cannot interrupt C code
    # that holds the GIL without checking for signals.
    outer_delay, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    if 0 < outer_delay <= timeout:
        # Someone else's alarm (e.g. pytest-timeout) fires first; leave it alone.
        return fn()
    armed = True

    def on_alarm(signum: int, frame: Any) -> None:
        if armed:
            raise TrialTimeoutError(f"ran longer than {timeout:g} s")

    start = time.monotonic()
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return fn()
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay > 0:  # re-arm the outer alarm with the time it had left
            left = max(outer_delay - (time.monotonic() - start), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)


def _thread_call(fn: Callable[[], Any], timeout: float) -> Any:
    # Off the main thread there are no signals: run the call in a daemon thread and stop
    # waiting for it. Python cannot kill a thread, so a hung call keeps its thread.
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as e:
            box["error"] = e

    thread = threading.Thread(target=target, daemon=True, name="rocket-objective")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TrialTimeoutError(f"ran longer than {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def call_with_timeout(fn: Callable[[], Any], timeout: float | None) -> Any:
    """``fn()``, raising :class:`TrialTimeoutError` when it runs past ``timeout`` seconds.

    On the main thread the call is interrupted with ``SIGALRM``; elsewhere it runs in a
    daemon thread that is abandoned on timeout.

    Example:
        >>> call_with_timeout(lambda: 3, timeout=1.0)
        3
    """
    if timeout is None:
        return fn()
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGALRM"):
        return _alarm_call(fn, timeout)
    return _thread_call(fn, timeout)


def _as_values(result: Any) -> list[float]:
    items = (
        list(result) if isinstance(result, Sequence) and not isinstance(result, str) else [result]
    )
    if isinstance(result, bool) or any(isinstance(v, bool) for v in items):
        raise TypeError("a bool is not an objective value")
    return [float(v) for v in items]


def call_objective(
    objective: Callable[[optuna.Trial], Any],
    trial: optuna.Trial,
    timeout: float | None,
) -> Outcome:
    """Run ``objective(trial)`` and classify what happened.

    An exception, a NaN or infinite value, a value that is not a number, and a run past
    ``timeout`` seconds each give a failure with its kind and reason;
    :class:`optuna.TrialPruned` gives a pruned outcome. ``KeyboardInterrupt`` and
    ``SystemExit`` propagate: they stop the study, not the trial.

    Example:
        >>> study = optuna.create_study()
        >>> call_objective(lambda t: float("nan"), study.ask(), None).kind
        'non-finite'
    """
    try:
        result = call_with_timeout(lambda: objective(trial), timeout)
    except optuna.TrialPruned:
        return Outcome(pruned=True)
    except TrialTimeoutError as e:
        return Outcome(kind="timeout", reason=f"timeout: the objective {e}")
    except Exception as e:
        where = traceback.extract_tb(e.__traceback__)[-1]
        return Outcome(
            kind="exception",
            reason=(
                f"exception: {type(e).__name__}: {e} "
                f"(at {where.filename.rsplit('/', 1)[-1]}:{where.lineno})"
            ),
        )
    try:
        values = _as_values(result)
    except (TypeError, ValueError):
        return Outcome(
            kind="bad-value",
            reason=f"bad-value: the objective returned {result!r}, not a number",
        )
    if not all(math.isfinite(v) for v in values):
        return Outcome(
            kind="non-finite",
            reason=f"non-finite: the objective returned {result!r}",
        )
    return Outcome(values=values)
