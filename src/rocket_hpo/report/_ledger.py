"""The cost ledger as the report draws it: the cost a study paid to reach each quality level.

A saving is the cost to reach the same quality, not what the same evaluations would have
cost on the full data. So each study becomes a step curve: the best score on the full
data so far against the cost spent so far (full-data equivalents as
:func:`rocket_hpo.keys.trial_cost` counts them, failed trials included).
Beside the study's own curve go those of the other studies of the same task in the same
storage (``rocket:target`` and direction equal) that ran every trial on the full data:
the full-data-only curves to compare with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import optuna

from rocket_hpo.keys import TARGET_ATTR, data_fraction, trial_cost
from rocket_hpo.runner import counted_trials, is_full_data

__all__ = ["MAX_LEVELS", "CostCurve", "Ledger", "cost_curve", "ledger"]

MAX_LEVELS = 8
"""Quality levels in the cost-to-reach table, at most (the best ones)."""


@dataclass
class CostCurve:
    """Best score on the full data so far, at each cost where it improved."""

    label: str
    full_data_only: bool
    cost: list[float] = field(default_factory=list)
    best: list[float] = field(default_factory=list)
    total: float = 0.0
    """Everything the study spent (the curve runs flat from its last step to here)."""

    def cost_to_reach(self, level: float, maximize: bool) -> float | None:
        """The cost at which the curve first reached ``level``, or None if it never did."""
        for c, b in zip(self.cost, self.best, strict=True):
            if (b >= level) if maximize else (b <= level):
                return c
        return None


@dataclass
class Ledger:
    this: CostCurve
    others: list[CostCurve]
    """The full-data-only studies of the same task in the same storage."""
    levels: list[float]
    """Quality levels (best first) for the cost-to-reach table."""
    per_fraction: dict[float, float]
    """Cost spent on each data fraction."""
    comparison_note: str
    """Which curves are compared, or why there is nothing to compare with."""


def cost_curve(study: optuna.Study, label: str) -> CostCurve:
    """``study``'s step curve of best full-data score against cumulative cost."""
    maximize = study.direction == optuna.study.StudyDirection.MAXIMIZE
    trials = sorted(counted_trials(study), key=lambda t: (
        t.datetime_complete is None, t.datetime_complete, t.number))
    curve = CostCurve(label, all(is_full_data(t) for t in trials))
    spent = 0.0
    for t in trials:
        spent += trial_cost(t)
        if t.state != optuna.trial.TrialState.COMPLETE or t.value is None:
            continue
        if not is_full_data(t):
            continue  # scores on subsets are on another scale
        value = float(t.value)
        if not curve.best or ((value > curve.best[-1]) if maximize else
                              (value < curve.best[-1])):
            curve.cost.append(spent)
            curve.best.append(value)
    curve.total = spent
    return curve


def _same_task(study: optuna.Study) -> list[optuna.Study]:
    target = study.user_attrs.get(TARGET_ATTR)
    if target is None:
        return []
    found = []
    for summary in optuna.get_all_study_summaries(study._storage, include_best_trial=False):
        if summary.study_name == study.study_name or summary.direction != study.direction:
            continue
        if summary.user_attrs.get(TARGET_ATTR) != target:
            continue
        found.append(optuna.load_study(study_name=summary.study_name, storage=study._storage))
    return found


def _levels(curves: list[CostCurve], maximize: bool) -> list[float]:
    values = sorted({b for c in curves for b in c.best}, reverse=maximize)
    return values[:MAX_LEVELS]


def ledger(study: optuna.Study) -> Ledger:
    """The study's cost curve, the full-data-only curves to compare it with, and the
    quality levels at which to read them off."""
    maximize = study.direction == optuna.study.StudyDirection.MAXIMIZE
    this = cost_curve(study, f"this study ({study.study_name})")
    per: dict[float, float] = {}
    for t in counted_trials(study):
        f = round(data_fraction(t), 6)
        per[f] = per.get(f, 0.0) + trial_cost(t)
    others = [c for c in (cost_curve(s, f"full data only: {s.study_name}")
                          for s in _same_task(study)) if c.full_data_only and c.best]
    target = study.user_attrs.get(TARGET_ATTR)
    if others:
        names = ", ".join(repr(c.label.split(": ", 1)[1]) for c in others)
        note = (f"Compared with the full-data-only {'study' if len(others) == 1 else 'studies'} "
                f"of the same task in this storage: {names}.")
    elif this.full_data_only:
        note = ("Every trial of this study ran on the full data, so its curve is itself the "
                "full-data-only curve; no data-subset study is set beside it.")
    elif target is None:
        note = ("There is no full-data-only curve to compare with: the study does not record "
                "its task (rocket:target), so studies of the same task cannot be found.")
    else:
        note = (f"There is no full-data-only curve to compare with: no other study of "
                f"{target!r} in this storage ran every trial on the full data.")
    return Ledger(this, others, _levels([this, *others], maximize),
                  dict(sorted(per.items())), note)
