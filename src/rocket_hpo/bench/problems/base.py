"""What a benchmark problem is: a space, a direction, a multi-fidelity objective with a cost."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Literal

from rocket_hpo._checks import check_number
from rocket_hpo.space import Config, Space

__all__ = ["Problem", "check_fraction", "normalised_regret"]


def check_fraction(fraction: float) -> float:
    """``fraction`` as a float in (0, 1], or a :class:`UsageError` naming the parameter."""
    return float(check_number("fraction", fraction, 0, 1, open_low=True))


class Problem(ABC):
    """A benchmark objective with a fidelity in (0, 1] and a cost per evaluation.

    Subclasses set :attr:`name`, :attr:`space`, :attr:`direction`, :attr:`min_fraction`,
    :attr:`best` and :attr:`worst`, and implement :meth:`_evaluate`.

    ``evaluate(config, fraction)`` returns ``(score, cost)``. ``fraction`` in (0, 1] is
    mapped onto the problem's own fidelity range (epochs, training-set size, ...), and
    ``cost`` is measured in **full-fidelity equivalents**: one evaluation at full fidelity
    costs 1.0, one at a third of the data about 1/3 (a surrogate's fidelity share), or what
    its training measured relative to the full run (a training task: see
    :mod:`rocket_hpo.bench.problems.dl`). Benchmark budgets use this unit, so optimizers
    are compared at equal compute whatever fidelities they choose.

    ``best`` and ``worst`` (in the problem's direction) define normalised regret,
    ``(best - score) / (best - worst)`` for maximisation; they are ``None`` when no
    reference values are known (the harness then normalises by the values it observed).

    Example:
        >>> from rocket_hpo.bench.problems import get_problem
        >>> p = get_problem("yahpo/lcbench/3945")
        >>> score, cost = p.evaluate(p.space.sample(seed=0), fraction=0.5)
        >>> 0.0 < cost <= 0.5 + 1e-9
        True
    """

    name: str = ""
    direction: Literal["maximize", "minimize"] = "maximize"
    min_fraction: float = 0.0
    """Smallest fraction that differs from its neighbours; smaller requests are raised to it."""
    transfer: tuple[dict[str, Any], ...] = ()
    """Transfer rules Rocket's subset scheduler applies on promotion (a task's own)."""
    best: float | None = None
    worst: float | None = None

    @property
    @abstractmethod
    def space(self) -> Space:
        """The search space (fixed instance ids and fidelity parameters are not in it)."""

    @abstractmethod
    def _evaluate(self, config: Config, fraction: float) -> tuple[float, float]:
        """Score ``config`` at a validated ``fraction``; return ``(score, cost)``."""

    def evaluate(self, config: Config, fraction: float = 1.0) -> tuple[float, float]:
        """Score a configuration at ``fraction`` of full fidelity.

        Returns:
            ``(score, cost)``: the objective value (in :attr:`direction`) and the cost in
            full-fidelity equivalents.
        """
        fraction = check_fraction(fraction)
        self.space.validate(config)
        return self._evaluate(config, fraction)

    def regret(self, score: float) -> float:
        """Normalised regret of ``score``: 0 at :attr:`best`, 1 at :attr:`worst`.

        Raises ``ValueError`` when the problem has no reference values.
        """
        if self.best is None or self.worst is None:
            raise ValueError(f"Problem {self.name!r} has no best/worst reference values.")
        return normalised_regret(score, self.best, self.worst, self.direction)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


def normalised_regret(
    score: float, best: float, worst: float, direction: Literal["maximize", "minimize"]
) -> float:
    """``(best - score) / (best - worst)`` for maximisation (mirrored for minimisation).

    It can be negative when ``score`` beats the reference ``best`` (a best estimated
    from a random sample can be beaten), and above 1 when it is worse than ``worst``.
    """
    span = best - worst
    if span == 0:
        return 0.0
    return (best - score) / span if direction == "maximize" else (score - best) / (worst - best)
