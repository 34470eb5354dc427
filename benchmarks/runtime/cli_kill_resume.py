"""kill -9 ``rocket tune --workers 2`` (the main process and its workers) at random moments,
rerun it each time, and check that nothing was lost.

Each round starts ``rocket tune chaos/steady_full.yaml --workers 2 --trials N`` in its own
process group, kills the whole group with SIGKILL after a random delay, and reads the
storage. A last run goes to the end. The checks, written to the JSON report:

- every trial completed before a kill is still complete, with the same value, at the end;
- no trial is left RUNNING after the last run;
- the study ends with exactly N counted trials (all complete: the objective never fails);
- the agent's saved stage never goes back (a restart from scratch would save stage 0/1
  again): the stage stored at each kill is at most the stage stored after the rerun.

    PYTHONPATH=src nice -n 10 .venv/bin/python benchmarks/runtime/cli_kill_resume.py \
        --kills 20 --trials 60 --storage sqlite:///tmp/ckr.db \
        --out benchmarks/runtime/results/cli_kill_resume_sqlite.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState

from rocket_hpo.runner import count_trials, display_url, make_storage

HERE = Path(__file__).resolve().parent


def _snapshot(url: str, name: str) -> dict[str, Any]:
    try:
        study = optuna.load_study(study_name=name, storage=make_storage(url))
    except KeyError:  # killed before it created the study
        return {"complete": {}, "stage": None, "running": 0, "counted": 0}
    trials = study.get_trials(deepcopy=False)
    meta = study._storage.get_study_system_attrs(study._study_id).get("rocket:agent:meta")
    counts = count_trials(study)
    return {
        "complete": {t.number: t.value for t in trials if t.state == TrialState.COMPLETE},
        "stage": None if meta is None else int(meta["stage"]),
        "running": counts.running,
        "counted": counts.done,
        "lost": counts.lost,
        "surplus": counts.surplus,
    }


def _tune(url: str, name: str, n_trials: int, study: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "rocket_hpo.app.cli", "tune", study, "--workers", "2",
               "--trials", str(n_trials), "--storage", url, "--study-name", name]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE / "chaos"),
                                                         os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)


def kill_and_resume(url: str, n_trials: int, kills: int, seed: int, name: str,
                    low: float, high: float, study: str) -> dict[str, Any]:
    rng = random.Random(seed)
    rounds, kept = [], {}
    for k in range(kills + 1):
        before = _snapshot(url, name)
        process = _tune(url, name, n_trials, study)
        start = time.monotonic()
        if k < kills:
            delay = rng.uniform(low, high)
            try:
                process.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the main process and its workers
                process.wait()
        else:
            process.wait(timeout=1800)
        err = process.stderr.read().decode() if process.stderr else ""
        after = _snapshot(url, name)
        for number, value in after["complete"].items():
            kept.setdefault(number, value)
        rounds.append({
            "round": k, "killed": k < kills and process.returncode == -signal.SIGKILL,
            "seconds": round(time.monotonic() - start, 1), "exit": process.returncode,
            "complete_before": len(before["complete"]), "complete_after": len(after["complete"]),
            "stage_before": before["stage"], "stage_after": after["stage"],
            "counted_after": after["counted"], "running_after": after["running"],
            "lost_after": after.get("lost", 0),
            "stderr_tail": "" if process.returncode in (0, -signal.SIGKILL) else err[-400:],
        })
    final = _snapshot(url, name)
    stages = [r["stage_after"] for r in rounds if r["stage_after"] is not None]
    return {
        "storage": display_url(url), "study": name, "study_file": Path(study).name,
        "trials": n_trials, "kills": kills,
        "seed": seed, "kill_delay_s": [low, high], "rounds": rounds,
        "kills_that_landed": sum(r["killed"] for r in rounds),
        "kills_while_trials_remained": sum(r["killed"] and r["complete_before"] < n_trials
                                           for r in rounds),
        "every_completed_trial_kept": all(final["complete"].get(n) == v for n, v in kept.items()),
        "no_trial_running_at_end": final["running"] == 0,
        "exactly_n_counted": final["counted"] == n_trials
        and len(final["complete"]) == n_trials,
        "stage_never_went_back": stages == sorted(stages),
        "last_run_exit": rounds[-1]["exit"],
        "final_stage": final["stage"], "lost_trials_rerun": final.get("lost", 0),
        "surplus": final.get("surplus", 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storage", required=True)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--low", type=float, default=2.0, help="shortest kill delay, s")
    parser.add_argument("--high", type=float, default=14.0, help="longest kill delay, s")
    parser.add_argument("--study", default=str(HERE / "chaos" / "steady_full.yaml"),
                        help="study file (default chaos/steady_full.yaml: full data; "
                        "chaos/steady.yaml uses data subsets)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    name = f"ckr-{uuid.uuid4().hex[:8]}"
    report = kill_and_resume(args.storage, args.trials, args.kills, args.seed, name,
                             args.low, args.high, args.study)
    report["command"] = " ".join(sys.argv)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    checks = ("every_completed_trial_kept", "no_trial_running_at_end", "exactly_n_counted",
              "stage_never_went_back")
    print(json.dumps({k: report[k] for k in (*checks, "kills_that_landed", "final_stage")}))
    sys.exit(0 if all(report[k] for k in checks) else 1)


if __name__ == "__main__":
    main()
