"""Every attribute name Rocket stores in a study, and the one function that reads a trial's
data fraction.

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
- ``rocket:transfer``: for a promotion with transfer rules, ``{param: [old, new]}``.
- ``rocket:origin``: where the configuration came from: ``policy``, ``promotion`` or
  ``enqueued``.
- ``fail_reason`` and ``rocket:fail_kind``: why a failed trial failed, in words and as a kind.
- ``train_seconds``: the objective's training time.

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
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AGREEMENT",
    "AUDIT",
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
    "data_fraction",
    "has_fraction",
]

# --- trial user attributes ------------------------------------------------------------------
FIDELITY_PARAM = "rocket:fraction"
"""Trial user attribute holding the data fraction Rocket chose for the trial."""
RUNG = "rocket:rung"
PROMOTED_FROM = "rocket:promoted_from"
TRANSFER = "rocket:transfer"
AUDIT = "rocket:audit"
ORIGIN_KEY = "rocket:origin"
FAIL_REASON = "fail_reason"
"""User attribute of a failed trial: why it failed, in words."""
FAIL_KIND = "rocket:fail_kind"
"""User attribute of a failed trial: ``exception``, ``non-finite``, ``bad-value``, ``timeout``,
``crash`` (the objective's process died), ``interrupted`` or ``surplus``."""
TRAIN_SECONDS = "train_seconds"

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
    """The fraction of the training data ``trial`` trains on (1.0 = full data), which is also
    its cost in full-data equivalents. The one reader of :data:`FIDELITY_PARAM`.

    ``trial`` is an Optuna ``Trial``, ``FrozenTrial`` or anything with ``user_attrs``.
    """
    value = getattr(trial, "user_attrs", {}).get(FIDELITY_PARAM)
    return 1.0 if value is None else float(value)


def has_fraction(trial: Any) -> bool:
    """Whether a fidelity scheduler (or the user) chose ``trial``'s data fraction."""
    return FIDELITY_PARAM in getattr(trial, "user_attrs", {})
