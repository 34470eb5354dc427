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
    "Outcome",
    "TrialTimeoutError",
    "call_objective",
    "call_with_timeout",
    "ctrl_c",
]



class _CtrlC:
    """Tells the user's Ctrl-C (SIGINT delivered to this process) from a ``KeyboardInterrupt``
    that an objective raises by itself: the first stops the run, the second fails a trial.

    While active (on the main thread), a SIGINT handler notes the signal before raising
    ``KeyboardInterrupt`` as Python's own handler does. A process that ignores SIGINT
    (Rocket's worker processes: their parent handles Ctrl-C) keeps ignoring it.
    """

    def __init__(self) -> None:
        self.seen = False
        self._depth = 0
        self._previous: Any = None

    def _on_sigint(self, signum: int, frame: Any) -> None:
        self.seen = True
        raise KeyboardInterrupt

    def __enter__(self) -> _CtrlC:
        if threading.current_thread() is threading.main_thread():
            if self._depth == 0:
                self.seen = False
                self._previous = signal.getsignal(signal.SIGINT)
                if self._previous is signal.default_int_handler:
                    signal.signal(signal.SIGINT, self._on_sigint)
            self._depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        self._depth -= 1
        if self._depth == 0 and self._previous is signal.default_int_handler:
            signal.signal(signal.SIGINT, self._previous)


ctrl_c = _CtrlC()
"""The process's one :class:`_CtrlC`; ``with ctrl_c:`` around a worker's loop."""


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
    armed, fired = True, False

    def on_alarm(signum: int, frame: Any) -> None:
        nonlocal fired
        if armed:
            fired = True
            raise TrialTimeoutError(f"ran longer than {timeout:g} s")

    start = time.monotonic()
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        result = fn()
        # Where the alarm lands in code whose exceptions Python ignores (a weakref callback
        # or __del__ run by the garbage collector), the objective goes on; it still ran past
        # its time (seen in CI: a 0.3 s objective completed under a 0.1 s limit).
        if fired:
            raise TrialTimeoutError(f"ran longer than {timeout:g} s")
        return result
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
        list(result)
        if isinstance(result, Sequence) and not isinstance(result, str | bytes)
        else [result]
    )
    for v in items:
        # float("0.5") would silently score a string; only numbers (and numeric scalars
        # such as numpy floats or one-element tensors) are objective values.
        if isinstance(v, bool | str | bytes) or v is None or not hasattr(v, "__float__"):
            raise TypeError(type(v).__name__)
    return [float(v) for v in items]


def _user_frame(error: BaseException) -> str:
    """Where ``error`` was raised in the user's code: the innermost frame outside Rocket,
    the standard library and installed packages (else the innermost frame)."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "?"
    rocket = __file__.rsplit("/runner/", 1)[0]
    stdlib = traceback.__file__.rsplit("/", 1)[0]

    def own(filename: str) -> bool:
        return not (filename.startswith((rocket, stdlib)) or "-packages/" in filename)

    where = next((f for f in reversed(frames) if own(f.filename)), frames[-1])
    return f"{where.filename.rsplit('/', 1)[-1]}:{where.lineno}"


def call_objective(
    objective: Callable[[optuna.Trial], Any],
    trial: optuna.Trial,
    timeout: float | None,
) -> Outcome:
    """Run ``objective(trial)`` and classify what happened.

    An exception (``SystemExit`` and a ``KeyboardInterrupt`` the objective raises itself
    included), a NaN or infinite value, a value that is not a number, and a run past
    ``timeout`` seconds each give a failure with its kind and reason;
    :class:`optuna.TrialPruned` gives a pruned outcome. Only the user's Ctrl-C (a SIGINT
    noted by :data:`ctrl_c`) propagates: it stops the study, not the trial.

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
    except KeyboardInterrupt as e:
        if ctrl_c.seen:
            raise
        return Outcome(
            kind="exception",
            reason=f"exception: KeyboardInterrupt raised by the objective (at {_user_frame(e)})",
        )
    except SystemExit as e:
        return Outcome(
            kind="exception",
            reason=f"exception: the objective called sys.exit({e.code!r}) (at {_user_frame(e)})",
        )
    except Exception as e:
        return Outcome(
            kind="exception",
            reason=f"exception: {type(e).__name__}: {e} (at {_user_frame(e)})",
        )
    try:
        values = _as_values(result)
    except (TypeError, ValueError):
        shown = repr(result)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        return Outcome(
            kind="bad-value",
            reason=f"bad-value: the objective returned a {type(result).__name__} ({shown}), "
            f"not a number",
        )
    if not all(math.isfinite(v) for v in values):
        return Outcome(
            kind="non-finite",
            reason=f"non-finite: the objective returned {result!r}",
        )
    return Outcome(values=values)
