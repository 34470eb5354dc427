"""Benchmark harness: Rocket against random search, TPE, TPE+Hyperband, SMAC3 and DEHB.

Problems (:mod:`rocket_hpo.bench.problems`), optimizer adapters
(:mod:`rocket_hpo.bench.optimizers`), the parallel, resumable runner
(:func:`run_benchmark`), statistics and the Markdown/PNG report. The command line is
``rocket benchmark`` (see ``benchmarks/README.md``).

Example:
    >>> from rocket_hpo.bench import get_problem, run_optimizer
    >>> record = run_optimizer("random", get_problem("yahpo/lcbench/3945"), budget=2, seed=0)
    >>> record["cost"]
    2.0
"""

from rocket_hpo.bench.optimizers import OPTIMIZERS, run_optimizer
from rocket_hpo.bench.problems import Problem, get_problem
from rocket_hpo.bench.runner import run_benchmark
from rocket_hpo.bench.suites import SUITES, suite_tasks

__all__ = [
    "OPTIMIZERS",
    "SUITES",
    "Problem",
    "get_problem",
    "run_benchmark",
    "run_optimizer",
    "suite_tasks",
]
