"""Suites come from the shared instance split; reserved instances are refused."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from rocket_hpo.app.cli import main
from rocket_hpo.bench import run_benchmark
from rocket_hpo.bench.suites import (
    SCENARIOS,
    check_not_reserved,
    plausible_instances,
    split_instances,
    suite_tasks,
)
from rocket_hpo.errors import UsageError
from rocket_hpo.tasks.base import data_file


def _reserved_lcbench_instance() -> str:
    """A real lcbench instance of the data folder that is in neither split list."""
    path = data_file("yahpo/global_statistics/instance_target_statistics.csv")
    with open(path, newline="") as f:
        ids = {r["instance"] for r in csv.DictReader(f) if r["scenario"] == "lcbench"}
    known = set(split_instances("train", "lcbench")) | set(split_instances("dev", "lcbench"))
    return sorted(ids - known, key=int)[0]


def test_dev_is_every_dev_instance_of_the_split() -> None:
    dev = suite_tasks("yahpo-dev")
    expected = [f"yahpo/{s}/{i}" for s in SCENARIOS for i in split_instances("dev", s)]
    # The plausibility rule drops no dev instance.
    assert dev == expected and len(dev) == 18


def test_dev8_is_a_fixed_subset_covering_every_scenario() -> None:
    dev8 = suite_tasks("yahpo-dev8")
    assert len(dev8) == 8 and set(dev8) <= set(suite_tasks("yahpo-dev"))
    assert {t.split("/")[1] for t in dev8} == set(SCENARIOS)
    assert dev8[:3] == ["yahpo/lcbench/3945", "yahpo/lcbench/7593", "yahpo/lcbench/126025"]


def test_train_holds_only_plausible_train_instances() -> None:
    train = suite_tasks("yahpo-train")
    assert set(train).isdisjoint(suite_tasks("yahpo-dev"))
    for scenario in ("rbv2_xgboost", "rbv2_rpart"):
        members = [t.split("/")[2] for t in train if t.split("/")[1] == scenario]
        assert set(members) <= set(split_instances("train", scenario))
        assert set(members) <= set(plausible_instances(scenario))
    lcbench = [t for t in train if t.startswith("yahpo/lcbench/")]
    assert len(lcbench) == len(split_instances("train", "lcbench"))
    with pytest.raises(UsageError, match="suite"):
        suite_tasks("nope")


def test_a_reserved_instance_is_refused_unless_allowed(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    task = f"yahpo/lcbench/{_reserved_lcbench_instance()}"
    with pytest.raises(UsageError, match="reserved"):
        run_benchmark([task], ["random"], seeds=1, budget=1, out=tmp_path)
    assert not (tmp_path / "results.json").exists()
    assert main(["benchmark", "--tasks", task, "--optimizers", "random",
                 "--out", str(tmp_path)]) == 2
    assert "--allow-reserved" in capsys.readouterr().err
    check_not_reserved(task, allow_reserved=True)
    check_not_reserved("yahpo/lcbench/3945")
    check_not_reserved("mfpb/mfh6")


def test_a_missing_split_file_is_a_usage_error(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.setenv("ROCKET_YAHPO_SPLIT", str(tmp_path / "nope.json"))
    with pytest.raises(UsageError, match="ROCKET_YAHPO_SPLIT"):
        suite_tasks("yahpo-dev")
