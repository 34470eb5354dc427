"""The benchmark harness end to end: schema, monotone regret traces, resume, reproducibility."""

from __future__ import annotations

import importlib.util
import itertools
import json
from pathlib import Path

import pytest

from rocket_hpo.app.cli import main
from rocket_hpo.bench import run_benchmark
from rocket_hpo.bench.summary import summary_markdown
from rocket_hpo.errors import UsageError

pytest.importorskip("onnxruntime")

TASKS = ["yahpo/lcbench/3945", "yahpo/rbv2_rpart/470"]
# Rocket always runs here; DEHB only where `make bench` installed it.
OPTIMIZERS = ["random", "tpe", "tpe-hyperband", "rocket", "rocket-full"]
if importlib.util.find_spec("dehb") is not None:
    OPTIMIZERS.append("dehb")
BUDGET = 3.0
KEYS = {"task", "optimizer", "seed", "budget", "trace", "final_regret", "final_score", "cost",
        "wall_s", "overhead_s", "n_evals", "regret_trace"}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("bench")
    data = run_benchmark(TASKS, OPTIMIZERS, seeds=2, budget=BUDGET, out=out, log=lambda _: None,
                         in_process=True)
    return out, data


def test_schema_and_budget(results: tuple[Path, dict]) -> None:
    out, data = results
    on_disk = json.loads((out / "results.json").read_text())
    assert on_disk["records"] == json.loads(json.dumps(data["records"]))
    assert not data["errors"]
    assert len(data["records"]) == len(TASKS) * len(OPTIMIZERS) * 2
    assert sorted({r["optimizer"] for r in data["records"]}) == sorted(OPTIMIZERS)
    for r in data["records"]:
        assert set(r) >= KEYS, KEYS - set(r)
        assert r["cost"] >= BUDGET  # the budget is spent, by at most one evaluation more
        assert r["cost"] <= BUDGET + 1.0
        assert r["overhead_s"] <= r["wall_s"]
        assert all(c <= BUDGET + 1e-9 for c, _ in r["trace"])
        assert 0.0 <= r["final_regret"] <= 1.0


def test_regret_traces_never_increase(results: tuple[Path, dict]) -> None:
    _, data = results
    for r in data["records"]:
        costs = [c for c, _ in r["regret_trace"]]
        regrets = [g for _, g in r["regret_trace"]]
        assert costs == sorted(costs)
        assert all(b <= a for a, b in itertools.pairwise(regrets)), r["optimizer"]
        if regrets:
            assert r["final_regret"] == regrets[-1]


def test_report_files(results: tuple[Path, dict]) -> None:
    out, data = results
    text = (out / "summary.md").read_text()
    assert "| yahpo/lcbench/3945 |" in text and "mean rank" in text
    assert (out / "anytime.png").stat().st_size > 1000
    assert (out / "anytime_mean.png").stat().st_size > 1000
    assert summary_markdown(data) == text


def test_resume_skips_done_jobs_and_seeded_runs_reproduce(results: tuple[Path, dict],
                                                          tmp_path: Path) -> None:
    out, data = results
    logs: list[str] = []
    again = run_benchmark(TASKS, OPTIMIZERS, seeds=2, budget=BUDGET, out=out, log=logs.append,
                          report=False, in_process=True)
    assert logs[0].startswith("0 jobs to run")
    assert again["records"] == data["records"]
    fresh = run_benchmark(TASKS[:1], ["tpe", "tpe-hyperband"], seeds=1, budget=BUDGET,
                          out=tmp_path, log=lambda _: None, report=False,
                          in_process=True)["records"]
    for rec in fresh:
        old = next(r for r in data["records"] if r["task"] == TASKS[0]
                   and r["optimizer"] == rec["optimizer"] and r["seed"] == 0)
        assert rec["trace"] == old["trace"], rec["optimizer"]


def test_parallel_workers(tmp_path: Path) -> None:
    data = run_benchmark(TASKS[:1], ["random"], seeds=2, budget=2, out=tmp_path, workers=2,
                         log=lambda _: None, report=False)
    assert sorted(r["seed"] for r in data["records"]) == [0, 1]


def test_cli_validates_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["benchmark", "--tasks", "yahpo/lcbench/1", "--optimizers", "random",
                 "--out", str(tmp_path)]) == 2
    assert "instance" in capsys.readouterr().err
    assert main(["benchmark", "--tasks", TASKS[0], "--optimizers", "nope",
                 "--out", str(tmp_path)]) == 2
    assert "--optimizers" in capsys.readouterr().err
    assert main(["benchmark", "--out", str(tmp_path)]) == 2
    with pytest.raises(UsageError, match="seeds"):
        run_benchmark(TASKS, ["random"], seeds=0, budget=1, out=tmp_path)


def test_cli_runs_a_tiny_benchmark(tmp_path: Path) -> None:
    assert main(["benchmark", "--tasks", TASKS[0], "--optimizers", "random", "--seeds", "1",
                 "--budget", "2", "--out", str(tmp_path)]) == 0
    record = json.loads((tmp_path / "results.json").read_text())["records"][0]
    assert record["optimizer"] == "random" and record["cost"] == 2.0


def test_save_keeps_records_written_by_another_invocation(tmp_path: Path) -> None:
    from rocket_hpo.bench.jobs import _save, load_results

    mine = run_benchmark(TASKS[:1], ["random"], seeds=1, budget=1, out=tmp_path,
                         log=lambda _: None, report=False, in_process=True)
    other = dict(mine["records"][0], optimizer="tpe")
    # A second invocation whose in-memory copy never saw 'random' still keeps it.
    _save(tmp_path, {"meta": {"commands": ["peers"]}, "records": [other]})
    on_disk = load_results(tmp_path)
    assert sorted(r["optimizer"] for r in on_disk["records"]) == ["random", "tpe"]
    # ... and the first invocation's command.
    assert on_disk["meta"]["commands"] == [*mine["meta"]["commands"], "peers"]


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", ["smac", "smac-mf", "dehb"])
def test_heavy_peers_run_on_a_conditional_space(optimizer: str, tmp_path: Path) -> None:
    pytest.importorskip("smac")
    pytest.importorskip("dehb")
    data = run_benchmark(["yahpo/rbv2_xgboost/40496"], [optimizer], seeds=1, budget=4,
                         out=tmp_path, log=lambda _: None, report=False, in_process=True)
    assert not data["errors"], data["errors"]
    assert data["records"][0]["cost"] >= 4


@pytest.mark.slow
def test_synthetic_suite_runs() -> None:
    pytest.importorskip("mfpbench")
    from rocket_hpo.bench.optimizers import run_optimizer
    from rocket_hpo.bench.problems import get_problem

    record = run_optimizer("tpe-hyperband", get_problem("mfpb/mfh6"), budget=5, seed=0)
    assert 0.0 <= record["final_regret"] <= 1.0
