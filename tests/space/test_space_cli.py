"""`rocket space FILE`: a good file is described, a bad one gives one line and exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def _rocket(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rocket_hpo.app.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_valid_space_file(tmp_path: Path) -> None:
    path = tmp_path / "space.yaml"
    path.write_text("lr: {type: float, low: 1e-5, high: 1, log: true}\nopt: {type: bool}\n")
    out = _rocket("space", str(path))
    assert out.returncode == 0, out.stderr
    assert "valid space with 2 hyperparameters" in out.stdout


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("lr: {type: float, low: 1e-5, hihg: 1}\n", "'lr' has unknown key 'hihg'"),
        ("lr: {type: float, low: abc, high: 1}\n", "'low' of hyperparameter 'lr' must be a number"),
        ("lr: {type: float, low: 0, high: [1}\n", "Cannot parse the space as YAML"),
    ],
)
def test_bad_space_file_one_line_exit_2(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "space.yaml"
    path.write_text(text)
    out = _rocket("space", str(path))
    assert out.returncode == 2
    assert fragment in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr


def test_missing_file(tmp_path: Path) -> None:
    out = _rocket("space", str(tmp_path / "nope.yaml"))
    assert out.returncode == 2
    assert "does not exist" in out.stderr
