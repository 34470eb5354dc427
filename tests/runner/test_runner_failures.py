"""Raising, NaN/inf-returning and hanging objectives become failed trials; the study goes on."""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
import time
import weakref

import optuna
import pytest
from optuna.trial import TrialState
from runner_objectives import misbehaving

from rocket_hpo.runner import (
    FAIL_KIND,
    FAIL_REASON,
    TrialTimeoutError,
    count_trials,
    make_storage,
    optimize,
)
from rocket_hpo.runner._failures import call_objective, call_with_timeout

optuna.logging.set_verbosity(optuna.logging.WARNING)


def test_each_failure_becomes_a_failed_trial_with_its_reason_and_the_study_completes(
    tmp_path: object,
) -> None:
    study = optuna.create_study(
        storage=make_storage(f"sqlite:///{tmp_path}/s.db", heartbeat_interval=1),
        sampler=optuna.samplers.RandomSampler(seed=0),
    )
    start = time.perf_counter()
    counts = optimize(study, misbehaving, n_trials=10, timeout_per_trial=0.5)
    elapsed = time.perf_counter() - start
    assert elapsed < 10  # the two hanging trials were cut at 0.5 s, not after 60 s
    assert counts.done == 10
    assert counts.complete == 2 and counts.failed == 8 and counts.lost == 0
    by_number = {t.number: t for t in study.trials}
    assert sorted(by_number) == list(range(10))
    expected = {1: "exception", 2: "non-finite", 3: "timeout", 4: "non-finite"}
    for number, trial in by_number.items():
        kind = expected.get(number % 5)
        if kind is None:
            assert trial.state == TrialState.COMPLETE
            continue
        assert trial.state == TrialState.FAIL
        assert trial.user_attrs[FAIL_KIND] == kind
        assert trial.user_attrs[FAIL_REASON].startswith(kind + ":")
    assert "RuntimeError: diverged" in by_number[1].user_attrs[FAIL_REASON]
    assert "nan" in by_number[2].user_attrs[FAIL_REASON]
    assert "0.5 s" in by_number[3].user_attrs[FAIL_REASON]
    assert "inf" in by_number[4].user_attrs[FAIL_REASON]


def test_a_busy_python_loop_is_interrupted_by_the_timeout() -> None:
    def spin(trial: optuna.Trial) -> float:
        while True:
            _ = trial.number + 1  # pure Python work, never sleeps

    study = optuna.create_study()
    counts = optimize(study, spin, n_trials=2, timeout_per_trial=0.2)
    assert counts.failed == 2
    assert all(t.user_attrs[FAIL_KIND] == "timeout" for t in study.trials)


def test_an_objective_that_swallows_exceptions_cannot_swallow_the_timeout() -> None:
    def stubborn(trial: optuna.Trial) -> float:
        try:
            time.sleep(30)
        except Exception:
            return 0.0
        return 1.0

    study = optuna.create_study()
    assert optimize(study, stubborn, n_trials=1, timeout_per_trial=0.2).failed == 1


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_timeout_that_lands_where_python_ignores_exceptions_still_fails_the_trial() -> None:
    def collected(trial: optuna.Trial) -> float:
        class Box:
            pass

        box = Box()
        # The alarm fires inside this callback, where Python prints and drops exceptions.
        ref = weakref.ref(box, lambda _: time.sleep(0.5))
        del box
        assert ref() is None
        return 1.0

    study = optuna.create_study()
    assert optimize(study, collected, n_trials=1, timeout_per_trial=0.1).failed == 1
    assert study.trials[0].user_attrs[FAIL_KIND] == "timeout"


def test_timeout_off_the_main_thread_abandons_the_call() -> None:
    box: dict[str, object] = {}

    def run() -> None:
        try:
            call_with_timeout(lambda: time.sleep(30), 0.2)
        except TrialTimeoutError as e:
            box["error"] = e

    thread = threading.Thread(target=run)
    start = time.perf_counter()
    thread.start()
    thread.join(5)
    assert isinstance(box.get("error"), TrialTimeoutError)
    assert time.perf_counter() - start < 2
    assert call_with_timeout(lambda: 7, None) == 7


def test_an_outer_alarm_is_kept_after_a_timed_call() -> None:
    import signal

    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda s, f: fired.append(s))
    try:
        signal.setitimer(signal.ITIMER_REAL, 1.0)
        assert call_with_timeout(lambda: 3, 0.1) == 3
        delay, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0.5 < delay <= 1.0  # re-armed with the time it had left
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(
    ("result", "kind"),
    [
        (None, "bad-value"),
        ("high", "bad-value"),
        (True, "bad-value"),
        ([1.0, math.inf], "non-finite"),
    ],
)
def test_values_that_are_not_finite_numbers_fail(result: object, kind: str) -> None:
    trial = optuna.create_study().ask()
    assert call_objective(lambda t: result, trial, None).kind == kind


def test_pruned_and_valid_results() -> None:
    study = optuna.create_study()

    def prune(trial: optuna.Trial) -> float:
        raise optuna.TrialPruned()

    assert call_objective(prune, study.ask(), None).pruned
    assert call_objective(lambda t: 2, study.ask(), None).values == [2.0]
    counts = optimize(study, prune, n_trials=4)
    # The two trials asked above still run (somewhere); without heartbeats they may be
    # alive, so they fill the budget and only two more are run.
    assert counts.pruned == 2 and counts.running == 2 and counts.done == 2


def test_sys_exit_and_a_keyboard_interrupt_of_the_objective_are_failed_trials() -> None:
    def leave(trial: optuna.Trial) -> float:
        if trial.number == 0:
            sys.exit(3)
        if trial.number == 1:
            raise KeyboardInterrupt  # raised by the objective's own code, not by Ctrl-C
        return 1.0

    study = optuna.create_study()
    counts = optimize(study, leave, n_trials=3)
    assert counts.done == 3 and counts.failed == 2 and counts.complete == 1
    first, second, _ = study.trials
    assert first.user_attrs[FAIL_REASON].startswith("exception: the objective called sys.exit(3)")
    assert "test_runner_failures.py:" in first.user_attrs[FAIL_REASON]
    assert second.user_attrs[FAIL_REASON].startswith(
        "exception: KeyboardInterrupt raised by the objective")


def test_the_users_ctrl_c_stops_the_study_and_marks_the_trial_interrupted() -> None:
    def pressed(trial: optuna.Trial) -> float:
        os.kill(os.getpid(), signal.SIGINT)  # what the terminal sends on Ctrl-C
        time.sleep(5)
        return 1.0

    study = optuna.create_study()
    # As in a terminal: a suite started in the background (nohup, a CI runner) may inherit
    # SIGINT ignored, and then no Ctrl-C would arrive at all.
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            optimize(study, pressed, n_trials=3)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back
    finally:
        signal.signal(signal.SIGINT, inherited)
    (trial,) = study.trials
    assert trial.state == TrialState.FAIL and trial.user_attrs[FAIL_KIND] == "interrupted"
    assert trial.user_attrs[FAIL_REASON] == "interrupted: Ctrl-C"
    assert count_trials(study).done == 0


@pytest.mark.parametrize(
    ("result", "words"),
    [("0.5", "returned a str ('0.5'), not a number"), (b"1", "returned a bytes"),
     (None, "returned a NoneType"), ({"acc": 1.0}, "returned a dict")],
)
def test_a_non_numeric_return_fails_with_its_type(result: object, words: str) -> None:
    outcome = call_objective(lambda t: result, optuna.create_study().ask(), None)
    assert outcome.kind == "bad-value" and words in str(outcome.reason)
