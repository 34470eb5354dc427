"""Rocket with data subsets vs Rocket on full data, on the project's own deep-learning tasks.

The same comparison as ``subsets_vs_full.py`` (through the harness, ``rocket_hpo.bench.jobs``), on
``dl/etth1_h24`` (time-series forecasting, val_mse) and ``dl/trec`` (text classification,
val_accuracy): real training, the fraction is the share of the training rows (nested,
seeded subsets), cost in full-data equivalents. ``rocket``: RocketSampler with the
SubsetScheduler's defaults; ``rocket-full``: the same policy, every trial on full data.

The harness records only the tracker's books (trace, cost, evaluation counts). To report
what the scheduler did, this script runs the jobs in its own process (``in_process=True``,
one job after another, i.e. one worker) and wraps the optimizers without changing them: it
keeps a reference to the Optuna study each run creates and, when the run ends, writes to
``OUT/studies.json`` the trials per data fraction (promotions and audits among them), the
study's stored agreement (``rocket:agreement``) and learning fraction, and the learning
fraction the scheduler reported at each of its decisions, with the cost spent by then.

Command (resumable; run with the code pinned, see README.md "Deep-learning tasks"):
    OMP_NUM_THREADS=1 nohup nice -n 10 .venv/bin/python benchmarks/fidelity/subsets_vs_full_dl.py \
        > benchmarks/fidelity/subsets_vs_full_dl.log 2>&1 &
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
TASKS = ["dl/etth1_h24", "dl/trec"]
SIDE = "studies.json"


def _study_summary(study: Any, decisions: list[dict[str, Any]]) -> dict[str, Any]:
    """What the study holds: trials per fraction and state, the scheduler's attributes."""
    from optuna.trial import TrialState

    from rocket_hpo.keys import (
        AGREEMENT,
        AUDIT,
        LEARNING_FRACTION,
        PROMOTED_FROM,
        data_fraction,
    )

    per: dict[str, Counter[str]] = {}
    for t in study.get_trials(deepcopy=False):
        if t.state == TrialState.RUNNING:  # the trial asked when the budget ran out
            continue
        frac = data_fraction(t)
        c = per.setdefault(f"{frac:.6f}", Counter())
        c["trials"] += 1
        c[t.state.name.lower()] += 1
        c["promoted"] += PROMOTED_FROM in t.user_attrs
        c["audits"] += bool(t.user_attrs.get(AUDIT, False))
    return {
        "trials_per_fraction": {k: dict(v) for k, v in sorted(per.items())},
        "agreement": study.user_attrs.get(AGREEMENT),
        "learning_fraction": study.user_attrs.get(LEARNING_FRACTION),
        "decisions": decisions,
    }


def _save_side(out: Path, key: str, value: dict[str, Any]) -> None:
    path = out / SIDE
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = value
    tmp = path.with_suffix(f".json.tmp{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True, default=float))
    tmp.replace(path)


def _capturing(name: str, run: Callable[[Any, int], None], out: Path) -> Callable[[Any, int], None]:
    """``run`` unchanged, plus a record of its study written to ``out/studies.json``."""

    def wrapped(tracker: Any, seed: int) -> None:
        import optuna

        from rocket_hpo.fidelity import SubsetScheduler

        studies: list[Any] = []
        decisions: list[dict[str, Any]] = []
        create, assign = optuna.create_study, SubsetScheduler.assign

        def create_study(*args: Any, **kwargs: Any) -> Any:
            study = create(*args, **kwargs)
            studies.append(study)
            return study

        def assign_logged(self: Any, study: Any, trial: Any) -> Any:
            decision = assign(self, study, trial)
            decisions.append(
                {
                    "spent": tracker.spent,
                    "fraction": decision.fraction,
                    "learning_fraction": decision.learning_fraction,
                    "audit": decision.audit,
                }
            )
            return decision

        optuna.create_study = create_study
        SubsetScheduler.assign = assign_logged  # type: ignore[method-assign]
        try:
            run(tracker, seed)
        finally:
            optuna.create_study = create
            SubsetScheduler.assign = assign  # type: ignore[method-assign]
            if studies:
                key = f"{tracker.problem.name}|{name}|{seed}|{float(tracker.budget)}"
                _save_side(out, key, _study_summary(studies[0], decisions))

    return wrapped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--optimizers", default="rocket,rocket-full")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--budget", type=float, default=20.0)
    parser.add_argument("--out", default=str(HERE / "results_dl"))
    args = parser.parse_args()
    from rocket_hpo.bench import optimizers
    from rocket_hpo.bench.jobs import run_benchmark

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    names = args.optimizers.split(",")
    for n in names:
        # Only Rocket's runs are recorded: a peer running beside them (another invocation on
        # the same folder) then never writes studies.json, which is not locked.
        if n in optimizers.OPTIMIZERS and n.startswith("rocket"):
            optimizers.OPTIMIZERS[n] = _capturing(n, optimizers.OPTIMIZERS[n], out)
    command = "python benchmarks/fidelity/subsets_vs_full_dl.py " + " ".join(
        f"--{k} {v}" for k, v in vars(args).items() if k != "out"
    )
    run_benchmark(
        args.tasks.split(","), names, args.seeds, args.budget, out, command=command, in_process=True
    )


if __name__ == "__main__":
    main()
