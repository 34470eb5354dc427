"""Storages by URL, validation of their settings, and detection of trials whose worker died."""

from __future__ import annotations

import time
from pathlib import Path

import optuna
import pytest
from optuna.storages import InMemoryStorage, RDBStorage
from optuna.trial import TrialState

from rocket_hpo.errors import UsageError
from rocket_hpo.runner import (
    DEFAULT_STORAGE,
    count_trials,
    fail_lost_trials,
    make_storage,
    optimize,
    storage_url,
)

optuna.logging.set_verbosity(optuna.logging.WARNING)


def test_urls_give_the_right_storage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert DEFAULT_STORAGE == "sqlite:///rocket.db"
    default = make_storage()
    assert isinstance(default, RDBStorage) and default.url == DEFAULT_STORAGE
    assert (tmp_path / "rocket.db").exists()
    assert isinstance(make_storage("memory"), InMemoryStorage)
    study = optuna.create_study(storage=make_storage(f"sqlite:///{tmp_path}/a.db"))
    assert storage_url(study) == f"sqlite:///{tmp_path}/a.db"
    assert storage_url(optuna.create_study()) == "memory"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"url": ""}, "The 'storage' parameter must be a non-empty URL string. Got '' instead."),
        ({"heartbeat_interval": 0}, "'heartbeat_interval' parameter must be an integer >= 1"),
        ({"heartbeat_interval": 1.5}, "Got 1.5 instead"),
        ({"heartbeat_interval": 2, "grace_period": 2}, "integer > heartbeat_interval (2) or None. Got 2 instead"),
        ({"max_retry": -1}, "'max_retry' parameter must be an integer >= 0 or None. Got -1"),
        ({"url": "nosuchdb://x"}, "Cannot open storage 'nosuchdb://x'"),
    ],
)
def test_bad_settings_name_the_parameter(kwargs: dict[str, object], message: str) -> None:
    kwargs = {"url": "memory", **kwargs}
    with pytest.raises(UsageError) as info:
        make_storage(**kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)


def _storage(tmp_path: Path) -> optuna.storages.BaseStorage:
    return make_storage(f"sqlite:///{tmp_path}/s.db", heartbeat_interval=1, grace_period=2)


def test_a_trial_whose_heartbeat_stopped_is_failed_and_queued_again(tmp_path: Path) -> None:
    study = optuna.create_study(storage=_storage(tmp_path))
    dead = study.ask()
    dead.suggest_float("x", 0, 1)
    study._storage.record_heartbeat(dead._trial_id)  # then its worker "dies"
    fail_lost_trials(study)
    assert study.trials[0].state == TrialState.RUNNING  # still within the grace period
    time.sleep(3.2)  # SQLite keeps heartbeats to the second: wait grace + 1 s
    fail_lost_trials(study)
    lost, retry = study.trials
    assert lost.state == TrialState.FAIL and retry.state == TrialState.WAITING
    assert retry.params == lost.params
    assert count_trials(study).lost == 1 and count_trials(study).waiting == 1
    counts = optimize(study, lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert (counts.complete, counts.lost, counts.done) == (2, 1, 2)
    assert study.trials[1].value == pytest.approx(lost.params["x"])  # the re-run, same x


def test_a_trial_that_never_sent_a_heartbeat_is_failed_after_the_grace_period(
    tmp_path: Path,
) -> None:
    study = optuna.create_study(storage=_storage(tmp_path))
    study.ask()  # killed before its first heartbeat: Optuna alone would wait forever
    time.sleep(2.2)
    fail_lost_trials(study)
    states = [t.state for t in study.trials]
    assert states == [TrialState.FAIL, TrialState.WAITING]


def test_without_heartbeats_nothing_is_failed() -> None:
    study = optuna.create_study()
    study.ask()
    fail_lost_trials(study)
    assert study.trials[0].state == TrialState.RUNNING
