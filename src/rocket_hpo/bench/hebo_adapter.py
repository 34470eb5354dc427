"""HEBO in the harness: its suggest/observe loop, run in HEBO's own environment.

HEBO 0.3.6 pins numpy < 1.25 (the project needs numpy 2), so ``make bench-hebo`` builds
``.venv-hebo`` and this adapter runs :mod:`rocket_hpo.bench._hebo_worker` there as a
subprocess (``$ROCKET_HEBO_PYTHON`` names another interpreter). HEBO sees the space in unit
coordinates: every numeric hyperparameter as ``num`` in [0, 1] (its log scale already
applied, integers rounded on the way back), every categorical one as ``cat`` over its choice
indices. HEBO has no conditions: it proposes every hyperparameter, and those inactive in
the resulting configuration are dropped. HEBO runs with its defaults (GP surrogate, MACE
acquisition, NSGA-II), one suggestion at a time, every evaluation at full fidelity.

The worker's start-up (importing torch and HEBO) is recorded as ``setup_s``, not as
optimizer overhead, as the other peers' imports are not.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from rocket_hpo.errors import UsageError
from rocket_hpo.space import Categorical, Config, Space

from .tracker import Tracker

__all__ = ["HEBO_PYTHON_ENV", "from_unit_config", "hebo_params", "hebo_python", "run_hebo"]

HEBO_PYTHON_ENV = "ROCKET_HEBO_PYTHON"
_ROOT = Path(__file__).resolve().parents[3]
_WORKER = Path(__file__).with_name("_hebo_worker.py")


def hebo_python() -> Path:
    """The interpreter that has HEBO: ``$ROCKET_HEBO_PYTHON``, else ``.venv-hebo`` in the
    checkout; a :class:`UsageError` saying how to make it when neither exists."""
    path = Path(os.environ.get(HEBO_PYTHON_ENV) or _ROOT / ".venv-hebo" / "bin" / "python")
    if not path.exists():
        raise UsageError(
            f"The 'hebo' optimizer needs HEBO's own environment; {str(path)!r} does not exist. "
            f"Run 'make bench-hebo' in the checkout, or set ${HEBO_PYTHON_ENV} to a Python "
            "that has hebo==0.3.6."
        )
    return path


def hebo_params(space: Space) -> list[dict[str, Any]]:
    """HEBO ``DesignSpace`` records for ``space``, in unit coordinates.

    Example:
        >>> from rocket_hpo.space import Categorical, Float
        >>> lr, opt = hebo_params(Space(lr=Float(1e-4, 1.0, log=True), opt=Categorical(["a", "b"])))
        >>> lr
        {'name': 'lr', 'type': 'num', 'lb': 0.0, 'ub': 1.0}
        >>> opt
        {'name': 'opt', 'type': 'cat', 'categories': ['0', '1']}
    """
    out: list[dict[str, Any]] = []
    for name, hp in space.items():
        if isinstance(hp, Categorical):
            out.append({"name": name, "type": "cat",
                        "categories": [str(i) for i in range(hp.n_choices)]})
        else:
            out.append({"name": name, "type": "num", "lb": 0.0, "ub": 1.0})
    return out


def from_unit_config(space: Space, x: dict[str, Any]) -> Config:
    """The configuration a HEBO suggestion ``x`` stands for (inactive values dropped).

    Example:
        >>> from rocket_hpo.space import Categorical, Float
        >>> s = Space(dropout=Float(0.0, 0.8), opt=Categorical(["a", "b"]))
        >>> from_unit_config(s, {"dropout": 0.25, "opt": "1"})
        {'dropout': 0.2, 'opt': 'b'}
    """
    config: Config = {}
    for name, hp in space.items():
        if not space.is_active(name, config):
            continue
        if isinstance(hp, Categorical):
            config[name] = hp.choices[int(x[name])]
        else:
            config[name] = hp.from_unit(float(x[name]))
    return config


def run_hebo(tracker: Tracker, seed: int) -> None:
    """Drive HEBO's worker until the tracker's budget is spent (it raises to stop)."""
    start = time.perf_counter()
    space = tracker.problem.space
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(
            [str(hebo_python()), "-I", str(_WORKER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=err, text=True,
        )
        assert proc.stdin is not None and proc.stdout is not None

        def exchange(message: dict[str, Any]) -> dict[str, Any]:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps(message) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
            if not line:
                proc.wait(timeout=30)
                err.seek(0)
                raise RuntimeError(f"HEBO's worker exited ({proc.returncode}): "
                                   f"{err.read()[-2000:]}")
            reply: dict[str, Any] = json.loads(line)
            return reply

        try:
            exchange({"params": hebo_params(space), "seed": seed})
            tracker.setup_s += time.perf_counter() - start
            y: float | None = None
            while True:
                config = from_unit_config(space, exchange({"y": y})["x"])
                score = tracker.evaluate(config, 1.0)
                y = (-score if tracker.maximize else score) if math.isfinite(score) else None
        finally:
            proc.stdin.close()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # pragma: no cover - a hung worker
                proc.kill()
                proc.wait()
