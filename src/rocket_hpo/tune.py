"""The tuning loop behind ``rocket tune``: a thin ask/tell loop over an Optuna study.

A target is a built-in task or a YAML study file (see :mod:`rocket_hpo.study_file`). The
study is created or, when it exists, resumed: ``--trials`` counts the trials the study holds
in total, ``--budget`` the cost spent in total, so running the same command again after
Ctrl-C carries on where it stopped.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import optuna

from rocket_hpo import tasks
from rocket_hpo.defaults import DEFAULT_SAMPLER, DEFAULT_STORAGE, DEFAULT_TRIALS
from rocket_hpo.errors import UsageError
from rocket_hpo.progress import TuneProgress
from rocket_hpo.space import Config, Space
from rocket_hpo.summary import (
    INTERRUPTED_ATTR,
    METRIC_ATTR,
    SPACE_ATTR,
    TARGET_ATTR,
    best_trial,
    summarize,
    trial_cost,
)

__all__ = [
    "TaskEvaluate",
    "TrialObjective",
    "TuneSettings",
    "make_sampler",
    "open_study",
    "run_tune",
]



def make_sampler(name: str, seed: int, space: Any = None) -> optuna.samplers.BaseSampler:
    """The sampler called ``name``, seeded."""
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise UsageError(f"Unknown sampler {name!r}; choose one of: tpe, random.")


def open_study(
    storage: str,
    study_name: str,
    direction: Literal["minimize", "maximize"],
    sampler: optuna.samplers.BaseSampler,
) -> optuna.Study:
    """Create the study or load it to resume; a bad storage URL is a :class:`UsageError`."""
    try:
        return optuna.create_study(
            storage=storage,
            study_name=study_name,
            direction=direction,
            sampler=sampler,
            load_if_exists=True,
        )
    except Exception as e:  # sqlalchemy raises many types for a bad or unreachable URL
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UsageError(f"Cannot open storage {storage!r}: {first}") from None


@dataclass
class TuneSettings:
    """What ``rocket tune`` was asked to do; ``None`` means "take it from the study file,
    else the default"."""

    target: str = "digits"
    """A task name or a study file (``.yaml``/``.yml``)."""
    trials: int | None = None
    """Trials the study should hold when done (finished ones count, so a rerun resumes)."""
    budget: float | None = None
    """Cost limit in full-data equivalents (a trial on 1/9 of the data costs 1/9)."""
    storage: str | None = None
    workers: int | None = None
    seed: int | None = None
    study_name: str | None = None
    sampler: str | None = None


@dataclass
class _Target:
    label: str
    study_name: str
    space: Space
    direction: Literal["minimize", "maximize"]
    metric: str
    evaluate: Callable[..., float]
    fidelity: dict[str, Any]


class TaskEvaluate:
    """A built-in task's training as a picklable ``evaluate(config, fraction, seed, trial)``."""

    def __init__(self, task_name: str) -> None:
        self.task_name = task_name

    def __call__(self, config: Config, *, fraction: float, seed: int, trial: Any) -> float:
        return tasks.get(self.task_name).evaluate(config, fraction=fraction, seed=seed).score


class TrialObjective:
    """An Optuna objective: suggest a configuration from ``space``, train it at the data
    fraction Rocket chose for the trial, return the score. Picklable for worker processes.

    Example:
        >>> objective = TrialObjective(tasks.get("digits").space, TaskEvaluate("digits"), 0)
    """

    def __init__(self, space: Space, evaluate: Callable[..., float], seed: int) -> None:
        self.space, self.evaluate, self.seed = space, evaluate, seed

    def __call__(self, trial: Any) -> float:
        from rocket_hpo.fidelity import data_fraction

        config = self.space.suggest(trial)
        start = time.perf_counter()
        value = self.evaluate(config, fraction=data_fraction(trial), seed=self.seed, trial=trial)
        trial.set_user_attr("train_seconds", time.perf_counter() - start)
        if not math.isfinite(value):
            raise tasks.DivergenceError(f"the objective returned {value}")
        return value


def _resolve(settings: TuneSettings) -> tuple[_Target, TuneSettings]:
    """The target to tune and the settings with study-file values and defaults filled in."""
    from rocket_hpo.study_file import FileObjective, load_study_file

    if settings.target.endswith((".yaml", ".yml")):
        spec = load_study_file(settings.target)
        file_values = {k: getattr(spec, k) for k in ("trials", "budget", "storage", "workers",
                                                      "seed", "study_name", "sampler")}
    else:
        spec, file_values = None, {}
    merged = TuneSettings(target=settings.target)
    for key, value in file_values.items():
        setattr(merged, key, value)
    for key in ("trials", "budget", "storage", "workers", "seed", "study_name", "sampler"):
        if getattr(settings, key) is not None:  # the command line wins over the file
            setattr(merged, key, getattr(settings, key))
    if spec is not None and spec.objective is not None and spec.space is not None:
        target = _Target(
            label=spec.objective, study_name=merged.study_name or spec.objective,
            space=spec.space, direction=spec.direction, metric=spec.metric,
            evaluate=FileObjective(spec.objective, spec.folder), fidelity=spec.fidelity,
        )
    else:
        name = spec.task if spec is not None and spec.task else settings.target
        try:
            task = tasks.get(name)
        except KeyError as e:
            raise UsageError(e.args[0]) from None
        target = _Target(
            label=task.name, study_name=merged.study_name or f"rocket-{task.name}",
            space=task.space, direction=task.direction, metric=task.metric,
            evaluate=TaskEvaluate(task.name), fidelity=spec.fidelity if spec else {},
        )
    merged.study_name = target.study_name
    merged.storage = merged.storage or DEFAULT_STORAGE
    merged.workers = merged.workers or 1
    merged.seed = 0 if merged.seed is None else merged.seed
    merged.sampler = merged.sampler or DEFAULT_SAMPLER
    if merged.trials is None and merged.budget is None:
        merged.trials = DEFAULT_TRIALS
    for key, low in (("trials", 1), ("workers", 1), ("seed", 0)):
        value = getattr(merged, key)
        if value is not None and value < low:
            raise UsageError(f"--{key} must be >= {low}. Got {value}.")
    if merged.budget is not None and not (merged.budget > 0 and math.isfinite(merged.budget)):
        raise UsageError(f"--budget must be a number > 0. Got {merged.budget}.")
    return target, merged


class _Tally:
    """Trials counted towards ``--trials`` and cost spent towards ``--budget``."""

    def __init__(self, study: optuna.Study) -> None:
        self.study = study

    def counts(self) -> tuple[int, float]:
        state = optuna.trial.TrialState
        finished = [t for t in self.study.get_trials(deepcopy=False)
                    if t.state.is_finished() and not t.user_attrs.get(INTERRUPTED_ATTR)]
        cost = sum(trial_cost(t) for t in finished if t.state in (state.COMPLETE, state.PRUNED))
        return len(finished), cost

    def done(self, settings: TuneSettings) -> bool:
        n, cost = self.counts()
        over_trials = settings.trials is not None and n >= settings.trials
        return over_trials or (settings.budget is not None and cost >= settings.budget - 1e-9)


def _run_serial(study: optuna.Study, objective: TrialObjective, settings: TuneSettings,
                on_trial: Callable[[str], None]) -> None:
    """One trial at a time by ask/tell; Ctrl-C marks the running trial as interrupted."""
    tally = _Tally(study)
    while not tally.done(settings):
        trial = study.ask()
        try:
            value = objective(trial)
        except tasks.DivergenceError as e:
            trial.set_user_attr("fail_reason", str(e))
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            on_trial(f"trial {trial.number} failed: {e}")
            continue
        except KeyboardInterrupt:
            trial.set_user_attr(INTERRUPTED_ATTR, True)
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            raise
        except BaseException as e:
            trial.set_user_attr("fail_reason", f"{type(e).__name__}: {e}")
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            raise
        study.tell(trial, value)
        on_trial(f"trial {trial.number}: {value:.4g}")


def _run_parallel(study: optuna.Study, objective: TrialObjective, settings: TuneSettings,
                  on_trial: Callable[[str], None]) -> None:
    """Several trials at once; stops asking once the trial count or the budget is reached."""
    tally = _Tally(study)

    def callback(study: optuna.Study, trial: Any) -> None:
        value = "-" if trial.value is None else f"{trial.value:.4g}"
        on_trial(f"trial {trial.number} {trial.state.name.lower()}: {value}")
        if tally.done(settings):
            study.stop()

    n_done, _ = tally.counts()
    remaining = None if settings.trials is None else settings.trials - n_done
    study.optimize(objective, n_trials=remaining, n_jobs=settings.workers or 1,
                   catch=(tasks.DivergenceError,), callbacks=[callback])


def run_tune(settings: TuneSettings) -> int:
    """Run (or resume) the study ``settings`` describe, showing live progress on stderr.

    Example:
        >>> settings = TuneSettings("digits", trials=2, storage="sqlite:///rocket.db")
        >>> run_tune(settings)  # doctest: +SKIP
        0
    """
    from rich.console import Console

    console = Console(stderr=True, soft_wrap=True)
    target, settings = _resolve(settings)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = make_sampler(settings.sampler or DEFAULT_SAMPLER, settings.seed or 0, target.space)
    storage = settings.storage or DEFAULT_STORAGE
    study = open_study(storage, target.study_name, target.direction, sampler)
    study.set_user_attr(METRIC_ATTR, target.metric)
    study.set_user_attr(TARGET_ATTR, target.label)
    study.set_user_attr(SPACE_ATTR, target.space.to_dict())
    tally = _Tally(study)
    n_done, cost = tally.counts()
    limits = [f"{settings.trials} trials"] if settings.trials is not None else []
    limits += [f"budget {settings.budget:g}"] if settings.budget is not None else []
    console.print(
        f"[bold]rocket[/] tuning [cyan]{target.label}[/] ({len(target.space)} hyperparameters, "
        f"{target.metric}, {target.direction}) with {settings.sampler}, "
        f"{settings.workers} worker(s); study '{study.study_name}' in {storage}; "
        f"{n_done} trials already done (cost {cost:.3g}); stopping at {' or '.join(limits)}"
    )
    objective = TrialObjective(target.space, target.evaluate, settings.seed or 0)
    by_budget = settings.budget is not None
    total = float(settings.budget or 0.0) if by_budget else float(settings.trials or 0)
    with TuneProgress(console, target.label, total, by_budget) as progress:

        def on_trial(last: str | None = None) -> None:
            n, spent = tally.counts()
            best = best_trial(study)
            progress.update(n, spent, None if best is None else best.value, last)

        on_trial()
        if settings.workers == 1:
            _run_serial(study, objective, settings, on_trial)
        else:
            _run_parallel(study, objective, settings, on_trial)
    return _print_best(study, console)


def _print_best(study: optuna.Study, console: Any) -> int:
    summary = summarize(study)
    if summary.best is None:
        console.print("[yellow]no trial completed yet[/]")
        return 0
    where = "full data" if summary.best_is_full else "data subsets only so far"
    console.print(f"[bold green]best {summary.metric} = {summary.best.value:.4f}[/] "
                  f"(trial {summary.best.number}, {where}; cost spent {summary.cost:.3g})")
    for k, v in summary.best.params.items():
        print(f"{k}: {v}")
    return 0
