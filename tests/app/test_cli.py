"""The ``rocket`` command as a user meets it: tune a study file, stop, resume, read results,
and one clean line for every mistake."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import optuna
import pytest
import yaml

from rocket_hpo.app.cli import main

OBJECTIVE = '''
import os
import time


def objective(config, fraction):
    time.sleep(float(os.environ.get("QUAD_SLEEP", "0")))
    return -(config["x"] - 0.3) ** 2 - (0.0 if config["kind"] == "a" else 0.1) + 0 * fraction
'''

STUDY = """\
study_name: quad
objective: quad_objective:objective
direction: maximize
metric: neg_error
space:
  x: {type: float, low: 0.0, high: 1.0}
  kind: {type: categorical, choices: [a, b]}
sampler: random
"""


@pytest.fixture
def study_file(tmp_path: Path) -> str:
    (tmp_path / "quad_objective.py").write_text(OBJECTIVE)
    (tmp_path / "quad.yaml").write_text(STUDY)
    return str(tmp_path / "quad.yaml")


def _trials(url: str, name: str = "quad") -> list[optuna.trial.FrozenTrial]:
    return optuna.load_study(study_name=name, storage=url).get_trials()


def test_tune_then_status_and_best(
    study_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert main(["tune", study_file, "--trials", "4", "--storage", url, "--seed", "1"]) == 0
    assert [t.state.name for t in _trials(url)] == ["COMPLETE"] * 4
    capsys.readouterr()

    assert main(["status", "--storage", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[:3] == ["quad", "4", "0"]

    assert main(["best", "--storage", url, "--format", "json"]) == 0
    best = json.loads(capsys.readouterr().out)
    study = optuna.load_study(study_name="quad", storage=url)
    assert best["value"] == study.best_value and best["config"] == study.best_params
    assert best["metric"] == "neg_error"

    out = tmp_path / "best.yaml"
    assert main(["best", "--storage", url, "--study", "quad", "--out", str(out)]) == 0
    assert yaml.safe_load(out.read_text())["config"] == study.best_params
    # the name as 'rocket tune --study-name' spells it works for the other commands too
    capsys.readouterr()
    assert main(["best", "--storage", url, "--study-name", "quad", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["config"] == study.best_params
    assert main(["status", "--storage", url, "--study-name", "quad"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[:2] == ["quad", "4"]


def test_a_rerun_continues_the_study_and_the_budget_caps_cost(
    study_file: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert main(["tune", study_file, "--trials", "2", "--storage", url]) == 0
    assert main(["tune", study_file, "--trials", "5", "--storage", url]) == 0
    assert [t.number for t in _trials(url)] == [0, 1, 2, 3, 4]
    # Every trial runs on the full data here, so a budget of 6 means one more trial.
    assert main(["tune", study_file, "--budget", "6", "--storage", url]) == 0
    assert len(_trials(url)) == 6


MISTAKES = {
    "bad YAML key": (["tune", "{study_dir}/bad.yaml"], "bad.yaml:9: key 'trails'"),
    "unknown task": (["tune", "no-such-task"], "Unknown task 'no-such-task'"),
    "unreachable storage": (
        ["tune", "--storage", "postgresql+psycopg2://postgres@127.0.0.1:1/test"],
        "Connection refused",
    ),
    "unknown option": (["tune", "--trails", "3"], "unrecognized arguments: --trails"),
    "missing storage file": (["status", "--storage", "sqlite:///{study_dir}/no.db"],
                             "does not exist"),
}


@pytest.mark.parametrize("case", sorted(MISTAKES))
def test_mistakes_are_one_line_and_exit_code_2(
    case: str, study_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    study_dir = str(Path(study_file).parent)
    Path(study_dir, "bad.yaml").write_text(STUDY + "trails: 3\n")
    argv, words = MISTAKES[case]
    try:
        code = main([a.format(study_dir=study_dir) for a in argv])
    except SystemExit as e:  # argparse exits by itself
        code = int(e.code or 0)
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("rocket: error: ") and words in err, err


def test_the_installed_command_prints_no_traceback(study_file: str) -> None:
    bad = Path(study_file).with_name("bad.yaml")
    bad.write_text(STUDY.replace("low: 0.0", "low: 2.0"))
    cases = [(["tune", str(bad)], "bad.yaml:6: key 'space.x'"),
             (["tune", "--trails", "3"], "unrecognized arguments")]
    for argv, words in cases:
        run = subprocess.run([sys.executable, "-m", "rocket_hpo.app.cli", *argv],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 2, run.stderr
        assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr, run.stderr
        assert words in run.stderr


def test_ctrl_c_stops_cleanly_and_the_rerun_continues(study_file: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    argv = [sys.executable, "-m", "rocket_hpo.app.cli", "tune", study_file, "--storage", url]
    env = {**os.environ, "QUAD_SLEEP": "0.2"}
    # The child gets the default SIGINT handling: a shell that starts the test suite in the
    # background without job control (as CI may) leaves SIGINT ignored, and Python then
    # never raises KeyboardInterrupt.
    proc = subprocess.Popen([*argv, "--trials", "200"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # Interrupt once the progress shows two finished trials. (Polling the SQLite file for
    # them instead missed the whole 50-second run once, on a loaded machine.)
    watchdog = threading.Timer(90, proc.kill)
    watchdog.start()
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.lstrip().startswith("trial 1 "):
            break
    watchdog.cancel()
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=60)
    err = "".join(seen) + rest
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "run the same command again to resume" in err
    first = _trials(url)
    assert not [t for t in first if t.state.name == "RUNNING"]
    done = sum(t.state.name == "COMPLETE" for t in first)

    run = subprocess.run([*argv, "--trials", str(done + 2)], env={**os.environ}, cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert f"{done} trials already done" in run.stderr.replace("\n", " ")
    after = _trials(url)
    assert [t.number for t in after[: len(first)]] == [t.number for t in first]
    assert sum(t.state.name == "COMPLETE" for t in after) == done + 2
    assert optuna.study.get_all_study_names(url) == ["quad"]


FILE_ERRORS = {
    "best --out in a missing folder": (
        ["best", "--storage", "{url}", "--out", "/nonexistent/d/x.yaml"],
        "cannot use '/nonexistent/d/x.yaml': No such file or directory"),
    "best --out a folder": (
        ["best", "--storage", "{url}", "--out", "{tmp}"], "Is a directory"),
    "best --out under a file": (
        ["best", "--storage", "{url}", "--out", "{tmp}/quad.yaml/x.yaml"], "Not a directory"),
    "report --out under a file": (
        ["report", "--storage", "{url}", "--out", "{tmp}/quad.yaml/report"], "Not a directory"),
    "report --out a file": (
        ["report", "--storage", "{url}", "--out", "{tmp}/quad.yaml"], "must be a folder"),
    "space file missing": (["space", "/nonexistent/space.yaml"], "does not exist"),
    "space file a folder": (["space", "{tmp}/folder.yaml"], "Is a directory"),
    "study file missing": (["tune", "/nonexistent/study.yaml"], "does not exist"),
    "study file a folder": (["tune", "{tmp}/folder.yaml"], "folder.yaml"),
    "status on a missing file": (["status", "--storage", "sqlite:////nonexistent/r.db"],
                                 "does not exist"),
    "tune storage in a missing folder": (
        ["tune", "--storage", "sqlite:////nonexistent/d/r.db"], "does not exist"),
    "pretrain --out under a file": (
        ["pretrain", "--out", "{tmp}/quad.yaml/w.pt"], "File exists"),
    "benchmark --out a file": (
        ["benchmark", "--tasks", "yahpo/lcbench/3945", "--optimizers", "random",
         "--out", "{tmp}/quad.yaml"], "File exists"),
}


@pytest.fixture(scope="module")
def tuned(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A storage holding a finished study, in a folder that also holds a study file."""
    tmp = tmp_path_factory.mktemp("files")
    (tmp / "quad_objective.py").write_text(OBJECTIVE)
    (tmp / "quad.yaml").write_text(STUDY)
    (tmp / "folder.yaml").mkdir()
    url = f"sqlite:///{tmp / 'r.db'}"
    assert main(["tune", str(tmp / "quad.yaml"), "--trials", "2", "--storage", url]) == 0
    return url, tmp


@pytest.mark.parametrize("case", sorted(FILE_ERRORS))
def test_every_file_system_error_is_one_line_and_exit_code_2(
    case: str, tuned: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    url, tmp = tuned
    argv, words = FILE_ERRORS[case]
    capsys.readouterr()
    assert main([a.format(url=url, tmp=tmp) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("rocket: error: ") and words in err, err


def test_a_file_error_from_the_installed_command_has_no_traceback(
    tuned: tuple[str, Path],
) -> None:
    url, _ = tuned
    run = subprocess.run([sys.executable, "-m", "rocket_hpo.app.cli", "best", "--storage", url,
                          "--out", "/nonexistent/d/x.yaml"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert run.stderr == ("rocket: error: cannot use '/nonexistent/d/x.yaml': No such file or "
                          "directory (a folder on the path does not exist).\n")
