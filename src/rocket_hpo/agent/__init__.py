"""The Rocket agent: a compact policy (a GRU with one typed head per hyperparameter) trained
by recurrent group policy optimisation with self-play advantages while the study runs.

Pieces, one per module: ``_heads`` (hyperparameter <-> token), ``_policy`` (the network),
``_advantages`` (self-play ranks), ``_pool`` (experience and the pool of the best),
``_update`` (the clipped, KL-regularised group update), ``_agent`` (sampling and one stage),
``_storage`` (state and per-stage signals in the study's storage), ``_settings``.
:class:`rocket_hpo.RocketSampler` is the Optuna-facing glue.
"""

from rocket_hpo.agent._agent import Agent
from rocket_hpo.agent._settings import AgentSettings
from rocket_hpo.agent._storage import (
    META_KEY,
    SIGNALS_KEY,
    SIGNALS_PREFIX,
    STATE_PREFIX,
    read_signals,
)

__all__ = [
    "META_KEY",
    "SIGNALS_KEY",
    "SIGNALS_PREFIX",
    "STATE_PREFIX",
    "Agent",
    "AgentSettings",
    "read_signals",
]
