"""Every built-in task: its space, a tiny real training run, divergence, missing data."""

from __future__ import annotations

import math
from pathlib import Path

import optuna
import pytest

from rocket_hpo import tasks
from rocket_hpo.space import Bool, Categorical, Float, Int
from rocket_hpo.tasks._torch_task import TorchTask

# Each task at a tiny fidelity: (data fraction, changes to the reference configuration).
# Chosen so the whole run takes a second or two per task on one CPU core.
TINY: dict[str, tuple[float, dict[str, object]]] = {
    "mnist": (0.05, {"epochs": 1}),
    "cifar10": (0.2, {"epochs": 1}),
    "sst2": (0.3, {"epochs": 2}),
    "trec": (0.3, {"epochs": 2}),
    "etth1_h24": (0.1, {"epochs": 1}),
    "etth1_h168": (0.1, {"epochs": 1}),
    "fsdd": (0.3, {"epochs": 2}),
    "fsdd_speaker": (0.3, {"epochs": 1}),
    "breast_cancer": (0.5, {"epochs": 10}),
    "wine": (0.5, {"epochs": 20}),
    "diabetes": (0.5, {"epochs": 10}),
    "etth1_ot": (0.1, {"epochs": 2}),
    "mnist_anomaly": (0.2, {"epochs": 2}),
    "cancer_anomaly": (0.5, {"epochs": 20}),
    "charlm_sst2": (0.1, {"epochs": 1, "lr": 1e-2, "batch_size": 16}),
    "charlm_trec": (0.1, {"epochs": 1, "lr": 1e-2, "batch_size": 16}),
}
# The data-rich tasks (tasks.DATA_RICH), outside the eight types: 1 % of their 55k-59k rows.
TINY_RICH: dict[str, tuple[float, dict[str, object]]] = {
    "mnist_full": (0.01, {"epochs": 1}),
    "etth1_multi": (0.01, {"epochs": 1}),
}


def test_registry_has_eight_types_with_two_tasks_each() -> None:
    assert len(tasks.TYPES) == 8
    listed = [name for group in tasks.TYPES.values() for name in group]
    assert sorted(listed) == sorted(TINY)
    assert sorted(tasks.DATA_RICH) == sorted(TINY_RICH)
    assert sorted([*listed, *tasks.DATA_RICH, "digits"]) == tasks.names()
    with pytest.raises(KeyError, match=r"Known tasks: .*mnist"):
        tasks.get("imagenet")


@pytest.mark.parametrize("name", sorted(TINY | TINY_RICH))
def test_space_is_wide_mixed_and_conditional(name: str) -> None:
    task = tasks.get(name)
    space = task.space
    assert 15 <= len(space) <= 25
    kinds = {type(hp) for _, hp in space.items()}
    assert {Float, Int, Categorical, Bool} <= kinds
    conditional = [n for n, hp in space.items() if hp.condition is not None]
    assert {"momentum", "beta1", "beta2", "step_gamma", "clip_norm"} <= set(conditional)
    lr = space["lr"]
    assert isinstance(lr, Float) and lr.log and lr.high / lr.low >= 1e6
    space.validate(task.reference)
    assert task.reference["optimizer"] == "adam" and task.reference["lr"] == 1e-3
    assert task.name == name and task.metric and task.description


@pytest.mark.parametrize("name", sorted(TINY | TINY_RICH))
def test_declared_transfer_rules_scale_numbers_of_the_space(name: str) -> None:
    from rocket_hpo.fidelity import TransferRules

    task = tasks.get(name)
    rules = TransferRules.from_config(task.transfer)
    assert (len(rules.rules) > 0) == (name in TINY_RICH)  # measured on the data-rich ones
    for rule in rules.rules:
        assert isinstance(task.space[rule.param], Float | Int), rule


@pytest.mark.parametrize("name", sorted(TINY | TINY_RICH))
def test_reference_config_beats_trivial_predictor_at_tiny_fidelity(name: str) -> None:
    task = tasks.get(name)
    assert isinstance(task, TorchTask)
    fraction, changes = (TINY | TINY_RICH)[name]
    result = task.evaluate({**task.reference, **changes}, fraction=fraction, seed=0)
    baseline = task.baseline()
    assert math.isfinite(result.score) and math.isfinite(baseline)
    if task.direction == "maximize":
        assert result.score > baseline, (result.score, baseline)
    else:
        assert result.score < baseline, (result.score, baseline)
    assert result.test_score is None and result.fraction == fraction
    assert 0 < result.info["n_train"] < len(task._splits.y_train)


def test_same_seed_same_score_and_test_metric_on_request() -> None:
    task = tasks.get("breast_cancer")
    config = {**task.reference, "epochs": 5, "aug_mixup": True, "mixup_alpha": 0.4}
    a = task.evaluate(config, fraction=0.5, seed=3, test=True)
    b = task.evaluate(config, fraction=0.5, seed=3, test=True)
    assert a.score == b.score and a.test_score == b.test_score
    assert a.test_score is not None and 0.0 <= a.test_score <= 1.0
    c = task.evaluate(config, fraction=1.0, seed=3)
    assert c.info["n_train"] > a.info["n_train"]


def test_random_configurations_run_or_fail_with_divergence() -> None:
    # Any configuration of the space trains (at a tiny fidelity) or fails with a reason.
    task = tasks.get("wine")
    for config in task.space.sample_many(6, seed=0):
        config["epochs"] = min(config["epochs"], 3)
        try:
            result = task.evaluate(config, fraction=0.3, seed=0)
        except tasks.DivergenceError as e:
            assert str(e)
        else:
            assert 0.0 <= result.score <= 1.0


DIVERGENT = {
    "optimizer": "sgd", "lr": 1.0, "momentum": 0.99, "nesterov": False, "weight_decay": 1e-8,
    "batch_size": 8, "epochs": 50, "scheduler": "constant", "warmup": 0.0, "grad_clip": False,
    "dropout": 0.0, "loss": "mse", "aug_noise": False,
}  # fmt: skip


def test_divergent_configuration_is_a_failed_trial_with_reason() -> None:
    task = tasks.get("diabetes")
    with pytest.raises(tasks.DivergenceError, match="loss"):
        task.evaluate(DIVERGENT, fraction=1.0, seed=0)

    study = optuna.create_study(direction=task.direction)
    study.enqueue_trial(DIVERGENT)
    study.enqueue_trial({**task.reference, "epochs": 5})
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study.optimize(task.objective, n_trials=2, catch=(tasks.DivergenceError,))
    failed, done = study.trials
    assert failed.state == optuna.trial.TrialState.FAIL
    assert "loss" in failed.user_attrs["fail_reason"]
    assert done.state == optuna.trial.TrialState.COMPLETE and done.value is not None


def test_missing_data_names_the_file_and_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROCKET_DATA", str(tmp_path))
    task = tasks.get("sst2")
    with pytest.raises(tasks.DataMissingError) as info:
        task.evaluate(task.reference, fraction=0.1)
    assert "text/sst2.jsonl.gz" in str(info.value) and str(tmp_path) in str(info.value)


def test_data_folder_found_from_another_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ROCKET_DATA", raising=False)
    monkeypatch.chdir(tmp_path)  # no ../shared/data here: falls back to the project's
    assert tasks.data_file("timeseries/ETTh1.csv").is_file()


def test_digits_default_still_works() -> None:
    task = tasks.get("digits")
    result = task.evaluate({**task.reference, "epochs": 3}, fraction=0.5, seed=0)
    assert result.score > 0.5


def test_rocket_tasks_lists_every_task(capsys: pytest.CaptureFixture[str]) -> None:
    from rocket_hpo.app.cli import main

    assert main(["tasks"]) == 0
    out = capsys.readouterr().out
    for name in tasks.names():
        assert name in out
