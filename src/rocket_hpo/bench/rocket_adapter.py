"""Rocket in the harness: ``RocketSampler`` in a plain Optuna ask/tell loop.

``rocket`` uses Rocket's data-subset fidelity scheduler (:class:`SubsetScheduler`, default
ladder 1/27, 1/9, 1/3, 1, the same ladder the multi-fidelity peers get); ``rocket-full``
evaluates every trial on full data (the policy alone, for ablations). The objective reads
the fraction the sampler assigned with :func:`rocket_hpo.fidelity.data_fraction`, exactly
as a user's objective would.
"""

from __future__ import annotations

from .optimizers import optuna_loop
from .tracker import Tracker

__all__ = ["run_rocket"]


def run_rocket(tracker: Tracker, seed: int, multi_fidelity: bool = True) -> None:
    """Drive a Rocket study until the tracker's budget is spent."""
    from rocket_hpo.sampler import RocketSampler

    fidelity = None
    if multi_fidelity:
        from rocket_hpo.fidelity.scheduler import SubsetScheduler

        fidelity = SubsetScheduler()
    sampler = RocketSampler(tracker.problem.space, seed=seed, fidelity=fidelity)
    optuna_loop(tracker, sampler)
