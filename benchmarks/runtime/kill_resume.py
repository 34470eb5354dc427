"""Kill -9 a study process at random moments and resume it; check nothing was lost.

Each round starts ``resumable_study.py``, kills it with SIGKILL after a random delay,
and records the completed trials and the agent's saved stage found in the storage.
A last round runs to the end. The checks, written to the JSON report:

- every trial completed before a kill is still there, unchanged, at the end;
- each resumed run's agent starts from at least the stage saved before the kill
  (a restart from scratch would report stage 0 or 1);
- the study ends with exactly ``--trials`` completed trials (lost ones re-run).

    .venv/bin/python benchmarks/runtime/kill_resume.py --kills 10 --trials 60 \
        --storage postgresql://postgres@127.0.0.1:5432/test \
        --out benchmarks/runtime/results/kill_resume.json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState

from rocket_hpo.runner import count_trials, make_storage

sys.path.insert(0, str(Path(__file__).parent))
_CONTEXT = multiprocessing.get_context("forkserver")
# Modules that torch.optim and Optuna's RDB storage import lazily, at seconds each.
_CONTEXT.set_forkserver_preload(
    [
        "rocket_hpo.sampler",
        "rocket_hpo.runner",
        "torch._dynamo",
        "alembic.command",
        "alembic.migration",
    ]
)


def _snapshot(storage_url: str, study_name: str) -> dict[str, Any]:
    try:
        study = optuna.load_study(study_name=study_name, storage=make_storage(storage_url))
    except KeyError:  # killed before it created the study
        return {"complete": {}, "stage": None}
    complete = {
        t.number: t.value for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    }
    meta = study._storage.get_study_system_attrs(study._study_id).get("rocket:agent:meta")
    return {"complete": complete, "stage": None if meta is None else int(meta["stage"])}


def _lines(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(raw) for raw in log.read_text().splitlines() if raw.endswith("}")]


def _run(args: list[str], log: Path, kill: tuple[int, float] | None) -> list[dict[str, Any]]:
    """Run the study process; with ``kill = (m, extra)``, SIGKILL it ``extra`` s after its
    m-th trial.

    Counting trials instead of seconds since the start keeps the kill inside the study
    whatever the start-up time; ``extra`` puts it at a random point of the next trial,
    its storage writes or a stage update. Processes fork from a server that imported
    Rocket (and torch) once, so a round starts in milliseconds instead of seconds.
    """
    import resumable_study

    process = _CONTEXT.Process(target=resumable_study.main, args=([*args, "--log", str(log)],))
    process.start()
    while process.is_alive():
        if kill is not None and sum("trial" in line for line in _lines(log)) >= kill[0]:
            time.sleep(kill[1])
            os.kill(process.pid, signal.SIGKILL)  # type: ignore[arg-type]
            break
        time.sleep(0.005)
    process.join()
    return _lines(log)


def kill_and_resume(
    storage: str,
    n_trials: int,
    kills: int,
    seed: int = 0,
    sampler: str = "rocket",
    sleep: float = 0.05,
    extra: float = 0.2,
    study_name: str | None = None,
    kill_points: list[tuple[int, float]] | None = None,
) -> dict[str, Any]:
    """Run the kill/resume rounds and return the report (see the module docstring).

    ``kill_points`` fixes each kill as (trials run in that round, extra seconds); by
    default they are drawn from ``seed``.
    """
    rng = random.Random(seed)
    name = study_name or f"kill-resume-{uuid.uuid4().hex[:10]}"
    cmd = ["--storage", storage, "--study", name]
    cmd += ["--trials", str(n_trials), "--sampler", sampler, "--seed", str(seed)]
    cmd += ["--sleep", str(sleep)]
    rounds: list[dict[str, Any]] = []
    saved_stage: int | None = None
    start = time.perf_counter()
    for k in range(kills + 1):
        per_round = max(1, n_trials // (kills + 1))
        kill = (rng.randint(1, per_round), rng.uniform(0.0, extra)) if k < kills else None
        if kill_points is not None and k < kills:
            kill = kill_points[k]
        lines = _run(cmd, Path(tempfile.mkdtemp()) / f"round{k}.jsonl", kill)
        snap = _snapshot(storage, name)
        trials = [line for line in lines if "trial" in line]
        rounds.append(
            {
                "killed_after_trials": None if kill is None else kill[0],
                "killed_extra_s": None if kill is None else round(kill[1], 3),
                "trials_run": len(trials),
                "first_stage_seen": trials[0]["stage"] if trials else None,
                "stage_saved_before": saved_stage,
                "stage_saved_after": snap["stage"],
                "complete_after": snap["complete"],
                "finished": any("done" in line for line in lines),
            }
        )
        saved_stage = snap["stage"]
    final = optuna.load_study(study_name=name, storage=make_storage(storage))
    final_complete = {
        t.number: t.value for t in final.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    }
    kept = all(final_complete.get(n) == v for r in rounds for n, v in r["complete_after"].items())
    resumed = all(
        r["first_stage_seen"] is None
        or r["stage_saved_before"] is None
        or r["first_stage_seen"] >= r["stage_saved_before"]
        for r in rounds
    )
    counts = count_trials(final)
    from rocket_hpo.bench.jobs import code_version

    report = {
        "code": code_version(),  # the commit that ran, '+dirty' with local changes in src/
        "storage": storage.split("@")[-1],
        "study": name,
        "n_trials": n_trials,
        "kills": kills,
        "seed": seed,
        "sampler": sampler,
        "seconds": round(time.perf_counter() - start, 1),
        "rounds": [
            {k: v for k, v in r.items() if k != "complete_after"}
            | {"n_complete_after": len(r["complete_after"])}
            for r in rounds
        ],
        "counts": counts.__dict__,
        "every_completed_trial_kept": kept,
        "agent_resumed_from_saved_stage": resumed,
        "exactly_n_complete": counts.complete == n_trials,
        "final_stage": rounds[-1]["stage_saved_after"],
    }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storage", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sampler", choices=["rocket", "tpe", "random"], default="rocket")
    parser.add_argument("--keep", action="store_true", help="keep the study in the storage")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    report = kill_and_resume(args.storage, args.trials, args.kills, args.seed, args.sampler)
    if not args.keep:
        optuna.delete_study(study_name=report["study"], storage=make_storage(args.storage))
    text = json.dumps(report, indent=2)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    ok = (
        report["every_completed_trial_kept"]
        and report["agent_resumed_from_saved_stage"]
        and report["exactly_n_complete"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
