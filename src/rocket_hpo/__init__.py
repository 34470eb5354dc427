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
    from rocket_hpo.fidelity import Ladder, SubsetScheduler, data_fraction
    from rocket_hpo.sampler import RocketSampler

__all__ = ["AgentSettings", "Ladder", "RocketSampler", "SubsetScheduler", "data_fraction"]

# The data-subset fidelity API, also imported lazily (it needs optuna).
_FIDELITY = ("Ladder", "SubsetScheduler", "data_fraction")


def __getattr__(name: str) -> Any:
    if name == "RocketSampler":
        from rocket_hpo.sampler import RocketSampler

        return RocketSampler
    if name in _FIDELITY:
        from rocket_hpo import fidelity

        return getattr(fidelity, name)
    if name == "AgentSettings":
        from rocket_hpo.agent import AgentSettings

        return AgentSettings
    raise AttributeError(f"module 'rocket_hpo' has no attribute {name!r}")
