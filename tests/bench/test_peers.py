"""The peers added for the protocol (GPSampler, CMA-ES, HEBO) and regret at budget cuts."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from rocket_hpo.bench import run_benchmark
from rocket_hpo.bench.stats import final_regrets
from rocket_hpo.bench.summary import summary_markdown
from rocket_hpo.errors import UsageError

pytest.importorskip("onnxruntime")

TASK = "yahpo/rbv2_xgboost/40496"  # conditional space, categorical and log-scaled hyperparameters
KEYS = {"task", "optimizer", "seed", "budget", "direction", "trace", "regret_trace",
        "final_score", "final_regret", "cost", "n_evals", "n_full", "wall_s", "eval_s",
        "setup_s", "overhead_s", "best_config", "code"}


def _hebo_missing() -> bool:
    from rocket_hpo.bench.hebo_adapter import hebo_python

    try:
        hebo_python()
    except UsageError:
        return True
    return False


PEERS = [
    pytest.param("gp", marks=pytest.mark.skipif(
        importlib.util.find_spec("greenlet") is None, reason="greenlet: the 'bench' extra")),
    pytest.param("cmaes", marks=pytest.mark.skipif(
        importlib.util.find_spec("cmaes") is None, reason="cmaes: the 'bench' extra")),
    pytest.param("hebo", marks=pytest.mark.skipif(
        _hebo_missing(), reason="HEBO's environment: 'make bench-hebo'")),
]


@pytest.mark.parametrize("optimizer", PEERS)
def test_new_peer_writes_a_full_trace(optimizer: str, tmp_path: Path) -> None:
    # HEBO's random start covers one more point than the space has dimensions (13 here):
    # a budget past it reaches its model.
    budget = 15.0 if optimizer == "hebo" else 12.0
    data = run_benchmark([TASK], [optimizer], seeds=1, budget=budget, out=tmp_path,
                         log=lambda _: None, report=False, in_process=True)
    assert not data["errors"], data["errors"]
    (record,) = data["records"]
    assert set(record) >= KEYS, KEYS - set(record)
    assert record["cost"] == budget and record["n_evals"] == record["n_full"] == budget
    assert 0.0 <= record["final_regret"] <= 1.0 and record["trace"]
    assert record["final_score"] == record["trace"][-1][1]
    assert 0.0 <= record["overhead_s"] <= record["wall_s"]


def test_regret_at_cuts_comes_from_the_same_runs(tmp_path: Path) -> None:
    data = run_benchmark(["yahpo/lcbench/3945"], ["random", "tpe"], seeds=2, budget=6,
                         out=tmp_path, log=lambda _: None, cuts=[2, 6], in_process=True)
    assert data["meta"]["cuts"] == [2.0, 6.0]
    early, final = final_regrets(data["records"], cut=2), final_regrets(data["records"])
    for r in data["records"]:
        task, opt, seed = r["task"], r["optimizer"], r["seed"]
        assert early[task][opt][seed] >= final[task][opt][seed] == r["final_regret"]
    text = (tmp_path / "summary.md").read_text()
    assert "## Normalised regret at cost 2 " in text and "## Normalised regret at cost 6 " in text
    assert "| random | " in text and "regret at 2 | rank at 2" in text
    # A later invocation adds an optimizer to the folder; the cuts and both commands are kept.
    more = run_benchmark(["yahpo/lcbench/3945"], ["cmaes"], seeds=2, budget=6, out=tmp_path,
                         log=lambda _: None, command="second", in_process=True)
    assert more["meta"]["cuts"] == [2.0, 6.0] and more["meta"]["commands"][-1] == "second"
    assert {r["optimizer"] for r in more["records"]} == {"random", "tpe", "cmaes"}
    assert "| cmaes | " in summary_markdown(more)
    with pytest.raises(UsageError, match="cut"):
        run_benchmark(["yahpo/lcbench/3945"], ["random"], seeds=1, budget=6, out=tmp_path,
                      cuts=[7])


def test_optuna_tpe_default_is_multivariate_tpe() -> None:
    # What benchmarks/README.md says of the 'tpe' peer: on a flat space Optuna 5's default
    # TPESampler gives the traces of multivariate=True, group=True.
    import contextlib
    import warnings

    from optuna.samplers import TPESampler

    from rocket_hpo.bench import get_problem
    from rocket_hpo.bench.optimizers import optuna_loop
    from rocket_hpo.bench.tracker import BudgetExhausted, Tracker

    traces = []
    for options in ({}, {"multivariate": True, "group": True}):
        tracker = Tracker(get_problem("yahpo/lcbench/3945"), budget=30)
        with contextlib.suppress(BudgetExhausted), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # 'group' is experimental in Optuna
            optuna_loop(tracker, TPESampler(seed=3, **options))
        traces.append(tracker.trace)
    assert traces[0] == traces[1] and len(traces[0]) > 1


def test_cli_cuts_must_be_numbers_within_the_budget(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from rocket_hpo.app.cli import main

    base = ["benchmark", "--tasks", "yahpo/lcbench/3945", "--optimizers", "random", "--seeds", "1",
            "--budget", "2", "--out", str(tmp_path)]
    assert main([*base, "--cuts", "1,x"]) == 2
    assert "--cuts" in capsys.readouterr().err
    assert main([*base, "--cuts", "3"]) == 2
    err = capsys.readouterr().err
    assert "'cuts' parameter" in err and "(0, 2]. Got 3.0 instead" in err
    assert main([*base, "--cuts", "1,2"]) == 0
    assert "## Normalised regret at cost 1 " in (tmp_path / "summary.md").read_text()
