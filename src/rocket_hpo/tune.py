"""The tuning loop behind ``rocket tune``: a thin ask/tell loop over an Optuna study.

A target is a built-in task or a YAML study file (see :mod:`rocket_hpo.study_file`). The
study is created or, when it exists, resumed: ``--trials`` counts the trials the study holds
in total, ``--budget`` the cost spent in total, so running the same command again after
Ctrl-C carries on where it stopped.
"""

from __future__ import annotations

import datetime
import functools
import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import optuna

from rocket_hpo import tasks
from rocket_hpo.defaults import DEFAULT_SAMPLER, DEFAULT_STORAGE, DEFAULT_TRIALS
from rocket_hpo.errors import UsageError
from rocket_hpo.progress import TuneProgress
from rocket_hpo.space import Config, Space
from rocket_hpo.summary import (
    METRIC_ATTR,
    SPACE_ATTR,
    TARGET_ATTR,
    best_trial,
    counted_trials,
    summarize,
    trial_cost,
)

__all__ = [
    "SAMPLERS",
    "TaskEvaluate",
    "TrialObjective",
    "TuneSettings",
    "make_sampler",
    "open_study",
    "run_tune",
]


SAMPLERS = ("rocket", "tpe", "random")


def make_sampler(
    name: str,
    seed: int,
    space: Any = None,
    fidelity: Mapping[str, Any] | None = None,
    agent: Mapping[str, Any] | None = None,
) -> optuna.samplers.BaseSampler:
    """The sampler called ``name``, seeded; ``fidelity`` settings (a study file's
    ``fidelity`` section) put it on the data-subset ladder.

    ``rocket`` always runs on the ladder (default 1/27, 1/9, 1/3, 1 of the data) unless
    ``fidelity`` says ``enabled: false``; ``tpe`` and ``random`` run on the full data unless
    a ``fidelity`` section is given. ``agent`` overrides Rocket's agent settings.

    Example:
        >>> make_sampler("random", 0).__class__.__name__
        'RandomSampler'
    """
    from rocket_hpo.study_file import fidelity_scheduler

    scheduler = fidelity_scheduler(fidelity, default_on=(name == "rocket"))
    if name == "rocket":
        from rocket_hpo.sampler import RocketSampler

        try:
            return RocketSampler(space, seed=seed, fidelity=scheduler, **dict(agent or {}))
        except (TypeError, ValueError) as e:  # e.g. a model folder that is not there
            raise UsageError(f"Cannot build the Rocket sampler: {e}") from None
    base: optuna.samplers.BaseSampler
    if name == "tpe":
        base = optuna.samplers.TPESampler(seed=seed)
    elif name == "random":
        base = optuna.samplers.RandomSampler(seed=seed)
    else:
        raise UsageError(f"Unknown sampler {name!r}; choose one of: {', '.join(SAMPLERS)}.")
    if scheduler is None:
        return base
    from rocket_hpo.fidelity import FidelitySampler

    return FidelitySampler(base, scheduler)


def open_study(
    storage: str,
    study_name: str,
    direction: Literal["minimize", "maximize"],
    sampler: optuna.samplers.BaseSampler,
) -> optuna.Study:
    """Create the study or load it to resume; a bad storage URL is a :class:`UsageError`."""
    from rocket_hpo.runner import make_storage

    try:
        return optuna.create_study(
            storage=make_storage(storage),
            study_name=study_name,
            direction=direction,
            sampler=sampler,
            load_if_exists=True,
        )
    except UsageError:
        raise
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
    agent: dict[str, Any] = field(default_factory=dict)


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
            agent=spec.agent,
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
            agent=spec.agent if spec else {},
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


def _counts(study: optuna.Study) -> tuple[int, float]:
    """Trials that count towards ``--trials`` and the cost they spent (``--budget``)."""
    counted = counted_trials(study)
    return len(counted), sum(trial_cost(t) for t in counted)


def _rounds(study: optuna.Study, settings: TuneSettings) -> Iterator[int]:
    """Successive ``n_trials`` targets for the runner until the trial count or the budget
    is reached. Under a budget, a round asks for as many trials as the remaining budget
    pays even if each ran on the full data (at least one per worker): the runner cannot be
    stopped mid-round, so this keeps the overshoot within the last round's extra trials."""
    workers = settings.workers or 1
    previous = -1
    while True:
        n, cost = _counts(study)
        if settings.trials is not None and n >= settings.trials:
            return
        if n == previous:  # the runner made no progress (cannot happen; never loop forever)
            return
        previous = n
        if settings.budget is None:
            yield settings.trials or n
            continue
        left = settings.budget - cost
        if left <= 1e-9:
            return
        more = 1 if workers == 1 else max(workers, math.floor(left))
        yield n + more if settings.trials is None else min(n + more, settings.trials)


class _Watcher:
    """Refreshes the display from the storage while worker processes run the trials."""

    def __init__(self, refresh: Callable[[], None], every: float = 1.0) -> None:
        self._refresh, self._every = refresh, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self._refresh()

    def __enter__(self) -> _Watcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_tune(settings: TuneSettings) -> int:
    """Run (or resume) the study ``settings`` describe, showing live progress on stderr.

    Trials run through :func:`rocket_hpo.runner.optimize`: a failing objective gives a
    failed trial with its reason, and ``--workers K`` starts K processes on the storage.

    Example:
        >>> settings = TuneSettings("digits", trials=2, storage="sqlite:///rocket.db")
        >>> run_tune(settings)  # doctest: +SKIP
        0
    """
    from rich.console import Console

    from rocket_hpo.runner import optimize

    console = Console(stderr=True, soft_wrap=True)
    target, settings = _resolve(settings)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler_name, seed = settings.sampler or DEFAULT_SAMPLER, settings.seed or 0
    factory = functools.partial(make_sampler, sampler_name, seed, target.space, target.fidelity,
                                target.agent)
    storage = settings.storage or DEFAULT_STORAGE
    workers = settings.workers or 1
    if workers > 1 and storage == "memory":
        raise UsageError("--workers > 1 needs a database storage (sqlite:///file.db or "
                         "postgresql://...), not 'memory'.")
    study = open_study(storage, target.study_name, target.direction, factory())
    study.set_user_attr(METRIC_ATTR, target.metric)
    study.set_user_attr(TARGET_ATTR, target.label)
    study.set_user_attr(SPACE_ATTR, target.space.to_dict())
    n_done, cost = _counts(study)
    limits = [f"{settings.trials} trials"] if settings.trials is not None else []
    limits += [f"budget {settings.budget:g}"] if settings.budget is not None else []
    console.print(
        f"[bold]rocket[/] tuning [cyan]{target.label}[/] ({len(target.space)} hyperparameters, "
        f"{target.metric}, {target.direction}) with {sampler_name}, {workers} worker(s); "
        f"study '{study.study_name}' in {storage}; {n_done} trials already done "
        f"(cost {cost:.3g}); stopping at {' or '.join(limits)}"
    )
    objective = TrialObjective(target.space, target.evaluate, seed)
    by_budget = settings.budget is not None
    total = float(settings.budget or 0.0) if by_budget else float(settings.trials or 0)
    seen = {t.number for t in counted_trials(study)}
    lock = threading.Lock()
    with TuneProgress(console, target.label, total, by_budget) as progress:

        def refresh() -> None:
            with lock:
                counted = counted_trials(study)
                new = [t for t in counted if t.number not in seen]
                seen.update(t.number for t in new)
                best = best_trial(study)
                spent = sum(trial_cost(t) for t in counted)
                for t in new:
                    what = (f"{t.value:.4g}" if t.value is not None
                            else f"failed ({t.user_attrs.get('fail_reason', '?')})")
                    last = f"trial {t.number} (fraction {trial_cost(t):.3g}): {what}"
                    progress.update(len(counted), spent, None if best is None else best.value,
                                    last)
                if not new:
                    progress.update(len(counted), spent, None if best is None else best.value)

        refresh()
        started = datetime.datetime.now()
        try:
            for n_trials in _rounds(study, settings):
                if workers == 1:
                    optimize(study, objective, n_trials=n_trials,
                             callbacks=[lambda study, trial: refresh()])
                else:
                    with _Watcher(refresh):
                        optimize(study, objective, n_trials=n_trials, n_workers=workers,
                                 sampler_factory=factory)
                    refresh()
        except KeyboardInterrupt:
            if workers == 1:
                _fail_interrupted_asks(study, started)
            raise
    return _print_best(study, console)


def _fail_interrupted_asks(study: optuna.Study, since: datetime.datetime) -> None:
    """Fail the trial Ctrl-C caught outside the objective (while it was asked for or told),
    which the runner did not record: else it stays RUNNING until its heartbeat goes stale
    and a resumed run waits for it. This process runs one trial at a time, so that is the
    newest running trial started by this run."""
    from rocket_hpo.runner import FAIL_KIND, FAIL_REASON

    running = [t for t in study.get_trials(deepcopy=False,
                                           states=(optuna.trial.TrialState.RUNNING,))
               if t.datetime_start is not None and t.datetime_start >= since]
    if not running:
        return
    t = max(running, key=lambda t: t.number)
    study._storage.set_trial_user_attr(t._trial_id, FAIL_KIND, "interrupted")
    study._storage.set_trial_user_attr(t._trial_id, FAIL_REASON, "interrupted: Ctrl-C")
    study.tell(t.number, state=optuna.trial.TrialState.FAIL)


def _print_best(study: optuna.Study, console: Any) -> int:
    summary = summarize(study)
    if summary.best is None:
        failed = [t for t in counted_trials(study) if t.state.name == "FAIL"]
        reason = failed[-1].user_attrs.get("fail_reason", "") if failed else ""
        console.print("[yellow]no trial completed yet[/]" +
                      (f"; the last failure: {reason}" if reason else ""))
        return 0
    where = "full data" if summary.best_is_full else "data subsets only so far"
    console.print(f"[bold green]best {summary.metric} = {summary.best.value:.4f}[/] "
                  f"(trial {summary.best.number}, {where}; cost spent {summary.cost:.3g})")
    for k, v in summary.best.params.items():
        print(f"{k}: {v}")
    return 0
