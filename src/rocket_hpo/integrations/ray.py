"""Run a Rocket study on a Ray cluster through Ray Tune, with results in an Optuna storage.

Ray Tune's :class:`ray.tune.search.optuna.OptunaSearch` drives the study: in the driver
process it asks the study's sampler (``RocketSampler`` by default) for each trial and
tells it the result, writing into the same Optuna storage that :func:`rocket_hpo.runner.
optimize` and every Optuna tool read. Ray runs the objective on the cluster's workers.

The objective is the same ``objective(trial)`` as for ``optimize``: on a Ray worker it
gets an :class:`optuna.trial.FixedTrial` holding the parameters the sampler chose and the
trial's user attributes, so ``rocket_hpo.fidelity.data_fraction(trial)`` gives the data
fraction the fidelity scheduler picked, as it does locally. Failures (exception, NaN/inf,
timeout) become failed trials with the reason in ``fail_reason``, as with ``optimize``.

Example (needs ``pip install 'rocket-hpo[ray]'``):
    >>> import ray                                                     # doctest: +SKIP
    >>> from rocket_hpo.space import Float, Space
    >>> space = Space(x=Float(-1.0, 1.0))
    >>> def objective(trial):
    ...     return space.suggest(trial)["x"] ** 2
    >>> ray.init(num_cpus=2)                                           # doctest: +SKIP
    >>> run_ray(objective, space, storage="sqlite:///ray.db", study_name="demo",
    ...         n_trials=20)                                           # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import json
import math
import signal
import tempfile
import threading
from collections.abc import Callable
from typing import Any, Literal

import optuna
from optuna.trial import TrialState

from rocket_hpo._checks import (
    check_callable,
    check_choice,
    check_instance,
    check_int,
    check_number,
)
from rocket_hpo.errors import UsageError
from rocket_hpo.keys import RAY_ATTRS, RAY_KIND, RAY_METRIC, RAY_NUMBER, RAY_REASON
from rocket_hpo.runner import FAIL_KIND, FAIL_REASON, TrialCounts, count_trials, make_storage
from rocket_hpo.runner._failures import call_objective
from rocket_hpo.runner._storage import quiet_heartbeat_warnings
from rocket_hpo.space import Space

__all__ = ["run_ray"]



def _trainable(
    config: dict[str, Any],
    objective: Callable[[optuna.Trial], Any],
    timeout: float | None,
) -> dict[str, Any]:
    """One trial on a Ray worker: the objective on a FixedTrial, its outcome as metrics."""
    params = {k: v for k, v in config.items() if k not in (RAY_ATTRS, RAY_NUMBER)}
    trial = optuna.trial.FixedTrial(params, number=int(config.get(RAY_NUMBER, 0)))
    for key, value in dict(config.get(RAY_ATTRS) or {}).items():
        trial.set_user_attr(key, value)
    outcome = call_objective(objective, trial, timeout)  # type: ignore[arg-type]
    if outcome.values is not None:
        return {RAY_METRIC: outcome.values[0]}
    # Tune insists on the metric in every result; NaN marks "no value" (kind says why).
    if outcome.pruned:
        return {RAY_METRIC: math.nan, RAY_KIND: "pruned", RAY_REASON: "pruned"}
    return {RAY_METRIC: math.nan, RAY_KIND: outcome.kind, RAY_REASON: outcome.reason}


def _search_class() -> type:
    """``OptunaSearch`` with failure reasons, driver-side heartbeats and storage-only state."""
    from ray.tune.search.optuna import OptunaSearch

    class RocketSearch(OptunaSearch):  # type: ignore[misc,unused-ignore]
        def __init__(self, *args: Any, heartbeat: int | None = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._heartbeat = heartbeat
            self._stop = threading.Event()
            if heartbeat is not None:
                threading.Thread(target=self._beat, daemon=True, name="rocket-ray-hb").start()

        def _beat(self) -> None:
            # Ray runs the trials elsewhere, and the driver lives as long as they do: it
            # records their heartbeats, so a killed driver leaves stale trials that a
            # resumed study re-runs.
            assert self._heartbeat is not None
            while not self._stop.wait(self._heartbeat):
                study: Any = self._ot_study
                for trial_id, ot_trial in list(self._ot_trials.items()):
                    if trial_id in self._completed_trials or study is None:
                        continue
                    with contextlib.suppress(Exception):  # a hiccup; the next beat retries
                        study._storage.record_heartbeat(ot_trial._trial_id)

        def suggest(self, trial_id: str) -> dict[str, Any] | None:
            with quiet_heartbeat_warnings():  # heartbeats are recorded by _beat, see there
                config: dict[str, Any] | None = super().suggest(trial_id)
            return config

        def on_trial_result(self, trial_id: str, result: dict[str, Any]) -> None:
            pass  # one final result per trial; it is told in on_trial_complete

        def on_trial_complete(
            self, trial_id: str, result: dict[str, Any] | None = None, error: bool = False
        ) -> None:
            if trial_id in self._completed_trials or trial_id not in self._ot_trials:
                return
            ot_trial = self._ot_trials[trial_id]
            study: Any = self._ot_study
            kind = (result or {}).get(RAY_KIND)
            if kind == "pruned":
                study.tell(ot_trial, state=TrialState.PRUNED)
            elif kind is not None or error or not result or RAY_METRIC not in result:
                reason = (result or {}).get(RAY_REASON) or "exception: the Ray trial errored"
                ot_trial.set_user_attr(FAIL_REASON, reason)
                ot_trial.set_user_attr(FAIL_KIND, kind or "exception")
                study.tell(ot_trial, state=TrialState.FAIL)
            else:
                study.tell(ot_trial, float(result[RAY_METRIC]))
            self._completed_trials.add(trial_id)

        def __getstate__(self) -> dict[str, Any]:
            # Tune pickles its searcher for Tuner.restore. All of the study's state is in
            # the Optuna storage, so the copy leaves out the live study, the sampler (which
            # may hold locks) and the heartbeat thread; a study is resumed through the
            # storage (run_ray again with the same study), not through Tuner.restore.
            state = self.__dict__.copy()
            state.update(_sampler=None, _ot_study=None, _ot_trials={}, _stop=None)
            return state

        def save(self, checkpoint_path: str) -> None:
            study: Any = self._ot_study
            with open(checkpoint_path, "w") as f:
                json.dump({"study_name": None if study is None else study.study_name}, f)

        def restore(self, checkpoint_path: str) -> None:
            pass

        def stop(self) -> None:
            if self._stop is not None:
                self._stop.set()

    return RocketSearch


def run_ray(
    objective: Callable[[optuna.Trial], Any],
    space: Space,
    *,
    n_trials: int,
    study_name: str,
    storage: str | None = None,
    direction: Literal["minimize", "maximize"] = "minimize",
    sampler: optuna.samplers.BaseSampler | None = None,
    seed: int = 0,
    max_concurrent: int = 2,
    timeout_per_trial: float | None = None,
    cpus_per_trial: float = 1.0,
    ray_dir: str | None = None,
) -> TrialCounts:
    """Run the study ``study_name`` on the Ray cluster until it holds ``n_trials`` done trials.

    As with :func:`rocket_hpo.runner.optimize`, ``n_trials`` is the study's total: a study
    continued (by Ray or by local workers) runs only the missing trials. Ray is started
    with ``ray.init()`` unless it already is (call ``ray.init(address=...)`` first to use
    a cluster).

    Args:
        objective: ``objective(trial) -> float``; ``trial`` is a ``FixedTrial`` with the
            chosen parameters (``space.suggest(trial)`` returns them) and user attributes.
        space: The search space; the driver asks the sampler for it before each trial.
        n_trials: Done trials the study must hold at the end (>= 1).
        study_name: The Optuna study, created if missing.
        storage: Storage URL (default ``sqlite:///rocket.db``; PostgreSQL for clusters
            whose workers share no disk is not needed: only the driver writes).
        direction: ``"minimize"`` or ``"maximize"``.
        sampler: Default ``RocketSampler(space, seed=seed)``.
        seed: Seed of the default sampler.
        max_concurrent: Trials running at once (>= 1).
        timeout_per_trial: Seconds one objective call may run; ``None`` = no limit.
        cpus_per_trial: CPUs Ray reserves for each trial (> 0).
        ray_dir: Folder for Ray Tune's own files; default a temporary folder.

    Returns:
        How the study's trials stand at the end.
    """
    check_instance("space", space, Space, "a rocket_hpo Space")
    check_callable("objective", objective)
    check_int("n_trials", n_trials, 1)
    check_int("max_concurrent", max_concurrent, 1)
    check_choice("direction", direction, ("minimize", "maximize"))
    check_number("cpus_per_trial", cpus_per_trial, 0, open_low=True)
    check_number("timeout_per_trial", timeout_per_trial, 0, open_low=True, unit=" of seconds",
                 none=True)
    try:
        import ray
        from ray import tune
        from ray.tune.search import ConcurrencyLimiter
    except ImportError:
        raise UsageError(
            "Ray is not installed; install it with pip install 'rocket-hpo[ray]'."
        ) from None

    store = make_storage(storage)
    if sampler is None:
        from rocket_hpo.sampler import RocketSampler

        sampler = RocketSampler(space, seed=seed)
    study = optuna.create_study(
        storage=store, study_name=study_name, direction=direction, load_if_exists=True
    )
    from rocket_hpo.runner import fail_lost_trials

    fail_lost_trials(study)  # trials of a killed earlier driver are queued again first
    counts = count_trials(study)
    remaining = n_trials - counts.done
    if remaining <= 0:
        return counts

    def define(trial: Any) -> dict[str, Any]:
        space.suggest(trial)
        return {RAY_ATTRS: dict(trial.user_attrs), RAY_NUMBER: trial.number}

    search = _search_class()(
        space=define,
        metric=RAY_METRIC,
        mode="min" if direction == "minimize" else "max",
        sampler=sampler,
        study_name=study_name,
        storage=store,
        heartbeat=getattr(store, "heartbeat_interval", None),
    )
    if not ray.is_initialized():
        ray.init()
    trainable = tune.with_resources(
        tune.with_parameters(_trainable, objective=objective, timeout=timeout_per_trial),
        {"cpu": cpus_per_trial},
    )
    folder = ray_dir or tempfile.mkdtemp(prefix="rocket-ray-")
    tuner = tune.Tuner(
        trainable,
        tune_config=tune.TuneConfig(
            search_alg=ConcurrencyLimiter(search, max_concurrent=max_concurrent),
            num_samples=remaining,
            # A fresh actor per trial costs seconds of imports; trials share no state.
            reuse_actors=True,
        ),
        run_config=tune.RunConfig(name=study_name, storage_path=folder, verbose=0),
    )
    # Ray Tune installs its own SIGINT and SIGUSR1 handlers and leaves them after the run,
    # so a later Ctrl-C in the caller's process would only be logged: put the caller's back.
    handlers = _signal_handlers()
    try:
        tuner.fit()
    finally:
        search.stop()
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    return count_trials(study)


def _signal_handlers() -> dict[int, Any]:
    """The current SIGINT/SIGUSR1 handlers (none off the main thread: they cannot be set)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    names = ("SIGINT", "SIGUSR1")
    return {int(getattr(signal, n)): signal.getsignal(getattr(signal, n))
            for n in names if hasattr(signal, n)}
