"""The agent's learning record, read from the study: one entry per stage.

Rocket's sampler stores, per stage, the policy's entropy, the group's mean advantage and
best score, and each hyperparameter's distribution summarised as probabilities over bins.
This module turns whatever the study holds into :class:`AgentStages`, or ``None`` when the
study has no such record (another sampler, or no stage finished yet).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import optuna

__all__ = ["AgentStages", "Distribution", "read_agent_stages"]

STAGES_ATTR = "rocket:agent:stages"


@dataclass
class Distribution:
    """One hyperparameter's distribution under the policy, stage by stage."""

    labels: list[str]
    """A label per bin (a value, or a category)."""
    probs: list[list[float]] = field(default_factory=list)
    """(stages, bins): probability of each bin at the end of each stage."""


@dataclass
class AgentStages:
    stage: list[int]
    entropy: list[float]
    best_score: list[float]
    mean_advantage: list[float]
    distributions: dict[str, Distribution]


def _float(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def read_agent_stages(study: optuna.Study) -> AgentStages | None:
    """The agent's per-stage record in ``study``, or ``None`` when it has none."""
    entries = study.user_attrs.get(STAGES_ATTR)
    if not isinstance(entries, list) or not entries:
        return None
    out = AgentStages([], [], [], [], {})
    for i, entry in enumerate(e for e in entries if isinstance(e, dict)):
        out.stage.append(int(entry.get("stage", i)))
        out.entropy.append(_float(entry.get("entropy")))
        out.best_score.append(_float(entry.get("best_score")))
        out.mean_advantage.append(_float(entry.get("mean_advantage")))
        for name, dist in (entry.get("distributions") or {}).items():
            labels = [str(x) for x in dist.get("labels", [])]
            probs = [_float(p) for p in dist.get("probs", [])]
            d = out.distributions.setdefault(name, Distribution(labels))
            d.probs.append(probs)
    return out if out.stage else None
