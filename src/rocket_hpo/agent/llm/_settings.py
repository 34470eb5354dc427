"""Settings of the language-model policy: one dataclass, one docstring per field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rocket_hpo._checks import check_bool
from rocket_hpo.agent._settings import check_settings, replace_settings

__all__ = ["LLMSettings"]


@dataclass(frozen=True)
class LLMSettings:
    """Settings of the language-model policy and its group optimisation.

    The defaults were chosen on the toy problem of ``benchmarks/llm`` (development seeds).

    Example:
        >>> LLMSettings(lora_rank=4).lora_rank
        4
        >>> try:
        ...     LLMSettings(clip=-1.0)
        ... except ValueError as e:
        ...     print(e)
        The 'clip' setting must be a finite number >= 0. Got -1.0 instead.
    """

    group_size: int = 8
    """Proposals per stage: the adapters are updated once every ``group_size`` results."""
    lora_rank: int = 8
    """Rank of the LoRA adapters on every linear layer of the model."""
    lora_alpha: float = 16.0
    """LoRA scaling numerator (the update is scaled by alpha / rank)."""
    learning_rate: float = 2e-3
    """AdamW learning rate of the adapters."""
    update_steps: int = 4
    """Gradient steps per stage."""
    clip: float = 0.2
    """Clip range of the per-token ratio to the policy that sampled the output."""
    kl_coef: float = 0.02
    """Weight of the KL estimate to the reference (the previous stage's policy)."""
    entropy_floor: float = 0.2
    """Floor on each choice's entropy, as a fraction of its maximum (log of its options)."""
    entropy_coef: float = 0.1
    """Weight of the penalty for falling below the entropy floor."""
    elite_fraction: float = 0.25
    """Share of the history (best first) replayed as the experience pool."""
    max_elites: int = 8
    """Upper bound on the pool replayed in an update."""
    group_weight: float = 0.5
    """Weight of the group's (signed) advantages against the pool replay (weight 1)."""
    prompt_best: int = 8
    """Best configurations shown in the prompt."""
    prompt_recent: int = 8
    """Most recent configurations (besides the best) shown in the prompt."""
    log_digits: int = 2
    """Significant digits of log-scaled numbers (their candidate values; see ``_values``)."""
    linear_values: int = 100
    """At most this many grid intervals for a linear float's candidate values."""
    int_values: int = 256
    """Integers with at most this many values may take each; wider ones use a grid."""
    count_prior: bool = True
    """Add log(number of candidate values a token leads to) to its logit, so an indifferent
    model samples uniformly over the candidates (log-uniformly on log scales), as random
    search does, instead of favouring values with short spellings such as ``1``."""
    temperature: float = 1.0
    """Sampling temperature (the update uses the same, so ratios stay exact)."""
    batch_size: int = 64
    """Outputs decoded together in one batch."""

    def __post_init__(self) -> None:
        ints = {
            "group_size": 1, "lora_rank": 1, "update_steps": 0, "max_elites": 1,
            "prompt_best": 0, "prompt_recent": 0, "log_digits": 1, "linear_values": 1,
            "int_values": 2, "batch_size": 1,
        }
        unit = ("elite_fraction", "entropy_floor")
        nonneg = ("lora_alpha", "clip", "kl_coef", "entropy_coef", "group_weight")
        check_settings(self, ints, unit, nonneg, positive=("learning_rate", "temperature"))
        check_bool("count_prior", self.count_prior, kind="setting")

    @classmethod
    def from_kwargs(cls, base: LLMSettings | None = None, **overrides: Any) -> LLMSettings:
        """``base`` (or the defaults) with ``overrides``; unknown names are an error."""
        return replace_settings(cls, base, overrides)
