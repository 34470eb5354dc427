"""The tuning loop behind ``rocket tune``: a thin ask/tell loop over an Optuna study."""

from __future__ import annotations

import math
import time
from typing import Any, Literal

import optuna

from rocket_hpo import tasks
from rocket_hpo.errors import UsageError

__all__ = ["make_sampler", "open_study", "run_tune"]


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


def run_tune(
    task_name: str,
    n_trials: int,
    storage: str,
    study_name: str | None,
    seed: int,
    sampler_name: str,
) -> int:
    from rich.console import Console

    console = Console(stderr=True)
    if n_trials < 1:
        raise UsageError(f"--trials must be >= 1. Got {n_trials}.")
    try:
        task = tasks.get(task_name)
    except KeyError as e:
        raise UsageError(e.args[0]) from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = open_study(
        storage,
        study_name or f"rocket-{task.name}",
        task.direction,
        make_sampler(sampler_name, seed),
    )
    done = len([t for t in study.trials if t.state.is_finished()])
    remaining = max(0, n_trials - done)
    console.print(
        f"[bold]rocket[/] tuning [cyan]{task.name}[/] ({len(task.space)} hyperparameters, "
        f"{task.metric}, {task.direction}) with {sampler_name}; study "
        f"'{study.study_name}' in {storage}; {done} trials already done, {remaining} to run"
    )
    start = time.perf_counter()
    for i in range(remaining):
        trial = study.ask()
        try:
            value = task.objective(trial, seed=seed)
        except tasks.DivergenceError as e:
            trial.set_user_attr("fail_reason", str(e))
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            console.print(f"  trial {trial.number:4d} failed: {e}")
            continue
        except BaseException:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            raise
        study.tell(trial, value)
        elapsed = time.perf_counter() - start
        eta = elapsed / (i + 1) * (remaining - i - 1)
        best = study.best_value
        mark = "*" if math.isclose(value, best) else " "
        console.print(
            f" {mark}trial {trial.number:4d}  {task.metric}={value:.4f}  best={best:.4f}  "
            f"[dim]{elapsed:6.1f}s elapsed, ~{eta:5.1f}s left[/]"
        )
    best_trial = study.best_trial
    console.print(
        f"[bold green]best {task.metric} = {best_trial.value:.4f}[/] (trial {best_trial.number})"
    )
    for k, v in best_trial.params.items():
        print(f"{k}: {v}")
    return 0
