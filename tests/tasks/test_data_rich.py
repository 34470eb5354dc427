"""The data-rich tasks (``tasks.DATA_RICH``): their size and ladder, an honest cost, missing data."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from rocket_hpo import tasks
from rocket_hpo.fidelity.subsets import nested_subset
from rocket_hpo.tasks._torch_task import TorchTask
from rocket_hpo.tasks._training import planned_compute

# name -> (training rows, data file)
RICH = {"mnist_full": (55_000, "mnist/mnist.npz"), "etth1_multi": (59_143, "timeseries/ETTh1.csv")}


@pytest.fixture(scope="module")
def loaded() -> dict[str, TorchTask]:
    """Each task once, its data read once for the module (MNIST's split takes a second)."""
    out = {}
    for name in RICH:
        task = tasks.get(name)
        assert isinstance(task, TorchTask)
        out[name] = task
    return out


def test_listed_apart_from_the_eight_types() -> None:
    assert set(tasks.DATA_RICH) == set(RICH)
    assert set(RICH) <= set(tasks.names())
    assert not set(RICH) & {n for group in tasks.TYPES.values() for n in group}


@pytest.mark.parametrize("name", sorted(RICH))
def test_50k_rows_and_thousands_on_the_smallest_rung(
    name: str, loaded: dict[str, TorchTask]
) -> None:
    task = loaded[name]
    splits = task._splits
    n_train = RICH[name][0]
    assert len(splits.y_train) == len(splits.x_train) == n_train >= 50_000
    assert len(splits.y_val) >= 5_000 and len(splits.y_test) >= 10_000
    rows = splits.strata if splits.strata is not None else n_train
    sizes = [len(nested_subset(rows, f, 0)) for f in (1 / 9, 1 / 3, 1.0)]
    assert 6_000 <= sizes[0] < sizes[1] < sizes[2] == n_train
    assert set(nested_subset(rows, 1 / 9, 0)) <= set(nested_subset(rows, 1 / 3, 0))


@pytest.mark.parametrize("name", sorted(RICH))
def test_short_run_scores_and_is_charged_its_compute(
    name: str, loaded: dict[str, TorchTask]
) -> None:
    task = loaded[name]
    config = {**task.reference, "epochs": 1, "batch_size": 256}
    result = task.evaluate(config, fraction=1 / 27, seed=0, test=True)
    assert math.isfinite(result.score) and result.test_score is not None
    assert math.isfinite(result.test_score)
    n = result.info["n_train"]
    assert result.compute == planned_compute(n, 256, 1, task.max_steps)
    assert result.full_compute == planned_compute(RICH[name][0], 256, 1, task.max_steps)
    assert result.cost == pytest.approx(n / RICH[name][0])


def test_step_cap_is_charged_at_the_steps_run(loaded: dict[str, TorchTask]) -> None:
    # One epoch in batches of 32: 1/9 of the rows (6,573) takes 206 steps, the full data 1,849
    # capped at 1,500; the cost is what ran over what full data runs, more than the fraction.
    task = loaded["etth1_multi"]
    config = {**task.reference, "epochs": 1, "batch_size": 32}
    result = task.evaluate(config, fraction=1 / 9, seed=0)
    assert result.compute is not None and result.full_compute is not None
    assert result.info["n_train"] == 6_573 and result.compute.steps == 206
    assert result.full_compute.steps == task.max_steps == 1_500
    assert result.cost == pytest.approx(6_573 / (1_500 * 32))
    assert result.cost > 1 / 9


@pytest.mark.parametrize("name", sorted(RICH))
def test_missing_data_names_the_file_and_folder(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROCKET_DATA", str(tmp_path))
    task = tasks.get(name)
    with pytest.raises(tasks.DataMissingError) as info:
        task.evaluate(task.reference, fraction=0.1)
    assert RICH[name][1] in str(info.value) and str(tmp_path) in str(info.value)


def test_rocket_tune_runs_the_tasks_own_ladder(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from rocket_hpo.app.cli import main

    # One trial: the reference, on the full data; the ladder is the task's (1/9 at the
    # bottom: 6,573 windows), not the default 1/27.
    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert main(["tune", "etth1_multi", "--trials", "1", "--storage", url]) == 0
    err = capfd.readouterr().err
    assert "data subsets: on (fractions 0.111, 0.333, 1;" in err
    assert "; on promotion weight_decay x (data ratio)^-1;" in err


def test_rocket_tune_promotes_with_the_tasks_transfer_rules() -> None:
    from rocket_hpo.app.samplers import fidelity_scheduler
    from rocket_hpo.app.tune import TuneSettings, _resolve
    from rocket_hpo.fidelity import Scale

    for name in RICH:
        target, _ = _resolve(TuneSettings(name))
        scheduler = fidelity_scheduler(target.fidelity, True, target.fidelity_defaults)
        assert scheduler.transfer.rules == (Scale("weight_decay", power=-1.0),)
        # promoted from 1/9 to the full data, weight decay shrinks ninefold
        config = {**tasks.get(name).reference, "weight_decay": 1e-3}
        new, _ = scheduler.transfer.apply(config, tasks.get(name).space.to_optuna(), 1 / 9, 1.0)
        assert new == {**config, "weight_decay": pytest.approx(1e-3 / 9)}
