"""Worker processes: a crash or a hang of the objective fails one trial, not the run;
workers share the trial count and the budget without surplus trials."""

from __future__ import annotations

import time
from pathlib import Path

import optuna
from runner_objectives import dying, quadratic

from rocket_hpo.keys import data_fraction
from rocket_hpo.runner import FAIL_KIND, FAIL_REASON, count_trials, make_storage, optimize

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _study(tmp_path: Path) -> optuna.Study:
    storage = make_storage(f"sqlite:///{tmp_path}/w.db", heartbeat_interval=1, grace_period=3)
    return optuna.create_study(storage=storage, sampler=optuna.samplers.RandomSampler(seed=0))


def test_a_crash_a_hang_and_sys_exit_fail_their_trials_and_the_study_goes_on(
    tmp_path: Path,
) -> None:
    study = _study(tmp_path)
    start = time.perf_counter()
    counts = optimize(study, dying, n_trials=10, n_workers=2, timeout_per_trial=1.0)
    assert time.perf_counter() - start < 60  # the hang was ended, not waited for
    assert counts.done == 10 and counts.complete == 7 and counts.failed == 3
    assert counts.running == counts.surplus == counts.lost == 0
    by_number = {t.number: t for t in study.trials}
    assert len(by_number) == 10
    assert by_number[2].user_attrs[FAIL_KIND] == "crash"
    assert by_number[2].user_attrs[FAIL_REASON] == (
        "crash: the objective's process exited with code 7")
    assert by_number[4].user_attrs[FAIL_KIND] == "timeout"
    assert by_number[4].user_attrs[FAIL_REASON].endswith("its process was ended")
    assert by_number[6].user_attrs[FAIL_REASON].startswith(
        "exception: the objective called sys.exit(5) (at runner_objectives.py:")


def test_workers_share_a_budget_without_rounds_or_surplus(tmp_path: Path) -> None:
    from runner_objectives import fraction_cost

    study = _study(tmp_path)
    counts = optimize(study, fraction_cost, budget=6.0, n_workers=3)
    trials = study.trials
    assert counts.surplus == 0 and counts.running == 0 and counts.failed == 0
    spent = sum(data_fraction(t) for t in trials)
    # Every trial was asked for while the committed cost was below 6, so at most the two
    # other workers' trials (1.0 each at most) were in flight past it.
    assert 6.0 <= spent <= 6.0 + 2 * 1.0
    # A rerun with the same budget has nothing to do.
    assert optimize(study, fraction_cost, budget=6.0, n_workers=2).done == len(trials)


def test_many_workers_on_a_trial_count_create_no_surplus(tmp_path: Path) -> None:
    study = _study(tmp_path)
    counts = optimize(study, quadratic, n_trials=30, n_workers=3)
    assert counts.done == counts.complete == 30 and len(study.trials) == 30
    assert count_trials(study).surplus == 0
