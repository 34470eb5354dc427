"""The optimizers the harness compares, each driven by its own package through ask/tell.

Each adapter loops ``ask -> Tracker.evaluate -> tell`` until the tracker's cost budget is
spent. Multi-fidelity optimizers all get the same ladder: fractions ``1/27, 1/9, 1/3, 1``
(``eta = 3``), the ladder Rocket's scheduler uses by default, or from a higher bottom rung
when the problem declares one (:func:`ladder_of`: ``1/9, 1/3, 1`` on the data-rich tasks).

* ``random``: Optuna's ``RandomSampler``.
* ``tpe``: Optuna's ``TPESampler`` with its defaults. In Optuna 5 that is multivariate TPE
  for a single objective (``multivariate=None`` means ``True``) without group decomposition
  (``group=False``): on a flat space such as lcbench's its traces equal those of
  ``multivariate=True, group=True``; on a conditional one (rbv2_xgboost) they differ.
* ``gp``: Optuna's ``GPSampler`` with its defaults (Matern 5/2 kernel with ARD, log EI,
  10 random start-up trials); ``greenlet`` lets its L-BFGS-B run batched. On a conditional
  space it models the hyperparameters present in every trial and draws the rest at random.
* ``cmaes``: Optuna's ``CmaEsSampler`` (the ``cmaes`` package) with its defaults;
  categorical hyperparameters, which CMA-ES cannot model, fall back to random sampling.
* ``hebo``: HEBO 0.3.6 through its suggest/observe loop, in its own environment
  (:mod:`rocket_hpo.bench.hebo_adapter`).
* ``tpe-hyperband``: ``TPESampler`` with Optuna's ``HyperbandPruner`` (resources 1..27,
  reduction factor 3); a trial is evaluated rung by rung and reports after each one.
* ``smac``: SMAC3's ``HyperparameterOptimizationFacade`` (random forest + EI),
  ``n_trials`` = the budget so its initial design is capped at a quarter of the budget.
* ``smac-mf``: SMAC3's ``MultiFidelityFacade`` (Hyperband intensifier, eta 3).
* ``dehb``: DEHB (eta 3, one worker).
* ``rocket``: :class:`rocket_hpo.RocketSampler` with Rocket's subset scheduler, both with
  their defaults (same ladder; promotion by expected gain, agreement measured by checks; the
  policy reads the learning rung's results); ``rocket-cheap``: the same, the policy reading
  every rung's results (``cheap_results=True``); ``rocket-full``: the sampler alone, every
  trial on full data. The earlier scheduler, the ablations of issue 15: ``rocket-asha``
  (ASHA promotion, every rung's results: the default before checks, named ``rocket`` in
  results recorded before then), ``rocket-no-cheap`` (ASHA, the learning rung's results),
  ``rocket-gain`` (promotion by expected gain with agreement measured by audits, every
  rung's results).
"""

from __future__ import annotations

import contextlib
import importlib
import math
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rocket_hpo.errors import UsageError
from rocket_hpo.fidelity.ladder import Ladder

from .problems import Problem
from .tracker import BudgetExhausted, Tracker

__all__ = ["ETA", "MIN_FRACTION", "OPTIMIZERS", "ladder_of", "run_optimizer"]

ETA = 3
MIN_FRACTION = 1.0 / 27.0


def ladder_of(problem: Problem) -> Ladder:
    """The ladder every multi-fidelity optimizer gets on ``problem``: ``1/27 ... 1`` by
    ``ETA``, from the problem's own smallest fraction where that is higher (a subset of
    the data-rich tasks below 1/9 holds too few examples to rank by).

    Example:
        >>> from rocket_hpo.bench.problems import get_problem
        >>> [round(f, 3) for f in ladder_of(get_problem("dl/mnist_full")).fractions]
        [0.111, 0.333, 1.0]
    """
    return Ladder(max(MIN_FRACTION, problem.min_fraction), ETA)


def _quiet_optuna() -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)


def optuna_loop(tracker: Tracker, sampler: Any, pruner: Any = None) -> Any:
    """Ask/tell ``sampler`` on the tracker's problem until its budget runs out, then return
    the study (for a caller that reads what the sampler wrote there).

    Without a pruner each trial runs at the fraction its sampler assigned
    (:func:`rocket_hpo.fidelity.data_fraction`: 1.0 unless a fidelity scheduler chose one);
    with one, it climbs the rungs and reports to the pruner. Failed evaluations are FAIL.
    """
    import optuna

    from rocket_hpo.fidelity import data_fraction

    _quiet_optuna()
    problem = tracker.problem
    # A fixed name: HyperbandPruner assigns brackets by hashing the study name.
    study = optuna.create_study(
        study_name="bench", direction=problem.direction, sampler=sampler, pruner=pruner
    )
    rungs = ladder_of(problem).fractions
    with contextlib.suppress(BudgetExhausted):
        while True:
            trial = study.ask()
            config = problem.space.suggest(trial)
            if pruner is None:
                score = tracker.evaluate(config, data_fraction(trial))
            else:
                for k, fraction in enumerate(rungs):
                    score = tracker.evaluate(config, fraction)
                    if not math.isfinite(score):
                        break
                    trial.report(score, round(fraction / rungs[0]))  # resources 1, 3, 9 ...
                    if k < len(rungs) - 1 and trial.should_prune():
                        break
                else:
                    k = len(rungs) - 1
                if k < len(rungs) - 1 and math.isfinite(score):
                    study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                    continue
            if math.isfinite(score):
                study.tell(trial, score)
            else:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
    return study


def _random(tracker: Tracker, seed: int) -> None:
    from optuna.samplers import RandomSampler

    optuna_loop(tracker, RandomSampler(seed=seed))


def _tpe(tracker: Tracker, seed: int) -> None:
    from optuna.samplers import TPESampler

    optuna_loop(tracker, TPESampler(seed=seed))


def _gp(tracker: Tracker, seed: int) -> None:
    from optuna.samplers import GPSampler

    # On a conditional space GPSampler models the hyperparameters every trial has and draws
    # the others at random; Optuna would warn about it at every trial.
    optuna_loop(tracker, GPSampler(seed=seed, warn_independent_sampling=False))


def _cmaes(tracker: Tracker, seed: int) -> None:
    from optuna.samplers import CmaEsSampler

    # Optuna warns at every trial that categorical hyperparameters are sampled independently.
    optuna_loop(tracker, CmaEsSampler(seed=seed, warn_independent_sampling=False))


def _hebo(tracker: Tracker, seed: int) -> None:
    from .hebo_adapter import run_hebo

    run_hebo(tracker, seed)


def _tpe_hyperband(tracker: Tracker, seed: int) -> None:
    from optuna.pruners import HyperbandPruner
    from optuna.samplers import TPESampler

    pruner = HyperbandPruner(min_resource=1,
                             max_resource=round(1 / ladder_of(tracker.problem).min_fraction),
                             reduction_factor=ETA)
    optuna_loop(tracker, TPESampler(seed=seed), pruner)


def _minimised(tracker: Tracker, score: float) -> float:
    """SMAC and DEHB minimise; failures get a large finite cost."""
    if not math.isfinite(score):
        return 1e12
    return -score if tracker.maximize else score


def _smac(tracker: Tracker, seed: int, multi_fidelity: bool) -> None:
    from smac import HyperparameterOptimizationFacade, MultiFidelityFacade, Scenario
    from smac.runhistory.dataclasses import TrialValue

    from ._configspace import ConfigSpaceBridge

    bridge = ConfigSpaceBridge(tracker.problem.space, seed=seed)
    budget = tracker.budget
    with tempfile.TemporaryDirectory(prefix="rocket-smac-") as tmp:
        if multi_fidelity:
            scenario = Scenario(
                bridge.cs,
                deterministic=True,
                seed=seed,
                output_directory=Path(tmp),
                # About five trials per full-fidelity equivalent under Hyperband with eta 3.
                n_trials=max(int(budget * 5), 10),
                min_budget=ladder_of(tracker.problem).min_fraction,
                max_budget=1.0,
            )

            def target(config: Any, seed: int = 0, budget: float = 1.0) -> float:
                raise RuntimeError("driven by ask/tell")  # pragma: no cover

            smac: Any = MultiFidelityFacade(
                scenario,
                target,
                intensifier=MultiFidelityFacade.get_intensifier(scenario, eta=ETA),
                overwrite=True,
                logging_level=40,
            )
        else:
            scenario = Scenario(
                bridge.cs,
                deterministic=True,
                seed=seed,
                output_directory=Path(tmp),
                n_trials=max(int(budget), 4),
            )

            def target_hpo(config: Any, seed: int = 0) -> float:
                raise RuntimeError("driven by ask/tell")  # pragma: no cover

            smac = HyperparameterOptimizationFacade(
                scenario, target_hpo, overwrite=True, logging_level=40
            )
        while True:
            info = smac.ask()
            fraction = float(info.budget) if info.budget is not None else 1.0
            config = bridge.to_config(info.config)
            score = tracker.evaluate(config, min(fraction, 1.0))
            smac.tell(info, TrialValue(cost=_minimised(tracker, score)))


def _dehb(tracker: Tracker, seed: int) -> None:
    from dehb import DEHB

    from ._configspace import ConfigSpaceBridge

    bridge = ConfigSpaceBridge(tracker.problem.space, seed=seed)
    with tempfile.TemporaryDirectory(prefix="rocket-dehb-") as tmp, warnings.catch_warnings():
        # DEHB 0.1.2 calls ConfigSpace methods that 1.x deprecates, once per evaluation.
        warnings.simplefilter("ignore", DeprecationWarning)
        dehb = DEHB(
            cs=bridge.cs,
            dimensions=len(bridge.cs),
            min_fidelity=ladder_of(tracker.problem).min_fraction,
            max_fidelity=1.0,
            eta=ETA,
            n_workers=1,
            seed=seed,
            output_path=tmp,
            log_level="ERROR",
            # Saving the history (parquet) at every new incumbent costs more than DEHB itself.
            save_freq="end",
        )
        while True:
            job = dehb.ask()
            config = bridge.to_config(job["config"])  # already a Configuration
            fraction = min(float(job["fidelity"]), 1.0)
            before = tracker.spent
            score = tracker.evaluate(config, fraction)
            dehb.tell(job, {"fitness": _minimised(tracker, score), "cost": tracker.spent - before})


def _rocket(tracker: Tracker, seed: int, full_data: bool = False,
            scheduler: dict[str, Any] | None = None, **settings: Any) -> None:
    """Rocket's sampler in the same Optuna loop, reading the fraction the scheduler assigned
    with :func:`rocket_hpo.fidelity.data_fraction`, exactly as a user's objective would;
    ``full_data``: no scheduler, every trial on full data; ``scheduler``: the scheduler's
    settings; ``settings``: the agent's."""
    from rocket_hpo.fidelity import SubsetScheduler, TransferRules
    from rocket_hpo.sampler import RocketSampler

    problem = tracker.problem
    fidelity = (None if full_data else SubsetScheduler(
        ladder_of(problem), transfer=TransferRules.from_config(problem.transfer),
        **(scheduler or {})))
    optuna_loop(tracker, RocketSampler(problem.space, seed=seed, fidelity=fidelity, **settings))


_ASHA = {"promotion": "asha"}
_GAIN_AUDITS = {"promotion": "gain", "check_share": None}


OPTIMIZERS: dict[str, Callable[[Tracker, int], None]] = {
    "rocket": _rocket,
    "rocket-cheap": lambda t, s: _rocket(t, s, cheap_results=True),
    "rocket-full": lambda t, s: _rocket(t, s, full_data=True),
    "rocket-asha": lambda t, s: _rocket(t, s, scheduler=_ASHA, cheap_results=True),
    "rocket-no-cheap": lambda t, s: _rocket(t, s, scheduler=_ASHA, cheap_results=False),
    "rocket-gain": lambda t, s: _rocket(t, s, scheduler=_GAIN_AUDITS, cheap_results=True),
    "random": _random,
    "tpe": _tpe,
    "gp": _gp,
    "cmaes": _cmaes,
    "hebo": _hebo,
    "tpe-hyperband": _tpe_hyperband,
    "smac": lambda t, s: _smac(t, s, multi_fidelity=False),
    "smac-mf": lambda t, s: _smac(t, s, multi_fidelity=True),
    "dehb": _dehb,
}


_OPTUNA = ("optuna", "optuna.samplers", "optuna.pruners")
_IMPORTS: dict[str, tuple[str, ...]] = {
    **{name: (*_OPTUNA, "rocket_hpo.sampler", "rocket_hpo.fidelity.scheduler")
       for name in ("rocket", "rocket-cheap", "rocket-asha", "rocket-no-cheap", "rocket-gain")},
    "rocket-full": (*_OPTUNA, "rocket_hpo.sampler"),
    "random": _OPTUNA,
    "tpe": _OPTUNA,
    "gp": (*_OPTUNA, "torch", "greenlet", "optuna._gp.gp", "optuna._gp.optim_mixed",
           "optuna._gp.batched_lbfgsb"),
    "cmaes": (*_OPTUNA, "cmaes"),
    "hebo": (),
    "tpe-hyperband": _OPTUNA,
    "smac": ("ConfigSpace", "smac"),
    "smac-mf": ("ConfigSpace", "smac"),
    "dehb": ("ConfigSpace", "dehb"),
}


def run_optimizer(name: str, problem: Problem, budget: float, seed: int) -> dict[str, Any]:
    """Run optimizer ``name`` on ``problem`` until ``budget`` (full-fidelity equivalents).

    Returns:
        The tracker's record (trace, final score/regret, cost, wall and overhead seconds).

    Example:
        >>> from rocket_hpo.bench.problems import get_problem
        >>> rec = run_optimizer("random", get_problem("yahpo/lcbench/3945"), budget=3, seed=0)
        >>> rec["cost"]
        3.0
    """
    if name not in OPTIMIZERS:
        raise UsageError(
            f"The optimizer must be one of {sorted(OPTIMIZERS)}. Got {name!r} instead."
        )
    for module in _IMPORTS.get(name, ()):
        # Import before the clock starts: a package's import time is not optimizer overhead.
        importlib.import_module(module)
    tracker = Tracker(problem, budget)
    with contextlib.suppress(BudgetExhausted):
        OPTIMIZERS[name](tracker, seed)
    return tracker.record()
