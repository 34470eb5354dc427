"""Rocket in the harness: ``RocketSampler`` in a plain Optuna ask/tell loop.

Every trial runs at the fraction the sampler assigns (full data until Rocket's fidelity
scheduler is plugged in here). The objective reads it with
:func:`rocket_hpo.fidelity.data_fraction`, exactly as a user's objective would.
"""

from __future__ import annotations

import math

from .tracker import Tracker

__all__ = ["run_rocket"]


def run_rocket(tracker: Tracker, seed: int) -> None:
    """Drive a Rocket study until the tracker's budget is spent."""
    import optuna

    from rocket_hpo.fidelity import data_fraction
    from rocket_hpo.sampler import RocketSampler

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    problem = tracker.problem
    sampler = RocketSampler(problem.space, seed=seed)
    study = optuna.create_study(direction=problem.direction, sampler=sampler)
    while True:
        trial = study.ask()
        config = problem.space.suggest(trial)
        score = tracker.evaluate(config, data_fraction(trial))
        if math.isfinite(score):
            study.tell(trial, score)
        else:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
