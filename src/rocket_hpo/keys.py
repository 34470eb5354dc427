"""Every attribute name Rocket stores in a study, the one function that reads a trial's
data fraction, and the one that counts its cost.

All of them are plain Optuna user or system attributes (JSON values), so optuna-dashboard and
``study.trials`` show them too. A name is written here once; every module imports it.

Trial user attributes:

- ``rocket:fraction`` (:data:`FIDELITY_PARAM`): the data fraction the trial trains on; absent
  when no fidelity scheduler chose one (the trial then ran on the full data).
- ``rocket:rung``: its index on the ladder, 0 = the cheapest rung.
- ``rocket:promoted_from``: for a promotion, the number of the trial whose configuration it
  re-runs on more data.
- ``rocket:audit``: true on an audit promotion (a random configuration of the rung below,
  promoted to measure the rank agreement without selection bias).
- ``rocket:check_of``: for a check, the number of the full-data trial whose configuration it
  re-runs on a subset, to measure how that subset ranks against the full data.
- ``rocket:transfer``: for a promotion with transfer rules, ``{param: [old, new]}``.
- ``rocket:origin``: where the configuration came from: ``policy``, ``promotion``,
  ``check`` or ``enqueued``.
- ``fail_reason`` and ``rocket:fail_kind``: why a failed trial failed, in words and as a kind.
- ``train_seconds``: the objective's training time.
- ``rocket:cost`` (:data:`COST`): the compute the trial's training used relative to the same
  configuration's full-data run (examples processed over the full run's, under the same
  epochs, batch size and step cap); recorded by tasks that train by optimizer steps (the
  built-in ones), read by :func:`trial_cost`.
- ``rocket:compute`` (:data:`COMPUTE`): the raw numbers behind it, ``{"steps", "examples",
  "full_steps", "full_examples"}``.

Trial system attributes: ``rocket:signals`` (the learning signals of the stage the trial's
start ran), ``rocket:screen`` (what the policy's screen chose, when it ran) and Optuna's own
``fixed_params`` (an enqueued trial's parameters).

Study user attributes: ``rocket:ladder``, ``rocket:agreement`` and
``rocket:learning_fraction`` (the fidelity scheduler's snapshots), ``rocket:metric``,
``rocket:target`` and ``rocket:space`` (written by ``rocket tune``).

Study system attributes: ``rocket:agent:meta`` and ``rocket:agent:state:<slot>:<i>`` (the
agent's saved state, :mod:`rocket_hpo.agent._checkpoint`) and, in older studies,
``rocket:signals:<stage>``.

Example:
    >>> import optuna
    >>> trial = optuna.create_study().ask()
    >>> data_fraction(trial), has_fraction(trial)  # no scheduler: the full data
    (1.0, False)
    >>> trial.set_user_attr(FIDELITY_PARAM, 1 / 9)
    >>> round(data_fraction(trial), 4)
    0.1111
    >>> round(trial_cost(trial), 4), cost_basis(trial)  # nothing recorded: the fraction
    (0.1111, 'fraction')
    >>> trial.set_user_attr(COST, 0.5)  # a step-capped rung used half the full run's compute
    >>> trial_cost(trial), cost_basis(trial)
    (0.5, 'compute')
"""

from __future__ import annotations

import math
from typing import Any, Literal

__all__ = [
    "AGREEMENT",
    "AUDIT",
    "CHECK_OF",
    "COMPUTE",
    "COST",
    "FAIL_KIND",
    "FAIL_REASON",
    "FIDELITY_PARAM",
    "FIXED_PARAMS",
    "LADDER",
    "LEARNING_FRACTION",
    "META_KEY",
    "METRIC_ATTR",
    "ORIGIN_KEY",
    "PROMOTED_FROM",
    "RAY_ATTRS",
    "RAY_KIND",
    "RAY_METRIC",
    "RAY_NUMBER",
    "RAY_REASON",
    "RUNG",
    "SCREEN_KEY",
    "SIGNALS_KEY",
    "SIGNALS_PREFIX",
    "SPACE_ATTR",
    "STATE_PREFIX",
    "TARGET_ATTR",
    "TRAIN_SECONDS",
    "TRANSFER",
    "cost_basis",
    "data_fraction",
    "has_fraction",
    "trial_cost",
]

# --- trial user attributes ------------------------------------------------------------------
FIDELITY_PARAM = "rocket:fraction"
"""Trial user attribute holding the data fraction Rocket chose for the trial."""
RUNG = "rocket:rung"
PROMOTED_FROM = "rocket:promoted_from"
TRANSFER = "rocket:transfer"
AUDIT = "rocket:audit"
CHECK_OF = "rocket:check_of"
ORIGIN_KEY = "rocket:origin"
FAIL_REASON = "fail_reason"
"""User attribute of a failed trial: why it failed, in words."""
FAIL_KIND = "rocket:fail_kind"
"""User attribute of a failed trial: ``exception``, ``non-finite``, ``bad-value``, ``timeout``,
``crash`` (the objective's process died), ``interrupted`` or ``surplus``."""
TRAIN_SECONDS = "train_seconds"
COST = "rocket:cost"
"""User attribute: the trial's compute relative to its configuration's full-data run."""
COMPUTE = "rocket:compute"
"""User attribute: ``{"steps", "examples", "full_steps", "full_examples"}`` behind :data:`COST`."""

# --- trial system attributes ----------------------------------------------------------------
SIGNALS_KEY = "rocket:signals"
SCREEN_KEY = "rocket:screen"
"""On a trial the screen chose: ``{"draws", "chosen", "log_ei"}`` (see ``agent._screen``)."""
FIXED_PARAMS = "fixed_params"
"""Optuna's own: the parameters of an enqueued trial."""

# --- study user attributes ------------------------------------------------------------------
LADDER = "rocket:ladder"
AGREEMENT = "rocket:agreement"
LEARNING_FRACTION = "rocket:learning_fraction"
METRIC_ATTR = "rocket:metric"
SPACE_ATTR = "rocket:space"
TARGET_ATTR = "rocket:target"

# --- study system attributes ----------------------------------------------------------------
META_KEY = "rocket:agent:meta"
STATE_PREFIX = "rocket:agent:state:"
SIGNALS_PREFIX = "rocket:signals:"  # the study-attribute form of older studies

# --- keys of a Ray Tune result (the outcome of one trial on a Ray worker) -------------------
RAY_METRIC = "rocket_value"
RAY_ATTRS = "rocket_user_attrs"
RAY_NUMBER = "rocket_trial_number"
RAY_REASON = "rocket_fail_reason"
RAY_KIND = "rocket_fail_kind"


def data_fraction(trial: Any) -> float:
    """The fraction of the training data ``trial`` trains on (1.0 = full data). The one
    reader of :data:`FIDELITY_PARAM`; its cost is :func:`trial_cost`.

    ``trial`` is an Optuna ``Trial``, ``FrozenTrial`` or anything with ``user_attrs``.
    """
    value = getattr(trial, "user_attrs", {}).get(FIDELITY_PARAM)
    return 1.0 if value is None else float(value)


def has_fraction(trial: Any) -> bool:
    """Whether a fidelity scheduler (or the user) chose ``trial``'s data fraction."""
    return FIDELITY_PARAM in getattr(trial, "user_attrs", {})


def _recorded_cost(trial: Any) -> float | None:
    value = getattr(trial, "user_attrs", {}).get(COST)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    return float(value) if math.isfinite(value) and value > 0 else None


def trial_cost(trial: Any) -> float:
    """``trial``'s cost in full-data equivalents: the compute its training used relative to
    the same configuration's full-data run (:data:`COST`, which the built-in tasks record),
    else its nominal data fraction (objectives that record nothing: surrogates, plain
    functions). The one function that counts cost: the ledger, the report, the runner's
    budget and the benchmark harness all call it.

    ``trial`` is an Optuna ``Trial``, ``FrozenTrial`` or anything with ``user_attrs`` (such
    as a task's ``EvalResult``).
    """
    recorded = _recorded_cost(trial)
    return data_fraction(trial) if recorded is None else recorded


def cost_basis(trial: Any) -> Literal["compute", "fraction"]:
    """What :func:`trial_cost` charges ``trial``: its recorded ``compute``, or its nominal
    ``fraction``."""
    return "fraction" if _recorded_cost(trial) is None else "compute"
