"""Reward approximation on data subsets: the fidelity a trial runs at.

- :func:`data_fraction` tells an objective which fraction of its training data to use;
  :func:`nested_subset` and :func:`subset_dataset` draw that fraction (nested, seeded,
  stratified).
- :class:`SubsetScheduler` puts each trial on a :class:`Ladder` of fractions, promotes the
  best configurations of a rung to the next asynchronously (ASHA's quota, or by expected
  gain per unit cost with ``promotion="gain"``: :mod:`rocket_hpo.fidelity.promotion`),
  measures how far each rung's ranking agrees with the next (:class:`Trust`), says which
  rung the policy should learn from, and applies :class:`TransferRules` on promotion.
- :class:`FidelitySampler` runs any Optuna sampler (TPE, random) on the ladder.
- :func:`cost_summary` and :func:`ledger` account the cost; :func:`best_full_trial` is the
  study's answer, taken from full-data trials only.

The attributes stored in the study, and the one reader of a trial's data fraction
(:func:`data_fraction`, re-exported here), are in :mod:`rocket_hpo.keys`.

Example:
    >>> import optuna
    >>> study = optuna.create_study()
    >>> trial = study.ask()
    >>> data_fraction(trial)  # no scheduler: the full data
    1.0
    >>> SubsetScheduler(Ladder(1 / 9, 3), promotion="asha").assign(study, trial).fraction
    0.1111111111111111
    >>> round(data_fraction(trial), 4)
    0.1111
"""

from __future__ import annotations

from rocket_hpo.fidelity.agreement import Agreement, Trust, rank_agreement
from rocket_hpo.fidelity.hook import Assignment, FidelityHook
from rocket_hpo.fidelity.ladder import Ladder
from rocket_hpo.fidelity.ledger import (
    CostSummary,
    LedgerEntry,
    best_full_trial,
    cost_summary,
    ledger,
)
from rocket_hpo.fidelity.on_ladder import FidelitySampler
from rocket_hpo.fidelity.scheduler import SubsetScheduler
from rocket_hpo.fidelity.subsets import nested_subset, subset_dataset
from rocket_hpo.fidelity.transfer import Scale, TransferRules
from rocket_hpo.keys import FIDELITY_PARAM, data_fraction

__all__ = [
    "FIDELITY_PARAM",
    "Agreement",
    "Assignment",
    "CostSummary",
    "FidelityHook",
    "FidelitySampler",
    "Ladder",
    "LedgerEntry",
    "Scale",
    "SubsetScheduler",
    "TransferRules",
    "Trust",
    "best_full_trial",
    "cost_summary",
    "data_fraction",
    "ledger",
    "nested_subset",
    "rank_agreement",
    "subset_dataset",
]

