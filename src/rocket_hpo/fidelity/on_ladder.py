"""Any Optuna sampler on the data-subset ladder (e.g. TPE or random search with subsets).

:class:`FidelitySampler` is the scheduler's hook wired into a plain Optuna sampler: in
``before_trial`` it asks the scheduler for the trial's fraction; a promotion proposes the
promoted configuration (after transfer rules); otherwise the wrapped sampler proposes,
seeing only the trials at the learning fraction, so its model is never fitted to scores
from different data sizes mixed together. ``RocketSampler`` uses the same hook.
"""

from __future__ import annotations

import threading
from collections.abc import Container
from typing import Any

from optuna.distributions import BaseDistribution
from optuna.samplers import BaseSampler
from optuna.trial import FrozenTrial, TrialState

from rocket_hpo._checks import check_instance
from rocket_hpo.fidelity.scheduler import SubsetScheduler
from rocket_hpo.keys import data_fraction, has_fraction

__all__ = ["FidelitySampler", "at_fraction"]


class _AtFraction:
    """A read-only view of a study that shows only the trials at one data fraction."""

    def __init__(self, study: Any, fraction: float) -> None:
        self._study, self._fraction = study, fraction

    def __getattr__(self, name: str) -> Any:
        return getattr(self._study, name)

    def _keep(self, trials: list[FrozenTrial]) -> list[FrozenTrial]:
        f = self._fraction
        return [t for t in trials
                if has_fraction(t) and abs(data_fraction(t) - f) <= 1e-9 * max(1.0, f)]

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        return self._keep(self._study.get_trials(deepcopy=deepcopy, states=states))

    def _get_trials(
        self,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
        use_cache: bool = False,
    ) -> list[FrozenTrial]:
        return self._keep(
            self._study._get_trials(deepcopy=deepcopy, states=states, use_cache=use_cache)
        )

    @property
    def trials(self) -> list[FrozenTrial]:
        return self.get_trials()


def at_fraction(study: Any, fraction: float) -> Any:
    """A view of ``study`` whose ``get_trials`` returns only the trials at ``fraction``."""
    return _AtFraction(study, fraction)


class FidelitySampler(BaseSampler):
    """Wrap an Optuna sampler so its trials run on the data-subset ladder.

    Args:
        base: the sampler that proposes new configurations.
        scheduler: decides each trial's fraction and promotions (default ladder if None).

    Example:
        >>> import optuna
        >>> from rocket_hpo.fidelity import Ladder, SubsetScheduler, data_fraction
        >>> sampler = FidelitySampler(optuna.samplers.RandomSampler(seed=0),
        ...                           SubsetScheduler(Ladder(1 / 9, 3), promotion="asha"))
        >>> study = optuna.create_study(sampler=sampler)
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) / data_fraction(t), n_trials=12)
        >>> sorted({round(data_fraction(t), 3) for t in study.trials})
        [0.111, 0.333, 1.0]
    """

    def __init__(self, base: BaseSampler, scheduler: SubsetScheduler | None = None) -> None:
        of = "parameter of FidelitySampler"
        check_instance("base", base, BaseSampler, "an Optuna sampler", kind=of)
        check_instance("scheduler", scheduler, SubsetScheduler, "a SubsetScheduler", none=True,
                       kind=of)
        self.base = base
        self.scheduler = scheduler or SubsetScheduler()
        self._promoted: dict[int, dict[str, Any]] = {}
        self._learning: dict[int, float] = {}  # trial id -> learning fraction at its start
        self._lock = threading.Lock()

    def _view(self, study: Any, trial: FrozenTrial) -> Any:
        with self._lock:
            fraction = self._learning.get(trial._trial_id)
        if fraction is None:  # a trial this sampler did not start (e.g. another process's)
            fraction = self.scheduler.learning_fraction(study)
        return at_fraction(study, fraction)

    def _params(self, trial: FrozenTrial) -> dict[str, Any] | None:
        with self._lock:
            return self._promoted.get(trial._trial_id)

    def before_trial(self, study: Any, trial: FrozenTrial) -> None:
        assignment = self.scheduler.assign(study, trial)
        with self._lock:
            if assignment.promote is not None:
                self._promoted[trial._trial_id] = dict(assignment.params or {})
            self._learning[trial._trial_id] = float(
                assignment.learning_fraction or self.scheduler.learning_fraction(study)
            )
        self.base.before_trial(self._view(study, trial), trial)

    def infer_relative_search_space(
        self, study: Any, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        if self._params(trial) is not None:
            return {}
        space: dict[str, BaseDistribution] = self.base.infer_relative_search_space(
            self._view(study, trial), trial
        )
        return space

    def sample_relative(
        self, study: Any, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if self._params(trial) is not None or not search_space:
            return {}
        params: dict[str, Any] = self.base.sample_relative(
            self._view(study, trial), trial, search_space
        )
        return params

    def sample_independent(
        self, study: Any, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution
    ) -> Any:
        promoted = self._params(trial)
        if promoted is not None and param_name in promoted:
            value = promoted[param_name]
            if param_distribution._contains(param_distribution.to_internal_repr(value)):
                return value
        return self.base.sample_independent(
            self._view(study, trial), trial, param_name, param_distribution
        )

    def after_trial(self, study: Any, trial: FrozenTrial, state: TrialState, values: Any) -> None:
        view = self._view(study, trial)
        with self._lock:
            self._promoted.pop(trial._trial_id, None)
            self._learning.pop(trial._trial_id, None)
        self.base.after_trial(view, trial, state, values)

    def reseed_rng(self) -> None:
        self.base.reseed_rng()
