"""The one interface ``RocketSampler`` drives a policy through; the compact policy
(:class:`~rocket_hpo.agent._compact.CompactBackend`) and the language model
(:class:`~rocket_hpo.agent.llm._backend.LLMBackend`) both implement it, so the sampler is
Optuna glue only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import optuna
from optuna.distributions import BaseDistribution
from optuna.trial import FrozenTrial

__all__ = ["PolicyBackend"]


class PolicyBackend(Protocol):
    @property
    def stage(self) -> int:
        """Stages completed so far."""

    def state_bytes(self) -> bytes:
        """The state saved in the study's storage and accepted by :meth:`start_from`."""

    def start_from(self, data: bytes) -> None:
        """Warm start from another study's state, counting stages afresh."""

    def sync(self, study: optuna.Study, trial_id: int, warm: Sequence[FrozenTrial],
             learn_at: float) -> None:
        """Load a newer stored state; run a stage (update, save, signals) when one is due."""

    def propose(self, study: optuna.Study, trial: FrozenTrial, fraction: float,
                warm: Sequence[FrozenTrial], learn_at: float) -> None:
        """Decide (or start decoding) the configuration ``trial`` gets."""

    def value(self, trial: FrozenTrial, name: str, distribution: BaseDistribution,
              ) -> tuple[bool, Any]:
        """(True, value) for ``name`` when the policy has one that fits ``distribution``."""

    def forget(self, trial: FrozenTrial) -> None:
        """Drop what was kept for a finished trial."""
