"""The agent's settings: one dataclass, one docstring per field, validated once."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

_S = TypeVar("_S")

__all__ = ["AgentSettings", "check_policy"]


def check_settings(
    settings: Any, ints: dict[str, int], unit: tuple[str, ...], nonneg: tuple[str, ...]
) -> None:
    """Validate a settings dataclass: integers with their minimum, numbers in [0, 1], and
    finite numbers >= 0; the error names the setting, what is allowed and what was given."""
    for name, low in ints.items():
        v = getattr(settings, name)
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise ValueError(
                f"The {name!r} setting must be an integer >= {low}. Got {v!r} instead."
            )
    for name in unit + nonneg:
        v = getattr(settings, name)
        ok = isinstance(v, int | float) and not isinstance(v, bool) and v == v
        if ok and name in unit:
            ok = 0.0 <= v <= 1.0
        elif ok:
            ok = 0.0 <= v < float("inf")
        if not ok:
            allowed = "a number in [0, 1]" if name in unit else "a finite number >= 0"
            raise ValueError(f"The {name!r} setting must be {allowed}. Got {v!r} instead.")


def replace_settings(cls: type[_S], base: _S | None, overrides: dict[str, Any]) -> _S:
    """``base`` (or ``cls``'s defaults) with ``overrides``; an unknown name is a TypeError."""
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for key in overrides:
        if key not in known:
            raise TypeError(
                f"Unknown setting {key!r}; the settings are: {', '.join(sorted(known))}."
            )
    return dataclasses.replace(base or cls(), **overrides)  # type: ignore[type-var]


def check_policy(policy: Any, model_path: Any) -> None:
    """The policy backend and its model path, as ``RocketSampler`` and study files take
    them: ``"compact"`` (no model path) or ``"llm"`` (a local folder). Raises ValueError
    naming the argument."""
    if policy not in ("compact", "llm"):
        raise ValueError(f"The 'policy' argument must be 'compact' or 'llm'. Got {policy!r}.")
    if policy == "compact" and model_path is not None:
        raise ValueError(
            "The 'model_path' argument is only used with policy='llm'. "
            f"Got model_path={model_path!r} with policy='compact'."
        )
    if policy == "llm" and not isinstance(model_path, str | Path):
        raise ValueError(
            "policy='llm' needs 'model_path': a local directory holding a causal language "
            f"model and its tokenizer. Got {model_path!r}."
        )


@dataclass(frozen=True)
class AgentSettings:
    """Settings of the Rocket agent (the compact policy and its group optimisation).

    The defaults were chosen on the development problems only (YAHPO lcbench 3945, 7593,
    126025, rbv2_xgboost 40496, mf-prior-bench mfh3 and synthetic functions, seeds 100+);
    see ``benchmarks/agent/README.md``.

    Example:
        >>> AgentSettings(group_size=8).group_size
        8
        >>> AgentSettings(group_size=0)
        Traceback (most recent call last):
        ...
        ValueError: The 'group_size' setting must be an integer >= 1. Got 0 instead.
    """

    group_size: int = 4
    """Proposals per stage: the policy is updated once every ``group_size`` finished trials."""
    n_startup: int = 8
    """Finished trials (at the learning fidelity) before the first update; until then the
    untrained policy samples nearly uniformly."""
    n_bins: int = 16
    """Outputs of a continuous head (bins of the unit interval); integers and stepped floats
    with at most this many values get one output per value."""
    hidden_size: int = 32
    """Width of the GRU that decodes one hyperparameter after another."""
    embed_size: int = 16
    """Width of the token, position and fidelity embeddings fed to the GRU."""
    elite_fraction: float = 0.10
    """Share of the history (best first, failures last) replayed as the experience pool.
    0.10 with ``critic_gamma`` 0.10 beat the earlier 0.25 / 0.15 against TPE on three
    independent sets of development seeds (``benchmarks/agent/README.md``)."""
    max_elites: int = 24
    """Upper bound on the experience pool, which bounds the cost of an update."""
    update_steps: int = 12
    """Gradient steps per stage (bounded so an update takes milliseconds)."""
    learning_rate: float = 0.01
    """Adam learning rate."""
    clip: float = 0.3
    """Clip range of the per-token probability ratio to the reference policy."""
    kl_coef: float = 0.5
    """Weight of KL(reference || policy), the pull towards the previous stage's policy."""
    entropy_floor: float = 0.25
    """Floor on each head's entropy, as a fraction of its maximum (log of its outputs)."""
    entropy_coef: float = 3.0
    """Weight of the penalty for falling below the entropy floor."""
    smoothing: float = 1.0
    """Width (in bins) of the Gaussian that spreads an ordered head's target over neighbours."""
    group_weight: float = 0.5
    """Weight of the latest group's (signed) advantages against the pool replay (weight 1)."""
    negative_weight: float = 0.5
    """Weight of the negative replay (the worse half of the history, advantage -1)."""
    explore_start: float = 0.3
    """Per-hyperparameter probability of a uniform draw at the start of a study."""
    explore_end: float = 0.05
    """Floor of that probability, reached after ``explore_decay`` finished trials."""
    explore_decay: int = 60
    """Finished trials over which exploration anneals linearly from start to end."""
    local_prob: float = 0.7
    """Probability that a continuous value is drawn near a pool member in the chosen bin
    (local refinement) rather than uniformly inside the bin."""
    local_width: float = 0.35
    """Standard deviation of that local draw, in bins."""
    refine_max: float = 0.0
    """Largest share of proposals that refine a pool member (local search guided by the
    policy: its probabilities times a kernel around the member, see ``Agent._refine``).
    These trials skip the critic. 0 (the default since the critic proposes too) sends
    every trial through the critic; 0.7 was the default before."""
    refine_ramp: int = 30
    """Finished trials over which that share grows linearly from 0 to ``refine_max``."""
    refine_width: float = 0.5
    """Width of refinement, as a multiple of the pool's spread in each coordinate (so it
    narrows as the pool concentrates)."""
    refine_switch: float = 0.15
    """Relative weight of the other choices of a categorical when refining."""
    n_candidates: int = 16
    """Configurations drawn from the policy for each trial that does not refine a pool member;
    with the critic's own ``critic_candidates``, the critic picks the one to evaluate
    (``rocket_hpo.agent._critic``). 1 with ``critic_candidates=0`` evaluates every policy
    draw as it comes. Needs a ``space``."""
    critic_candidates: int = 16
    """Configurations the critic draws from its own density of the better trials (each
    hyperparameter near a randomly chosen better row), added to the policy's
    ``n_candidates`` before the critic picks. 0: only the policy proposes. Needs a
    ``space``."""
    critic_gamma: float = 0.10
    """Share of the history (best first) the critic treats as "better" than the rest."""

    def __post_init__(self) -> None:
        ints = {
            "group_size": 1, "n_startup": 1, "n_bins": 2, "hidden_size": 1, "embed_size": 1,
            "max_elites": 1, "update_steps": 0, "explore_decay": 1, "refine_ramp": 1,
            "n_candidates": 1, "critic_candidates": 0,
        }
        unit = ("elite_fraction", "explore_start", "explore_end", "local_prob", "entropy_floor",
                "refine_max", "refine_switch", "critic_gamma")
        nonneg = ("learning_rate", "clip", "kl_coef", "entropy_coef", "smoothing",
                  "group_weight", "negative_weight", "local_width", "refine_width")
        check_settings(self, ints, unit, nonneg)
        if self.learning_rate <= 0:
            raise ValueError(
                f"The 'learning_rate' setting must be > 0. Got {self.learning_rate!r} instead."
            )

    @classmethod
    def from_kwargs(cls, base: AgentSettings | None = None, **overrides: Any) -> AgentSettings:
        """``base`` (or the defaults) with ``overrides``; unknown names are an error."""
        if base is not None and not isinstance(base, AgentSettings):
            raise TypeError(
                f"The 'settings' argument must be an AgentSettings. Got {base!r} instead."
            )
        return replace_settings(cls, base, overrides)

    def exploration(self, n_finished: int) -> float:
        """The uniform-draw probability after ``n_finished`` trials (linear annealing)."""
        t = min(n_finished / self.explore_decay, 1.0)
        return self.explore_start + t * (self.explore_end - self.explore_start)

    def refinement(self, n_finished: int) -> float:
        """The share of proposals that refine a pool member after ``n_finished`` trials."""
        return self.refine_max * min(n_finished / self.refine_ramp, 1.0)
