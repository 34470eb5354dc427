"""The fidelity hook: how :class:`~rocket_hpo.RocketSampler` (and
:class:`~rocket_hpo.fidelity.FidelitySampler`) ask which data fraction a trial runs at.

:class:`SubsetScheduler` is Rocket's implementation. Another one subclasses
:class:`FidelityHook`, or only has its two methods: any object with callable ``assign`` and
``learning_fraction`` counts as a hook (``isinstance(obj, FidelityHook)`` is true), and its
``assign`` may return any object with ``fraction`` and ``promote`` (the other fields of
:class:`Assignment` are optional).

Example:
    >>> class FullData:
    ...     def assign(self, study, trial):
    ...         return Assignment(fraction=1.0, rung=0)
    ...     def learning_fraction(self, study):
    ...         return 1.0
    >>> isinstance(FullData(), FidelityHook), isinstance(object(), FidelityHook)
    (True, False)
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from dataclasses import dataclass
from typing import Any

from optuna.trial import FrozenTrial

__all__ = ["Assignment", "FidelityHook"]


@dataclass(frozen=True)
class Assignment:
    """The hook's decision for one trial."""

    fraction: float
    """The data fraction the trial runs at, in (0, 1]."""
    rung: int
    """Its rung on the ladder (0 = cheapest)."""
    promote: FrozenTrial | None = None
    """For a promotion, the trial whose configuration is re-run on more data; else None."""
    params: dict[str, Any] | None = None
    """For a promotion, the parameters to propose: ``promote.params`` after the transfer rules
    (None: ``promote.params`` as they are)."""
    learning_fraction: float | None = None
    """:meth:`FidelityHook.learning_fraction` at the time of the decision (None: not known;
    the sampler then asks for it)."""
    audit: bool = False
    """True when the promotion is an audit (a random configuration, not the rung's best)."""
    check: bool = False
    """True when ``promote`` is a full-data trial re-run on a subset to measure the subset's
    agreement with the full data (a check), not a promotion."""


def _has_hook_methods(obj: Any) -> bool:
    return all(callable(getattr(obj, name, None)) for name in ("assign", "learning_fraction"))


class _HookMeta(ABCMeta):
    def __instancecheck__(cls, instance: Any) -> bool:
        # Structural, like collections.abc: an object with both methods is a hook.
        return super().__instancecheck__(instance) or (
            cls is FidelityHook and _has_hook_methods(instance))


class FidelityHook(metaclass=_HookMeta):
    """Decides the data fraction of each trial, and which configurations to promote.

    The sampler calls :meth:`assign` once per trial, in ``before_trial``, before any
    parameter is sampled, and :meth:`learning_fraction` when the assignment does not carry
    it. Several workers may call both at once on one storage: a hook derives its decisions
    from the study's trials and attributes, so that they survive restarts and agree
    between processes.
    """

    @abstractmethod
    def assign(self, study: Any, trial: Any) -> Assignment:
        """The new ``trial``'s :class:`Assignment`.

        It records the fraction on the trial (user attribute ``rocket:fraction``,
        :data:`rocket_hpo.keys.FIDELITY_PARAM`) for the objective to read with
        :func:`rocket_hpo.fidelity.data_fraction`. Called again for the same trial, it
        returns the recorded decision.

        Args:
            study: the Optuna study.
            trial: the new trial (an ``optuna.Trial`` or ``FrozenTrial``), still running.
        """

    @abstractmethod
    def learning_fraction(self, study: Any) -> float:
        """The data fraction whose results the policy learns from (1.0: the full data)."""
