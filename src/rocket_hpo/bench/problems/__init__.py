"""Benchmark problems by name: YAHPO surrogates, mf-prior-bench functions, Rocket's own tasks.

Names:

* ``yahpo/<scenario>/<instance>``: a YAHPO Gym v1.0.2 surrogate (lcbench, rbv2_xgboost,
  rbv2_rpart, iaml_glmnet), see :mod:`rocket_hpo.bench.problems.yahpo`;
* ``mfpb/<function>``: an mf-prior-bench synthetic function (``mfh3``, ``mfh6``), see
  :mod:`rocket_hpo.bench.problems.mfpb` (needs the ``bench`` extra);
* ``dl/<task>``: one of Rocket's deep-learning tasks (``rocket tasks`` lists them).

Example:
    >>> p = get_problem("yahpo/lcbench/3945")
    >>> p.direction, len(p.space)
    ('maximize', 7)
"""

from __future__ import annotations

from rocket_hpo.errors import UsageError

from .base import Problem, check_fraction, normalised_regret

__all__ = ["Problem", "check_fraction", "get_problem", "normalised_regret"]


def get_problem(name: str) -> Problem:
    """The benchmark problem called ``name`` (see the module docstring for the forms)."""
    if not isinstance(name, str):
        raise UsageError(f"A problem name must be a string. Got {name!r} instead.")
    parts = name.split("/")
    kind = parts[0]
    if kind == "yahpo" and len(parts) == 3:
        from .yahpo import YahpoProblem

        return YahpoProblem(parts[1], parts[2])
    if kind == "mfpb" and len(parts) == 2:
        from .mfpb import MfpbProblem

        return MfpbProblem(parts[1])
    if kind == "dl" and len(parts) == 2:
        from .dl import TaskProblem

        return TaskProblem(parts[1])
    raise UsageError(
        "A problem name must be 'yahpo/<scenario>/<instance>', 'mfpb/<function>' or "
        f"'dl/<task>'. Got {name!r} instead."
    )
