"""Many workers on PostgreSQL with a misbehaving objective: nothing lost, nothing twice,
every failure with its reason, the budget overshot by at most the trials in flight.

Runs ``rocket tune chaos/chaos.yaml --workers W --budget B --timeout-per-trial 2`` (the
objective, ``chaos_objective.chaos``, raises in 5 % of trials, hangs in 2 % (half where the
alarm reaches, half where only ending the process stops it) and calls ``sys.exit`` in
1 %; every trial runs on the full data, so it costs 1 and the budget is a trial count).
Each evaluation leaves a file, so the report can check:

- lost: trials neither complete nor failed by the objective (lost, surplus, interrupted,
  or still running) — expected 0;
- duplicated: trial numbers evaluated more than once — expected 0; and evaluations equal
  the counted trials;
- every failed trial has a ``fail_reason``, by kind;
- overshoot: counted cost minus budget, at most W - 1 (the other workers' trials in flight).

    PYTHONPATH=src nice -n 10 .venv/bin/python benchmarks/runtime/chaos_workers.py \
        --workers 8 --budget 2000 --storage postgresql://postgres@127.0.0.1:5432/test \
        --out benchmarks/runtime/results/chaos_workers.json
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import optuna

from rocket_hpo.keys import trial_cost
from rocket_hpo.runner import (
    FAIL_KIND,
    FAIL_REASON,
    count_trials,
    counted_trials,
    display_url,
    make_storage,
)

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storage", required=True)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--budget", type=float, default=2000)
    parser.add_argument("--sampler", default="rocket")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    name = f"chaos-{uuid.uuid4().hex[:8]}"
    folder = Path(tempfile.mkdtemp(prefix="chaos-"))
    env = {**os.environ, "CHAOS_DIR": str(folder),
           "PYTHONPATH": os.pathsep.join([str(HERE / "chaos"), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "rocket_hpo.app.cli", "tune",
               str(HERE / "chaos" / "chaos.yaml"),
               "--workers", str(args.workers), "--budget", str(args.budget), "--storage",
               args.storage, "--study-name", name, "--sampler", args.sampler]
    start = time.monotonic()
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=7200)
    seconds = time.monotonic() - start
    study = optuna.load_study(study_name=name, storage=make_storage(args.storage))
    trials = study.get_trials(deepcopy=False)
    counted = counted_trials(study)
    counts = count_trials(study)
    evaluated = collections.Counter(int(p.name.split("-")[0]) for p in folder.iterdir())
    kinds = collections.Counter(t.user_attrs.get(FAIL_KIND) for t in trials
                                if t.state.name == "FAIL")
    reasons = {}
    for t in trials:
        if t.state.name == "FAIL":
            reasons.setdefault(t.user_attrs.get(FAIL_KIND), t.user_attrs.get(FAIL_REASON))
    spent = sum(trial_cost(t) for t in counted)  # as the runner counts the budget
    report = {
        "command": " ".join(sys.argv),
        "tune_command": " ".join(command[1:]).replace(args.storage, display_url(args.storage)),
        "exit": run.returncode, "seconds": round(seconds, 1),
        "storage": display_url(args.storage), "study": name,
        "workers": args.workers, "budget": args.budget, "sampler": args.sampler,
        "trials": len(trials), "counted": len(counted), "complete": counts.complete,
        "failed_by_kind": dict(kinds),
        "lost": len(trials) - len(counted),
        "running_at_end": counts.running,
        "duplicated": sorted(n for n, k in evaluated.items() if k > 1),
        "evaluations": sum(evaluated.values()),
        "counted_not_evaluated": sorted({t.number for t in counted} - set(evaluated)),
        "every_failure_has_reason": all(t.user_attrs.get(FAIL_REASON) for t in trials
                                        if t.state.name == "FAIL"),
        "example_reason_by_kind": reasons,
        "spent": spent, "overshoot": spent - args.budget,
        "overshoot_within_in_flight": 0 <= spent - args.budget <= args.workers - 1,
        "stderr_tail": run.stderr[-600:],
    }
    Path(args.out).write_text(json.dumps(report, indent=2, default=str) + "\n")
    keys = ("exit", "seconds", "counted", "lost", "duplicated", "every_failure_has_reason",
            "failed_by_kind", "overshoot", "overshoot_within_in_flight")
    print(json.dumps({k: report[k] for k in keys}))


if __name__ == "__main__":
    main()
