"""Budget accounting shared by every optimizer adapter: cost, anytime trace, overhead.

Every evaluation, at any fidelity, costs what the problem says (full-fidelity
equivalents; for a training task, the compute it used, as the ledger charges a trial,
:func:`rocket_hpo.keys.trial_cost`); there is no credit for continuing a run from a lower
fidelity, for any optimizer. The incumbent is the best score seen **at full fidelity** (a
low-fidelity score is not comparable with a full one), so the trace starts at the first
full-fidelity evaluation. Optimizer overhead is the wall time of a run minus the time spent
inside the problem and minus ``setup_s``, the time an adapter spent starting a separate
process for its optimizer (package imports, which are not counted for in-process peers
either).
"""

from __future__ import annotations

import math
import time
from typing import Any

from rocket_hpo.space import Config

from .problems import Problem

__all__ = ["BudgetExhausted", "Tracker"]

FULL = 1.0 - 1e-9  # a fraction this large counts as full fidelity


class BudgetExhausted(Exception):  # noqa: N818 - a signal, not an error
    """Raised by :meth:`Tracker.evaluate` once the budget is spent; ends the adapter's loop."""


class Tracker:
    """Evaluates configurations for one optimizer run and keeps its books.

    Example:
        >>> from rocket_hpo.bench.problems import get_problem
        >>> t = Tracker(get_problem("yahpo/lcbench/3945"), budget=2.0)
        >>> _ = t.evaluate(t.problem.space.sample(seed=0), 1.0)
        >>> t.spent, len(t.trace)
        (1.0, 1)
    """

    def __init__(self, problem: Problem, budget: float) -> None:
        self.problem = problem
        self.budget = float(budget)
        self.maximize = problem.direction == "maximize"
        self.spent = 0.0
        self.n_evals = 0
        self.n_full = 0
        self.eval_s = 0.0
        self.setup_s = 0.0
        self.best: float | None = None
        self.best_config: Config | None = None
        self.trace: list[list[float]] = []
        self._start = time.perf_counter()

    @property
    def exhausted(self) -> bool:
        return self.spent >= self.budget

    def better(self, a: float, b: float) -> bool:
        return a > b if self.maximize else a < b

    def worst_value(self) -> float:
        return -math.inf if self.maximize else math.inf

    def evaluate(self, config: Config, fraction: float) -> float:
        """Score ``config`` at ``fraction``; raise :class:`BudgetExhausted` when none is left."""
        if self.exhausted:
            raise BudgetExhausted
        t0 = time.perf_counter()
        score, cost = self.problem.evaluate(config, fraction)
        self.eval_s += time.perf_counter() - t0
        self.spent += cost
        self.n_evals += 1
        if fraction >= FULL and math.isfinite(score):
            self.n_full += 1
            if self.best is None or self.better(score, self.best):
                self.best, self.best_config = score, dict(config)
                self.trace.append([self.spent, score])
        return score

    def record(self) -> dict[str, Any]:
        """The run's results: trace (only points within the budget), cost, times."""
        wall = time.perf_counter() - self._start
        trace = [p for p in self.trace if p[0] <= self.budget + 1e-9]
        final = trace[-1][1] if trace else None
        out: dict[str, Any] = {
            "trace": trace,
            "final_score": final,
            "cost": self.spent,
            "n_evals": self.n_evals,
            "n_full": self.n_full,
            "wall_s": wall,
            "eval_s": self.eval_s,
            "setup_s": self.setup_s,
            "overhead_s": max(wall - self.eval_s - self.setup_s, 0.0),
            "best_config": self.best_config if final is not None else None,
        }
        p = self.problem
        if p.best is not None and p.worst is not None:
            out["regret_trace"] = [[c, p.regret(s)] for c, s in trace]
            out["final_regret"] = p.regret(final) if final is not None else 1.0
        else:
            out["regret_trace"] = None
            out["final_regret"] = None
        return out
