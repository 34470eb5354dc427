"""``rocket status`` and ``rocket best``: read a storage, print what it holds.

Example:
    >>> status("sqlite:///rocket.db", None)  # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import optuna

from rocket_hpo._text import format_score
from rocket_hpo.errors import UsageError
from rocket_hpo.keys import data_fraction
from rocket_hpo.runner import (
    StudySummary,
    check_storage,
    display_url,
    load_study,
    make_storage,
    study_names,
    summarize,
)

__all__ = ["best", "best_document", "status"]


def _line(s: StudySummary) -> str:
    best = "-" if s.best is None else f"{format_score(s.best.value)} (trial {s.best.number})"
    if s.best is not None and not s.best_is_full:
        best += " on a data subset"
    return (f"{s.name:28s} {s.n_complete:5d} {s.n_failed:6d} {s.n_pruned:6d} {s.n_running:7d} "
            f"{s.cost:8.3g}  {s.direction:8s} {s.metric:14s} {best}")


def status(storage: str, study_name: str | None) -> int:
    """Print one line per study: trials by state, cost spent, best value."""
    check_storage(storage, must_exist=True)
    if study_name is not None:
        studies = [load_study(storage, study_name)]
    else:
        rdb = make_storage(storage)
        names = study_names(storage, rdb)
        studies = [optuna.load_study(study_name=n, storage=rdb) for n in names]
    if not studies:
        print(f"no studies in {display_url(storage)}")
        return 0
    print(f"{'study':28s} {'done':>5s} {'failed':>6s} {'pruned':>6s} {'running':>7s} "
          f"{'cost':>8s}  {'goal':8s} {'metric':14s} best")
    for study in studies:
        print(_line(summarize(study)))
    return 0


def best_document(study: optuna.Study) -> dict[str, Any]:
    """The best configuration and where it came from, as plain data.

    Example:
        >>> study = optuna.create_study()
        >>> study.add_trial(optuna.trial.create_trial(
        ...     value=1.0, params={"x": 0.5},
        ...     distributions={"x": optuna.distributions.FloatDistribution(0, 1)}))
        >>> best_document(study)["config"]
        {'x': 0.5}
    """
    s = summarize(study)
    if s.best is None:
        raise UsageError(f"Study {study.study_name!r} has no completed trial yet.")
    return {
        "study": s.name,
        "metric": s.metric,
        "direction": s.direction,
        "value": s.best.value,
        "trial": s.best.number,
        "fraction": data_fraction(s.best),
        "config": dict(s.best.params),
    }


def best(storage: str, study_name: str | None, fmt: str, out: str | None) -> int:
    """Print (or write to ``out``) the best configuration as YAML or JSON."""
    import yaml

    doc = best_document(load_study(storage, study_name))
    if fmt == "json":
        text = json.dumps(doc, indent=2) + "\n"
    elif fmt == "yaml":
        text = str(yaml.safe_dump(doc, sort_keys=False))
    else:
        raise UsageError(f"--format must be 'yaml' or 'json'. Got {fmt!r}.")
    if out is None:
        print(text, end="")
    else:
        Path(out).write_text(text)
        print(f"wrote the best configuration of {doc['study']!r} to {out}")
    return 0
