"""``rocket pretrain``: train the compact policy across tasks and write a weight file.

Sources: ``synthetic`` (fresh random tasks), ``yahpo-train`` (the ``train`` instances of
the project's split file), and ``--from-storage URL [--study NAME]``: each finished study
becomes a task through a surrogate fitted to its trials. With ``--from-storage`` the run
starts from the shipped weights (or ``--init``), so a team's past studies refine them.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from rocket_hpo.errors import UsageError

# The heavy modules (torch, the tasks) are imported by run(), so that 'rocket --help' is fast.

__all__ = ["add_parser", "run"]

SOURCES = ("synthetic", "yahpo-train")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("pretrain", help="pretrain the policy across tasks; writes weights")
    p.add_argument("--out", required=True, help="weight file to write (NAME.pt, and NAME.json)")
    p.add_argument("--minutes", type=float, default=120.0, help="length of the run (default 120)")
    p.add_argument("--sources", default="synthetic,yahpo-train",
                   help=f"comma-separated task sources: {', '.join(SOURCES)}")
    p.add_argument("--from-storage", default=None, metavar="URL",
                   help="add the finished studies of this Optuna storage as tasks")
    p.add_argument("--study", "--study-name", action="append", default=None,
                   help="with --from-storage: only these studies (repeatable)")
    p.add_argument("--init", default=None, help="weights to start from (default: new, or the "
                   "shipped weights with --from-storage)")
    p.add_argument("--exclude", action="append", default=None, metavar="SCENARIO",
                   help="leave this YAHPO scenario's train instances out (repeatable), e.g. "
                        "rbv2_rpart for a leave-one-scenario-out check")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--log", default=None, help="JSON-lines log (default: OUT with .log)")
    # The CPU by default: the policy is small and a rollout is many tiny sequential forward
    # passes, so kernel launches dominate on a GPU (one minute on an H200 machine: 67
    # iterations with CUDA, 95 on one of its CPU threads; benchmarks/gpu/README.md).
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                   help="where the policy trains (default cpu: faster for this small network)")


def _study_tasks(url: str, names: list[str] | None) -> list[Any]:
    import optuna

    from rocket_hpo.agent.pretrain.tasks import StudyTask
    from rocket_hpo.runner import make_storage

    storage = make_storage(url)
    found = [s.study_name for s in optuna.get_all_study_summaries(storage)]
    wanted = names or found
    missing = [n for n in wanted if n not in found]
    if missing:
        raise UsageError(f"No study {missing[0]!r} in the storage; it holds: "
                         f"{', '.join(found) or 'none'}.")
    tasks: list[Any] = []
    for name in wanted:
        try:
            tasks.append(StudyTask(optuna.load_study(study_name=name, storage=storage)))
        except ValueError as e:
            print(f"rocket pretrain: skipping study {name!r}: {e}", file=sys.stderr)
    if not tasks:
        raise UsageError("None of the studies has enough complete trials to learn from.")
    return tasks


def run(args: argparse.Namespace) -> int:
    import torch

    from rocket_hpo.agent._weights import load_weights, save_weights
    from rocket_hpo.agent.policy import HistoryPolicy
    from rocket_hpo.agent.pretrain.tasks import training_tasks
    from rocket_hpo.agent.pretrain.train import (
        PretrainSettings,
        pretrain,
        settings_dict,
        write_log,
    )

    sources = [s for s in args.sources.split(",") if s]
    unknown = [s for s in sources if s not in SOURCES]
    if unknown:
        raise UsageError(f"Unknown --sources entry {unknown[0]!r}; choose from {SOURCES}.")
    if args.minutes <= 0:
        raise UsageError(f"--minutes must be > 0. Got {args.minutes}.")
    if args.device == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda: torch sees no CUDA device here.")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # The weights first: a wrong --init is reported before any task is built.
    init = args.init or (None if not args.from_storage else "default")
    policy = (load_weights(None if init == "default" else init) if init else HistoryPolicy())
    tasks = training_tasks(sources, exclude=args.exclude or ())
    if args.from_storage:
        tasks += _study_tasks(args.from_storage, args.study)
    device = torch.device(args.device)
    policy.to(device)
    settings = PretrainSettings(
        seconds=60 * args.minutes,
        synthetic_share=1.0 if tasks == [] else (0.5 if "synthetic" in sources else 0.0))
    if "synthetic" not in sources and not tasks:
        raise UsageError("No training tasks: give --sources or --from-storage.")
    log_path = Path(args.log) if args.log else out.with_suffix(".log")
    made_by = {
        "command": "rocket " + shlex.join(sys.argv[1:]) if sys.argv else "rocket pretrain",
        "seed": args.seed, "sources": sources, "exclude": args.exclude or [],
        "from_storage": bool(args.from_storage),
        "studies": [t.name for t in tasks if t.name.startswith("study/")],
        "init": init, "settings": settings_dict(settings), "device": str(device),
        "torch": torch.__version__, "date": time.strftime("%Y-%m-%d"),
    }
    def checkpoint(p: HistoryPolicy, it: int) -> None:
        save_weights(p.cpu(), out, {**made_by, "iterations": it})
        p.to(device)

    started = time.monotonic()

    def progress(record: dict[str, Any]) -> None:
        write_log(log_path)(record)
        if record["iteration"] % 20 == 0:
            left = max(0.0, settings.seconds - (time.monotonic() - started))
            print(f"pretrain: iteration {record['iteration']}, {record['task']}, anytime "
                  f"quality {record['anytime']:.3f}, {left / 60:.1f} min left",
                  file=sys.stderr, flush=True)

    records = pretrain(policy, settings, tasks=tasks, seed=args.seed, log=progress,
                       checkpoint=checkpoint)
    checkpoint(policy, len(records))
    print(f"pretrain: wrote {out} after {len(records)} iterations")
    return 0
