"""Ray Tune integration: results in the Optuna storage, failures with reasons, fidelity."""

from __future__ import annotations

import math
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import optuna
import pytest
from optuna.trial import TrialState
from ray_objectives import FIDELITY_PARAM, SPACE, bowl, fraction_echo, misbehaving

from rocket_hpo.agent import META_KEY
from rocket_hpo.errors import UsageError
from rocket_hpo.integrations.ray import _trainable, run_ray
from rocket_hpo.runner import FAIL_KIND, FAIL_REASON, make_storage

optuna.logging.set_verbosity(optuna.logging.WARNING)


def test_the_trainable_gives_the_objective_the_params_and_the_fidelity() -> None:
    config = {"x": 0.5, "kind": "b", "rocket_user_attrs": {FIDELITY_PARAM: 1 / 9}}
    assert _trainable(config, fraction_echo, None)["rocket_value"] == pytest.approx(1 / 9)
    assert _trainable(config, bowl, None)["rocket_value"] == pytest.approx(1.25)


def test_the_trainable_turns_failures_into_reasons() -> None:
    base: dict[str, Any] = {"x": 0.5, "kind": "a", "rocket_user_attrs": {}}
    raised = _trainable({**base, "rocket_trial_number": 3}, misbehaving, None)
    assert raised["rocket_fail_kind"] == "exception" and math.isnan(raised["rocket_value"])
    assert "RuntimeError: diverged" in raised["rocket_fail_reason"]
    nan = _trainable({**base, "rocket_trial_number": 5}, misbehaving, None)
    assert nan["rocket_fail_kind"] == "non-finite"
    hung = _trainable({**base, "rocket_trial_number": 7}, misbehaving, 0.2)
    assert hung["rocket_fail_kind"] == "timeout"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_trials": 0}, "The 'n_trials' parameter must be an integer >= 1. Got 0 instead."),
        ({"max_concurrent": 0}, "The 'max_concurrent' parameter must be an integer >= 1. Got 0 instead."),
        ({"direction": "up"}, "must be 'minimize' or 'maximize'. Got 'up' instead."),
        ({"cpus_per_trial": 0}, "The 'cpus_per_trial' parameter must be a finite number > 0. Got 0 instead."),
        ({"timeout_per_trial": -1}, "must be a finite number of seconds > 0 or None. Got -1 instead."),
        ({"space": {"x": 1}}, "The 'space' parameter must be a rocket_hpo Space"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"space": SPACE, "n_trials": 2, "study_name": "s", **kwargs}
    space = args.pop("space")
    with pytest.raises(UsageError) as info:
        run_ray(bowl, space, **args)
    assert message in str(info.value)


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    # Ray's worker processes import the objectives' module by name: give them its folder.
    here = str(Path(__file__).resolve().parent)
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": here}},
    )
    yield
    ray.shutdown()


def test_ten_trials_on_a_local_ray_cluster_land_in_the_storage(
    ray_cluster: None, tmp_path: Path
) -> None:
    # Ten trials keep this to seconds after Ray's start; benchmarks/runtime/ray_run.py runs 50.
    url = f"sqlite:///{tmp_path}/ray.db"
    before = signal.getsignal(signal.SIGINT)
    counts = run_ray(
        misbehaving,
        SPACE,
        n_trials=10,
        study_name="ray10",
        storage=url,
        timeout_per_trial=1.0,
        ray_dir=str(tmp_path / "ray"),
    )
    assert counts.done == 10 and counts.running == 0 and counts.complete == 7
    # Ray Tune's own Ctrl-C handler is gone: Ctrl-C reaches the caller again.
    assert signal.getsignal(signal.SIGINT) is before
    study = optuna.load_study(study_name="ray10", storage=make_storage(url))
    assert [t.number for t in study.trials] == list(range(10))
    # misbehaving fails trials 3, 5 and 7, each its own way; the others complete.
    kinds = {t.number: t.user_attrs.get(FAIL_KIND) for t in study.trials}
    assert {n: k for n, k in kinds.items() if k} == {3: "exception", 5: "non-finite", 7: "timeout"}
    assert all(t.state == TrialState.COMPLETE for t in study.trials if kinds[t.number] is None)
    assert "RuntimeError: diverged" in study.trials[3].user_attrs[FAIL_REASON]
    # The Rocket sampler proposed every trial, and its agent's state reached the storage.
    assert [t.user_attrs["rocket:origin"] for t in study.trials] == ["policy"] * 10
    meta = study._storage.get_study_system_attrs(study._study_id)[META_KEY]
    assert meta["stage"] >= 1
