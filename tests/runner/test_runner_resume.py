"""kill -9 the study process and resume: nothing completed is lost, the agent continues."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import optuna
import pytest
from optuna.trial import TrialState

from rocket_hpo.runner import count_trials, make_storage

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "runtime" / "kill_resume.py"


def _kill_resume() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kill_resume", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _two_kills(url: str, name: str) -> None:
    # Kill in round one after 10 trials (the agent has saved stage >= 1 by then: groups of
    # 4), and in round two right after its first trial.
    report = _kill_resume().kill_and_resume(
        url, n_trials=16, kills=2, sleep=0.02, study_name=name, kill_points=[(10, 0.05), (1, 0.0)]
    )
    first, second, last = report["rounds"]
    assert not first["finished"] and not second["finished"] and last["finished"]
    assert first["stage_saved_after"] >= 1
    # Each resumed run's agent starts at the stage saved before the kill, not from scratch.
    assert second["first_stage_seen"] >= first["stage_saved_after"]
    assert last["first_stage_seen"] >= second["stage_saved_after"] >= 1
    assert report["every_completed_trial_kept"] and report["agent_resumed_from_saved_stage"]
    study = optuna.load_study(study_name=name, storage=make_storage(url))
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    assert len(complete) == 16 and count_trials(study).running == 0
    assert len({t.number for t in complete}) == 16
    assert first["n_complete_after"] >= 10


def test_two_kills_keep_every_trial_and_the_agent_resumes_from_its_stage(tmp_path: Path) -> None:
    _two_kills(f"sqlite:///{tmp_path}/k.db", "k")


@pytest.mark.postgres
def test_two_kills_on_postgresql(pg_url: str, study_name: str) -> None:
    _two_kills(pg_url, study_name)


@pytest.mark.slow
@pytest.mark.postgres
def test_ten_random_kills_on_postgresql(pg_url: str, study_name: str) -> None:
    report = _kill_resume().kill_and_resume(
        pg_url, n_trials=60, kills=10, seed=1, study_name=study_name
    )
    assert report["every_completed_trial_kept"]
    assert report["agent_resumed_from_saved_stage"]
    assert report["exactly_n_complete"]


@pytest.mark.slow
def test_rocket_tune_with_two_workers_survives_kill_minus_9_of_the_whole_group(
    tmp_path: Path,
) -> None:
    spec = importlib.util.spec_from_file_location(
        "cli_kill_resume", BENCH.with_name("cli_kill_resume.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    report = module.kill_and_resume(
        f"sqlite:///{tmp_path}/c.db", n_trials=24, kills=3, seed=0, name="c", low=6.0,
        high=16.0, study=str(BENCH.parent / "chaos" / "steady_full.yaml"))
    assert report["every_completed_trial_kept"] and report["no_trial_running_at_end"]
    assert report["exactly_n_counted"] and report["stage_never_went_back"]
