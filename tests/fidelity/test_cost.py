"""Honest cost (issue 15): a trial is charged the compute its training used relative to the
same configuration's full-data run, step-capped rungs included; the ledger, the report and
the benchmark harness count it with one function, and fall back to the data fraction for
objectives that record nothing. Real training on scikit-learn's wine (106 training rows)."""

from __future__ import annotations

from collections.abc import Iterator

import optuna
import pytest
import torch

from rocket_hpo import tasks
from rocket_hpo.bench.problems.dl import TaskProblem
from rocket_hpo.bench.tracker import Tracker
from rocket_hpo.fidelity import cost_summary, ledger
from rocket_hpo.keys import COMPUTE, COST, FIDELITY_PARAM, cost_basis, trial_cost
from rocket_hpo.report._ledger import cost_curve
from rocket_hpo.report._trials import trial_rows
from rocket_hpo.runner import optimize, summarize
from rocket_hpo.tasks._torch_task import TorchTask
from rocket_hpo.tasks._training import planned_compute
from rocket_hpo.tasks.base import TrialObjective
from rocket_hpo.tasks.objective import TaskEvaluate

optuna.logging.set_verbosity(optuna.logging.WARNING)

CAP = 30
"""Steps at most: the reference (100 epochs of batches of 32) hits it on every rung."""


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> Iterator[None]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _wine(max_steps: int) -> TorchTask:
    task = tasks.get("wine")  # a fresh instance: the cap changes only this one
    assert isinstance(task, TorchTask)
    task.max_steps = max_steps
    return task


def test_step_capped_small_rung_is_charged_the_steps_it_ran() -> None:
    task = _wine(CAP)
    config = task.reference
    small = task.evaluate(config, fraction=1 / 3, seed=0)
    full = task.evaluate(config, fraction=1.0, seed=0)
    assert small.compute is not None and full.compute is not None
    # Both hit the cap: the small rung ran as many optimizer steps as the full data.
    assert small.compute.steps == full.compute.steps == CAP
    # What the task says the full run costs, without training it, is what training it took.
    assert small.full_compute == full.compute == full.full_compute
    n = small.info["n_train"]  # 36 rows: batches of 32 and 4, 15 passes in 30 steps
    assert small.compute.examples == (CAP // 2) * n
    assert small.cost == pytest.approx(small.compute.examples / full.compute.examples)
    assert full.cost == 1.0
    assert small.cost > 2 * (1 / 3)  # the nominal fraction would undercharge it by half


def test_uncapped_rung_is_charged_about_its_fraction() -> None:
    task = _wine(4000)
    config = {**task.reference, "epochs": 5}
    for fraction in (1 / 9, 1 / 3):
        r = task.evaluate(config, fraction=fraction, seed=0)
        n, n_full = r.info["n_train"], len(task._splits.y_train)
        assert r.compute == planned_compute(n, 32, 5, 4000)  # the loop ran what was planned
        assert r.cost == pytest.approx(n / n_full)  # whole passes: the rows' share
        assert r.cost == pytest.approx(fraction, abs=0.03)  # stratified rounding only


def _study(task: tasks.Task, fractions: list[float]) -> optuna.Study:
    """A real study: each trial trains the task's reference at the given fraction, recorded
    the way a fidelity scheduler records it."""
    study = optuna.create_study(direction=task.direction)
    objective = TrialObjective(task.space, lambda c, *, fraction, seed, trial:
                               task.evaluate(c, fraction=fraction, seed=seed), seed=0)
    for f in fractions:
        study.enqueue_trial(task.reference, user_attrs={FIDELITY_PARAM: f})
    study.optimize(objective, n_trials=len(fractions))
    return study


def test_ledger_report_and_harness_charge_the_recorded_compute() -> None:
    task = _wine(CAP)
    fractions = [1 / 9, 1 / 3, 1.0]
    study = _study(task, fractions)
    used = [t.user_attrs[COMPUTE]["examples"] / t.user_attrs[COMPUTE]["full_examples"]
            for t in study.trials]
    assert used[0] > 3 * fractions[0] and used[2] == 1.0  # the cap makes 1/9 cost ~half
    entries = ledger(study)
    assert [e.cost for e in entries] == pytest.approx(used)
    assert [e.basis for e in entries] == ["compute"] * 3
    summary = cost_summary(study)
    assert summary.spent == pytest.approx(sum(used)) and summary.n_measured == 3
    assert summary.saving == pytest.approx(3 / sum(used))
    assert cost_curve(study, "this").total == pytest.approx(sum(used))  # the report's curve
    assert [r.cost for r in trial_rows(study.trials)] == pytest.approx(used)

    # The harness charges an evaluation what the ledger charges the trial, and budgets it.
    tracker = Tracker(TaskProblem(task, seed=0), budget=10.0)
    for f in fractions:
        tracker.evaluate(task.reference, f)
    assert tracker.spent == pytest.approx(sum(used))
    assert tracker.trace[0][0] == pytest.approx(sum(used))  # cost-to-reach counts it too


def test_the_runner_budget_counts_the_recorded_compute() -> None:
    task = _wine(CAP)
    study = optuna.create_study(direction=task.direction)
    for _ in range(10):
        study.enqueue_trial(task.reference, user_attrs={FIDELITY_PARAM: 1 / 9})
    objective = TrialObjective(task.space, lambda c, *, fraction, seed, trial:
                               task.evaluate(c, fraction=fraction, seed=seed), seed=0)
    counts = optimize(study, objective, budget=1.0)
    # Each capped 1/9 trial uses 390 of the full run's 806 examples: the budget of 1 is
    # spent after 3 trials (nominal fractions would have allowed 9).
    assert counts.done == 3
    assert summarize(study).cost == pytest.approx(3 * 390 / 806)


def test_built_in_task_objective_records_its_compute() -> None:
    # ``rocket tune``'s objective (TaskEvaluate) keeps the task's record on the trial.
    study = optuna.create_study(direction="maximize")
    config = {**tasks.get("wine").reference, "epochs": 3}
    study.enqueue_trial(config, user_attrs={FIDELITY_PARAM: 1 / 3})
    study.optimize(TrialObjective(tasks.get("wine").space, TaskEvaluate("wine"), 0), n_trials=1)
    t = study.trials[0]
    assert cost_basis(t) == "compute" and t.user_attrs[COST] == pytest.approx(36 / 106)
    assert t.user_attrs[COMPUTE]["steps"] == 3 * 2 and t.user_attrs["train_seconds"] > 0


def test_objectives_without_records_cost_their_fraction() -> None:
    study = optuna.create_study()
    study.enqueue_trial({"x": 0.5}, user_attrs={FIDELITY_PARAM: 1 / 9})
    study.enqueue_trial({"x": 0.5}, user_attrs={FIDELITY_PARAM: 1 / 3})
    study.enqueue_trial({"x": 0.5}, user_attrs={FIDELITY_PARAM: 1 / 9, COST: 0.5})
    study.enqueue_trial({"x": 0.5})  # no scheduler: the full data
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=4)
    entries = ledger(study)
    assert [e.cost for e in entries] == pytest.approx([1 / 9, 1 / 3, 0.5, 1.0])
    assert [e.basis for e in entries] == ["fraction", "fraction", "compute", "fraction"]
    summary = cost_summary(study)
    assert summary.spent == pytest.approx(1 / 9 + 1 / 3 + 0.5 + 1) and summary.n_measured == 1


@pytest.mark.parametrize("bad", [float("nan"), 0.0, -1.0, True, "0.5", None])
def test_an_unusable_record_falls_back_to_the_fraction(bad: object) -> None:
    trial = optuna.create_study().ask()
    trial.set_user_attr(FIDELITY_PARAM, 0.25)
    trial.set_user_attr(COST, bad)
    assert (trial_cost(trial), cost_basis(trial)) == (0.25, "fraction")
