"""``rocket tune`` on a real terminal (a pseudo-terminal): the live bar counts failed
trials and shows scores with significant digits; ``--verbose`` prints each trial's
configuration."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import optuna
import pytest

from rocket_hpo._text import format_score

# Kind "a" scores exactly 1.0 (shown "1.000", never "1"); kind "b" fails.
OBJECTIVE = '''
def objective(config, fraction):
    if config["kind"] == "b":
        raise RuntimeError("kind b is broken")
    return 1.0
'''

STUDY = """\
study_name: ones
objective: ones_objective:objective
direction: maximize
metric: accuracy
space:
  x: {type: float, low: 0.001, high: 1.0, log: true}
  kind: {type: categorical, choices: [a, b]}
sampler: random
"""

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _run_in_terminal(args: list[str], cwd: Path, timeout: float = 120.0) -> str:
    """Run ``args`` with stdout and stderr on a 200-column pseudo-terminal; its output."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "TERM", "NO_COLOR")}
    env.update(TERM="xterm-256color", COLUMNS="200")
    proc = subprocess.Popen(args, stdin=follower, stdout=follower, stderr=follower, cwd=cwd,
                            env=env, close_fds=True)
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the terminal closed: the process is gone
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=10)
    os.close(leader)
    assert proc.returncode == 0, b"".join(chunks).decode(errors="replace")
    # Frames are redrawn after a carriage return or a cursor move: each frame a line.
    text = b"".join(chunks).decode(errors="replace")
    return _ANSI.sub("", re.sub(r"\r|\x1b\[\d*[AFK]", "\n", text))


@pytest.fixture
def study_file(tmp_path: Path) -> Path:
    (tmp_path / "ones_objective.py").write_text(OBJECTIVE)
    (tmp_path / "ones.yaml").write_text(STUDY)
    return tmp_path / "ones.yaml"


def test_the_live_bar_counts_failures_and_formats_scores(study_file: Path,
                                                         tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    rocket = str(Path(sys.executable).with_name("rocket"))
    out = _run_in_terminal([rocket, "tune", str(study_file), "--trials", "8", "--seed", "2",
                            "--storage", url, "--verbose"], tmp_path)
    trials = optuna.load_study(study_name="ones", storage=url).get_trials()
    failed = sum(t.state.name == "FAIL" for t in trials)
    assert 0 < failed < 8  # the seed gives both kinds
    frames = [line for line in out.splitlines() if "trials 8" in line]
    assert frames, out
    last = frames[-1]
    assert f"trials 8 ({failed} failed)" in last and "best 1.000" in last, last
    assert not re.search(r"best 1(\s|$)", out) and "-0.0000" not in out
    # --verbose: one line per finished trial with its configuration, above the bar
    for t in trials:
        if t.state.name == "COMPLETE":
            line = f"trial {t.number} (fraction 1): 1.000  x={format_score(t.params['x'])}, kind=a"
            assert line in out, out
        else:
            assert f"trial {t.number} (fraction 1): failed (" in out
    assert "best accuracy = 1.000" in out


@pytest.mark.parametrize("value, text", [
    (1.0, "1.000"), (-8.3e-06, "-8.300e-06"), (-0.0, "0"), (0.97512, "0.9751"),
    (123456.0, "1.235e+05"), (float("inf"), "inf"),
])
def test_scores_keep_significant_digits(value: float, text: str) -> None:
    assert format_score(value) == text
