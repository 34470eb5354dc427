"""Rocket's own deep-learning tasks (``rocket_hpo.tasks``) as benchmark problems.

``fraction`` is the share of the training data (a nested, seeded subset, as the task
defines it). Cost is what :func:`rocket_hpo.keys.trial_cost` charges the evaluation, as the
ledger charges a trial: the compute the training used relative to the same configuration's
full-data run (optimizer steps times batch size, so a step-capped small subset costs the
steps it ran), or the fraction for a task that does not record its compute. The budget, the
anytime trace and cost-to-reach all count it. The true optimum is unknown, so ``best``/``worst``
are ``None`` and the harness normalises regret by the best and worst values observed
across all optimizers and seeds of a run. A diverged training run scores as the worst
possible value (``-inf`` when maximising), which optimizers see as a failed trial.
"""

from __future__ import annotations

import math

from rocket_hpo.errors import UsageError
from rocket_hpo.keys import trial_cost
from rocket_hpo.space import Config, Space
from rocket_hpo.tasks import DivergenceError, EvalResult, Task
from rocket_hpo.tasks import get as get_task

from .base import Problem

__all__ = ["TaskProblem"]


class TaskProblem(Problem):
    """A :class:`rocket_hpo.tasks.Task` as ``dl/<task>``; ``seed`` fixes its data split."""

    def __init__(self, task: str | Task, seed: int = 0) -> None:
        if isinstance(task, Task):
            self.task: Task = task
        else:
            try:
                self.task = get_task(task)
            except KeyError as e:
                raise UsageError(str(e.args[0])) from None
        self.name = f"dl/{self.task.name or task}"
        self.direction = self.task.direction
        self.seed = seed
        self.min_fraction = self.task.min_fraction
        self.transfer = self.task.transfer

    @property
    def space(self) -> Space:
        return self.task.space

    def _evaluate(self, config: Config, fraction: float) -> tuple[float, float]:
        try:
            result = self.task.evaluate(config, fraction=fraction, seed=self.seed)
        except DivergenceError:
            worst = -math.inf if self.direction == "maximize" else math.inf
            result = EvalResult(worst, fraction=fraction)  # what it used is not known
        return float(result.score), trial_cost(result)
