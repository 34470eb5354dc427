"""The agent's learning record, read from the study: one entry per stage.

Rocket's sampler stores, per stage, under the trial system attribute ``rocket:signals``
of the trial that ran the update (see :func:`rocket_hpo.agent.read_signals`): the policy's
entropy, the group's mean advantage, the best value so far and the group's mean value at
the fidelity the policy learns from, and each hyperparameter's distribution (probabilities
per category, or per bin of the unit interval for numeric ones). This module turns that
into :class:`AgentStages`, or ``None`` when the study has no such record (another sampler,
or no stage finished yet).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import optuna

from rocket_hpo.space import Space

__all__ = ["AgentStages", "Distribution", "read_agent_stages"]


@dataclass
class Distribution:
    """One hyperparameter's distribution under the policy, stage by stage."""

    labels: list[str]
    """A label per bin: a category, or the value at the bin's centre."""
    stages: list[int] = field(default_factory=list)
    """The stages this hyperparameter was recorded at."""
    probs: list[list[float]] = field(default_factory=list)
    """(stages, bins): probability of each bin at the end of each stage."""


@dataclass
class AgentStages:
    stage: list[int]
    start: list[int | None]
    """The number of the trial whose start ran the stage (None in older studies, whose
    signals were study attributes): the stage's distribution drew the trials from there."""
    fraction: list[float]
    """The data fraction the policy learned from at each stage."""
    entropy: list[float]
    """Mean normalised entropy of the policy's heads (1 = uniform)."""
    best_value: list[float]
    group_mean_value: list[float]
    mean_advantage: list[float]
    distributions: dict[str, Distribution]


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _numeric_labels(name: str, n_bins: int, space: Space | None) -> list[str]:
    """The value at each bin's centre, when the space says how to map [0, 1] to values."""
    if space is None or name not in space:
        return [f"bin {b}" for b in range(n_bins)]
    hp = space[name]
    return [f"{hp.from_unit((b + 0.5) / n_bins):.3g}" for b in range(n_bins)]


def _distribution(name: str, summary: dict[str, Any], space: Space | None) -> tuple[
    list[str], list[float]
] | None:
    if summary.get("type") == "categorical" and isinstance(summary.get("probs"), dict):
        probs = summary["probs"]
        return [str(k) for k in probs], [_float(v) for v in probs.values()]
    if summary.get("type") == "numeric" and isinstance(summary.get("bins"), list):
        bins = [_float(v) for v in summary["bins"]]
        return _numeric_labels(name, len(bins), space), bins
    return None


def read_agent_stages(study: optuna.Study, space: Space | None = None) -> AgentStages | None:
    """The agent's per-stage record in ``study``, or ``None`` when it has none.

    Example:
        >>> read_agent_stages(optuna.create_study()) is None
        True
    """
    from rocket_hpo.agent import SIGNALS_KEY, read_signals

    records = [r for r in read_signals(study) if isinstance(r, dict)]
    if not records:
        return None
    started = {int(t.system_attrs[SIGNALS_KEY].get("stage", -1)): t.number
               for t in study.get_trials(deepcopy=False)
               if isinstance(t.system_attrs.get(SIGNALS_KEY), dict)}
    out = AgentStages([], [], [], [], [], [], [], {})
    for i, r in enumerate(records):
        stage = int(r.get("stage", i))
        out.stage.append(stage)
        out.start.append(started.get(stage))
        out.fraction.append(_float(r.get("fraction", 1.0)))
        out.entropy.append(_float(r.get("entropy")))
        out.best_value.append(_float(r.get("best_value")))
        out.group_mean_value.append(_float(r.get("group_mean_value")))
        out.mean_advantage.append(_float(r.get("mean_advantage")))
        for name, summary in (r.get("hyperparameters") or {}).items():
            parsed = _distribution(name, summary, space) if isinstance(summary, dict) else None
            if parsed is None:
                continue
            labels, probs = parsed
            dist = out.distributions.setdefault(name, Distribution(labels))
            if len(probs) == len(dist.labels):
                dist.stages.append(stage)
                dist.probs.append(probs)
    return out
