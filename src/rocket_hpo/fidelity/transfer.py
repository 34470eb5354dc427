"""Transfer rules: how a configuration's hyperparameters change when it moves to more data.

A configuration tuned on 1/9 of the data may need more optimisation steps or a different
learning rate on the full data. The user declares that, one :class:`Scale` per
hyperparameter, and the scheduler applies the rules whenever it promotes a configuration;
the changes are stored on the promoted trial (user attribute ``rocket:transfer``).

Example:
    >>> from optuna.distributions import FloatDistribution, IntDistribution
    >>> rules = TransferRules(
    ...     Scale("steps"),                                 # steps grow with the data
    ...     Scale("batch_size", power=0.5),                 # batch grows as sqrt(data)
    ...     Scale("lr", by="batch_size"),                   # linear scaling rule
    ... )
    >>> dists = {"steps": IntDistribution(10, 10_000), "batch_size": IntDistribution(8, 512),
    ...          "lr": FloatDistribution(1e-5, 1.0, log=True)}
    >>> new, changes = rules.apply({"steps": 100, "batch_size": 16, "lr": 0.01}, dists, 1 / 9, 1)
    >>> new
    {'steps': 900, 'batch_size': 48, 'lr': 0.03}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rocket_hpo._checks import check_number, check_text
from rocket_hpo.errors import UsageError

__all__ = ["Scale", "TransferRules"]


@dataclass(frozen=True)
class Scale:
    """Multiply one hyperparameter by ``ratio ** power`` on promotion.

    Args:
        param: the hyperparameter's name (skipped in a configuration where it is inactive).
        power: the exponent; 1 = proportional, 0.5 = square root, -1 = inversely.
        by: ``"data"``: ratio = new fraction / old fraction; or the name of a hyperparameter
            scaled by an earlier rule: ratio = its new value / its old value.

    The result is clipped to the hyperparameter's range and rounded to its step (integers
    to whole numbers), so the promoted configuration stays in the search space.
    """

    param: str
    power: float = 1.0
    by: str = "data"

    def __post_init__(self) -> None:
        of = "parameter of Scale"
        check_text("param", self.param, "a hyperparameter name", kind=of)
        check_number("power", self.power, kind=of)
        check_text("by", self.by, "'data' or a hyperparameter name", kind=of)

class TransferRules:
    """An ordered set of :class:`Scale` rules, applied on every promotion.

    Args:
        *rules: one rule per hyperparameter; a rule ``by`` another hyperparameter must come
            after that hyperparameter's own rule.
    """

    def __init__(self, *rules: Scale) -> None:
        seen: set[str] = set()
        for i, rule in enumerate(rules):
            if not isinstance(rule, Scale):
                raise UsageError(
                    f"TransferRules takes Scale rules. Got {type(rule).__name__} at position {i}."
                )
            if rule.param in seen:
                raise UsageError(f"TransferRules has two rules for {rule.param!r}; give one.")
            if rule.by != "data" and rule.by not in seen:
                raise UsageError(
                    f"The rule for {rule.param!r} scales by {rule.by!r}, which needs a rule of its "
                    f"own earlier in TransferRules. Rules so far: {sorted(seen) or 'none'}."
                )
            seen.add(rule.param)
        self.rules: tuple[Scale, ...] = tuple(rules)

    @classmethod
    def from_config(cls, rules: Any) -> TransferRules:
        """Rules written as a study file writes them: a list of ``{param, power, by}``.

        Raises:
            UsageError: ``rules`` is not such a list, or a rule is invalid.

        Example:
            >>> TransferRules.from_config([{"param": "weight_decay", "power": -1}])
            TransferRules(Scale(param='weight_decay', power=-1, by='data'),)
        """
        if not isinstance(rules, list | tuple) or not all(isinstance(r, Mapping)
                                                          for r in rules):
            raise UsageError(f"Transfer rules must be a list of mappings {{param, power, by}}. "
                             f"Got {rules!r}.")
        try:
            return cls(*(Scale(**r) for r in rules))
        except UsageError:
            raise
        except TypeError as e:  # Scale(**rule) with a key Scale does not take
            raise UsageError(f"A transfer rule: {e}.") from None

    def __repr__(self) -> str:
        return f"TransferRules{self.rules!r}"

    def __bool__(self) -> bool:
        return bool(self.rules)

    def apply(
        self,
        params: Mapping[str, Any],
        distributions: Mapping[str, Any],
        from_fraction: float,
        to_fraction: float,
    ) -> tuple[dict[str, Any], dict[str, list[Any]]]:
        """Scale ``params`` from ``from_fraction`` to ``to_fraction`` of the data.

        Args:
            params: the promoted trial's parameters.
            distributions: its Optuna distributions (for ranges, steps and types).
            from_fraction: the data fraction it was evaluated on.
            to_fraction: the data fraction it is promoted to.

        Returns:
            The new parameters, and ``{name: [old, new]}`` for each one that changed.
        """
        new = dict(params)
        changes: dict[str, list[Any]] = {}
        ratios: dict[str, float] = {}
        for rule in self.rules:
            if rule.param not in params:
                continue
            if rule.by == "data":
                ratio = to_fraction / from_fraction
            elif rule.by in ratios:
                ratio = ratios[rule.by]
            else:  # the hyperparameter it scales by is inactive in this configuration
                continue
            old = params[rule.param]
            value = _fit(rule.param, old, ratio ** float(rule.power), distributions.get(rule.param))
            ratios[rule.param] = value / float(old) if old else 1.0
            new[rule.param] = value
            if value != old:
                changes[rule.param] = [old, value]
        return new, changes


def _fit(name: str, old: Any, factor: float, dist: Any) -> Any:
    """``old * factor`` clipped to ``dist``'s range and rounded to its grid."""
    from optuna.distributions import FloatDistribution, IntDistribution

    if dist is not None and not isinstance(dist, IntDistribution | FloatDistribution):
        raise UsageError(
            f"A transfer rule scales {name!r}, which is {type(dist).__name__}; only float and "
            f"int hyperparameters can be scaled."
        )
    value = float(old) * factor
    if isinstance(dist, IntDistribution):
        n = min(max(round(value), dist.low), dist.high)
        return int(dist.low + round((n - dist.low) / dist.step) * dist.step)
    if isinstance(dist, FloatDistribution):
        v = min(max(value, dist.low), dist.high)
        if dist.step is not None:
            v = min(dist.low + round((v - dist.low) / dist.step) * dist.step, dist.high)
        return float(v)
    return value
