"""The one factory the sampler builds its policy backend with: the compact policy on its
starting weights, or the language-model policy (``llm/``), behind :class:`PolicyBackend`."""

from __future__ import annotations

from typing import Any

import torch

from rocket_hpo.agent._backend import PolicyBackend
from rocket_hpo.agent._compact import CompactBackend
from rocket_hpo.agent._settings import AgentSettings
from rocket_hpo.agent._weights import load_weights
from rocket_hpo.agent.policy import HistoryPolicy
from rocket_hpo.space import Space

__all__ = ["make_backend"]


def initial_policy(pretrained: bool, policy_path: str | None, seed_key: int) -> HistoryPolicy:
    """The compact policy's starting network: the weights at ``policy_path``, else the
    shipped weights, else (``pretrained=False``) a new network seeded by ``seed_key``."""
    if policy_path is not None:
        return load_weights(policy_path)
    if pretrained:
        return load_weights()
    torch.manual_seed(seed_key % (2**63))
    return HistoryPolicy()


def make_backend(
    space: Space | None,
    *,
    seed: int | None,
    seed_key: int,
    settings: Any,
    overrides: dict[str, Any],
    pretrained: bool,
    policy_path: str | None,
    policy: str,
    model_path: str | None,
    policy_state: bytes | None,
) -> PolicyBackend:
    """The backend ``RocketSampler`` drives (its arguments of the same names; ``seed_key``
    is the seed, or a drawn one when ``seed`` is None), started from ``policy_state`` when
    given."""
    backend: PolicyBackend
    if policy != "compact" or model_path is not None:
        from rocket_hpo.agent.llm._backend import make_backend as make_llm  # the 'llm' extra

        backend = make_llm(policy, space, model_path, seed, settings, overrides)
    else:
        backend = CompactBackend(space, initial_policy(pretrained, policy_path, seed_key),
                                 AgentSettings.from_kwargs(settings, **overrides), seed_key)
    if policy_state is not None:
        backend.start_from(policy_state)
    return backend
