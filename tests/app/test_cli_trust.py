"""What a team needs to trust a run: no password printed or stored, plain Optuna URLs,
the dashboard, full-data studies for objectives without ``fraction``, exit codes, and
Ctrl-C with several workers leaving nothing running."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import optuna
import pytest

from rocket_hpo.app.cli import main
from rocket_hpo.runner import FAIL_KIND, FAIL_REASON, display_url, make_storage

PG = "postgresql://postgres:{pw}@127.0.0.1:5432/test"
SECRET = "s3cret-Pw_" + uuid.uuid4().hex[:6]

OBJECTIVE = '''
def train(config):
    return -(config["x"] - 0.3) ** 2 - (0.0 if config["kind"] == "a" else 0.1)


def broken(config, fraction):
    raise RuntimeError("no GPU here")


def sleepy(config):
    import time
    time.sleep(0.3)
    return config["x"]
'''

STUDY = """\
objective: obj:{fn}
space:
  x: {{type: float, low: 0.0, high: 1.0}}
  kind: {{type: categorical, choices: [a, b]}}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "obj.py").write_text(OBJECTIVE)
    for fn in ("train", "broken", "sleepy"):
        (tmp_path / f"{fn}.yaml").write_text(STUDY.format(fn=fn))
    return tmp_path


@pytest.fixture
def pg_study(postgres: str) -> Iterator[str]:
    """A fresh study name on the real server (skipped, or failed under CI, without one)."""
    name = f"rocket-trust-{uuid.uuid4().hex[:10]}"
    yield name
    with contextlib.suppress(KeyError):
        optuna.delete_study(study_name=name, storage=make_storage(PG.format(pw="x")))


def test_display_url_masks_every_form_of_password() -> None:
    assert display_url(PG.format(pw="secretpw")) == "postgresql://postgres:***@127.0.0.1:5432/test"
    assert display_url("sqlite:///a/b.db") == "sqlite:///a/b.db"
    assert "p@ss" not in display_url("postgresql+psycopg2://u:p@ss@h/db")
    assert display_url("mysql://u@h/db?password=zz&x=1") == "mysql://u@h/db?password=***&x=1"


@pytest.mark.postgres
def test_the_password_is_nowhere_in_output_or_files(
    folder: Path, pg_study: str, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder)
    url = PG.format(pw=SECRET)
    runs = [
        (["tune", str(folder / "train.yaml"), "--trials", "3", "--sampler", "random",
          "--study-name", pg_study, "--storage", url], 0),
        (["status", "--storage", url], 0),
        (["status", "--storage", url, "--study", "nope"], 2),
        (["best", "--storage", url, "--study", pg_study, "--out", str(folder / "best.yaml")], 0),
        (["report", "--storage", url, "--study", pg_study, "--out", str(folder / "report")], 0),
        (["tune", "--trials", "1", "--storage", PG.format(pw=SECRET).replace("5432", "1")], 2),
        (["tune", "--trials", "1", "--storage", f"mysql://u:{SECRET}@127.0.0.1/x"], 2),
        (["status", "--storage", f"postgresql://u:{SECRET}@no-such-host.invalid/x"], 2),
        (["tune", "--trials", "1", "--storage", f"sqlite:///{folder}/nodir/r.db"], 2),
    ]
    for argv, code in runs:
        assert main(argv) == code, (argv, capfd.readouterr())
        out, err = capfd.readouterr()
        assert SECRET not in out + err, (argv, out, err)
        if code == 2:
            assert err.count("\n") == 1, err
            assert "***" in err or "nodir" in err, err
    written = [p for p in folder.rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in written)
    for path in written:
        assert SECRET.encode() not in path.read_bytes(), path
    study = optuna.load_study(study_name=pg_study, storage=make_storage(url))
    stored = [study.user_attrs, study._storage.get_study_system_attrs(study._study_id)]
    stored += [t.user_attrs for t in study.trials] + [t.system_attrs for t in study.trials]
    assert SECRET not in json.dumps(stored, default=str)


@pytest.mark.postgres
def test_plain_optuna_takes_a_bare_postgresql_url_with_rocket_sampler(
    postgres: str, pg_study: str
) -> None:
    from rocket_hpo import RocketSampler

    url = postgres
    study = optuna.create_study(storage=url, study_name=pg_study, sampler=RocketSampler(seed=0))
    study.optimize(lambda t: (t.suggest_float("x", -1, 1) - 0.2) ** 2, n_trials=6)
    again = optuna.load_study(study_name=pg_study, storage=url)
    assert len(again.trials) == 6 and again.best_value < 1.5
    # The psycopg2 spelling keeps working.
    old = optuna.load_study(study_name=pg_study, storage=url.replace("postgresql", "postgresql+psycopg2"))
    assert len(old.trials) == 6


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_rocket_dashboard_serves_the_study(folder: Path) -> None:
    url = f"sqlite:///{folder / 'r.db'}"
    assert main(["tune", str(folder / "train.yaml"), "--trials", "3", "--sampler", "random",
                 "--storage", url]) == 0
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rocket_hpo.app.cli", "dashboard", "--storage", url, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline, body = time.monotonic() + 60, None
        while body is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/studies", timeout=2) as r:
                    body = json.loads(r.read())
            except OSError:
                time.sleep(0.3)
        assert body is not None, proc.stderr.read() if proc.poll() is not None else "no answer"
        (study,) = body["study_summaries"]
        assert study["study_name"] == "train"
        # Bound to this machine only by default.
        assert f"http://127.0.0.1:{port}/" in _first_line(proc)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _first_line(proc: subprocess.Popen[str]) -> str:
    assert proc.stderr is not None
    return proc.stderr.readline()


def test_an_objective_without_fraction_runs_every_trial_on_full_data(
    folder: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{folder / 'r.db'}"
    assert main(["tune", str(folder / "train.yaml"), "--trials", "20", "--storage", url]) == 0
    err = capfd.readouterr().err
    (line,) = [ln for ln in err.splitlines() if ln.startswith("data subsets:")]
    assert line.startswith("data subsets: off (the objective obj:train takes no 'fraction'")
    study = optuna.load_study(study_name="train", storage=url)
    trials = study.trials
    assert len(trials) == 20 and all(t.state.name == "COMPLETE" for t in trials)
    assert all(t.user_attrs.get("rocket:fraction", 1.0) == 1.0 for t in trials)
    configs = {tuple(sorted(t.params.items())) for t in trials}
    assert len(configs) == 20
    assert main(["status", "--storage", url]) == 0
    row = capfd.readouterr().out.splitlines()[1].split()
    assert row[0] == "train" and float(row[5]) == 20.0


def test_exit_codes_and_one_line_for_a_study_where_every_trial_failed(
    folder: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{folder / 'r.db'}"
    assert main(["tune", str(folder / "broken.yaml"), "--trials", "2", "--storage", url]) == 3
    err = capfd.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last.startswith("rocket: every trial failed (2 trials)")
    assert "RuntimeError: no GPU here (at obj.py:7)" in last
    assert main(["tune", str(folder / "train.yaml"), "--workers", "0", "--storage", url]) == 2
    assert "--workers must be >= 1. Got 0." in capfd.readouterr().err
    assert main(["tune", str(folder / "train.yaml"), "--timeout-per-trial", "0"]) == 2
    assert "--timeout-per-trial must be a number > 0" in capfd.readouterr().err


def test_timeout_per_trial_from_a_study_file(folder: Path) -> None:
    study_file = folder / "sleepy.yaml"
    study_file.write_text(study_file.read_text() + "timeout_per_trial: 0.1\nsampler: random\n")
    url = f"sqlite:///{folder / 'r.db'}"
    assert main(["tune", str(study_file), "--trials", "2", "--storage", url]) == 3
    trials = optuna.load_study(study_name="sleepy", storage=url).trials
    assert [t.user_attrs[FAIL_KIND] for t in trials] == ["timeout", "timeout"]


def test_ctrl_c_with_two_workers_leaves_no_trial_running(folder: Path) -> None:
    url = f"sqlite:///{folder / 'r.db'}"
    # The schema exists before the run starts: this test's polling must not create it at the
    # same moment as the run (that race ended a fresh-clone run with 'database is locked').
    optuna.storages.RDBStorage(url)
    argv = [sys.executable, "-m", "rocket_hpo.app.cli", "tune", str(folder / "sleepy.yaml"),
            "--sampler", "random", "--workers", "2", "--trials", "200", "--storage", url]
    proc = subprocess.Popen(argv, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # until both workers are inside a trial
            time.sleep(0.5)
            try:
                study = optuna.load_study(study_name="sleepy", storage=url)
            except KeyError:
                continue
            states = [t.state.name for t in study.get_trials(deepcopy=False)]
            if states.count("COMPLETE") >= 2 and states.count("RUNNING") == 2:
                break
        # Ctrl-C in a terminal reaches every process of the foreground group.
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        watchdog.cancel()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    trials = optuna.load_study(study_name="sleepy", storage=url).trials
    assert not [t for t in trials if t.state.name == "RUNNING"]
    interrupted = [t for t in trials if t.user_attrs.get(FAIL_KIND) == "interrupted"]
    assert 1 <= len(interrupted) <= 2
    assert all(t.user_attrs[FAIL_REASON] == "interrupted: Ctrl-C" for t in interrupted)
