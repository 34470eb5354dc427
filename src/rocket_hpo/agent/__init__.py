"""The Rocket agent: a history-conditioned policy, pretrained across tasks and refined in
each study by recurrent group policy optimisation with self-play advantages.

Pieces, one per module: ``policy`` (the algorithm: network, decoding, group update),
``_history`` (a study as the policy reads it: columns, bounded contexts, decoding),
``_compact`` (the policy inside a study: proposals and the stage loop), ``_weights``
(weight files and the shipped default), ``_checkpoint`` (state and per-stage signals in
the study's storage), ``_settings``, ``_backend`` (the one interface the sampler drives)
and ``_make`` (the one factory of a backend on its starting weights); ``pretrain/`` (tasks
and the pretraining loop behind ``rocket pretrain``); ``llm/`` (the language-model policy
behind the same interface).
:class:`rocket_hpo.RocketSampler` is the Optuna-facing glue.
"""

from rocket_hpo.agent._checkpoint import read_signals
from rocket_hpo.agent._settings import AgentSettings
from rocket_hpo.keys import META_KEY, SIGNALS_KEY, SIGNALS_PREFIX, STATE_PREFIX

__all__ = [
    "META_KEY",
    "SIGNALS_KEY",
    "SIGNALS_PREFIX",
    "STATE_PREFIX",
    "AgentSettings",
    "read_signals",
]
