"""Rocket spaces as ConfigSpace spaces, for the peers that need one (SMAC3, DEHB).

Log scales and conditions are kept. A condition "exists whenever the parent exists"
(``when="parent"``) becomes the parent's own condition, which ConfigSpace can express.
Categorical choices become strings (ConfigSpace compares them as such) and are mapped
back to the original values; integers on a step grid become the grid's index.
"""

from __future__ import annotations

from typing import Any

from rocket_hpo.space import Categorical, Condition, Config, Float, Int, Space

__all__ = ["ConfigSpaceBridge"]


def _effective_condition(space: Space, name: str) -> Condition | None:
    cond = space[name].condition
    while cond is not None and cond.values is None:
        cond = space[cond.parent].condition
    return cond


class ConfigSpaceBridge:
    """Converts a :class:`Space` to a ``ConfigurationSpace`` and configurations back.

    Example:
        >>> from rocket_hpo.space import Space, Float, Categorical
        >>> bridge = ConfigSpaceBridge(Space(lr=Float(1e-4, 1.0, log=True),
        ...                                  opt=Categorical(["adam", "sgd"])), seed=0)
        >>> config = bridge.to_config(bridge.cs.sample_configuration())
        >>> sorted(config)
        ['lr', 'opt']
    """

    def __init__(self, space: Space, seed: int) -> None:
        from ConfigSpace import (
            CategoricalHyperparameter,
            ConfigurationSpace,
            EqualsCondition,
            InCondition,
            UniformFloatHyperparameter,
            UniformIntegerHyperparameter,
        )

        self.space = space
        self._labels: dict[str, dict[str, Any]] = {}
        cs = ConfigurationSpace(seed=seed)
        hps: dict[str, Any] = {}
        for name, hp in space.items():
            if isinstance(hp, Categorical):
                labels = {self._label(c): c for c in hp.choices}
                self._labels[name] = labels
                hps[name] = CategoricalHyperparameter(name, list(labels))
            elif isinstance(hp, Int) and int(hp.step) != 1:
                n = (int(hp.high) - int(hp.low)) // int(hp.step)
                hps[name] = UniformIntegerHyperparameter(name, 0, n)
            elif isinstance(hp, Int):
                hps[name] = UniformIntegerHyperparameter(
                    name, int(hp.low), int(hp.high), log=hp.log
                )
            else:
                assert isinstance(hp, Float)
                hps[name] = UniformFloatHyperparameter(
                    name, float(hp.low), float(hp.high), log=hp.log
                )
        cs.add(list(hps.values()))
        conditions: list[Any] = []
        for name in space:
            cond = _effective_condition(space, name)
            if cond is None:
                continue
            assert cond.values is not None
            values = [self._label(v) if cond.parent in self._labels else v for v in cond.values]
            if len(values) == 1:
                conditions.append(EqualsCondition(hps[name], hps[cond.parent], values[0]))
            else:
                conditions.append(InCondition(hps[name], hps[cond.parent], values))
        if conditions:
            cs.add(conditions)
        self.cs = cs

    @staticmethod
    def _label(choice: Any) -> str:
        return choice if isinstance(choice, str) else repr(choice)

    def to_config(self, configuration: Any) -> Config:
        """A rocket configuration from a ConfigSpace ``Configuration`` (or its dict)."""
        values = dict(configuration)
        out: Config = {}
        for name, hp in self.space.items():
            if name not in values or values[name] is None:
                continue
            v = values[name]
            if isinstance(hp, Categorical):
                out[name] = self._labels[name][str(v)]
            elif isinstance(hp, Int) and int(hp.step) != 1:
                out[name] = int(hp.low) + int(v) * int(hp.step)
            elif isinstance(hp, Int):
                out[name] = min(max(int(round(float(v))), int(hp.low)), int(hp.high))
            else:
                assert isinstance(hp, Float)
                out[name] = min(max(float(v), float(hp.low)), float(hp.high))
        return out
