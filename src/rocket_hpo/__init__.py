"""Rocket: hyperparameter optimisation by a self-play RL policy, as an Optuna sampler.

Public names are listed in ``__all__``; the sampler (and with it torch) is imported lazily,
on first use of ``rocket_hpo.RocketSampler``, so ``import rocket_hpo`` stays cheap.

Example:
    >>> import rocket_hpo
    >>> "RocketSampler" in rocket_hpo.__all__
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rocket_hpo.agent import AgentSettings
    from rocket_hpo.sampler import RocketSampler

__all__ = ["AgentSettings", "RocketSampler"]


def __getattr__(name: str) -> Any:
    if name == "RocketSampler":
        from rocket_hpo.sampler import RocketSampler

        return RocketSampler
    if name == "AgentSettings":
        from rocket_hpo.agent import AgentSettings

        return AgentSettings
    raise AttributeError(f"module 'rocket_hpo' has no attribute {name!r}")
