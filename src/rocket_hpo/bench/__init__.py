"""Benchmark harness: Rocket against random search, TPE, TPE+Hyperband, SMAC3 and DEHB.

Problems (:mod:`rocket_hpo.bench.problems`), optimizer adapters, Rocket's among them
(:mod:`rocket_hpo.bench.optimizers`), parallel, resumable jobs (:func:`run_benchmark`,
:mod:`rocket_hpo.bench.jobs`), statistics (``stats``) and the Markdown/PNG summary
(``summary``). The command line is ``rocket benchmark`` (``command``; see
``benchmarks/README.md``). The names differ from the package's own ``runner/`` and
``report/`` on purpose: those run and report one study, these many benchmark jobs.

Example:
    >>> from rocket_hpo.bench import get_problem, run_optimizer
    >>> record = run_optimizer("random", get_problem("yahpo/lcbench/3945"), budget=2, seed=0)
    >>> record["cost"]
    2.0
"""

from rocket_hpo.bench.jobs import run_benchmark
from rocket_hpo.bench.optimizers import OPTIMIZERS, run_optimizer
from rocket_hpo.bench.problems import Problem, get_problem
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
