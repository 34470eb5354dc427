"""Objectives for the reliability runs (``cli_kill_resume.py``, ``chaos_workers.py``).

``steady`` takes ``fraction`` (so Rocket uses data subsets) and sleeps briefly;
``steady_full`` does not (every trial on the full data, so the agent updates a stage every
group of trials, which makes the stage check of ``cli_kill_resume.py`` bite).
``chaos`` misbehaves by trial number: 5 % raise, 1 % hang where the alarm reaches
(``time.sleep``), 1 % hang where it cannot (SIGALRM ignored, so the parent ends the
process), 1 % call ``sys.exit``; each evaluation first leaves a file in
``$CHAOS_DIR`` to count evaluations per trial.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import uuid
from pathlib import Path
from typing import Any


def steady(config: dict[str, Any], fraction: float) -> float:
    time.sleep(float(os.environ.get("STEADY_SLEEP", "0.3")))
    return -((config["x"] - 0.3) ** 2) - 0.1 * (config["kind"] == "b") + 0.01 * fraction


def steady_full(config: dict[str, Any]) -> float:
    return steady(config, 1.0)


def chaos(config: dict[str, Any], trial: Any) -> float:
    folder = Path(os.environ["CHAOS_DIR"])
    (folder / f"{trial.number}-{os.getpid()}-{uuid.uuid4().hex[:6]}").touch()
    bucket = (trial.number * 2654435761) % 100
    if bucket < 5:
        raise RuntimeError("diverged")
    if bucket == 5:
        time.sleep(600)
    if bucket == 6:
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        time.sleep(600)
    if bucket == 7:
        sys.exit(4)
    time.sleep(0.02)
    return -((config["x"] - 0.3) ** 2) - 0.1 * (config["kind"] == "b")
