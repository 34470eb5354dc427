"""Run (task, optimizer, seed) jobs in parallel processes; keep results in a resumable JSON.

``DIR/results.json`` holds ``{"meta": ..., "records": [...]}``. A record is written as
soon as its job finishes (atomically: temporary file then rename), and a rerun with the
same ``DIR`` skips every (task, optimizer, seed, budget) already recorded, so a stopped
run resumes where it was. After the jobs, ``summary.md`` and the PNG plots are rebuilt
from all records in the file, so an optimizer run later into the same ``DIR`` (say, a new
Rocket agent) is summarised with the peers already there. ``meta`` keeps every invocation's
command and the budget cuts at which the summary reads regret.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rocket_hpo._checks import check_choice, check_int, check_number
from rocket_hpo.errors import UsageError

__all__ = ["Job", "load_results", "run_benchmark", "run_job"]

RESULTS = "results.json"


@dataclass(frozen=True)
class Job:
    """One optimizer run: ``optimizer`` on ``task`` with ``seed`` until ``budget`` is spent."""

    task: str
    optimizer: str
    seed: int
    budget: float

    def key(self) -> tuple[str, str, int, float]:
        return (self.task, self.optimizer, self.seed, float(self.budget))


def _single_thread() -> None:
    # Seeds run in separate processes; threads inside each would only fight for the cores.
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = "1"
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover - torch is a core dependency
        pass


def run_job(job: Job) -> dict[str, Any]:
    """Run one job in this process and return its record (``error`` set if it failed)."""
    from .optimizers import run_optimizer
    from .problems import get_problem

    record: dict[str, Any] = asdict(job)
    try:
        problem = get_problem(job.task)
        record.update(run_optimizer(job.optimizer, problem, job.budget, job.seed))
        record["direction"] = problem.direction
    except Exception as e:  # a peer's crash must not take the other jobs down
        record["error"] = f"{type(e).__name__}: {e}"
        record["traceback"] = traceback.format_exc(limit=8)
    return record


def code_version() -> str:
    """The git commit of the code that ran, with ``+dirty`` when ``src/`` has local changes."""
    import subprocess

    root = Path(__file__).resolve().parents[3]
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, check=True,
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=root, check=True,
                               capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def _key(record: dict[str, Any]) -> tuple[str, str, int, float]:
    return (record["task"], record["optimizer"], int(record["seed"]), float(record["budget"]))


def load_results(out: Path) -> dict[str, Any]:
    """The results file in ``out``, or an empty one."""
    path = Path(out) / RESULTS
    if not path.exists():
        return {"meta": {}, "records": []}
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _save(out: Path, data: dict[str, Any]) -> None:
    """Merge ``data``'s records into the file under a lock, so that two invocations on the
    same folder (say, peers and Rocket started separately) never drop each other's records."""
    import fcntl

    path = Path(out) / RESULTS
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        disk = load_results(out)
        merged = {_key(r): r for r in disk["records"]}
        merged.update({_key(r): r for r in data["records"]})
        # Keep the commands (and cuts) of an invocation that wrote since this one started.
        meta, old = data.setdefault("meta", {}), disk.get("meta", {})
        commands = list(old.get("commands", []))
        meta["commands"] = commands + [c for c in meta.get("commands", []) if c not in commands]
        if "cuts" not in meta and "cuts" in old:
            meta["cuts"] = old["cuts"]
        # Completion order varies between runs; the file's order does not.
        data["records"] = sorted(merged.values(), key=_key)
        tmp = path.with_suffix(f".json.tmp{os.getpid()}")
        tmp.write_text(json.dumps(data, indent=1, default=float))
        tmp.replace(path)


def _check(tasks: Sequence[str], optimizers: Sequence[str], seeds: int, budget: float,
           workers: int, cuts: Sequence[float] | None) -> None:
    from .optimizers import OPTIMIZERS

    if not tasks:
        raise UsageError("Give at least one task (--tasks) or a suite (--suite).")
    for o in optimizers:
        check_choice("optimizers", o, sorted(OPTIMIZERS))
    check_int("seeds", seeds, 1)
    check_number("budget", budget, 0, open_low=True)
    check_int("workers", workers, 1)
    for c in cuts or ():
        check_number("cuts", c, 0, budget, open_low=True)


def run_benchmark(
    tasks: Sequence[str],
    optimizers: Sequence[str],
    seeds: int,
    budget: float,
    out: str | os.PathLike[str],
    workers: int = 1,
    command: str | None = None,
    log: Callable[[str], None] = print,
    report: bool = True,
    in_process: bool = False,
    cuts: Sequence[float] | None = None,
    allow_reserved: bool = False,
) -> dict[str, Any]:
    """Run every (task, optimizer, seed) not yet in ``out/results.json``; write the summary.

    Seeds are ``0 .. seeds-1``; the seed is passed to the optimizer (problems are
    deterministic). Jobs run in ``workers`` spawned processes with ``PYTHONHASHSEED=0``:
    SMAC3's choices depend on the interpreter's string-hash seed, so without a fixed one a
    seeded SMAC3 run is not reproducible across processes. ``in_process=True`` runs the jobs
    in this process instead (for tests; SMAC3 results then depend on this interpreter's
    hash seed). ``cuts`` are the costs at which the summary also reports regret and rank,
    read off the same traces (kept in the file for later invocations; default: the budget).
    YAHPO instances outside the shared split's train and dev lists are refused unless
    ``allow_reserved`` (:func:`rocket_hpo.bench.suites.check_not_reserved`). Returns the
    results (``{"meta", "records"}``).

    Example:
        >>> data = run_benchmark(["yahpo/lcbench/3945"], ["random"], seeds=2, budget=3,
        ...                      out="/tmp/rocket-bench-doc", report=False)  # doctest: +SKIP
    """
    _check(tasks, optimizers, seeds, budget, workers, cuts)
    from .problems import get_problem
    from .suites import check_not_reserved

    for t in tasks:  # fail fast on a bad or reserved task, before any process starts
        check_not_reserved(t, allow_reserved)
        get_problem(t)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = load_results(out_dir)
    data["records"] = [r for r in data["records"] if "error" not in r]
    done = {_key(r) for r in data["records"]}
    jobs = [
        Job(t, o, s, float(budget))
        for t in tasks
        for s in range(seeds)
        for o in optimizers
        if (t, o, s, float(budget)) not in done
    ]
    data["meta"] = _meta(data.get("meta", {}), command or " ".join(sys.argv), cuts)
    log(f"{len(jobs)} jobs to run ({len(done)} already in {out_dir / RESULTS}), {workers} workers")
    _single_thread()
    start = time.perf_counter()
    if in_process:
        finished = (run_job(j) for j in jobs)
        _collect(finished, data, out_dir, len(jobs), start, log)
    else:
        import multiprocessing as mp

        # Spawned workers inherit the environment: a fixed hash seed makes SMAC3 reproducible.
        os.environ["PYTHONHASHSEED"] = "0"
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"),
                                 initializer=_single_thread) as pool:
            futures = [pool.submit(run_job, j) for j in jobs]
            _collect((f.result() for f in as_completed(futures)), data, out_dir, len(jobs),
                     start, log)
    errors = len(data.get("errors", []))
    if report:
        from .summary import write_report

        write_report(data, out_dir)
        log(f"wrote {out_dir / 'summary.md'}")
    if errors:
        log(f"{errors} jobs failed; see 'errors' in {out_dir / RESULTS} (rerun to retry them)")
    return data


def _meta(old: dict[str, Any], command: str, cuts: Sequence[float] | None) -> dict[str, Any]:
    """The file's ``meta`` after one more invocation: its command appended, new cuts kept."""
    commands = list(old.get("commands") or ([old["command"]] if old.get("command") else []))
    if command not in commands:
        commands.append(command)
    meta = {
        "command": command,
        "commands": commands,
        "budget_unit": "full-fidelity equivalents",
        "python": sys.version.split()[0],
        "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    kept = sorted({float(c) for c in cuts}) if cuts else old.get("cuts")
    if kept:
        meta["cuts"] = kept
    return meta


def _collect(records: Any, data: dict[str, Any], out: Path, n: int, start: float,
             log: Callable[[str], None]) -> None:
    data["errors"] = []
    code = code_version()
    for i, rec in enumerate(records, 1):
        if "error" in rec:
            data["errors"].append(rec)
            log(f"[{i}/{n}] {rec['task']} {rec['optimizer']} seed {rec['seed']}: "
                f"FAILED {rec['error']}")
        else:
            rec["code"] = code
            data["records"].append(rec)
            regret = rec.get("final_regret")
            shown = f"regret {regret:.4f}" if regret is not None else f"score {rec['final_score']}"
            log(f"[{i}/{n}] {rec['task']} {rec['optimizer']} seed {rec['seed']}: {shown}, "
                f"{rec['n_evals']} evals, overhead {rec['overhead_s']:.1f}s "
                f"({time.perf_counter() - start:.0f}s elapsed)")
        _save(out, data)
