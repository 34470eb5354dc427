"""``optimize``: the n_trials total, resuming, validation, and worker processes on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState
from runner_objectives import Recording, evaluations, quadratic

from rocket_hpo.errors import UsageError
from rocket_hpo.runner import count_trials, make_storage, optimize

optuna.logging.set_verbosity(optuna.logging.WARNING)


def test_n_trials_is_the_study_total_so_a_second_call_resumes() -> None:
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    seen: list[int] = []
    assert (
        optimize(study, quadratic, n_trials=5, callbacks=[lambda s, t: seen.append(t.number)]).done
        == 5
    )
    assert optimize(study, quadratic, n_trials=8).done == 8
    assert optimize(study, quadratic, n_trials=3).done == 8  # nothing to do
    assert seen == [0, 1, 2, 3, 4]
    assert len(study.trials) == 8


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_trials": 0}, "The 'n_trials' parameter must be an integer >= 1 or None. Got 0 instead."),
        ({"n_trials": 2.0}, "The 'n_trials' parameter must be an integer >= 1 or None. Got 2.0 instead."),
        ({"n_workers": 0}, "The 'n_workers' parameter must be an integer >= 1. Got 0 instead."),
        ({"timeout_per_trial": -1}, "The 'timeout_per_trial' parameter must be a finite number"),
        ({"timeout_per_trial": "5"}, "Got '5' instead."),
        ({"poll_interval": 0}, "The 'poll_interval' parameter must be a finite number"),
        ({"max_restarts": -1}, "The 'max_restarts' parameter must be an integer >= 0. Got -1"),
        ({"n_workers": 2}, "needs a storage that other processes can open"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"n_trials": 3, **kwargs}
    with pytest.raises(UsageError) as info:
        optimize(optuna.create_study(), quadratic, **args)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_bad_study_and_objective_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"'study' parameter must be an optuna\.Study"):
        optimize("study", quadratic, n_trials=1)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="'objective' parameter must be a callable"):
        optimize(optuna.create_study(), 3, n_trials=1)  # type: ignore[arg-type]
    study = optuna.create_study(storage=f"sqlite:///{tmp_path}/s.db")
    with pytest.raises(UsageError, match="'objective' parameter must be picklable"):
        optimize(study, lambda t: 0.0, n_trials=1, n_workers=2)


@pytest.mark.postgres
def test_two_workers_on_postgresql_lose_and_duplicate_no_trial(
    pg_url: str, study_name: str, tmp_path: Path
) -> None:
    storage = make_storage(pg_url, heartbeat_interval=1, grace_period=3)
    study = optuna.create_study(
        storage=storage, study_name=study_name, sampler=optuna.samplers.RandomSampler(seed=0)
    )
    counts = optimize(study, Recording(str(tmp_path), sleep=0.01), n_trials=40, n_workers=2)
    assert counts.done == counts.complete == 40
    assert counts.lost == counts.running == counts.waiting == 0
    complete = sorted(t.number for t in study.trials if t.state == TrialState.COMPLETE)
    assert evaluations(tmp_path) == complete  # every evaluation recorded, each once
    assert len({tuple(t.params.items()) for t in study.trials if t.params}) == 40
    assert len(study.trials) == 40 + counts.surplus
    # A second process joining later by URL finds the study done.
    again = optuna.load_study(study_name=study_name, storage=make_storage(pg_url))
    assert optimize(again, quadratic, n_trials=40).done == 40
    assert count_trials(again).complete == 40


def test_workers_get_a_pickled_rocket_sampler_without_a_factory(tmp_path: Path) -> None:
    from rocket_hpo import RocketSampler

    url = f"sqlite:///{tmp_path / 'rocket.db'}"
    study = optuna.create_study(storage=make_storage(url), sampler=RocketSampler(seed=0))
    counts = optimize(study, quadratic, n_trials=12, n_workers=2)
    assert counts.complete == 12 and counts.lost == 0
