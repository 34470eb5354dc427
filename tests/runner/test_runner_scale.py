"""4 workers on PostgreSQL, 400 trials with RocketSampler (slow; also run by the script)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "runtime" / "workers_postgres.py"


@pytest.mark.slow
@pytest.mark.postgres
def test_four_workers_400_trials_no_loss_no_duplicate_and_the_agent_beats_random(
    pg_url: str,
) -> None:
    spec = importlib.util.spec_from_file_location("workers_postgres", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["workers_postgres"] = module  # the workers unpickle its objective by name
    sys.path.insert(0, str(SCRIPT.parent))
    spec.loader.exec_module(module)
    report = module.compare(n_trials=400, n_workers=4, seeds=1)
    (row,) = report["rows"]
    assert row["no_lost_trial"] and row["no_duplicate"] and row["exactly_n"]
    assert row["counts"]["complete"] == 400 and row["counts"]["running"] == 0
    assert row["best"] < row["random_best"]
    assert row["stage"] >= 50  # the shared agent went on learning across the workers
