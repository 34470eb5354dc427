"""``rocket pretrain``: mistakes are one line and exit 2; a team's finished studies become
training tasks and the run writes weights that load, with their record."""

from __future__ import annotations

import json
from pathlib import Path

import optuna
import pytest
import torch

from rocket_hpo.agent._weights import load_weights
from rocket_hpo.app.cli import main


@pytest.mark.parametrize("args, message", [
    (["--sources", "foo"], "Unknown --sources entry 'foo'"),
    (["--minutes", "0"], "--minutes must be > 0"),
    (["--init", "/nonexistent/w.pt"], "No policy weights at /nonexistent/w.pt"),
    (["--exclude", "rbv2_rpat"], "No YAHPO scenario 'rbv2_rpat' in the train split"),
    pytest.param(["--device", "cuda"], "--device cuda: torch sees no CUDA device here",
                 marks=pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is here")),
])
def test_mistakes_are_one_line_and_exit_2(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["pretrain", "--out", str(tmp_path / "w.pt"), *args]) == 2
    err = capfd.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "w.pt").exists()


def test_a_missing_split_file_is_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ROCKET_YAHPO_SPLIT", str(tmp_path / "nowhere.json"))
    assert main(["pretrain", "--out", str(tmp_path / "w.pt"), "--sources", "yahpo-train"]) == 2
    err = capfd.readouterr().err
    assert "nowhere.json" in err and "ROCKET_YAHPO_SPLIT" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_finished_studies_refine_the_shipped_weights(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'past.db'}"
    study = optuna.create_study(study_name="past", storage=url,
                                sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(lambda t: (t.suggest_float("x", 0, 1) - 0.3) ** 2
                   + (t.suggest_categorical("k", ["a", "b"]) == "b"), n_trials=12)
    assert main(["pretrain", "--out", str(tmp_path / "w" / "ours.pt"), "--sources", "",
                 "--from-storage", url, "--study", "past", "--minutes", "0.02"]) == 0
    meta = json.loads((tmp_path / "w" / "ours.json").read_text())
    assert meta["studies"] == ["study/past"] and meta["init"] == "default"
    assert meta["iterations"] >= 1
    load_weights(tmp_path / "w" / "ours.pt")  # checksum and format match
    assert main(["pretrain", "--out", str(tmp_path / "x.pt"), "--from-storage", url,
                 "--study", "nope"]) == 2
    assert "No study 'nope' in the storage; it holds: past." in capfd.readouterr().err


def test_a_left_out_scenario_gives_no_training_task() -> None:
    from rocket_hpo.agent.pretrain.tasks import training_tasks

    every = {t.name for t in training_tasks(["yahpo-train"])}
    kept = {t.name for t in training_tasks(["yahpo-train"], exclude=["rbv2_rpart"])}
    assert any("rbv2_rpart" in n for n in every)
    assert kept == {n for n in every if "rbv2_rpart" not in n}
