"""The cost ledger: what each trial cost, what the study spent, and the full-data answer.

Cost is counted in full-data equivalents by :func:`rocket_hpo.keys.trial_cost`: the compute
a trial's training used relative to the same configuration's full-data run (the examples its
optimizer steps processed over the full run's, under the same epochs and step cap). The
built-in tasks record it (``rocket:cost``); a trial that recorded nothing (a surrogate, a
plain objective) costs its data fraction. Each entry says which (:attr:`LedgerEntry.basis`).
The two differ under a step cap: a small rung may run as many steps as the full data. Wall
time is taken from the trial's ``train_seconds`` user attribute when the objective records it
(the project's tasks do), else from its start and completion times.

Example:
    >>> import optuna
    >>> from rocket_hpo.keys import COST, FIDELITY_PARAM
    >>> study = optuna.create_study()
    >>> for f in (1 / 9, 1 / 9, 1 / 3, 1.0):
    ...     t = study.ask()
    ...     t.set_user_attr(FIDELITY_PARAM, f)
    ...     _ = study.tell(t, 0.5)
    >>> s = cost_summary(study)
    >>> round(s.spent, 3), s.full_data_cost, round(s.saving, 2)
    (1.556, 4.0, 2.57)
    >>> t = study.ask()  # a step-capped 1/9 rung that ran half the full run's steps
    >>> t.set_user_attr(FIDELITY_PARAM, 1 / 9)
    >>> t.set_user_attr(COST, 0.5)
    >>> _ = study.tell(t, 0.5)
    >>> ledger(study)[-1].cost, ledger(study)[-1].basis, cost_summary(study).n_measured
    (0.5, 'compute', 1)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from optuna.trial import FrozenTrial, TrialState

from rocket_hpo.keys import TRAIN_SECONDS, cost_basis, data_fraction, trial_cost

__all__ = ["CostSummary", "LedgerEntry", "best_full_trial", "cost_summary", "ledger"]

_FINISHED = (TrialState.COMPLETE, TrialState.FAIL, TrialState.PRUNED)


@dataclass(frozen=True)
class LedgerEntry:
    """One finished trial's cost."""

    number: int
    fraction: float
    state: str
    cost: float
    """Full-data equivalents (:func:`rocket_hpo.keys.trial_cost`)."""
    seconds: float | None
    """Wall time of the evaluation, when known."""
    basis: str = "fraction"
    """What :attr:`cost` is: ``compute`` (the compute the trial recorded, relative to its
    full-data run) or ``fraction`` (nothing recorded: its nominal data fraction)."""


@dataclass(frozen=True)
class CostSummary:
    """What a study spent, against what the same evaluations would cost on the full data."""

    n_trials: int
    """Finished trials (complete, failed or pruned)."""
    trials_per_fraction: dict[float, int]
    spent: float
    """Full-data equivalents spent."""
    full_data_cost: float
    """Full-data equivalents the same evaluations would cost on the full data."""
    saving: float
    """full_data_cost / spent (1 = no saving)."""
    seconds: float
    """Wall time of the evaluations whose time is known."""
    full_data_seconds: float
    """Those evaluations' wall time scaled to the full data (linear in the cost)."""
    n_measured: int = 0
    """Trials charged the compute they recorded; the others are charged their fraction."""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["trials_per_fraction"] = {str(k): v for k, v in self.trials_per_fraction.items()}
        return out


def _seconds(t: FrozenTrial) -> float | None:
    value = t.user_attrs.get(TRAIN_SECONDS)
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    if t.datetime_start is not None and t.datetime_complete is not None:
        return (t.datetime_complete - t.datetime_start).total_seconds()
    return None


def ledger(study: Any) -> list[LedgerEntry]:
    """One entry per finished trial of ``study``, in trial order."""
    entries = []
    for t in study.get_trials(deepcopy=False, states=_FINISHED):
        entries.append(LedgerEntry(t.number, data_fraction(t), t.state.name, trial_cost(t),
                                   _seconds(t), cost_basis(t)))
    return entries


def cost_summary(study: Any) -> CostSummary:
    """The study's spending in full-data equivalents and wall time (see the module example)."""
    entries = ledger(study)
    per: dict[float, int] = {}
    for e in entries:
        per[e.fraction] = per.get(e.fraction, 0) + 1
    spent = sum(e.cost for e in entries)
    timed = [e for e in entries if e.seconds is not None]
    return CostSummary(
        n_trials=len(entries),
        trials_per_fraction=dict(sorted(per.items())),
        spent=spent,
        full_data_cost=float(len(entries)),
        saving=len(entries) / spent if spent > 0 else float("nan"),
        seconds=sum(e.seconds for e in timed if e.seconds is not None),
        full_data_seconds=sum(e.seconds / e.cost for e in timed if e.seconds is not None),
        n_measured=sum(e.basis == "compute" for e in entries),
    )


def best_full_trial(study: Any) -> FrozenTrial | None:
    """The best complete trial on the full data (the study's answer), or None if none yet.

    ``study.best_trial`` would compare scores across data fractions, which are not on one
    scale (a small subset often scores higher or lower throughout).
    """
    from optuna.study import StudyDirection

    full = [
        t
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if math.isclose(data_fraction(t), 1.0) and t.value is not None and not math.isnan(t.value)
    ]
    if not full:
        return None
    sign = -1.0 if study.direction == StudyDirection.MAXIMIZE else 1.0
    best: FrozenTrial = min(full, key=lambda t: (sign * float(t.value), t.number))
    return best
