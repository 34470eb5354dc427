"""The agent's settings: one dataclass, one docstring per field, validated once."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from rocket_hpo._checks import (
    check_bool,
    check_choice,
    check_instance,
    check_int,
    check_known,
    check_number,
)
from rocket_hpo.errors import UsageError

_S = TypeVar("_S")

__all__ = ["AgentSettings", "check_policy"]


def check_settings(
    settings: Any, ints: dict[str, int], unit: tuple[str, ...], nonneg: tuple[str, ...],
    positive: tuple[str, ...] = (),
) -> None:
    """Validate a settings dataclass: integers with their minimum, numbers in [0, 1], finite
    numbers >= 0 and finite numbers > 0 (:mod:`rocket_hpo._checks`)."""
    for name, low in ints.items():
        check_int(name, getattr(settings, name), low, kind="setting")
    for name in unit:
        check_number(name, getattr(settings, name), 0, 1, kind="setting")
    for name in nonneg + positive:
        check_number(name, getattr(settings, name), 0, open_low=name in positive,
                     kind="setting")


def replace_settings(cls: type[_S], base: _S | None, overrides: dict[str, Any]) -> _S:
    """``base`` (or ``cls``'s defaults) with ``overrides``; an unknown name is an error."""
    check_known(overrides, sorted(f.name for f in dataclasses.fields(cls)))  # type: ignore[arg-type]
    return dataclasses.replace(base or cls(), **overrides)  # type: ignore[type-var]


def check_policy(policy: Any, model_path: Any) -> None:
    """The policy backend and its model path, as ``RocketSampler`` and study files take
    them: ``"compact"`` (no model path) or ``"llm"`` (a local folder)."""
    check_choice("policy", policy, ("compact", "llm"))
    if policy == "compact" and model_path is not None:
        raise UsageError(
            "The 'model_path' parameter is only used with policy='llm'. "
            f"Got model_path={model_path!r} with policy='compact'."
        )
    if policy == "llm" and not isinstance(model_path, str | Path):
        raise UsageError(
            "policy='llm' needs 'model_path': a local directory holding a causal language "
            f"model and its tokenizer. Got {model_path!r}."
        )


@dataclass(frozen=True)
class AgentSettings:
    """Settings of the Rocket agent (the compact policy and its in-study group updates).

    Example:
        >>> AgentSettings(group_size=8).group_size
        8
        >>> try:
        ...     AgentSettings(group_size=0)
        ... except ValueError as e:
        ...     print(e)
        The 'group_size' setting must be an integer >= 1. Got 0 instead.
    """

    group_size: int = 4
    """Proposals per stage: the policy is updated once every ``group_size`` finished trials
    at the learning fidelity."""
    context: int = 24
    """The policy reads the best and the most recent ``context`` finished trials (at most
    twice this many rows), so a proposal costs the same in a long study."""
    update_steps: int = 4
    """Gradient steps of each stage's group update; 0 keeps the starting policy fixed."""
    learning_rate: float = 1e-4
    """Adam learning rate of the in-study updates."""
    clip: float = 0.2
    """Clip range of the per-decision probability ratio to the reference policy."""
    kl_coef: float = 0.1
    """Weight of the KL pull towards the reference policy (the previous stage's)."""
    screen: int = 64
    """The policy draws this many configurations per trial and a Gaussian process fitted to
    its context keeps the one with the largest expected improvement, after ``climb`` (once
    three results are in, and when the space is given); 0 or 1: the policy's single draw
    is the proposal. 64 was chosen on development seeds against 16
    (``benchmarks/agent/results/policy/tried/screen-summary.md``)."""
    climb: int = 4
    """Rounds of the screen's climb: the numbers of its four best draws move uphill in
    expected improvement, 32 steps tried per round, each round's steps half as long (a
    tenth of the unit scale first), and the highest is proposed; 0 proposes the best draw
    as it is. Chosen on development seeds
    (``benchmarks/agent/results/policy/tried/climb-README.md``)."""
    cheap_results: bool = False
    """With data subsets: False (the default) keeps only the results at the learning fraction
    (the scheduler's: the full data until a subset has earned trust); True lets the policy
    and the screen read the results of every data fraction, each row carrying its fraction.
    On the rbv2_xgboost development instances cheap results in the context made the studies
    worse, under ASHA and under gain promotion alike, and on the data-rich tasks they made no
    difference (``benchmarks/fidelity/dev_subsets.md``)."""

    def __post_init__(self) -> None:
        check_settings(self, {"group_size": 1, "context": 1, "update_steps": 0, "screen": 0,
                              "climb": 0}, (),
                       ("clip", "kl_coef"), positive=("learning_rate",))
        check_bool("cheap_results", self.cheap_results, kind="setting")

    @classmethod
    def from_kwargs(cls, base: AgentSettings | None = None, **overrides: Any) -> AgentSettings:
        """``base`` (or the defaults) with ``overrides``; unknown names are an error."""
        check_instance("settings", base, AgentSettings, "an AgentSettings", none=True)
        return replace_settings(cls, base, overrides)
