"""``rocket benchmark``: turn the parsed options into a :func:`run_benchmark` call."""

from __future__ import annotations

import argparse
import shlex
import sys

from rocket_hpo.errors import UsageError

from .jobs import run_benchmark
from .optimizers import OPTIMIZERS
from .suites import suite_tasks

__all__ = ["DEFAULT_OPTIMIZERS", "run_from_args"]

DEFAULT_OPTIMIZERS = "rocket,random,tpe,tpe-hyperband,smac,smac-mf,dehb"


def _split(text: str, option: str) -> list[str]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise UsageError(f"The option {option} must list at least one name. Got {text!r}.")
    return items


def run_from_args(args: argparse.Namespace) -> int:
    """Run the benchmark the ``rocket benchmark`` options describe; 0 on success."""
    if (args.suite is None) == (args.tasks is None):
        raise UsageError("Give exactly one of --suite NAME or --tasks T1,T2.")
    tasks = suite_tasks(args.suite) if args.suite else _split(args.tasks, "--tasks")
    optimizers = _split(args.optimizers, "--optimizers")
    unknown = [o for o in optimizers if o not in OPTIMIZERS]
    if unknown:
        raise UsageError(
            f"The option --optimizers must name optimizers among {sorted(OPTIMIZERS)}. "
            f"Got {unknown[0]!r}."
        )
    cuts = None
    if args.cuts is not None:
        try:
            cuts = [float(c) for c in _split(args.cuts, "--cuts")]
        except ValueError:
            raise UsageError(
                f"The option --cuts must list numbers, e.g. 20,50. Got {args.cuts!r}."
            ) from None
    command = "rocket benchmark " + " ".join(shlex.quote(a) for a in sys.argv[2:]) \
        if len(sys.argv) > 1 and sys.argv[1] == "benchmark" else None
    data = run_benchmark(
        tasks,
        optimizers,
        seeds=args.seeds,
        budget=args.budget,
        out=args.out,
        workers=args.workers,
        command=command,
        cuts=cuts,
        allow_reserved=args.allow_reserved,
    )
    return 1 if data.get("errors") else 0
