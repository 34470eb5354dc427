"""Live progress of ``rocket tune`` on stderr: trials, best so far, cost spent, time left.

On a terminal it is a rich progress bar redrawn in place; in a log (no terminal) it is one
plain line per finished trial, so CI logs and ``nohup`` files stay readable.

Example:
    >>> from rich.console import Console
    >>> with TuneProgress(Console(stderr=True), "digits", total=3.0, by_budget=False) as p:
    ...     p.update(n_trials=1, cost=1.0, best=0.9)  # doctest: +SKIP
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from rocket_hpo._text import format_score

__all__ = ["TuneProgress", "Watcher"]


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}"


class TuneProgress:
    """Progress towards a trial count (``by_budget=False``) or a cost budget.

    Args:
        console: a rich console (stderr).
        label: what is tuned.
        total: the trial count or the budget to reach.
        by_budget: whether ``total`` is a cost budget.
        verbose: on a terminal, also print one line per finished trial above the bar (a log
            gets that line anyway).
    """

    def __init__(self, console: Any, label: str, total: float, by_budget: bool,
                 verbose: bool = False) -> None:
        self.console, self.label, self.total, self.by_budget = console, label, total, by_budget
        self.verbose = verbose
        self._start = time.perf_counter()
        self._start_units: float | None = None
        self._progress: Any = None
        self._bar: Any = None

    def __enter__(self) -> TuneProgress:
        if self.console.is_terminal:
            from rich.progress import (
                BarColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                TextColumn("trials {task.fields[trials]}[red]{task.fields[failed]}"),
                TextColumn("best [green]{task.fields[best]}"),
                TextColumn("cost {task.fields[cost]}"), TimeElapsedColumn(),
                TextColumn("~{task.fields[left]} left"), console=self.console,
            )
            self._progress.__enter__()
            self._bar = self._progress.add_task(self.label, total=self.total, trials="-",
                                                failed="", best="-", cost="-", left="?")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def _left(self, units: float) -> float | None:
        """Time left at the pace of this run (trials from earlier runs do not count)."""
        if self._start_units is None:
            self._start_units = units
            return None
        done = units - self._start_units
        if done <= 0:
            return None
        rate = done / (time.perf_counter() - self._start)
        return max(0.0, self.total - units) / rate

    def print(self, message: str) -> None:
        """A message above the bar (or a log line)."""
        self.console.print(message, soft_wrap=True)

    def update(self, n_trials: int, cost: float, best: float | None,
               last: str | None = None, failed: int = 0) -> None:
        """Show the state after a trial finished (``failed`` of the ``n_trials`` failed);
        ``last`` describes that trial."""
        units = cost if self.by_budget else float(n_trials)
        left = _clock(self._left(units))
        best_text = format_score(best)
        failed_text = f" ({failed} failed)" if failed else ""
        if self._progress is not None:
            self._progress.update(self._bar, completed=min(units, self.total), trials=n_trials,
                                  failed=failed_text, best=best_text, cost=f"{cost:.3g}",
                                  left=left)
            if last is not None and self.verbose:
                self.print(f"  {last}")
        elif last is not None:
            elapsed = _clock(time.perf_counter() - self._start)
            trials = f"{n_trials} trials{failed_text}"
            self.print(f"  {last}; {trials}, best {best_text}, cost {cost:.3g}, "
                       f"{elapsed} elapsed, ~{left} left")


class Watcher:
    """Refreshes the display from the storage while worker processes run the trials."""

    def __init__(self, refresh: Callable[[], None], every: float = 1.0) -> None:
        self._refresh, self._every = refresh, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self._refresh()

    def __enter__(self) -> Watcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
