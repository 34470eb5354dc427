"""The tuning loop behind ``rocket tune``: a thin ask/tell loop over an Optuna study.

A target is a built-in task or a YAML study file (see :mod:`rocket_hpo.app.study_file`). The
study is created or, when it exists, resumed: ``--trials`` counts the trials the study holds
in total, ``--budget`` the cost spent in total, so running the same command again after
Ctrl-C carries on where it stopped. Several workers share the trial count and the budget
(no rounds): each asks for a trial only while what is not yet committed pays for it.

``run_tune`` returns 0 when the study has a best trial and :data:`ALL_FAILED` when every
trial failed.
"""

from __future__ import annotations

import datetime
import functools
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import optuna

from rocket_hpo import tasks
from rocket_hpo._text import format_score
from rocket_hpo.app.defaults import DEFAULT_SAMPLER, DEFAULT_STORAGE, DEFAULT_TRIALS
from rocket_hpo.app.progress import TuneProgress, Watcher
from rocket_hpo.app.samplers import fidelity_scheduler, make_sampler
from rocket_hpo.errors import UsageError
from rocket_hpo.keys import (
    AUDIT,
    CHECK_OF,
    FAIL_REASON,
    FIDELITY_PARAM,
    METRIC_ATTR,
    PROMOTED_FROM,
    SPACE_ATTR,
    TARGET_ATTR,
    data_fraction,
    trial_cost,
)
from rocket_hpo.runner import best_trial, counted_trials, summarize
from rocket_hpo.space import Space
from rocket_hpo.tasks.base import TrialObjective
from rocket_hpo.tasks.objective import FileObjective, TaskEvaluate

__all__ = ["ALL_FAILED", "TuneSettings", "run_tune"]


ALL_FAILED = 3
"""``rocket tune``'s exit code when no trial of the study completed (every one failed)."""

_SETTING_KEYS = ("trials", "budget", "storage", "workers", "seed", "study_name", "sampler",
                 "timeout_per_trial")


@dataclass
class TuneSettings:
    """What ``rocket tune`` was asked to do; ``None`` means "take it from the study file,
    else the default"."""

    target: str = "digits"
    """A task name or a study file (``.yaml``/``.yml``)."""
    trials: int | None = None
    """Trials the study should hold when done (finished ones count, so a rerun resumes)."""
    budget: float | None = None
    """Cost limit in full-data equivalents (:func:`rocket_hpo.keys.trial_cost`): a built-in
    task's trial costs the compute it used relative to the full-data run (about 1/9 on 1/9
    of the data, more when the step cap binds); another objective's, its data fraction."""
    storage: str | None = None
    workers: int | None = None
    seed: int | None = None
    study_name: str | None = None
    sampler: str | None = None
    timeout_per_trial: float | None = None
    """Seconds one trial may run; past it the trial fails and its process is ended."""
    verbose: bool = False
    """One line per finished trial with its configuration (above the live bar)."""
    reference: bool = True
    """A built-in task's study starts with the task's reference configuration (the
    practitioner default), on the full data: the answer is then never worse than the default
    on validation, and the policy starts from a known good result. Costs one full-data
    training of the budget; ``--no-reference`` skips it."""


@dataclass
class _Target:
    label: str
    study_name: str
    space: Space
    direction: Literal["minimize", "maximize"]
    metric: str
    evaluate: Callable[..., Any]
    """Returns the score, or a task's ``EvalResult`` (whose compute the trial records)."""
    fidelity: dict[str, Any]
    agent: dict[str, Any] = field(default_factory=dict)
    fidelity_defaults: dict[str, Any] = field(default_factory=dict)
    """Fidelity settings the task declares, where ``fidelity`` does not set them."""
    full_data_reason: str | None = None
    """Why the objective cannot run on data subsets (``None``: it can)."""
    reference: dict[str, Any] | None = None
    """A configuration to evaluate first, on the full data (a task's reference)."""


def _resolve(settings: TuneSettings) -> tuple[_Target, TuneSettings]:
    """The target to tune and the settings with study-file values and defaults filled in."""
    from rocket_hpo.app.study_file import load_study_file

    if settings.target.endswith((".yaml", ".yml")):
        spec = load_study_file(settings.target)
        file_values = {k: getattr(spec, k) for k in _SETTING_KEYS}
    else:
        spec, file_values = None, {}
    merged = TuneSettings(target=settings.target, verbose=settings.verbose,
                          reference=settings.reference)
    for key, value in file_values.items():
        setattr(merged, key, value)
    for key in _SETTING_KEYS:
        if getattr(settings, key) is not None:  # the command line wins over the file
            setattr(merged, key, getattr(settings, key))
    if spec is not None and spec.objective is not None and spec.space is not None:
        evaluate = FileObjective(spec.objective, spec.folder)
        fidelity, reason = spec.fidelity, None
        if not evaluate.accepts("fraction") and not spec.fidelity:
            fidelity = {"enabled": False}
            reason = f"the objective {spec.objective} takes no 'fraction' argument"
        target = _Target(
            label=spec.objective, study_name=merged.study_name or spec.objective,
            space=spec.space, direction=spec.direction, metric=spec.metric,
            evaluate=evaluate, fidelity=fidelity, agent=spec.agent, full_data_reason=reason,
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
            reference=dict(task.reference) if settings.reference else None,
            # its ladder starts where a subset still holds enough rows to rank by, and
            # promotions follow the transfer rules it declares
            fidelity_defaults={"min_fraction": task.min_fraction,
                               **({"transfer": task.transfer} if task.transfer else {})},
        )
    merged.study_name = target.study_name
    merged.storage = merged.storage or DEFAULT_STORAGE
    merged.workers = 1 if merged.workers is None else merged.workers
    merged.seed = 0 if merged.seed is None else merged.seed
    merged.sampler = merged.sampler or DEFAULT_SAMPLER
    if merged.trials is None and merged.budget is None:
        merged.trials = DEFAULT_TRIALS
    for key, low in (("trials", 1), ("workers", 1), ("seed", 0)):
        value = getattr(merged, key)
        if value is not None and value < low:
            raise UsageError(f"--{key} must be >= {low}. Got {value}.")
    for key in ("budget", "timeout_per_trial"):
        value = getattr(merged, key)
        if value is not None and not (value > 0 and math.isfinite(value)):
            raise UsageError(f"--{key.replace('_', '-')} must be a number > 0. Got {value}.")
    return target, merged


def _subsets_line(target: _Target, sampler_name: str) -> str:
    """One line saying whether trials run on data subsets, and why."""
    scheduler = fidelity_scheduler(target.fidelity, default_on=(sampler_name == "rocket"),
                                   defaults=target.fidelity_defaults)
    if scheduler is not None:
        rungs = ", ".join(f"{f:.3g}" for f in scheduler.ladder.fractions)
        how = ("new configurations run on the full data until checks show a subset ranks "
               "like it, then start there and the promising are promoted"
               if scheduler.promotion == "gain" else
               "promising configurations are promoted to larger ones")
        rules = "".join(f"; on promotion {r.param} x ({r.by} ratio)^{r.power:g}"
                        for r in scheduler.transfer.rules)
        return (f"data subsets: on (fractions {rungs}; {how}{rules}; "
                f"'fidelity: {{enabled: false}}' turns them off)")
    if target.full_data_reason is not None:
        why = target.full_data_reason
    elif target.fidelity.get("enabled") is False:
        why = "the study file says 'fidelity: {enabled: false}'"
    else:
        why = f"the {sampler_name} sampler uses them only with a 'fidelity' section"
    return f"data subsets: off ({why}); every trial runs on the full data"


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

    from rocket_hpo.runner import display_url, fail_interrupted_ask, open_study, optimize

    console = Console(stderr=True, soft_wrap=True)
    target, settings = _resolve(settings)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler_name, seed = settings.sampler or DEFAULT_SAMPLER, settings.seed or 0
    factory = functools.partial(make_sampler, sampler_name, seed, target.space, target.fidelity,
                                target.agent, target.fidelity_defaults)
    storage = settings.storage or DEFAULT_STORAGE
    workers = settings.workers or 1
    if workers > 1 and storage == "memory":
        raise UsageError("--workers > 1 needs a database storage (sqlite:///file.db or "
                         "postgresql://...), not 'memory'.")
    study = open_study(storage, target.study_name, target.direction, factory())
    study.set_user_attr(METRIC_ATTR, target.metric)
    study.set_user_attr(TARGET_ATTR, target.label)
    study.set_user_attr(SPACE_ATTR, target.space.to_dict())
    starts_with_reference = False
    if target.reference is not None and not study.get_trials(deepcopy=False):
        # A new study: the reference runs first, on the full data (the subset scheduler keeps
        # a fraction the trial already carries).
        study.enqueue_trial(target.reference, user_attrs={FIDELITY_PARAM: 1.0})
        starts_with_reference = True
    counted = counted_trials(study)
    n_done, cost = len(counted), sum(trial_cost(t) for t in counted)
    limits = [f"{settings.trials} trials"] if settings.trials is not None else []
    limits += [f"budget {settings.budget:g}"] if settings.budget is not None else []
    console.print(
        f"[bold]rocket[/] tuning [cyan]{target.label}[/] ({len(target.space)} hyperparameters, "
        f"{target.metric}, {target.direction}) with {sampler_name}, {workers} worker(s); "
        f"study '{study.study_name}' in {display_url(storage)}; {n_done} trials already done "
        f"(cost {cost:.3g}); stopping at {' or '.join(limits)}"
        + (f"; {settings.timeout_per_trial:g} s per trial at most"
           if settings.timeout_per_trial is not None else "")
    )
    console.print(_subsets_line(target, sampler_name), markup=False)
    if starts_with_reference:
        console.print("first trial: the task's reference configuration, on the full data "
                      "(--no-reference skips it)", markup=False)
    objective = TrialObjective(target.space, target.evaluate, seed)
    by_budget = settings.budget is not None
    total = float(settings.budget or 0.0) if by_budget else float(settings.trials or 0)
    seen = {t.number for t in counted}
    lock = threading.Lock()
    with TuneProgress(console, target.label, total, by_budget, settings.verbose) as progress:

        def refresh() -> None:
            with lock:
                counted = counted_trials(study)
                new = [t for t in counted if t.number not in seen]
                seen.update(t.number for t in new)
                best = best_trial(study)
                spent = sum(trial_cost(t) for t in counted)
                failed = sum(t.state == optuna.trial.TrialState.FAIL for t in counted)
                value = None if best is None else best.value
                for t in new:
                    last = trial_line(t)
                    if settings.verbose:
                        last += "  " + ", ".join(f"{k}={_short(v)}" for k, v in t.params.items())
                    progress.update(len(counted), spent, value, last, failed)
                if not new:
                    progress.update(len(counted), spent, value, failed=failed)

        refresh()
        started = datetime.datetime.now()
        try:
            if workers == 1:
                optimize(study, objective, n_trials=settings.trials, budget=settings.budget,
                         timeout_per_trial=settings.timeout_per_trial,
                         callbacks=[lambda study, trial: refresh()])
            else:
                with Watcher(refresh):
                    optimize(study, objective, n_trials=settings.trials,
                             budget=settings.budget, n_workers=workers,
                             timeout_per_trial=settings.timeout_per_trial,
                             sampler_factory=factory)
                refresh()
        except KeyboardInterrupt:
            if workers == 1:
                fail_interrupted_ask(study, started)
            raise
    return _print_best(study, console)


def trial_line(t: optuna.trial.FrozenTrial) -> str:
    """One finished trial in the progress log: its number, data fraction, why it ran on that
    fraction when the subset scheduler re-ran a configuration (a check of a full-data trial,
    a promotion or an audit), and its score or why it failed."""
    where = f"fraction {data_fraction(t):.3g}"
    if CHECK_OF in t.user_attrs:
        where += f", check of trial {t.user_attrs[CHECK_OF]}"
    elif PROMOTED_FROM in t.user_attrs:
        kind = "audit" if t.user_attrs.get(AUDIT) else "promoted"
        where += f", {kind} from trial {t.user_attrs[PROMOTED_FROM]}"
    what = (format_score(t.value) if t.value is not None
            else f"failed ({t.user_attrs.get(FAIL_REASON, '?')})")
    return f"trial {t.number} ({where}): {what}"


def _short(value: Any) -> str:
    """A parameter value in a one-line trial record (floats to four significant digits)."""
    return format_score(value) if isinstance(value, float) else str(value)


def _print_best(study: optuna.Study, console: Any) -> int:
    summary = summarize(study)
    if summary.best is None:
        failed = [t for t in counted_trials(study) if t.state.name == "FAIL"]
        reason = failed[-1].user_attrs.get(FAIL_REASON, "") if failed else ""
        console.print(f"rocket: every trial failed ({len(failed)} trials); no best "
                      f"configuration" + (f"; the last failure: {reason}" if reason else ""),
                      markup=False, highlight=False)
        return ALL_FAILED
    where = "full data" if summary.best_is_full else "data subsets only so far"
    console.print(f"[bold green]best {summary.metric} = {format_score(summary.best.value)}[/] "
                  f"(trial {summary.best.number}, {where}; cost spent {summary.cost:.3g})")
    for k, v in summary.best.params.items():
        print(f"{k}: {v}")
    return 0
